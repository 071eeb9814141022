"""The Thalamus v4 reference client, blocking and async.

Both twins run the same flows (``_thalamus.ThalamusCore``); each method is one line that
hands a flow to its driver::

    with ThalamusClient.from_env("http://127.0.0.1:8000") as client:
        record = client.get_status(274)
        done = client.wait_for_completion(record.id, timeout=60, poll_interval=2)

The client logs in on the first call that needs a session (when it has a principal), and
again, once, when a call answers 401. It never puts a credential in a repr, a log record or
an error message.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from typing import Self, Unpack

from statuskit.client._base import CoreOptions
from statuskit.client._drivers import AsyncDriver, AsyncOptions, SyncDriver, SyncOptions
from statuskit.client._models import ImportPage, ImportRecord
from statuskit.client._thalamus import (
    FileInput,
    ImportFilters,
    LoginStyle,
    ThalamusCore,
    env_login_path,
    thalamus_env,
)
from statuskit.secrets import Secret

__all__ = [
    "AsyncThalamusClient",
    "ImportFilters",
    "LoginStyle",
    "ThalamusClient",
]

ProgressHook = Callable[[ImportRecord], object]
_OCTET_STREAM = "application/octet-stream"


def _core(
    base_url: str,
    touchpoint: str,
    token: str | Secret,
    principal: str | None,
    password: str | Secret | None,
    activity: str | None,
    login_path: str | None,
    login_style: LoginStyle,
    options: CoreOptions,
) -> ThalamusCore:
    return ThalamusCore(
        base_url,
        touchpoint=touchpoint,
        token=token,
        principal=principal,
        password=password,
        activity=activity,
        login_path=login_path,
        login_style=login_style,
        options=options,
    )


class ThalamusClient(SyncDriver):
    """A blocking Thalamus v4 client.

    ``token`` and ``password`` may be plain strings or :class:`~statuskit.secrets.Secret`\\ s;
    either way they are kept as secrets. Without a ``principal`` the client never logs in.
    ``login_path`` defaults to the catalogue's (``statuskit.catalogue.login_path()``).
    ``login_style`` sends the login as HTTP Basic (the default) or as the JSON body
    ``{"principal", "password"}``. Options: ``strict``, ``retry``, ``on_retry``, ``clock``,
    ``registry``, ``timeout``, ``transport``, ``http_client``, ``sleep`` (see
    :class:`~statuskit.client._drivers.SyncOptions`).
    """

    def __init__(
        self,
        base_url: str,
        *,
        touchpoint: str,
        token: str | Secret,
        principal: str | None = None,
        password: str | Secret | None = None,
        activity: str | None = None,
        login_path: str | None = None,
        login_style: LoginStyle = "basic",
        **options: Unpack[SyncOptions],
    ) -> None:
        self._core = _core(
            base_url,
            touchpoint,
            token,
            principal,
            password,
            activity,
            login_path,
            login_style,
            options,
        )
        super().__init__(options)

    @classmethod
    def from_env(
        cls,
        base_url: str,
        *,
        environ: Mapping[str, str] | None = None,
        activity: str | None = None,
        login_path: str | None = None,
        login_style: LoginStyle = "basic",
        **options: Unpack[SyncOptions],
    ) -> Self:
        """A client with the ``STATUSKIT_THALAMUS_*`` credentials and, unless ``login_path``
        is given, ``$STATUSKIT_THALAMUS_LOGIN_PATH`` (``environ`` defaults to ``os.environ``)."""
        env = thalamus_env(environ)
        return cls(
            base_url,
            **env,
            activity=activity,
            login_path=env_login_path(login_path, environ),
            login_style=login_style,
            **options,
        )

    def __repr__(self) -> str:
        return self._core.describe_client(type(self).__name__)

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def logged_in(self) -> bool:
        """Whether the client holds a session (the server may have ended it since)."""
        return self._core.session is not None

    def login(self) -> None:
        """Log in now; calls that need a session otherwise log in on first use."""
        self._run(self._core.login())

    def logout(self) -> None:
        """End the session, if there is one."""
        self._run(self._core.logout())

    def get_status(self, import_id: int | str) -> ImportRecord:
        """``GET /api/v4/import/status/{id}``: one import record."""
        return self._run(self._core.get_status(import_id))

    def list_imports(self, **filters: Unpack[ImportFilters]) -> ImportPage:
        """``GET /api/v4/import/status``: one page of records matching ``filters``."""
        return self._run(self._core.list_page(self._core.list_params(filters)))

    def iter_imports(self, **filters: Unpack[ImportFilters]) -> Iterator[ImportRecord]:
        """Every record matching ``filters``, page after page from ``filters["page"]``
        (default 1), fetched as the iteration reaches it."""
        params: dict[str, str] | None = self._core.list_params(filters)
        while params is not None:
            page = self._run(self._core.list_page(params))
            yield from page.items
            params = self._core.next_page(params, page)

    def upload(
        self,
        file: FileInput,
        name: str,
        type: int | str,
        *,
        filename: str | None = None,
        content_type: str = _OCTET_STREAM,
    ) -> ImportRecord:
        """``POST /api/v4/import/file``: upload ``file`` (bytes, a binary file or a path)
        as import ``name`` of ``type`` (25006, 25004, 25011 or 25012). Never retried; sent
        once more only after a 401 and a new login, when the server cannot have taken it."""
        return self._run(self._core.upload(file, name, type, filename, content_type))

    def wait_for_completion(
        self,
        import_id: int | str,
        *,
        timeout: float,
        poll_interval: float = 1.0,
        on_progress: ProgressHook | None = None,
    ) -> ImportRecord:
        """Poll until the import reaches a terminal state and return that record; raise
        :class:`~statuskit.errors.WaitTimeoutError` (with ``last``) after ``timeout``
        seconds. See :mod:`statuskit.client.polling` for which states are terminal."""
        flow = self._core.wait_for_completion(import_id, timeout, poll_interval, on_progress)
        return self._run(flow)


class AsyncThalamusClient(AsyncDriver):
    """The async twin of :class:`ThalamusClient`: the same arguments and methods, awaited
    (``sleep`` is an async function; ``transport`` and ``http_client`` are async ones)."""

    def __init__(
        self,
        base_url: str,
        *,
        touchpoint: str,
        token: str | Secret,
        principal: str | None = None,
        password: str | Secret | None = None,
        activity: str | None = None,
        login_path: str | None = None,
        login_style: LoginStyle = "basic",
        **options: Unpack[AsyncOptions],
    ) -> None:
        self._core = _core(
            base_url,
            touchpoint,
            token,
            principal,
            password,
            activity,
            login_path,
            login_style,
            options,
        )
        super().__init__(options)

    @classmethod
    def from_env(
        cls,
        base_url: str,
        *,
        environ: Mapping[str, str] | None = None,
        activity: str | None = None,
        login_path: str | None = None,
        login_style: LoginStyle = "basic",
        **options: Unpack[AsyncOptions],
    ) -> Self:
        """A client with the ``STATUSKIT_THALAMUS_*`` credentials and login path."""
        env = thalamus_env(environ)
        return cls(
            base_url,
            **env,
            activity=activity,
            login_path=env_login_path(login_path, environ),
            login_style=login_style,
            **options,
        )

    def __repr__(self) -> str:
        return self._core.describe_client(type(self).__name__)

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def logged_in(self) -> bool:
        return self._core.session is not None

    async def login(self) -> None:
        await self._run(self._core.login())

    async def logout(self) -> None:
        await self._run(self._core.logout())

    async def get_status(self, import_id: int | str) -> ImportRecord:
        return await self._run(self._core.get_status(import_id))

    async def list_imports(self, **filters: Unpack[ImportFilters]) -> ImportPage:
        return await self._run(self._core.list_page(self._core.list_params(filters)))

    async def iter_imports(self, **filters: Unpack[ImportFilters]) -> AsyncIterator[ImportRecord]:
        params: dict[str, str] | None = self._core.list_params(filters)
        while params is not None:
            page = await self._run(self._core.list_page(params))
            for record in page.items:
                yield record
            params = self._core.next_page(params, page)

    async def upload(
        self,
        file: FileInput,
        name: str,
        type: int | str,
        *,
        filename: str | None = None,
        content_type: str = _OCTET_STREAM,
    ) -> ImportRecord:
        return await self._run(self._core.upload(file, name, type, filename, content_type))

    async def wait_for_completion(
        self,
        import_id: int | str,
        *,
        timeout: float,
        poll_interval: float = 1.0,
        on_progress: ProgressHook | None = None,
    ) -> ImportRecord:
        flow = self._core.wait_for_completion(import_id, timeout, poll_interval, on_progress)
        return await self._run(flow)
