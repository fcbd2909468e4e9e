# The editorial roles were created here when the review workflow lived in the reviewers
# app. They are editorial's now: editorial's roles migration creates and syncs them, so
# this step does nothing (databases that ran it keep its groups, which that migration syncs).
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("articles", "0003_review_workflow"),
        ("reviewers", "0002_review_workflow"),
    ]

    operations = [migrations.RunPython(migrations.RunPython.noop, migrations.RunPython.noop)]
