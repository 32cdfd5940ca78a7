"""The privacy scan: texts a test collected from the service (log lines, Redis keys and
values, command output, exports) searched for the personal data the test put in, and for any
hetu at all.

A finding is reported by where it was and what kind it was, never by its value, so a failing
run's output repeats none of it."""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass

from consent.hetu import hetus_in


@dataclass(frozen=True)
class People:
    """The hetus and names a test gave the service."""

    hetus: frozenset[str] = frozenset()
    names: frozenset[str] = frozenset()

    @classmethod
    def of(cls, hetus: Iterable[str] = (), names: Iterable[str] = ()) -> People:
        return cls(frozenset(h.upper() for h in hetus), frozenset(names))

    def __or__(self, other: People) -> People:
        return People(self.hetus | other.hetus, self.names | other.names)


NOBODY = People()
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.DOTALL)


def personal_data_in(text: str, known: People, allowed: People = NOBODY) -> list[str]:
    """What of ``known`` people's data, and which other hetus, ``text`` holds, except what
    ``allowed`` permits (a person's own export holds their own data): one kind per finding.

    Found are every hetu (:func:`consent.hetu.hetus_in`: standing alone, or glued and
    valid, in any case) and each known hetu and name, in any case."""
    upper, folded = text.upper(), text.casefold()
    found = ["a hetu" for hetu in hetus_in(text) - allowed.hetus]
    found += ["a known hetu" for hetu in known.hetus - allowed.hetus if hetu in upper]
    found += ["a known name" for name in known.names - allowed.names if name.casefold() in folded]
    return found


def leaks(places: Mapping[str, str], known: People, allowed: People = NOBODY) -> dict[str, int]:
    """Each place whose text holds personal data, with how many findings: ``{}`` if none."""
    counted = {place: len(personal_data_in(text, known, allowed)) for place, text in places.items()}
    return {place: count for place, count in counted.items() if count}


def pdf_text(document: bytes) -> str:
    """What a PDF's content streams say, unpacked, as Latin-1 text (the core fonts'
    encoding): enough to search for a hetu or a name a page shows."""
    texts = [document.decode("latin-1")]
    for stream in _STREAM.finditer(document):
        with suppress(zlib.error):
            texts.append(zlib.decompress(stream.group(1)).decode("latin-1"))
    return "\n".join(texts)
