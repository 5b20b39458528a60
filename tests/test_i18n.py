"""The public site in English and Spanish: chosen from the browser, switched without JavaScript, fully translated."""

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from groups.models import Organization
from meetings import geocoding
from meetings.models import TYPE_DESCRIPTIONS, MeetingType, Place
from tests.factories import make_location, make_meeting

pytestmark = pytest.mark.django_db

ROOT = Path(settings.BASE_DIR)
PO_FILE = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"
SPANISH = {"HTTP_ACCEPT_LANGUAGE": "es-MX,es;q=0.9,en;q=0.5"}


@pytest.fixture(scope="module")
def meeting(directory, django_db_blocker):
    """A Spanish-speaking women's meeting on Tuesdays at 19:30 in Philadelphia, and a city to misspell."""
    with django_db_blocker.unblock():
        aa = Organization.objects.get(slug="alcoholics-anonymous")
        hall = make_location(name="Center City Church", latitude=39.9526, longitude=-75.1635, postal_code="19107")
        made = make_meeting(
            organization=aa, name="Mujeres en Recuperación", slug="mujeres", location=hall, day=2,
            start_time=dt.time(19, 30), last_verified=dt.date(2025, 3, 4),
        )  # fmt: skip
        made.types.set(MeetingType.objects.filter(code__in=["W", "S", "O"]))
        Place.objects.create(
            geonameid=4250542, name="Springfield", search_name="springfield", admin1="IL", country="US",
            latitude=39.80172, longitude=-89.64371, population=116565, timezone="America/Chicago",
        )  # fmt: skip
        yield made


@pytest.fixture(autouse=True)
def _english_afterwards():
    """A Spanish request leaves Spanish active in this thread; later tests expect the default."""
    yield
    translation.deactivate()


def page(client, url: str, **headers) -> str:
    response = client.get(url, **headers)
    assert response.status_code == 200, url
    return response.content.decode()


class TestSpanishFromTheBrowser:
    def test_the_finder_is_in_spanish(self, client, meeting):
        response = client.get("/", **SPANISH)
        html = response.content.decode()
        assert response["Content-Language"] == "es"
        assert '<html lang="es">' in html
        assert "<h1>Buscar una reunión de ayuda mutua</h1>" in html
        assert "<legend>Dónde</legend>" in html and "Usar mi ubicación" in html
        assert "> Martes</label>" in html and "> Hoy</label>" in html
        assert "> Presencial</label>" in html and "> Al anochecer</label>" in html
        assert "> Mujeres</label>" in html and "<legend>Comunidad</legend>" in html
        assert '<option value="S">Español</option>' in html
        assert 'data-locating="Buscando su ubicación…"' in html

    def test_results_give_the_day_and_a_24_hour_time_in_spanish(self, client, meeting):
        html = page(client, "/?near=19107&distance=5", **SPANISH)
        assert "1 reunión a menos de 5 mi de Philadelphia, PA 19107, las más cercanas primero" in html
        assert re.search(r"martes 19:30</time>", html)
        assert '<p class="types">Abierta, Mujeres, Español</p>' in html
        assert "Añadir a la hoja" in html

    def test_a_meeting_page_names_its_types_in_spanish(self, client, meeting):
        html = page(client, "/meetings/mujeres/", **SPANISH)
        assert '<html lang="es">' in html
        assert "Cada martes," in html and ">19:30</time>–20:30" in html
        assert "Verificada por última vez el 4 de marzo de 2025" in html
        assert "<dt>Comunidad</dt><dd>Mujeres</dd>" in html
        assert "<dt>Idioma</dt><dd>Español</dd>" in html
        assert "Abierta <small>— Cualquiera puede asistir" in html
        assert "Women" not in html and "Every Tuesday" not in html

    def test_an_unknown_place_is_explained_in_spanish(self, client, meeting):
        html = page(client, "/?near=Sprngfield%2C+IL", **SPANISH)
        assert "No encontramos “Sprngfield, IL”. ¿Quiso decir Springfield, IL?" in html
        assert "Corrija la búsqueda de arriba." in html

    def test_the_api_names_a_bad_place_in_spanish_too(self, client, meeting):
        response = client.get("/api/v1/meetings/", {"near": "Xyzzy"}, **SPANISH)
        assert response.status_code == 400
        assert response.json()["near"][0].startswith("No encontramos “Xyzzy”.")

    def test_the_directory_is_in_spanish(self, client, meeting):
        html = page(client, "/organizations/", **SPANISH)
        assert "<h1>Organizaciones de ayuda mutua</h1>" in html
        assert "> 12 pasos</label>" in html and "> Cualquier droga</label>" in html
        assert "Marque de dos a cuatro para compararlas." in html

    def test_a_fact_sheet_translates_its_labels_but_not_what_the_sources_say(self, client, meeting):
        smart = Organization.objects.get(slug="smart-recovery")
        html = page(client, "/organizations/smart-recovery/", **SPANISH)
        assert "<dt>Filosofía</dt>" in html and '<h2 id="sources">Fuentes</h2>' in html
        first_line = smart.philosophy.splitlines()[0]
        assert f'<span lang="en">{first_line}' in html.replace("&#x27;", "'")
        assert "tal como lo escribieron, en inglés" in html

    def test_the_compare_page_is_in_spanish(self, client, meeting):
        html = page(client, "/organizations/compare/?o=smart-recovery&o=alcoholics-anonymous", **SPANISH)
        assert "<h1>Comparar organizaciones</h1>" in html
        assert '<th scope="row">Tipo</th>' in html and '<th scope="row">Filosofía</th>' in html
        assert "12 pasos" in html and "Laico" in html

    def test_a_guide_translates_its_headings_and_keeps_its_sourced_statements(self, client, meeting):
        html = page(client, "/guides/first-meeting/", **SPANISH)
        assert "<h1>Qué esperar en su primera reunión</h1>" in html
        assert '<h2 id="before">Antes de ir</h2>' in html
        assert '<ul lang="en">\n  <li>Mutual-help groups are free and run by peers.' in html

    def test_a_language_the_site_does_not_have_gets_english(self, client, meeting):
        html = page(client, "/", HTTP_ACCEPT_LANGUAGE="fr-FR,fr;q=0.9")
        assert '<html lang="en">' in html and "Find a mutual-help meeting" in html


