"""Both catalogues are complete: every msgid has a translation, none is fuzzy, and every
string the web app marks for translation is in the catalogue."""

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import override_settings
from django.utils import translation

from .pofile import po_entries

LOCALE = Path(settings.LOCALE_PATHS[0])
WEB = Path(__file__).resolve().parent.parent
LAPOR = WEB.parent


@pytest.mark.parametrize("lang", ["en", "id"])
def test_every_msgid_has_a_translation_and_none_is_fuzzy(lang):
    entries = po_entries(LOCALE / lang / "LC_MESSAGES" / "django.po")
    assert len(entries) > 100
    untranslated = [e["msgid"] for e in entries if not e["msgstr"] or not all(v.strip() for v in e["msgstr"].values())]
    fuzzy = [e["msgid"] for e in entries if e["fuzzy"]]
    assert untranslated == [], f"{lang}: untranslated msgids: {untranslated[:10]}"
    assert fuzzy == [], f"{lang}: fuzzy msgids: {fuzzy[:10]}"


def test_compiled_catalogue_is_used_for_english():
    with translation.override("en"):
        assert translation.gettext("Buat laporan") == "File a report"
        assert translation.gettext("Menunggu verifikasi") == "Awaiting verification"


def test_the_indonesian_catalogue_says_what_the_source_says():
    """The source strings are Indonesian: the id catalogue may only repeat them ("Aktifkan" once
    showed as "Aktif" on the two-step sign-in)."""
    entries = po_entries(LOCALE / "id" / "LC_MESSAGES" / "django.po")
    wrong = [
        (e["msgid"], e["msgstr"]["msgstr"])
        for e in entries
        if e["msgid_plural"] is None and e["msgstr"].get("msgstr") not in ("", e["msgid"])
    ]
    assert wrong == []


@pytest.mark.skipif(not shutil.which("xgettext"), reason="gettext (xgettext) is not installed: apt-get install gettext")
def test_every_marked_string_is_in_the_catalogue(tmp_path):
    """makemessages over every app (templates and Python) into a temp dir: nothing it finds may be
    missing from the committed catalogue."""
    shutil.copytree(
        LAPOR,
        tmp_path / "lapor",
        ignore=shutil.ignore_patterns("__pycache__", "tests", "static", "locale", "migrations", "*.pyc"),
    )
    (tmp_path / "locale").mkdir()
    cwd = os.getcwd()
    try:
        os.chdir(tmp_path)
        with override_settings(LOCALE_PATHS=[str(tmp_path / "locale")]):
            call_command("makemessages", locale=["en"], verbosity=0)
    finally:
        os.chdir(cwd)
    found = {e["msgid"] for e in po_entries(tmp_path / "locale" / "en" / "LC_MESSAGES" / "django.po")}
    assert len(found) > 100
    known = {e["msgid"] for e in po_entries(LOCALE / "en" / "LC_MESSAGES" / "django.po")}
    assert found - known == set(), "run `lapor makemessages -l en -l id` in src/lapor and translate"
