"""The referral handout's selection, carried in the URL only: nothing about a patient is stored.

A short link packs the chosen meetings' ids in base 36 ("/r/2s-9k-1c"), so a handout's QR code stays
small enough to scan from paper.
"""

import io
import re

import segno
from django.utils.translation import gettext

MAX_MEETINGS = 12
_SEPARATOR = "-"
# 36**12 is below 2**63, the largest id PostgreSQL's bigint and SQLite's integer hold.
_TOKEN = re.compile(r"[0-9a-z]{1,12}(?:-[0-9a-z]{1,12})*")


def pack(ids: list[int]) -> str:
    return _SEPARATOR.join(_base36(number) for number in ids)


def unpack(token: str) -> list[int]:
    """Ids from a short link; ValueError when it is not one.

    Only what ``pack`` writes: lower-case base-36 parts of at most 12 digits, each an id the database can hold
    (int() alone also took "+1", "1_0" and other scripts' digits, and 20 digits overflowed SQLite: a 500).
    """
    parts = token.split(_SEPARATOR)
    if not _TOKEN.fullmatch(token) or len(parts) > MAX_MEETINGS:
        raise ValueError("not a handout link")
    return [int(part, 36) for part in parts]


def qr_svg(url: str) -> str:
    """An inline SVG QR code, made here (segno, pure Python): no request to any other service."""
    code = segno.make(url, error="m")
    out = io.BytesIO()
    code.save(out, kind="svg", scale=3, border=2, xmldecl=False, svgns=True, title=gettext("QR code for this handout"))
    return out.getvalue().decode()


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, remainder = divmod(number, 36)
        text = digits[remainder] + text
        if not number:
            return text