class TestTheSwitch:
    def test_every_page_has_a_switch_that_posts_without_javascript(self, client, meeting):
        html = page(client, "/organizations/?kind=secular")
        form = re.search(r'<form class="language-switch" action="/i18n/setlang/" method="post">.*?</form>', html, re.S)
        assert form, "the language switch is a plain form"
        assert '<input type="hidden" name="next" value="/organizations/?kind=secular">' in form.group(0)
        assert 'name="language" value="es" lang="es">Español</button>' in form.group(0)
        assert 'value="en" lang="en" aria-current="true">English</button>' in form.group(0)

    def test_choosing_spanish_keeps_the_page_and_remembers_the_choice(self, client, meeting):
        response = client.post("/i18n/setlang/", {"language": "es", "next": "/organizations/?kind=secular"})
        assert response.status_code == 302 and response["Location"] == "/organizations/?kind=secular"
        cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
        assert cookie.value == "es" and cookie["httponly"] and cookie["samesite"] == "Lax"
        # The cookie wins over the browser's own language, on every page.
        assert "<h1>Organizaciones de ayuda mutua</h1>" in page(client, "/organizations/", HTTP_ACCEPT_LANGUAGE="en")
        assert '<html lang="es">' in page(client, "/meetings/mujeres/")

    def test_choosing_english_again_switches_back(self, client, meeting):
        client.post("/i18n/setlang/", {"language": "es", "next": "/"})
        client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        assert "<h1>Find a mutual-help meeting</h1>" in page(client, "/", **SPANISH)

    def test_the_switch_sends_people_only_to_our_own_pages(self, client, meeting):
        response = client.post("/i18n/setlang/", {"language": "es", "next": "https://example.org/"})
        assert response["Location"] == "/"

    def test_pages_set_no_cookie_until_a_language_is_chosen(self, client, meeting):
        assert not client.get("/", **SPANISH).cookies
        assert not client.get("/meetings/mujeres/").cookies


class TestEnglishIsUnchanged:
    def test_the_finder_and_a_meeting_page_read_as_before(self, client, meeting):
        html = page(client, "/?near=19107&distance=5")
        assert '<html lang="en">' in html
        assert "1 meeting within 5 mi of Philadelphia, PA 19107, nearest first" in html
        assert "Tuesday 7:30 PM</time>" in html and "> Sunday</label>" in html
        html = page(client, "/meetings/mujeres/")
        assert "Every Tuesday," in html and ">7:30 PM</time>–8:30 PM" in html
        assert "Last verified on March 4, 2025" in html
        assert "<dt>Community</dt><dd>Women</dd>" in html and "Open <small>— Anyone may attend" in html
        assert "What the source documents say is shown" not in page(client, "/organizations/smart-recovery/")

    def test_feeds_keep_english_day_names_whatever_the_language(self, client, meeting):
        csv = client.get("/meetings/feed.csv", **SPANISH)
        body = b"".join(csv.streaming_content).decode()
        assert ",Tuesday," in body and "martes" not in body

    def test_day_names_in_urls_stay_english(self, client, meeting):
        assert "Mujeres en Recuperación" in page(client, "/?day=tuesday", **SPANISH)


