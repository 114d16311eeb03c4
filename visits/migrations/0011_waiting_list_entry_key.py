"""Waiting-list links carry a random key, not the entry's id: the column is added, filled for the entries there are,
then made unique."""

from django.db import migrations, models

import visits.models


def fill_keys(apps, schema_editor):
    WaitingListEntry = apps.get_model("visits", "WaitingListEntry")
    for entry in WaitingListEntry.objects.filter(key__isnull=True).only("id"):
        entry.key = visits.models.new_waiting_key()
        entry.save(update_fields=["key"])


class Migration(migrations.Migration):
    dependencies = [("visits", "0010_waiting_list")]

    operations = [
        migrations.AddField(
            model_name="waitinglistentry", name="key", field=models.CharField(max_length=32, null=True, editable=False)
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="waitinglistentry",
            name="key",
            field=models.CharField(
                default=visits.models.new_waiting_key, editable=False, max_length=32, unique=True
            ),
        ),
    ]
