"""Times typed into the place box ("19103 tonight", "hoy Filadelfia"), taken out and turned into When filters.

Someone looking for a meeting types what they want in the first box they see. "19103 tonight" was a place
that could not be found; now the finder searches near 19103 for this evening's meetings, with those filters
ticked where the person can see and change them.
"""

import re

TONIGHT = {"day": ["today"], "time": ["evening", "night"]}
# English and Spanish, as the site speaks; each with the filters it stands for (parameter: values).
PHRASES: dict[str, dict[str, list[str]]] = {
    "tonight": TONIGHT,
    "this evening": TONIGHT,
    "esta noche": TONIGHT,
    "esta tarde": {"day": ["today"], "time": ["afternoon", "evening"]},
    "this afternoon": {"day": ["today"], "time": ["afternoon"]},
    "this morning": {"day": ["today"], "time": ["morning"]},
    "today": {"day": ["today"]},
    "hoy": {"day": ["today"]},
    "tomorrow night": {"day": ["tomorrow"], "time": ["evening", "night"]},
    "tomorrow morning": {"day": ["tomorrow"], "time": ["morning"]},
    "tomorrow": {"day": ["tomorrow"]},
    "mañana": {"day": ["tomorrow"]},
    "manana": {"day": ["tomorrow"]},
    "right now": {"soon": ["true"]},
    "now": {"soon": ["true"]},
    "ahora": {"soon": ["true"]},
}
# Longest first, so that "tomorrow night" is not read as "tomorrow" and a place called "night".
_ALTERNATIVES = "|".join(re.escape(phrase) for phrase in sorted(PHRASES, key=len, reverse=True))
_AT_END = re.compile(rf"^(?P<place>.+?)[\s,]+(?P<when>{_ALTERNATIVES})[\s.!?]*$", re.IGNORECASE)
# At the start only before a word that leads to a place, or a ZIP code: "tonight near 19103", "hoy en Filadelfia",
# "today 19103"; not "Today Street".
_AT_START = re.compile(
    rf"^(?P<when>{_ALTERNATIVES})[\s,]+(?P<place>(?:(?:near|in|around|en|cerca de)\s+).+|\d{{5}}(?:-\d{{4}})?)$",
    re.IGNORECASE,
)
_LEADING = re.compile(r"^(?:near|in|around|en|cerca de)\s+", re.IGNORECASE)


def take_times(text: str) -> tuple[str, dict[str, list[str]]] | None:
    """The place part of ``text`` and the filters its time words stand for; None if it names no time.

    Only a phrase at the end, or at the start before "near"/"in" or a ZIP code, counts: a place's own name
    ("Today Street") is left alone.
    """
    found = _AT_END.match(text.strip()) or _AT_START.match(text.strip())
    if found is None:
        return None
    return _LEADING.sub("", found["place"].strip(" ,")), PHRASES[found["when"].lower()]
