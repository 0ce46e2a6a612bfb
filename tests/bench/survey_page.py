"""Survey page weight: raw and gzip bytes, inline CSS, and every other request the page would make."""

import gzip
import http.client
import re
from dataclasses import dataclass

from tests.bench.survey_config import GOAL_GZIP_BYTES

_SUBRESOURCE_TAG = re.compile(rb"<(link|script|img|iframe|frame|object|embed|video|audio|source|track)\b[^>]*>", re.I)
_REF_ATTR = re.compile(rb"""\b(?:href|src|srcset|data|poster)\s*=\s*["']?([^"'\s>]*)""", re.I)
_CSS_REF = re.compile(rb"""url\(\s*["']?([^"')]*)|@import\s+["']([^"']*)""", re.I)


def extra_requests(html: bytes) -> list[str]:
    """Everything in the page that would make a browser fetch another resource (or run a script)."""
    found = []
    for match in _SUBRESOURCE_TAG.finditer(html):
        tag = match.group(1).lower()
        refs = [r for r in _REF_ATTR.findall(match.group(0)) if not r.startswith(b"data:")]
        if tag == b"script" or refs:
            found.append(match.group(0)[:120].decode(errors="replace"))
    for match in _CSS_REF.finditer(html):
        ref = match.group(1) or match.group(2) or b""
        if not ref.startswith(b"data:"):
            found.append(match.group(0)[:120].decode(errors="replace"))
    return found


@dataclass
class PageWeight:
    raw: int
    gzip9: int
    gzip6: int
    css: int
    extras: list[str]
    content_encoding: str
    header_bytes: int
    favicon_status: int | None

    @property
    def passed(self) -> bool:
        return self.gzip9 <= GOAL_GZIP_BYTES and not self.extras


def page_weight(page: bytes, headers: http.client.HTTPMessage, favicon_status: int | None) -> PageWeight:
    css = sum(len(m) for m in re.findall(rb"<style[^>]*>(.*?)</style>", page, re.S | re.I))
    return PageWeight(
        raw=len(page),
        gzip9=len(gzip.compress(page, compresslevel=9)),
        gzip6=len(gzip.compress(page, compresslevel=6)),
        css=css,
        extras=extra_requests(page),
        content_encoding=headers.get("Content-Encoding") or "none",
        header_bytes=len(bytes(headers)),
        favicon_status=favicon_status,
    )
