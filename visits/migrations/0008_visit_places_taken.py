from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("visits", "0007_journey_count"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="visit",
            index=models.Index(
                condition=models.Q(("state__in", ["reserved", "booked", "requested"])),
                fields=["session", "closed"],
                name="visit_places_taken",
            ),
        ),
    ]
