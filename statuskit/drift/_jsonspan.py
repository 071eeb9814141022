"""Minimal edits to hand-formatted JSON: replace, delete or add one member, keep the rest.

The schemas are written by hand, compactly where it reads well; re-serialising a whole file
would make a proposed change unreadable in review. This finds where each value sits in
the text (by JSON pointer) and edits only there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

__all__ = ["JsonText"]

_WS = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


@dataclass
class _Span:
    start: int
    end: int
    member_start: int | None = None  # where its key starts, for an object member
    members: list[str] = field(default_factory=list)  # child pointers, in order


def _escape(key: str) -> str:
    return key.replace("~", "~0").replace("/", "~1")


class JsonText:
    """A JSON document's text, edited in place one member at a time."""

    def __init__(self, text: str) -> None:
        self.text = text
        self._parse()

    def _parse(self) -> None:
        self.spans: dict[str, _Span] = {}
        self._value(_WS.match(self.text, 0).end(), "", None)  # type: ignore[union-attr]

    def _skip(self, i: int) -> int:
        return _WS.match(self.text, i).end()  # type: ignore[union-attr]

    def _value(self, i: int, pointer: str, member_start: int | None) -> int:
        text, start = self.text, i
        span = _Span(start, start, member_start)
        self.spans[pointer] = span
        if text[i] == "{":
            i = self._skip(i + 1)
            while text[i] != "}":
                key_start = i
                key, i = _DECODER.raw_decode(text, i)
                i = self._skip(self._skip(i) + 1)  # past the colon
                child = f"{pointer}/{_escape(key)}"
                span.members.append(child)
                i = self._skip(self._value(i, child, key_start))
                if text[i] == ",":
                    i = self._skip(i + 1)
            i += 1
        elif text[i] == "[":
            i = self._skip(i + 1)
            index = 0
            while text[i] != "]":
                child = f"{pointer}/{index}"
                span.members.append(child)
                i = self._skip(self._value(i, child, None))
                if text[i] == ",":
                    i = self._skip(i + 1)
                index += 1
            i += 1
        else:
            _, i = _DECODER.raw_decode(text, i)
        span.end = i
        return i

    def _indent(self, position: int) -> str:
        line_start = self.text.rfind("\n", 0, position) + 1
        return re.match(r"[ \t]*", self.text[line_start:]).group(0)  # type: ignore[union-attr]

    def _dump(self, value: Any, *, inline: bool, at: int) -> str:
        if inline:
            return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
        indent = self._indent(at)
        return json.dumps(value, ensure_ascii=False, indent=2).replace("\n", "\n" + indent)

    def replace(self, pointer: str, value: Any) -> None:
        """Put ``value`` where ``pointer``'s value is, on one line if it was on one."""
        span = self.spans[pointer]
        inline = "\n" not in self.text[span.start : span.end]
        new = self._dump(value, inline=inline, at=span.member_start or span.start)
        self.text = self.text[: span.start] + new + self.text[span.end :]
        self._parse()

    def delete(self, pointer: str) -> None:
        """Remove the object member or array item at ``pointer``, with its comma."""
        parent = self.spans[pointer.rsplit("/", 1)[0]]
        span = self.spans[pointer]
        begin = span.start if span.member_start is None else span.member_start
        index = parent.members.index(pointer)
        if index + 1 < len(parent.members):
            following = self.spans[parent.members[index + 1]]
            start = begin
            end = following.start if following.member_start is None else following.member_start
        elif index > 0:
            start, end = self.spans[parent.members[index - 1]].end, span.end
        else:
            start, end = begin, span.end
        self.text = self.text[:start] + self.text[end:]
        self._parse()

    def add(self, pointer: str, key: str, value: Any) -> None:
        """Add ``key: value`` as the last member of the object at ``pointer``, on one line,
        indented like its siblings."""
        span = self.spans[pointer]
        member = f"{json.dumps(key)}: {self._dump(value, inline=True, at=span.start)}"
        if not span.members:
            insert, new = span.start + 1, member
        else:
            last = self.spans[span.members[-1]]
            first = self.spans[span.members[0]]
            same_line = "\n" not in self.text[span.start : first.member_start or first.start]
            separator = ", " if same_line else ",\n" + self._indent(last.member_start or 0)
            insert, new = last.end, separator + member
        self.text = self.text[:insert] + new + self.text[insert:]
        self._parse()

    def value(self) -> Any:
        """The document as parsed now."""
        return json.loads(self.text)
