"""The Tealium Omnichannel reference client (API v1 or v2), blocking and async.

Both twins run the same flows (``_tealium.TealiumCore``)::

    with TealiumClient.from_env(url) as client:  # account and profile from the environment
        status = client.get_file_status("orders_2026nov01.csv")

The client logs in (v1) or fetches a token (v2) on first use, and again, once, when a call
answers 401 ``1401``. A file name over 150 characters is refused before anything is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Self, Unpack

from statuskit.client._base import CoreOptions
from statuskit.client._drivers import AsyncDriver, AsyncOptions, SyncDriver, SyncOptions
from statuskit.client._models import FileStatus
from statuskit.client._tealium import ApiVersion, TealiumCore, When, tealium_env
from statuskit.secrets import Secret

__all__ = ["ApiVersion", "AsyncTealiumClient", "TealiumClient", "When"]

ProgressHook = Callable[[FileStatus], object]


def _core(
    base_url: str,
    account: str,
    profile: str,
    username: str | None,
    password: str | Secret | None,
    api_key: str | Secret | None,
    api_version: ApiVersion,
    options: CoreOptions,
) -> TealiumCore:
    return TealiumCore(
        base_url,
        account=account,
        profile=profile,
        username=username,
        password=password,
        api_key=api_key,
        api_version=api_version,
        options=options,
    )


class TealiumClient(SyncDriver):
    """A blocking Tealium Omnichannel client for one account and profile.

    v1 needs ``username`` and ``password``; v2 needs ``username`` and ``api_key``. Secrets
    may be plain strings or :class:`~statuskit.secrets.Secret`\\ s. Options: ``strict``,
    ``retry``, ``on_retry``, ``clock``, ``registry``, ``timeout``, ``transport``,
    ``http_client``, ``sleep`` (see :class:`~statuskit.client._drivers.SyncOptions`).
    Dates are aware ``datetime``\\ s (sent in UTC), ``date``\\ s (midnight UTC) or strings
    sent as given (``yyyy-MM-ddTHH:mmZ``).
    """

    def __init__(
        self,
        base_url: str,
        *,
        account: str,
        profile: str,
        username: str | None = None,
        password: str | Secret | None = None,
        api_key: str | Secret | None = None,
        api_version: ApiVersion = 1,
        **options: Unpack[SyncOptions],
    ) -> None:
        self._core = _core(
            base_url, account, profile, username, password, api_key, api_version, options
        )
        super().__init__(options)

    @classmethod
    def from_env(
        cls,
        base_url: str,
        *,
        account: str | None = None,
        profile: str | None = None,
        api_version: ApiVersion = 1,
        environ: Mapping[str, str] | None = None,
        **options: Unpack[SyncOptions],
    ) -> Self:
        """A client with the ``STATUSKIT_TEALIUM_*`` credentials, account and profile
        (arguments win over the variables)."""
        env, target = tealium_env(environ)
        return cls(
            base_url,
            account=account or target["account"],
            profile=profile or target["profile"],
            api_version=api_version,
            **env,
            **options,
        )

    def __repr__(self) -> str:
        return self._core.describe_client(type(self).__name__)

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def account(self) -> str:
        """The account whose files this client reads."""
        return self._core.account

    @property
    def profile(self) -> str:
        """The profile whose files this client reads."""
        return self._core.profile

    @property
    def logged_in(self) -> bool:
        """Whether the client holds a v1 session or a v2 token."""
        return self._core.logged_in

    def login(self) -> None:
        """Log in (v1) or fetch a token (v2) now, instead of on first use."""
        self._run(self._core.login())

    def logout(self) -> None:
        """End the v1 session; forget the v2 token (v2 has no logout)."""
        self._run(self._core.logout())

    def get_file_status(self, name: str) -> FileStatus:
        """The status of file ``name``, exactly as given: nothing (no ``.csv``) is appended.

        A name over 150 characters raises :class:`~statuskit.errors.InvalidArgumentError`
        (a ``ValueError``) before anything is sent.
        """
        return self._run(self._core.get_file_status(name))

    def count(self, file_prefix: str, start_date: When, end_date: When) -> int:
        """How many files start with ``file_prefix`` and were created in the window."""
        return self._run(self._core.count(file_prefix, start_date, end_date))

    def search(self, file_prefix: str, start_date: When, end_date: When) -> tuple[FileStatus, ...]:
        """The statuses of the files ``count`` counts (the server refuses more than 50)."""
        return self._run(self._core.search(file_prefix, start_date, end_date))

    def wait_for_completion(
        self,
        name: str,
        *,
        timeout: float,
        poll_interval: float = 1.0,
        on_progress: ProgressHook | None = None,
    ) -> FileStatus:
        """Poll until the file's latest status is terminal and return it; raise
        :class:`~statuskit.errors.WaitTimeoutError` (with ``last``) after ``timeout``
        seconds. See :mod:`statuskit.client.polling`."""
        return self._run(self._core.wait_for_completion(name, timeout, poll_interval, on_progress))


class AsyncTealiumClient(AsyncDriver):
    """The async twin of :class:`TealiumClient`: the same arguments and methods, awaited."""

    def __init__(
        self,
        base_url: str,
        *,
        account: str,
        profile: str,
        username: str | None = None,
        password: str | Secret | None = None,
        api_key: str | Secret | None = None,
        api_version: ApiVersion = 1,
        **options: Unpack[AsyncOptions],
    ) -> None:
        self._core = _core(
            base_url, account, profile, username, password, api_key, api_version, options
        )
        super().__init__(options)

    @classmethod
    def from_env(
        cls,
        base_url: str,
        *,
        account: str | None = None,
        profile: str | None = None,
        api_version: ApiVersion = 1,
        environ: Mapping[str, str] | None = None,
        **options: Unpack[AsyncOptions],
    ) -> Self:
        """A client with the ``STATUSKIT_TEALIUM_*`` credentials, account and profile."""
        env, target = tealium_env(environ)
        return cls(
            base_url,
            account=account or target["account"],
            profile=profile or target["profile"],
            api_version=api_version,
            **env,
            **options,
        )

    def __repr__(self) -> str:
        return self._core.describe_client(type(self).__name__)

    @property
    def base_url(self) -> str:
        return self._core.base_url

    @property
    def account(self) -> str:
        """The account whose files this client reads."""
        return self._core.account

    @property
    def profile(self) -> str:
        """The profile whose files this client reads."""
        return self._core.profile

    @property
    def logged_in(self) -> bool:
        return self._core.logged_in

    async def login(self) -> None:
        await self._run(self._core.login())

    async def logout(self) -> None:
        await self._run(self._core.logout())

    async def get_file_status(self, name: str) -> FileStatus:
        return await self._run(self._core.get_file_status(name))

    async def count(self, file_prefix: str, start_date: When, end_date: When) -> int:
        return await self._run(self._core.count(file_prefix, start_date, end_date))

    async def search(
        self, file_prefix: str, start_date: When, end_date: When
    ) -> tuple[FileStatus, ...]:
        return await self._run(self._core.search(file_prefix, start_date, end_date))

    async def wait_for_completion(
        self,
        name: str,
        *,
        timeout: float,
        poll_interval: float = 1.0,
        on_progress: ProgressHook | None = None,
    ) -> FileStatus:
        flow = self._core.wait_for_completion(name, timeout, poll_interval, on_progress)
        return await self._run(flow)
