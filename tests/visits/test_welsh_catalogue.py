"""The Welsh catalogue is complete and compiled: every string the extraction finds (`make messages`: Babel over the
Python files and the Jinja2 templates of locale/babel.cfg) is in locale/cy/LC_MESSAGES/django.po with a Welsh
translation that is not empty and not fuzzy, with the same placeholders, and the compiled django.mo is that
catalogue's (`make compilemessages`)."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO_FILE = ROOT / "locale" / "cy" / "LC_MESSAGES" / "django.po"
MO_FILE = PO_FILE.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}|%\{\w+\}")


def babel_keywords() -> list[str]:
    """The extraction's keywords, from the Makefile (one list for `make messages` and this test)."""
    line = next(line for line in (ROOT / "Makefile").read_text().splitlines() if line.startswith("BABEL_KEYWORDS"))
    return line.split(":=", 1)[1].split()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str | None, str], object]:
    pot = tmp_path_factory.mktemp("messages") / "django.pot"
    command = [sys.executable, "-m", "babel.messages.frontend", "-q", "extract", "-F", "locale/babel.cfg"]
    subprocess.run([*command, *babel_keywords(), "-o", str(pot), "."], cwd=ROOT, check=True)
    with pot.open("rb") as file:
        return {(m.context, m.id if isinstance(m.id, str) else m.id[0]): m for m in read_po(file) if m.id}


@pytest.fixture(scope="module")
def catalogue() -> object:
    with PO_FILE.open("rb") as file:
        return read_po(file)


def test_every_extracted_string_has_a_welsh_translation(extracted: dict, catalogue) -> None:
    assert len(extracted) > 300, "the extraction found too little: is locale/babel.cfg right?"
    problems = []
    for (context, msgid), template in extracted.items():
        message = catalogue.get(template.id, context=context)
        if message is None:
            problems.append(f"missing (run `make messages` and translate it): {msgid!r}")
            continue
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if not all(s.strip() for s in strings):
            problems.append(f"not translated: {msgid!r}")
        if message.fuzzy:
            problems.append(f"fuzzy (check the translation and remove the flag): {msgid!r}")
        ids = template.id if isinstance(template.id, tuple) else (template.id,)
        wanted = set(PLACEHOLDER.findall(" ".join(ids)))
        for string in strings:
            if set(PLACEHOLDER.findall(string)) != wanted:
                problems.append(f"placeholders differ from the English: {msgid!r} -> {string!r}")
    assert not problems, "\n".join(problems)


def test_the_catalogue_has_nothing_the_extraction_no_longer_finds(extracted: dict, catalogue) -> None:
    stale = [
        m.id for m in catalogue if m.id and (m.context, m.id if isinstance(m.id, str) else m.id[0]) not in extracted
    ]
    assert not stale, f"obsolete (run `make messages`): {stale}"


def test_the_compiled_catalogue_is_up_to_date(catalogue) -> None:
    assert MO_FILE.exists(), "not compiled: run `make compilemessages` (make run and make test do)"
    compiled = io.BytesIO()
    write_mo(compiled, catalogue, use_fuzzy=False)
    assert MO_FILE.read_bytes() == compiled.getvalue(), "django.mo is older than django.po: run `make compilemessages`"


def test_gettext_accepts_the_catalogue() -> None:
    """GNU msgfmt's own checks (placeholders, plural forms, the header), where it is installed (Debian's gettext)."""
    msgfmt = subprocess.run(["which", "msgfmt"], capture_output=True, text=True).stdout.strip()
    if not msgfmt:
        pytest.skip("msgfmt is not installed (Debian package gettext)")
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(PO_FILE)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr


def test_the_english_catalogue_is_each_welsh_message_as_itself_and_compiled(catalogue) -> None:  # type: ignore[no-untyped-def]
    from babel.messages.mofile import read_mo
    from django.utils import translation

    from scripts.english_catalog import LOCALE, english_catalog

    mo_file = LOCALE / "en_GB" / "LC_MESSAGES" / "django.mo"
    assert mo_file.exists(), "not made: run `make compilemessages` (make run and make test do)"
    with mo_file.open("rb") as file:
        english = read_mo(file)

    def key(message):  # type: ignore[no-untyped-def]
        context = message.context.decode() if isinstance(message.context, bytes) else message.context  # read_mo's
        return context, message.id if isinstance(message.id, str) else tuple(message.id)

    assert {key(m) for m in english if m.id} == {key(m) for m in catalogue if m.id}
    assert all(key(m)[1] == (m.string if isinstance(m.string, str) else tuple(m.string)) for m in english if m.id)
    compiled = io.BytesIO()
    write_mo(compiled, english_catalog())
    assert mo_file.read_bytes() == compiled.getvalue(), "the English catalogue is older than django.po"
    with translation.override("en-gb"):
        assert translation.gettext("Choose a time") == "Choose a time"
