"""The short plain-language guides: what the source documents say, and nothing more.

Each guide is one template under ``templates/groups/guides/``. Every paragraph on it carries a marker
such as ``[002]`` naming the source document it rests on (the number is the document's file-name
prefix), and the foot of the page lists the documents in ``sources``, rendered from ``groups.models.Source``.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_noop

PEER_BASED_RECOVERY_SUPPORT = "000_e7a946367aa4d56d.txt"
MUTUAL_SUPPORT_GROUPS_AND_SELF_HELP_PROGRAMS = "001_c57cbbc093fc8e6e.txt"
RECOVERY_ORIENTED_MUTUAL_SELF_HELP_GROUPS = "002_05c4d1e960ceae18.txt"
EFFICACY_AND_MECHANISMS_OF_MUTUAL_SUPPORT_GROUPS = "003_58cdb849c23b344a.txt"
INTRODUCTION_TO_MUTUAL_SUPPORT_GROUPS = "004_90ad97b3dab66da0.txt"


@dataclass(frozen=True)
class Guide:
    slug: str
    title: str
    """In English; templates translate it ({% translate guide.title %}), as they do ``summary``."""
    summary: str
    """One sentence for the index."""
    template: str
    sources: tuple[str, ...]
    """Keys (file names) of the source documents the guide draws on, in the order of their numbers."""


GUIDES: tuple[Guide, ...] = (
    Guide(
        slug="first-meeting",
        title=gettext_noop("What to expect at your first meeting"),
        summary=gettext_noop(
            "Open and closed meetings, what happens at a meeting, what it costs, and why you can just listen."
        ),
        template="groups/guides/first-meeting.html",
        sources=(
            PEER_BASED_RECOVERY_SUPPORT,
            MUTUAL_SUPPORT_GROUPS_AND_SELF_HELP_PROGRAMS,
            RECOVERY_ORIENTED_MUTUAL_SELF_HELP_GROUPS,
            EFFICACY_AND_MECHANISMS_OF_MUTUAL_SUPPORT_GROUPS,
            INTRODUCTION_TO_MUTUAL_SUPPORT_GROUPS,
        ),
    ),
    Guide(
        slug="choosing-a-group",
        title=gettext_noop("Choosing a group"),
        summary=gettext_noop(
            "The main kinds of group (12-step, secular, religious and family groups) and why a good fit matters."
        ),
        template="groups/guides/choosing-a-group.html",
        sources=(
            PEER_BASED_RECOVERY_SUPPORT,
            MUTUAL_SUPPORT_GROUPS_AND_SELF_HELP_PROGRAMS,
            RECOVERY_ORIENTED_MUTUAL_SELF_HELP_GROUPS,
            EFFICACY_AND_MECHANISMS_OF_MUTUAL_SUPPORT_GROUPS,
            INTRODUCTION_TO_MUTUAL_SUPPORT_GROUPS,
        ),
    ),
    Guide(
        slug="family-and-friends",
        title=gettext_noop("Groups for family and friends"),
        summary=gettext_noop(
            "Al-Anon, Alateen, Nar-Anon, Co-Anon, Families Anonymous and Adult Children of Alcoholics."
        ),
        template="groups/guides/family-and-friends.html",
        sources=(
            PEER_BASED_RECOVERY_SUPPORT,
            RECOVERY_ORIENTED_MUTUAL_SELF_HELP_GROUPS,
            INTRODUCTION_TO_MUTUAL_SUPPORT_GROUPS,
        ),
    ),
    Guide(
        slug="research",
        title=gettext_noop("What research says about taking part"),
        summary=gettext_noop(
            "What studies have found about taking part in mutual-help groups, and what they do not yet know."
        ),
        template="groups/guides/research.html",
        sources=(
            PEER_BASED_RECOVERY_SUPPORT,
            MUTUAL_SUPPORT_GROUPS_AND_SELF_HELP_PROGRAMS,
            RECOVERY_ORIENTED_MUTUAL_SELF_HELP_GROUPS,
            EFFICACY_AND_MECHANISMS_OF_MUTUAL_SUPPORT_GROUPS,
            INTRODUCTION_TO_MUTUAL_SUPPORT_GROUPS,
        ),
    ),
)

_BY_SLUG = {guide.slug: guide for guide in GUIDES}


def get_guide(slug: str) -> Guide | None:
    """The guide with this slug, or None."""
    return _BY_SLUG.get(slug)
