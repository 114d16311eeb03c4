"""The lock files (requirements/, made by `make lock`) say what pyproject.toml says, pin every package with its
hashes, and agree with each other: a dependency changed in pyproject.toml without `make lock` fails here."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?==([^\s;\\]+)")


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def locked(path: Path) -> dict[str, str]:
    pins: dict[str, str] = {}
    text = path.read_text()
    for entry in re.split(r"\n(?=\S)", text):
        match = PIN.match(entry)
        if match:
            assert "--hash=sha256:" in entry, f"{path.name}: {match.group(1)} has no hash"
            pins[normalise(match.group(1))] = match.group(2)
    return pins


def declared(extra: str | None = None) -> dict[str, str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    lines = project["optional-dependencies"][extra] if extra else project["dependencies"]
    return {normalise(m.group(1)): m.group(2) for m in map(PIN.match, lines) if m}


def test_every_direct_dependency_is_locked_at_its_declared_version() -> None:
    base, test = locked(ROOT / "requirements" / "base.txt"), locked(ROOT / "requirements" / "test.txt")
    for name, version in declared().items():
        assert base.get(name) == version, (name, version, base.get(name))
        assert test.get(name) == version, (name, version, test.get(name))
    for name, version in declared("test").items():
        assert test.get(name) == version, (name, version, test.get(name))


def test_the_test_lock_keeps_the_services_pins() -> None:
    base, test = locked(ROOT / "requirements" / "base.txt"), locked(ROOT / "requirements" / "test.txt")
    assert {name: test.get(name) for name in base} == base
