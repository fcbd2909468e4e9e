"""The three editorial roles and exactly the permissions each needs.

A data migration creates the groups; `sync_roles` can be rerun after new permissions are
added. Permissions are "app_label.codename".
"""

READ_CONTENT = [
    "articles.view_article",
    "articles.view_citation",
    "articles.view_faq",
    "articles.view_category",
    "articles.view_source",
    "articles.view_publishedversion",
    "reviewers.view_reviewer",
    "editorial.view_reviewrequest",
    "editorial.view_signoff",
]

WRITE_CONTENT = [
    "articles.add_article",
    "articles.change_article",
    "articles.add_citation",
    "articles.change_citation",
    "articles.delete_citation",
    "articles.add_faq",
    "articles.change_faq",
    "articles.delete_faq",
    "articles.add_source",
    "articles.change_source",
    "articles.submit_article",
    "taggit.view_tag",
    "taggit.add_tag",
]

ROLES = {
    "Writer": READ_CONTENT + WRITE_CONTENT,
    "Medical reviewer": READ_CONTENT + ["editorial.sign_off"],
    "Editor": READ_CONTENT
    + WRITE_CONTENT
    + [
        "articles.publish_article",
        "feedback.view_feedback",
        "articles.add_category",
        "articles.change_category",
        "reviewers.add_reviewer",
        "reviewers.change_reviewer",
        "editorial.change_reviewrequest",
        "taggit.change_tag",
        # The content API's partners, keys, monthly usage and webhook deliveries, to read.
        "api.view_apiconsumer",
        "api.view_apikey",
        "api.view_apiusage",
        "api.view_webhookdelivery",
    ],
}


def sync_roles(group_model, permission_model) -> None:
    """Give each role exactly its permissions. Permissions of models a migration has not
    created yet are left out; a later migration syncs again."""
    for name, permissions in ROLES.items():
        group, _ = group_model.objects.get_or_create(name=name)
        wanted = []
        for dotted in permissions:
            app_label, codename = dotted.split(".")
            permission = permission_model.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        group.permissions.set(wanted)


def sync_roles_in_migration(apps, schema_editor) -> None:
    """For data migrations: permissions are normally created after all migrations have
    run, but the groups need them now."""
    from django.contrib.auth.management import create_permissions

    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    sync_roles(apps.get_model("auth", "Group"), apps.get_model("auth", "Permission"))
