"""Fixtures shared by the staff console's tests."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from accounts.management.commands.sync_roles import sync_roles
from prisons.models import Prison
from prisons.nomis.stub.seed import stub_seed
from prisons.services import sessions_generate


@pytest.fixture
def rochester(tmp_path, prison_data_dir) -> Prison:  # type: ignore[no-untyped-def]
    (tmp_path / "RCI-rochester.yml").write_text((prison_data_dir / "RCI-rochester.yml").read_text())
    call_command("import_prisons", str(tmp_path), stdout=StringIO())
    stub_seed(seed=1, per_prison=3, today=timezone.localdate())
    sessions_generate(today=timezone.localdate())
    sync_roles()
    return Prison.objects.get(slug="rochester")
