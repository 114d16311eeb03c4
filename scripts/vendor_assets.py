#!/usr/bin/env python3
"""Vendor front-end assets from the npm registry into ``static/vendor/``.

Downloads pinned releases of govuk-frontend, @ministryofjustice/frontend and
accessible-autocomplete with ``npm pack`` (no ``npm install``, no
``node_modules``), extracts the tarballs in a temporary directory and copies
the compiled CSS/JS, source maps, fonts/images and licence files into
``static/vendor/``. The resulting files are committed to the repository, so
no Node step is needed at build time or runtime.

The compiled CSS of govuk-frontend and moj-frontend refers to root-absolute
``/assets/...`` URLs; these are rewritten to be relative (``assets/...``) so
they resolve under ``/static/vendor/<package>/``. The script then checks that
every relative ``url(...)`` and every ``sourceMappingURL`` points to a file in
the vendored tree (as Django's ManifestStaticFilesStorage requires), stripping
``sourceMappingURL`` comments whose map file is not shipped, and exits with an
error if anything else is wrong.

Usage (from anywhere; needs ``npm`` on PATH and access to the npm registry)::

    python scripts/vendor_assets.py

To upgrade, change the version constants below, re-run the script, review the
diff of ``static/vendor/`` and commit it.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

GOVUK_FRONTEND_VERSION = "6.6.0"
MOJ_FRONTEND_VERSION = "11.1.0"
ACCESSIBLE_AUTOCOMPLETE_VERSION = "3.0.1"

REPO_ROOT = Path(__file__).resolve().parent.parent
VENDOR_DIR = REPO_ROOT / "static" / "vendor"

# npm tarballs put everything under this top-level directory.
TARBALL_ROOT = "package"

LICENCE_NAMES = (
    "LICENSE",
    "LICENSE.txt",
    "LICENSE.md",
    "LICENCE",
    "LICENCE.txt",
    "LICENCE.md",
)


class VendorError(Exception):
    """Raised when vendoring fails or the vendored tree is inconsistent."""


@dataclass(frozen=True)
class Package:
    """An npm package and the files to take from it."""

    name: str
    version: str
    dest: str  # directory under static/vendor/
    src_dir: str  # directory inside the package holding the built files
    files: tuple[str, ...]  # required files in src_dir
    optional_files: tuple[str, ...] = ()  # copied if present (source maps)
    dirs: tuple[str, ...] = field(default=())  # whole directories in src_dir

    @property
    def spec(self) -> str:
        """Return the ``name@version`` spec passed to npm."""
        return f"{self.name}@{self.version}"


PACKAGES: tuple[Package, ...] = (
    Package(
        name="govuk-frontend",
        version=GOVUK_FRONTEND_VERSION,
        dest="govuk",
        src_dir="dist/govuk",
        files=("govuk-frontend.min.css", "govuk-frontend.min.js"),
        optional_files=("govuk-frontend.min.css.map", "govuk-frontend.min.js.map"),
        dirs=("assets",),
    ),
    Package(
        name="@ministryofjustice/frontend",
        version=MOJ_FRONTEND_VERSION,
        dest="moj",
        src_dir="moj",
        files=("moj-frontend.min.css", "moj-frontend.min.js"),
        optional_files=("moj-frontend.min.css.map", "moj-frontend.min.js.map"),
        dirs=("assets",),
    ),
    Package(
        name="accessible-autocomplete",
        version=ACCESSIBLE_AUTOCOMPLETE_VERSION,
        dest="accessible-autocomplete",
        src_dir="dist",
        files=("accessible-autocomplete.min.js", "accessible-autocomplete.min.css"),
        optional_files=(
            "accessible-autocomplete.min.js.map",
            "accessible-autocomplete.min.css.map",
        ),
    ),
)

# url(/assets/...), url("/assets/...") and url('/assets/...'), any spacing.
ROOT_ASSETS_URL_RE = re.compile(r"""url\(\s*(["']?)/assets/""")
CSS_URL_RE = re.compile(r"""url\(\s*(["']?)(.*?)\1\s*\)""", re.DOTALL)
ROOT_ABSOLUTE_URL_RE = re.compile(r"""url\(\s*["']?/""")
CSS_IMPORT_RE = re.compile(r"@import\b")
# /*# sourceMappingURL=x */ (CSS or JS) and //# sourceMappingURL=x (JS).
SOURCE_MAP_BLOCK_RE = re.compile(r"/\*\s*[#@]\s*sourceMappingURL=\s*(\S+?)\s*\*/")
SOURCE_MAP_LINE_RE = re.compile(r"//\s*[#@]\s*sourceMappingURL=\s*(\S+)[ \t]*")
URL_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


def log(message: str) -> None:
    """Print a progress message."""
    print(message, flush=True)


def npm_pack(specs: list[str], dest: Path) -> list[dict[str, object]]:
    """Run ``npm pack`` for ``specs`` into ``dest``; return npm's JSON report."""
    npm = shutil.which("npm")
    if npm is None:
        msg = "npm not found on PATH"
        raise VendorError(msg)
    cmd = [
        npm,
        "pack",
        "--json",
        "--ignore-scripts",
        "--pack-destination",
        str(dest),
        *specs,
    ]
    log(f"$ npm pack {' '.join(specs)}")
    result = subprocess.run(cmd, cwd=dest, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        msg = f"npm pack failed ({result.returncode}):\n{result.stderr}"
        raise VendorError(msg)
    try:
        report = json.loads(result.stdout)
    except json.JSONDecodeError as exc:
        msg = f"could not parse npm pack output: {result.stdout!r}"
        raise VendorError(msg) from exc
    if not isinstance(report, list) or len(report) != len(specs):
        msg = f"unexpected npm pack output: {report!r}"
        raise VendorError(msg)
    return report


def safe_extract(tarball: Path, dest: Path) -> None:
    """Extract ``tarball`` into ``dest`` refusing unsafe members."""
    with tarfile.open(tarball, "r:gz") as tar:
        if hasattr(tarfile, "data_filter"):
            tar.extractall(dest, filter="data")
            return
        # Fallback for Python builds without extraction filters.
        root = dest.resolve()
        for member in tar.getmembers():
            target = (dest / member.name).resolve()
            if not target.is_relative_to(root) or member.issym() or member.islnk():
                msg = f"unsafe tar member {member.name!r} in {tarball.name}"
                raise VendorError(msg)
        tar.extractall(dest)


def read_package_json(package_root: Path) -> dict[str, object]:
    """Return the parsed ``package.json`` of an extracted package."""
    data = json.loads((package_root / "package.json").read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        msg = f"invalid package.json in {package_root}"
        raise VendorError(msg)
    return data


def licence_notice(package: Package, meta: dict[str, object]) -> str:
    """Build a licence notice for a package that ships no licence file."""
    author = meta.get("author")
    if isinstance(author, dict):
        author = author.get("name")
    repository = meta.get("repository")
    if isinstance(repository, dict):
        repository = repository.get("url")
    lines = [
        f"{package.name} {package.version}",
        "",
        "The npm package does not ship a licence file. Its package.json declares:",
        "",
        f"    license: {meta.get('license', 'UNKNOWN')}",
        f"    author: {author or 'UNKNOWN'}",
        f"    repository: {repository or 'UNKNOWN'}",
        "",
        "See the licence file in the upstream repository for the full text.",
        "",
    ]
    return "\n".join(lines)


def copy_package(package: Package, package_root: Path, staging: Path) -> None:
    """Copy the wanted files of one extracted package into ``staging``."""
    src = package_root / package.src_dir
    dest = staging / package.dest
    dest.mkdir(parents=True)
    for name in package.files:
        if not (src / name).is_file():
            msg = f"{package.spec}: expected file {package.src_dir}/{name} not found"
            raise VendorError(msg)
        shutil.copy2(src / name, dest / name)
    for name in package.optional_files:
        if (src / name).is_file():
            shutil.copy2(src / name, dest / name)
        else:
            log(f"  note: {package.spec} does not ship {package.src_dir}/{name}")
    for name in package.dirs:
        if not (src / name).is_dir():
            msg = f"{package.spec}: expected directory {package.src_dir}/{name} not found"
            raise VendorError(msg)
        shutil.copytree(src / name, dest / name)

    for name in LICENCE_NAMES:
        if (package_root / name).is_file():
            shutil.copy2(package_root / name, dest / name)
            break
    else:
        log(f"  note: {package.spec} ships no licence file; writing a notice")
        notice = licence_notice(package, read_package_json(package_root))
        (dest / "LICENSE.txt").write_text(notice, encoding="utf-8")


def rewrite_root_asset_urls(css_file: Path) -> int:
    """Rewrite ``url(/assets/`` (any quoting) to ``url(assets/``; return count."""
    text = css_file.read_text(encoding="utf-8")
    new_text, count = ROOT_ASSETS_URL_RE.subn(r"url(\1assets/", text)
    if count:
        css_file.write_text(new_text, encoding="utf-8")
    return count


def check_css_urls(css_file: Path, root: Path) -> list[str]:
    """Return problems with ``url(...)`` references in ``css_file``."""
    problems: list[str] = []
    text = css_file.read_text(encoding="utf-8")
    rel = css_file.relative_to(root)
    if ROOT_ABSOLUTE_URL_RE.search(text):
        problems.append(f"{rel}: root-absolute url(/...) remains")
    if CSS_IMPORT_RE.search(text):
        problems.append(f"{rel}: contains @import, which is not checked")
    for match in CSS_URL_RE.finditer(text):
        url = match.group(2).strip()
        if not url or url.startswith(("data:", "#")):
            continue
        if url.startswith("/") or URL_SCHEME_RE.match(url):
            problems.append(f"{rel}: non-relative url({url})")
            continue
        path = url.split("#", 1)[0].split("?", 1)[0]
        target = (css_file.parent / PurePosixPath(path)).resolve()
        if not target.is_relative_to(root.resolve()):
            problems.append(f"{rel}: url({url}) points outside the vendored tree")
        elif not target.is_file():
            problems.append(f"{rel}: url({url}) points to a missing file")
    return problems


def fix_source_maps(asset: Path) -> None:
    """Strip ``sourceMappingURL`` comments whose map file does not exist."""
    text = asset.read_text(encoding="utf-8")

    def replace(match: re.Match[str]) -> str:
        url = match.group(1)
        if url.startswith("data:"):
            return match.group(0)
        path = url.split("#", 1)[0].split("?", 1)[0]
        if not URL_SCHEME_RE.match(url) and not path.startswith("/") and (asset.parent / PurePosixPath(path)).is_file():
            return match.group(0)
        log(f"  stripping sourceMappingURL={url} from {asset.name} (map not shipped)")
        return ""

    new_text = SOURCE_MAP_BLOCK_RE.sub(replace, text)
    if asset.suffix == ".js":
        new_text = SOURCE_MAP_LINE_RE.sub(replace, new_text)
    if new_text != text:
        asset.write_text(new_text, encoding="utf-8")


def check_source_maps(asset: Path, root: Path) -> list[str]:
    """Return problems with ``sourceMappingURL`` references in ``asset``."""
    problems: list[str] = []
    text = asset.read_text(encoding="utf-8")
    urls = [m.group(1) for m in SOURCE_MAP_BLOCK_RE.finditer(text)]
    if asset.suffix == ".js":
        urls += [m.group(1) for m in SOURCE_MAP_LINE_RE.finditer(text)]
    for url in urls:
        if url.startswith("data:"):
            continue
        if not (asset.parent / PurePosixPath(url)).is_file():
            problems.append(f"{asset.relative_to(root)}: sourceMappingURL={url} missing")
    return problems


def build(staging: Path, workdir: Path) -> list[tuple[Package, str]]:
    """Download, extract and copy all packages into ``staging``."""
    report = npm_pack([p.spec for p in PACKAGES], workdir)
    results: list[tuple[Package, str]] = []
    for package, entry in zip(PACKAGES, report, strict=True):
        if not isinstance(entry, dict):
            msg = f"unexpected npm pack entry: {entry!r}"
            raise VendorError(msg)
        if entry.get("name") != package.name or entry.get("version") != package.version:
            msg = f"npm packed {entry.get('name')}@{entry.get('version')}, wanted {package.spec}"
            raise VendorError(msg)
        tarball = workdir / str(entry["filename"])
        extract_dir = workdir / "extracted" / package.dest
        extract_dir.mkdir(parents=True)
        log(f"extracting {tarball.name}")
        safe_extract(tarball, extract_dir)
        package_root = extract_dir / TARBALL_ROOT
        meta = read_package_json(package_root)
        if meta.get("version") != package.version:
            msg = f"{tarball.name}: package.json version is {meta.get('version')}"
            raise VendorError(msg)
        copy_package(package, package_root, staging)
        results.append((package, str(entry.get("integrity", ""))))
    return results


def post_process(staging: Path) -> None:
    """Rewrite CSS URLs and source maps, then verify the tree."""
    css_files = sorted(staging.rglob("*.css"))
    js_files = sorted(staging.rglob("*.js"))
    for css_file in css_files:
        count = rewrite_root_asset_urls(css_file)
        if count:
            log(f"  rewrote {count} url(/assets/...) in {css_file.relative_to(staging)}")
    for asset in css_files + js_files:
        fix_source_maps(asset)

    problems: list[str] = []
    for css_file in css_files:
        problems += check_css_urls(css_file, staging)
    for asset in css_files + js_files:
        problems += check_source_maps(asset, staging)
    if problems:
        msg = "vendored assets failed verification:\n  " + "\n  ".join(problems)
        raise VendorError(msg)


def write_versions(staging: Path, results: list[tuple[Package, str]]) -> None:
    """Write ``VERSIONS.txt`` listing each vendored package and version."""
    lines = [
        "# Generated by scripts/vendor_assets.py - do not edit by hand.",
        "# package version directory integrity",
    ]
    lines += [f"{p.name} {p.version} {p.dest}/ {integrity}".rstrip() for p, integrity in results]
    (staging / "VERSIONS.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


def main() -> int:
    """Vendor the assets; return a process exit status."""
    try:
        with tempfile.TemporaryDirectory(prefix="vendor-assets-") as tmp:
            workdir = Path(tmp)
            staging = workdir / "vendor"
            staging.mkdir()
            results = build(staging, workdir)
            post_process(staging)
            write_versions(staging, results)
            if VENDOR_DIR.exists():
                shutil.rmtree(VENDOR_DIR)
            VENDOR_DIR.parent.mkdir(parents=True, exist_ok=True)
            shutil.copytree(staging, VENDOR_DIR)
    except VendorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    log(f"vendored {len(PACKAGES)} packages into {VENDOR_DIR.relative_to(REPO_ROOT)}/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
