"""`make audit`: pip-audit over the locked dependencies (requirements/test.txt, which includes the runtime's), saying
plainly whether it could check them at all.

pip-audit looks each locked package up in an advisory database on the network. Where it cannot reach one (this
project's CI machines reach only the package registries), it skips each package rather than failing; a run that
skipped everything has checked nothing, and this says so instead of reporting "no known vulnerabilities". A known
vulnerability fails the run.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LOCK = ROOT / "requirements" / "test.txt"


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        report = Path(folder) / "audit.json"
        command = [sys.executable, "-m", "pip_audit", "-r", str(LOCK), "--no-deps", "--disable-pip"]
        command += ["--progress-spinner", "off", "--timeout", "20", "-f", "json", "-o", str(report)]
        result = subprocess.run(command, capture_output=True, text=True, check=False)
        if not report.exists():
            print(f"pip-audit could not run (exit {result.returncode}): no vulnerability check was made.")
            print(result.stderr.strip()[-2000:])
            return 0
        dependencies = json.loads(report.read_text()).get("dependencies", [])
    skipped = [d for d in dependencies if d.get("skip_reason")]
    vulnerable = [d for d in dependencies if d.get("vulns")]
    checked = len(dependencies) - len(skipped)
    for dependency in vulnerable:
        for vuln in dependency["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions") or []) or "no fixed release yet"
            print(f"VULNERABLE {dependency['name']} {dependency['version']}: {vuln['id']} (fixed in {fixes})")
    if dependencies and checked == 0:
        reason = skipped[0]["skip_reason"]
        print(
            f"pip-audit could not reach advisory data: all {len(skipped)} locked packages were skipped "
            f"({reason}). No vulnerability check was made."
        )
        return 0
    if skipped:
        print(
            f"pip-audit skipped {len(skipped)} of {len(dependencies)} packages: {', '.join(d['name'] for d in skipped)}"
        )
    print(f"pip-audit checked {checked} locked packages: {len(vulnerable)} with known vulnerabilities.")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
