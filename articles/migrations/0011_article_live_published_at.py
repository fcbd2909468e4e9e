"""Article.live_published_at: the live version's publication time beside it, filled for
existing articles, with the indexes the home and topic listings sort on."""

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill_live_published_at(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    PublishedVersion = apps.get_model("articles", "PublishedVersion")
    live = PublishedVersion.objects.filter(pk=OuterRef("live_version_id")).values("published_at")
    Article.objects.filter(live_version__isnull=False).update(
        live_published_at=Subquery(live[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0010_article_category_listing_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="article",
            name="live_published_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_live_published_at, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(
                fields=["category", "status", "-live_published_at", "-id"],
                name="article_category_latest_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="article",
            index=models.Index(fields=["status", "-live_published_at", "-id"], name="article_latest_idx"),
        ),
    ]
