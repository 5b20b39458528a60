# The two commands from the README: `make run` and `make test`.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

MO := locale/es/LC_MESSAGES/django.mo

.PHONY: run test install lint format data clean messages

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed $(MO)

# The Spanish translation: the .po file is committed, the .mo built from it (GNU gettext's msgfmt).
$(MO): locale/es/LC_MESSAGES/django.po | $(VENV)/.installed
	@command -v msgfmt >/dev/null || { echo "msgfmt not found: install GNU gettext (Debian: apt-get install gettext; macOS: brew install gettext) to build the Spanish translation." >&2; exit 1; }
	$(BIN)/python manage.py compilemessages --locale es --ignore '.*' --verbosity 0

## Collect new interface strings into locale/es/LC_MESSAGES/django.po (then translate them; tests/test_i18n.py checks)
messages: install
	$(BIN)/python manage.py makemessages --locale es --add-location file --no-obsolete \
		--ignore 'tests/*' --ignore 'benchmarks/*' --ignore 'staticfiles/*' --ignore 'templates/admin/*' --ignore '*admin.py'

## Set up, load the organizations, meeting types and demo meetings, and serve on http://$(HOST)
run: data
	$(BIN)/python manage.py runserver $(HOST)

data: install
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py createcachetable
	$(BIN)/python manage.py setup_curator_group
	$(BIN)/python manage.py load_organizations
	$(BIN)/python manage.py load_meeting_types
	$(BIN)/python manage.py load_places
	$(BIN)/python manage.py load_demo_meetings

## Install and run every test (DATABASE_URL=postgres://… to run them on PostgreSQL)
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
