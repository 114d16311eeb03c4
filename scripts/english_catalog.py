"""Write the English catalogue, locale/en_GB/LC_MESSAGES/django.mo: every message of the Welsh catalogue, as itself.

Python's gettext answers an English string that no catalogue holds by asking each fallback catalogue in turn (for
en-GB, one for each of Django's apps: six lookups a string), and a public page asks for about twenty strings. With
this catalogue the first lookup answers (docs/welsh.md, docs/benchmarks.md). A string missing from it, added since
the catalogue was built, is still answered in English, as before. Built by `make compilemessages` and the Dockerfile,
not committed.

    python scripts/english_catalog.py
"""

from __future__ import annotations

from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE = Path(__file__).resolve().parents[1] / "locale"


def english_catalog() -> Catalog:
    with (LOCALE / "cy" / "LC_MESSAGES" / "django.po").open("rb") as source:
        welsh = read_po(source)
    english = Catalog(
        locale="en_GB",
        domain="django",
        project=welsh.project,
        creation_date=welsh.creation_date,  # the Welsh catalogue's dates: the same bytes from the same django.po
        revision_date=welsh.revision_date,
    )
    for message in welsh:
        if message.id:
            english.add(message.id, string=message.id, context=message.context)
    return english


def main() -> None:
    target = LOCALE / "en_GB" / "LC_MESSAGES" / "django.mo"
    target.parent.mkdir(parents=True, exist_ok=True)
    catalog = english_catalog()
    with target.open("wb") as out:
        write_mo(out, catalog)
    print(f"{len(catalog)} messages in {target.relative_to(LOCALE.parent)}")


if __name__ == "__main__":
    main()
