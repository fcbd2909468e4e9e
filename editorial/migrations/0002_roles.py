from django.db import migrations


def sync(apps, schema_editor):
    from editorial.roles import sync_roles_in_migration

    sync_roles_in_migration(apps, schema_editor)


def remove_roles(apps, schema_editor):
    from editorial.roles import ROLES

    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
        ("editorial", "0001_initial"),
        ("feedback", "0001_initial"),
        ("reviewers", "0007_reviewer_photo_renditions"),
    ]

    operations = [migrations.RunPython(sync, remove_roles)]
