"""A test helper that makes the mock drift: WSGI middleware that mutates its answers.

``Mutating(app, Rule(r"GET /api/v4/import/status/\\d+", json_edit(drop("rowsOk"))))`` serves
the mock with every matching answer changed on its way out. Rules match ``METHOD PATH``
(the path as the app sees it) and, by default, only answers with status 200.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

__all__ = ["Answer", "Mutating", "Rule", "json_edit", "set_status"]

StartResponse = Callable[..., Any]


@dataclass
class Answer:
    """One answer on its way out, open to change."""

    method: str
    path: str
    query: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def set_json(self, value: Any) -> None:
        self.body = json.dumps(value).encode()

    def set_header(self, name: str, value: str | None) -> None:
        self.headers = [(k, v) for k, v in self.headers if k.lower() != name.lower()]
        if value is not None:
            self.headers.append((name, value))


Mutation = Callable[[Answer], None]


@dataclass(frozen=True)
class Rule:
    """Apply ``mutate`` to answers whose ``METHOD PATH`` fully matches ``route`` and whose
    status is one of ``statuses`` (any status when empty), and whose query contains
    ``query`` when given."""

    route: str
    mutate: Mutation
    statuses: tuple[int, ...] = (200,)
    query: str | None = None

    def applies(self, answer: Answer) -> bool:
        if not re.fullmatch(self.route, f"{answer.method} {answer.path}"):
            return False
        if self.query is not None and self.query not in answer.query:
            return False
        return not self.statuses or answer.status in self.statuses


@dataclass
class Mutating:
    """The wrapped app, with ``rules`` applied to its answers; ``seen`` counts each rule's
    hits, so a test can tell a mutation that never fired from one that found nothing."""

    app: Callable[..., Iterable[bytes]]
    rules: tuple[Rule, ...]
    seen: dict[int, int] = field(default_factory=dict)

    def __init__(self, app: Callable[..., Iterable[bytes]], *rules: Rule) -> None:
        self.app, self.rules, self.seen = app, rules, {}

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> list[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Any:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        chunks = self.app(environ, capture)
        try:
            body = b"".join(chunks)
        finally:
            close = getattr(chunks, "close", None)
            if close is not None:
                close()
        answer = Answer(
            environ["REQUEST_METHOD"],
            environ.get("PATH_INFO", ""),
            environ.get("QUERY_STRING", ""),
            int(captured["status"].split()[0]),
            list(captured["headers"]),
            body,
        )
        for index, rule in enumerate(self.rules):
            if rule.applies(answer):
                self.seen[index] = self.seen.get(index, 0) + 1
                rule.mutate(answer)
        answer.set_header("Content-Length", str(len(answer.body)))
        phrase = HTTPStatus(answer.status).phrase
        start_response(f"{answer.status} {phrase}", answer.headers)
        return [answer.body]


def json_edit(edit: Callable[[Any], Any]) -> Mutation:
    """A mutation of the JSON body: ``edit`` changes it in place or returns a new one."""

    def mutate(answer: Answer) -> None:
        body = answer.json()
        result = edit(body)
        answer.set_json(body if result is None else result)

    return mutate


def set_status(status: int) -> Mutation:
    """A mutation of the status alone; the body stays as it was."""

    def mutate(answer: Answer) -> None:
        answer.status = status

    return mutate
