import datetime as dt
import json
from pathlib import Path

import pytest

from meetings.feeds import bmlt
from meetings.feeds.records import ContactRecord, FeedError

FIXTURES = Path(__file__).parent / "fixtures" / "bmlt"
RESULTS = (FIXTURES / "search-results.json").read_bytes()
FORMATS = (FIXTURES / "formats.json").read_bytes()


@pytest.fixture(scope="module")
def parsed():
    return bmlt.parse(RESULTS, FORMATS)


def by_key(parsed):
    return {record.key: record for record in parsed.records}


def test_reads_every_usable_meeting_and_says_why_the_others_were_skipped(parsed):
    assert [r.key for r in parsed.records] == ["101", "102", "103", "108", "109"]
    assert [(s.row, s.key, s.reason) for s in parsed.skipped] == [
        (4, "104", "unpublished"),
        (5, "105", "weekday_tinyint '9' is not 1 (Sunday) to 7 (Saturday)"),
        (6, "106", "no meeting_name"),
        (7, "107", "start_time '' is not a time of day (HH:MM:SS)"),
        (8, "101", "the same id_bigint as row 1"),
        (9, "", "not a meeting object but a JSON string"),
    ]


def test_an_in_person_meeting_with_everything_filled_in(parsed):
    record = by_key(parsed)["101"]
    assert record.row == 1
    assert record.name == "Hope on Elm Street"
    assert record.day == 1  # BMLT's 2 is Monday
    assert record.start_time == dt.time(19, 0)
    assert record.end_time == dt.time(20, 30)
    assert record.timezone == "America/New_York"
    assert record.attendance == "in_person"
    assert record.world_id == "G00012345"
    assert record.types == ["O", "LIT", "X", "S"]
    assert record.notes == "Use the side door.\nRing the bell & wait."
    assert record.contacts == []
    place = record.location
    assert (place.name, place.address, place.city, place.state, place.postal_code, place.country) == (
        "Grace Church Hall",
        "12 Elm St",
        "Syracuse",
        "NY",
        "13206",
        "US",
    )
    assert place.formatted_address == "12 Elm St, Syracuse, NY 13206, USA"
    assert (place.region, place.sub_region, place.notes) == ("Onondaga", "Eastwood", "Basement, side door")
    assert (place.latitude, place.longitude) == (43.0481, -76.1474)
    assert place.timezone == "America/New_York"


def test_a_virtual_meeting_past_midnight_with_its_join_details(parsed):
    record = by_key(parsed)["102"]
    assert record.day == 6
    assert (record.start_time, record.end_time) == (dt.time(23, 30), dt.time(0, 30))
    assert record.attendance == "online"
    assert record.conference_url == "https://zoom.us/j/5550100"
    assert record.conference_phone == "+1 555 0100"
    assert record.conference_url_notes == "Meeting ID 555 0100, passcode 1234"
    # VM says how to attend (attendance carries it); TC (temporarily virtual) is a Meeting Guide code.
    assert record.types == ["C", "TC"]
    # 0 is BMLT's "not placed"; the city is kept for its time zone.
    assert (record.location.latitude, record.location.longitude) == (None, None)
    assert record.location.city == "Chicago"


def test_hybrid_meeting_in_another_language_with_formats_that_have_no_meeting_guide_code(parsed):
    record = by_key(parsed)["103"]
    assert record.attendance == "hybrid"
    assert record.day == 0
    assert (record.start_time, record.end_time) == (dt.time(10, 0), dt.time(11, 0))
    # A (Spanish key for OPEN), SD -> speaker and discussion; RF (VAR), CS (no world id) and an
    # undefined key are kept as their own keys so that the import reports them.
    assert record.types == ["O", "SP", "D", "RF", "CS", "ZZ"]
    assert record.location.country == "US"
    assert record.contacts == [ContactRecord(name="Ana", email="ana@example.org"), ContactRecord(phone="555-0102")]


def test_an_older_server_without_venue_type_says_hybrid_with_its_formats(parsed):
    record = by_key(parsed)["108"]
    assert record.attendance == "hybrid"  # HY (world id HYBR), read from format_shared_id_list
    assert record.types == ["O"]
    assert record.timezone == ""  # the literal "NULL"
    assert record.end_time is None  # a whole-day length: the import's default applies
    assert (record.location.latitude, record.location.longitude) == (None, None)  # one of two is no place