class TestTheTranslationIsComplete:
    def test_every_entry_is_translated_and_none_is_fuzzy(self):
        problems = [f"{entry['msgid']!r}: {problem}" for entry in po_entries() for problem in entry_problems(entry)]
        assert not problems, "Translate these in locale/es/LC_MESSAGES/django.po:\n" + "\n".join(problems)

    def test_every_translate_tag_in_the_public_templates_has_an_entry(self):
        known = {(entry["msgctxt"], entry["msgid"]) for entry in po_entries()}
        tag = re.compile(r'{%\s*(?:translate|trans)\s+"([^"]+)"(?:\s+context\s+"([^"]+)")?')
        missing = []
        for template in sorted((ROOT / "templates").rglob("*.html")):
            if "admin" in template.relative_to(ROOT / "templates").parts:
                continue  # staff pages: not part of the public interface
            for msgid, context in tag.findall(template.read_text(encoding="utf-8")):
                if (context or None, msgid) not in known:
                    missing.append(f"{template.relative_to(ROOT)}: {msgid!r}")
        assert not missing, "Run `make messages` and translate:\n" + "\n".join(missing)

    def test_every_type_description_the_fixture_loads_can_be_translated(self):
        with open(ROOT / "fixtures" / "meeting_types.json", encoding="utf-8") as handle:
            descriptions = {row["description_en"] for row in json.load(handle)["types"] if row.get("description_en")}
        assert descriptions <= set(TYPE_DESCRIPTIONS)

    def test_placeholders_are_kept_in_every_translation(self):
        placeholder = re.compile(r"%\(\w+\)[sd]")
        for entry in po_entries():
            expected = sorted(placeholder.findall(entry["msgid"]))
            for text in entry_translations(entry):
                assert sorted(placeholder.findall(text)) == expected or entry["msgid_plural"], entry["msgid"]

    def test_geocoding_messages_follow_the_active_language(self, meeting):
        with translation.override("es"), pytest.raises(geocoding.PlaceNotFound) as error:
            geocoding.geocode("Sprngfield, IL")
        assert error.value.message == "No encontramos “Sprngfield, IL”. ¿Quiso decir Springfield, IL?"


# A small reader for the .po file (stdlib only): entries with their flags, context, ids and translations.


def po_entries() -> list[dict]:
    entries, entry, field = [], None, None
    for line in [*PO_FILE.read_text(encoding="utf-8").splitlines(), ""]:
        if not line.strip():
            if entry and entry["msgid"]:  # the header has an empty msgid
                entries.append(entry)
            entry = None
            continue
        entry = entry or {"flags": set(), "msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": {}}
        if line.startswith("#,"):
            entry["flags"] |= {flag.strip() for flag in line[2:].split(",")}
        elif line.startswith("#"):
            continue
        elif match := re.fullmatch(r"(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+\"(.*)\"", line):
            name, index, text = match.groups()
            field = (name, int(index or 0))
            _store(entry, field, _unescape(text), new=True)
        elif line.startswith('"'):
            _store(entry, field, _unescape(line.strip()[1:-1]), new=False)
    return entries


def _store(entry: dict, field: tuple[str, int], text: str, new: bool) -> None:
    name, index = field
    if name == "msgstr":
        entry["msgstr"][index] = ("" if new else entry["msgstr"][index]) + text
    else:
        entry[name] = ("" if new else entry[name] or "") + text


def _unescape(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: {"n": "\n", "t": "\t"}.get(m.group(1), m.group(1)), text)


def entry_translations(entry: dict) -> list[str]:
    return list(entry["msgstr"].values())


def entry_problems(entry: dict) -> list[str]:
    problems = []
    if "fuzzy" in entry["flags"]:
        problems.append("marked fuzzy (check the translation, then remove the flag)")
    if not entry["msgstr"] or not all(text.strip() for text in entry["msgstr"].values()):
        problems.append("not translated")
    return problems
