# The editorial roles were created here when the review workflow lived in the reviewers
# app. They are editorial's now: editorial's roles migration creates and syncs them, so
# this step does nothing (databases that ran it keep its groups, which that migration syncs).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0006_feedback_renditions"),
        ("reviewers", "0004_reminders_calendar"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
