from django.db import migrations


def create_roles(apps, schema_editor):
    from reviewers.roles import sync_roles_in_migration

    sync_roles_in_migration(apps, schema_editor)


def remove_roles(apps, schema_editor):
    from reviewers.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("articles", "0003_review_workflow"),
        ("reviewers", "0002_review_workflow"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
