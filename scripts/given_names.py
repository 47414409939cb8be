"""Regenerate bot/analysis/data/given_names.txt from Faker's first-name lists (MIT licensed).

Run: python scripts/given_names.py  (needs the dev extra: faker)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from pathlib import Path

import faker.providers.person as person

OUT = Path(__file__).resolve().parents[1] / "bot" / "analysis" / "data" / "given_names.txt"
# Latin-script names only: the analysis reads English-language news.
LATIN = re.compile(r"^[A-Z\u00c0-\u024f][a-z\u00c0-\u024f'\u2019-]+$")
LISTS = ("first_names", "first_names_male", "first_names_female", "first_names_nonbinary")


def main() -> None:
    """Write one lowercase given name a line, sorted."""
    names: set[str] = set()
    for module in pkgutil.iter_modules(person.__path__):
        provider = importlib.import_module(f"{person.__name__}.{module.name}").Provider
        for attr in LISTS:
            value = provider.__dict__.get(attr)
            if isinstance(value, (list, tuple, dict)):
                names |= {n.lower() for n in value if isinstance(n, str) and LATIN.match(n)}
    OUT.write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")
    print(f"{len(names)} names -> {OUT}")


if __name__ == "__main__":
    main()