def test_an_in_person_meeting_whose_facility_is_temporarily_closed_is_inactive(parsed):
    record = by_key(parsed)["109"]
    assert record.attendance == "inactive"
    assert record.types == ["O", "TC"]


def test_without_get_formats_the_default_keys_are_read():
    records = by_key(bmlt.parse(RESULTS))
    assert records["101"].types == ["O", "LIT", "X", "S"]
    assert records["102"].types == ["C", "TC"]
    assert records["102"].attendance == "online"
    # "A" is not a default key and SD defaults to Speaker; RF (VAR) and CS stay as they are.
    assert records["103"].types == ["A", "SP", "RF", "CS", "ZZ"]
    assert records["108"].types == []  # shared ids mean nothing without the server's formats
    assert records["108"].attendance == ""


def test_format_map_overrides_a_servers_own_keys():
    records = by_key(bmlt.parse(RESULTS, FORMATS, format_map={"RF": "D", "CS": "CF", "Zz": "", "SD": "SP"}))
    assert records["103"].types == ["O", "SP", "D", "CF"]


def test_the_object_shape_with_its_used_formats():
    results = json.loads(RESULTS)
    shaped = json.dumps({"meetings": results, "formats": json.loads(FORMATS)})
    assert by_key(bmlt.parse(shaped))["103"].types == ["O", "SP", "D", "RF", "CS", "ZZ"]
    assert by_key(bmlt.parse(shaped.encode()))["108"].attendance == "hybrid"


def test_venue_type_and_values_given_as_numbers():
    meeting = {"id_bigint": 7, "weekday_tinyint": 1, "start_time": "08:00:00", "meeting_name": "Numbers",
               "venue_type": 2, "published": True, "latitude": 40.5, "longitude": -74.25}  # fmt: skip
    record = bmlt.parse(json.dumps([meeting])).records[0]
    assert (record.key, record.day, record.attendance) == ("7", 0, "online")
    assert (record.location.latitude, record.location.longitude) == (40.5, -74.25)


def test_an_unknown_venue_type_leaves_attendance_to_the_import():
    meeting = {
        "id_bigint": "1",
        "weekday_tinyint": "1",
        "start_time": "08:00:00",
        "meeting_name": "X",
        "venue_type": "4",
    }
    assert bmlt.parse(json.dumps([meeting])).records[0].attendance == ""


def test_an_empty_list_is_an_empty_feed():
    parsed = bmlt.parse(b"[]")
    assert parsed.records == [] and parsed.skipped == []


@pytest.mark.parametrize(
    ("results", "formats", "message"),
    [
        (b"<html>Server error</html>", None, "not valid JSON"),
        (b'{"error": "bad request"}', None, "Expected a list of meetings"),
        (b"\xff\xfe[]", None, "not UTF-8"),
        (b"[]", b'"formats"', "Expected a list of formats"),
        (b"[]", b"{", "GetFormats answer is not valid JSON"),
    ],
)
def test_unusable_input_is_a_feed_error(results, formats, message):
    with pytest.raises(FeedError, match=message):
        bmlt.parse(results, formats)


def test_the_default_key_table_follows_the_world_ids():
    assert bmlt.DEFAULT_FORMAT_MAP["O"] == "O"
    assert bmlt.DEFAULT_FORMAT_MAP["C"] == "C"
    assert bmlt.DEFAULT_FORMAT_MAP["BT"] == "LIT"
    assert bmlt.DEFAULT_FORMAT_MAP["St"] == "ST"
    assert bmlt.DEFAULT_FORMAT_MAP["So"] == "SP"
    assert bmlt.DEFAULT_FORMAT_MAP["WC"] == "X"
    assert bmlt.DEFAULT_FORMAT_MAP["ES"] == "S"
    assert bmlt.DEFAULT_FORMAT_MAP["VM"] == ""
    assert "RF" not in bmlt.DEFAULT_FORMAT_MAP  # rotating format: no Meeting Guide code


def test_every_mapped_code_is_a_meeting_guide_code():
    with open(Path(__file__).resolve().parents[3] / "fixtures" / "meeting_types.json", encoding="utf-8") as handle:
        codes = {row["code"] for row in json.load(handle)["types"]}
    mapped = {code for value in bmlt.WORLD_ID_MAP.values() for code in value.split(",") if code}
    mapped |= set(bmlt.LANGUAGE_CODES.values())
    assert mapped <= codes
