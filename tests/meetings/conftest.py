import datetime as dt

import pytest

from groups.models import Organization
from meetings.models import Meeting, MeetingType
from tests.factories import make_location, make_meeting

# City Hall, Philadelphia (ZIP 19107); the other places are measured from here.
PHILADELPHIA = (39.9526, -75.1635)


@pytest.fixture(scope="module")
def finder_meetings(directory, django_db_blocker):
    """A handful of real-looking meetings around Philadelphia, made once per module."""
    with django_db_blocker.unblock():
        org = Organization.objects.in_bulk(
            ["alcoholics-anonymous", "smart-recovery", "al-anon", "celebrate-recovery"], field_name="slug"
        )
        types = MeetingType.objects.in_bulk(field_name="code")
        center = make_location(name="Center City Church", latitude=39.9526, longitude=-75.1635, postal_code="19107")
        # About 4.3 miles north-east.
        kensington = make_location(name="Kensington Hall", latitude=40.0000, longitude=-75.1000)
        # About 21 miles north-east, in New Jersey.
        trenton_road = make_location(name="Burlington Library", latitude=40.0712, longitude=-74.8649)
        made = {
            "women_spanish": make_meeting(
                organization=org["alcoholics-anonymous"], name="Mujeres en Recuperación", slug="mujeres",
                location=center, day=2, start_time=dt.time(19, 30),
            ),
            "open_aa": make_meeting(
                organization=org["alcoholics-anonymous"], name="Kensington Open Discussion", slug="kensington-open",
                location=kensington, day=2, start_time=dt.time(12, 0), notes="Use the side door on Cedar Street.",
            ),
            "smart": make_meeting(
                organization=org["smart-recovery"], name="Burlington SMART", slug="burlington-smart",
                location=trenton_road, day=4, start_time=dt.time(18, 0),
            ),
            "online_smart": make_meeting(
                organization=org["smart-recovery"], name="SMART Online Evening", slug="smart-online",
                attendance_mode=Meeting.Attendance.ONLINE, day=3, start_time=dt.time(20, 0),
                timezone="America/Los_Angeles", conference_url="https://example.org/j/1",
            ),
            "hybrid_al_anon": make_meeting(
                organization=org["al-anon"], name="Courage Hybrid", slug="courage-hybrid", location=center,
                attendance_mode=Meeting.Attendance.HYBRID, day=6, start_time=dt.time(10, 0),
                conference_url="https://example.org/j/2",
            ),
            "celebrate": make_meeting(
                organization=org["celebrate-recovery"], name="Friday Celebrate", slug="friday-celebrate",
                location=kensington, day=5, start_time=dt.time(23, 30), end_time=dt.time(0, 30),
            ),
            "draft": make_meeting(
                organization=org["alcoholics-anonymous"], name="Unpublished Draft", slug="draft",
                location=center, status=Meeting.Status.DRAFT,
            ),
        }  # fmt: skip
        made["women_spanish"].types.set([types["W"], types["S"], types["O"]])
        made["open_aa"].types.set([types["O"], types["D"], types["EN"]])
        made["smart"].types.set([types["W"], types["EN"]])
        made["hybrid_al_anon"].types.set([types["S"]])
        yield made
