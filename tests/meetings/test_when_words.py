"""Times typed into the place box: "19103 tonight" searches near 19103 for tonight's meetings."""

import pytest

from meetings.when_words import take_times

TONIGHT = {"day": ["today"], "time": ["evening", "night"]}


@pytest.mark.parametrize(
    "typed, place, filters",
    [
        ("19103 tonight", "19103", TONIGHT),
        ("19103, Tonight.", "19103", TONIGHT),
        ("tonight near 19103", "19103", TONIGHT),
        ("tonight 19103", "19103", TONIGHT),
        ("Springfield, IL, tomorrow night", "Springfield, IL", {"day": ["tomorrow"], "time": ["evening", "night"]}),
        ("Philadelphia PA today", "Philadelphia PA", {"day": ["today"]}),
        ("hoy en Filadelfia", "Filadelfia", {"day": ["today"]}),
        ("Filadelfia mañana", "Filadelfia", {"day": ["tomorrow"]}),
        ("19103 right now", "19103", {"soon": ["true"], "now": ["true"]}),
        ("19103 esta mañana", "19103", {"day": ["today"], "time": ["morning"]}),  # mañana: also "morning"
        ("19103 por la mañana", "19103", {"time": ["morning"]}),
        ("Tonight", "", TONIGHT),  # only a time: no place
        ("hoy", "", {"day": ["today"]}),
        ("now!", "", {"soon": ["true"], "now": ["true"]}),
        ("online", "", {"attendance": ["online"]}),
        ("online tonight", "", {**TONIGHT, "attendance": ["online"]}),
        ("19103 online", "19103", {"attendance": ["online"]}),
        ("19103 on Sunday morning", "19103", {"day": ["sunday"], "time": ["morning"]}),
        ("el domingo en Filadelfia", "Filadelfia", {"day": ["sunday"]}),
        ("Springfield, IL this weekend", "Springfield, IL", {"day": ["saturday", "sunday"]}),
        ("Philadelphia at night", "Philadelphia", {"time": ["night"]}),
        ("19103 por la noche", "19103", {"time": ["evening", "night"]}),
        ("miércoles", "", {"day": ["wednesday"]}),
        ("Santo Domingo domingo", "Santo Domingo", {"day": ["sunday"]}),
        (
            "19103   tomorrow night now now",
            "19103",
            {"day": ["tomorrow"], "time": ["evening", "night"], "soon": ["true"], "now": ["true"]},
        ),
    ],
)
def test_it_takes_a_time_from_the_start_or_the_end_of_a_place(typed, place, filters):
    assert take_times(typed) == (place, filters)


@pytest.mark.parametrize(
    "typed",
    ["19103", "Today Street", "Online Street", "hoy Filadelfia", "Nowata, OK", "", "a" + " " * 8000 + "x tonight"],
)
def test_it_leaves_a_place_without_a_time_alone(typed):
    assert take_times(typed) is None


def test_the_finder_searches_near_the_place_with_the_times_ticked(client, db):
    response = client.get("/", {"near": "19103 tonight", "kind": "secular", "page": "2"})
    assert response.status_code == 302
    assert response["Location"] == "/?near=19103&kind=secular&day=today&time=evening&time=night#results"


def test_the_finder_keeps_the_days_and_times_the_person_chose(client, db):
    response = client.get("/", {"near": "19103 tomorrow night", "day": "2", "time": ["", "morning"]})
    assert response["Location"] == "/?near=19103&day=2&time=&time=morning#results"


def test_the_finder_takes_every_time_phrase_in_one_redirect(client, db):
    response = client.get("/", {"near": "19103" + " now" * 30})
    assert response["Location"] == "/?near=19103&soon=true&now=true#results"


def test_a_time_alone_searches_everywhere_with_the_times_ticked(client, db):
    response = client.get("/", {"near": "tonight", "distance": "10"})
    assert response["Location"] == "/?distance=10&day=today&time=evening&time=night#results"
