import pytest
from django.core.exceptions import ImproperlyConfigured

from finder.env import env_bool, env_int, env_list, env_str


def test_unset_and_empty_variables_give_the_default(monkeypatch):
    monkeypatch.delenv("FINDER_TEST", raising=False)
    assert env_str("FINDER_TEST", "fallback") == "fallback"
    monkeypatch.setenv("FINDER_TEST", "  ")
    assert env_bool("FINDER_TEST", True) is True
    assert env_list("FINDER_TEST", ["a"]) == ["a"]


@pytest.mark.parametrize(
    ("raw", "expected"), [("1", True), ("Yes", True), ("on", True), ("0", False), ("false", False)]
)
def test_booleans_read_the_usual_spellings(monkeypatch, raw, expected):
    monkeypatch.setenv("FINDER_TEST", raw)
    assert env_bool("FINDER_TEST", not expected) is expected


def test_a_misspelled_boolean_fails_loudly_with_its_name(monkeypatch):
    monkeypatch.setenv("FINDER_TEST", "ture")
    with pytest.raises(ImproperlyConfigured, match="FINDER_TEST"):
        env_bool("FINDER_TEST", False)


def test_a_number_that_is_not_a_number_fails_loudly(monkeypatch):
    monkeypatch.setenv("FINDER_TEST", "ten")
    with pytest.raises(ImproperlyConfigured, match="FINDER_TEST"):
        env_int("FINDER_TEST", 1)


def test_lists_are_comma_separated_and_trimmed(monkeypatch):
    monkeypatch.setenv("FINDER_TEST", "example.org, www.example.org ,")
    assert env_list("FINDER_TEST") == ["example.org", "www.example.org"]
