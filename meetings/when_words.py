"""Times typed into the place box ("19103 tonight", "hoy en Filadelfia"), taken out and turned into When filters.

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
    # "Mañana" is tomorrow, and also the morning: "esta mañana" (this morning), "por la mañana" (in the morning).
    "mañana por la mañana": {"day": ["tomorrow"], "time": ["morning"]},
    "esta mañana": {"day": ["today"], "time": ["morning"]},
    "por la mañana": {"time": ["morning"]},
    "en la mañana": {"time": ["morning"]},
    "mañana": {"day": ["tomorrow"]},
    "manana": {"day": ["tomorrow"]},
    "online": {"attendance": ["online"]},
    "en línea": {"attendance": ["online"]},
    "en linea": {"attendance": ["online"]},
    # Now: going on, or about to begin.
    "right now": {"soon": ["true"], "now": ["true"]},
    "now": {"soon": ["true"], "now": ["true"]},
    "ahora": {"soon": ["true"], "now": ["true"]},
}
WEEKEND = {"day": ["saturday", "sunday"]}
PHRASES |= {
    "this weekend": WEEKEND, "weekend": WEEKEND, "este fin de semana": WEEKEND, "fin de semana": WEEKEND,
    "morning": {"time": ["morning"]}, "in the morning": {"time": ["morning"]},
    "afternoon": {"time": ["afternoon"]}, "in the afternoon": {"time": ["afternoon"]},
    "por la tarde": {"time": ["afternoon", "evening"]},
    "evening": {"time": ["evening"]}, "in the evening": {"time": ["evening"]},
    "night": {"time": ["night"]}, "at night": {"time": ["night"]},
    "por la noche": {"time": ["evening", "night"]}, "de noche": {"time": ["night"]},
}  # fmt: skip
# Weekdays, in English and Spanish, alone or after "on" / "el": "19103 sunday", "el domingo".
for _english, _spanish in [
    ("sunday", ["domingo"]), ("monday", ["lunes"]), ("tuesday", ["martes"]),
    ("wednesday", ["miércoles", "miercoles"]), ("thursday", ["jueves"]), ("friday", ["viernes"]),
    ("saturday", ["sábado", "sabado"]),
]:  # fmt: skip
    for _word in (_english, f"on {_english}", *_spanish, *(f"el {word}" for word in _spanish)):
        PHRASES[_word] = {"day": [_english]}
# Places whose name ends in a time word: "Santo Domingo" is a city, not Santo on Sunday.
_NAMES_ENDING_IN_A_TIME = {"santo domingo"}

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


# Longer than a place may be (the search's ``near`` takes 200): not read, so no text costs more than a glance.
MAX_LENGTH = 200


def take_times(text: str) -> tuple[str, dict[str, list[str]]] | None:
    """The place part of ``text`` ("" if it names only a time) and the filters its time words stand for; None
    if it names no time.

    Only a phrase at the end, or at the start before "near"/"in" or a ZIP code, counts: a place's own name
    ("Today Street") is left alone. Several phrases ("19103 tomorrow night now") are all taken; for a
    parameter named twice, the last phrase wins.
    """
    if len(text) > MAX_LENGTH:
        return None
    # Runs of spaces made the pattern slow (quadratic); one space says the same.
    place, filters = " ".join(text.split()), {}
    while found := _at_end(place) or _AT_START.match(place):
        place = _LEADING.sub("", found["place"].strip(" ,"))
        filters = {**PHRASES[found["when"].lower()], **filters}
    # Only a time ("tonight", "hoy"): no place, and the search goes on without one.
    alone = PHRASES.get(place.strip(" ,.!?").lower())
    if alone is not None:
        place, filters = "", {**alone, **filters}
    return (place, filters) if filters else None


def _at_end(text: str) -> re.Match | None:
    found = _AT_END.match(text)
    if found and f"{found['place'].split()[-1]} {found['when']}".lower() in _NAMES_ENDING_IN_A_TIME:
        return None
    return found
