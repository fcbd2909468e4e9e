import hashlib
import json
from collections import defaultdict

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def _fingerprint(data):
    # As articles.versions.fingerprint.
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def freeze_what_readers_see(apps, schema_editor):
    """Every version records the address, topic, tags and image readers see of its article
    today (what they were shown when published was not recorded before), and each published
    article's address and topic are marked as its live ones. Readers see no change."""
    db = schema_editor.connection.alias
    Article = apps.get_model("articles", "Article")
    PublishedVersion = apps.get_model("articles", "PublishedVersion")
    ContentType = apps.get_model("contenttypes", "ContentType")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    VersionTag = PublishedVersion.tags.through
    tags = defaultdict(list)
    article_type = ContentType.objects.using(db).filter(app_label="articles", model="article")
    for object_id, tag_id in TaggedItem.objects.using(db).filter(
        content_type__in=article_type
    ).values_list("object_id", "tag_id"):
        tags[object_id].append(tag_id)
    for article in Article.objects.using(db).order_by("pk").iterator():
        shown = _fingerprint(
            {  # as articles.versions.presentation
                "slug": article.slug,
                "category": article.category_id,
                "tags": sorted(tags[article.pk]),
                "author": article.author,
                "hero_image": article.hero_image.name or "",
                "hero_alt": article.hero_alt,
                "hero_credit": article.hero_credit,
                "is_sample": article.is_sample,
            }
        )
        live = article.live_version_id is not None
        Article.objects.using(db).filter(pk=article.pk).update(
            presentation_fingerprint=shown,
            live_slug=article.slug if live else None,
            live_category_id=article.category_id if live else None,
        )
        versions = PublishedVersion.objects.using(db).filter(article_id=article.pk)
        versions.update(
            slug=article.slug,
            category_id=article.category_id,
            hero_image=article.hero_image.name or "",
            hero_width=article.hero_width,
            hero_height=article.hero_height,
            hero_renditions=article.hero_renditions,
            hero_alt=article.hero_alt,
            hero_credit=article.hero_credit,
            is_sample=article.is_sample,
            presentation_fingerprint=shown,
        )
        VersionTag.objects.using(db).bulk_create(
            VersionTag(publishedversion_id=version_id, tag_id=tag_id)
            for version_id in versions.values_list("pk", flat=True)
            for tag_id in tags[article.pk]
        )


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0012_move_feedback_to_its_app'),
        ('contenttypes', '0002_remove_content_type_name'),
        ('reviewers', '0007_reviewer_photo_renditions'),
        ('taggit', '0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='ArticleAddress',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('slug', models.SlugField(max_length=200, unique=True)),
                ('created_at', models.DateTimeField(default=django.utils.timezone.now)),
            ],
            options={
                'verbose_name_plural': 'article addresses',
            },
        ),
        migrations.RemoveIndex(
            model_name='article',
            name='article_category_latest_idx',
        ),
        migrations.AddField(
            model_name='article',
            name='live_category',
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='live_articles', to='articles.category'),
        ),
        migrations.AddField(
            model_name='article',
            name='live_slug',
            field=models.SlugField(editable=False, max_length=200, null=True, unique=True),
        ),
        migrations.AddField(
            model_name='article',
            name='presentation_fingerprint',
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='category',
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='published_versions', to='articles.category'),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='hero_alt',
            field=models.CharField(blank=True, max_length=250),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='hero_credit',
            field=models.CharField(blank=True, max_length=200),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='hero_height',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='hero_image',
            field=models.ImageField(blank=True, max_length=200, upload_to='articles/hero/'),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='hero_renditions',
            field=models.JSONField(blank=True, default=list),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='hero_width',
            field=models.PositiveIntegerField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='is_sample',
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='presentation_fingerprint',
            field=models.CharField(blank=True, max_length=64),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='slug',
            field=models.SlugField(default='', max_length=200),
        ),
        migrations.AddField(
            model_name='publishedversion',
            name='tags',
            field=models.ManyToManyField(blank=True, related_name='published_versions', to='taggit.tag'),
        ),
        migrations.AddIndex(
            model_name='article',
            index=models.Index(fields=['live_category', 'status', '-live_published_at', '-id'], name='article_live_category_idx'),
        ),
        migrations.AddField(
            model_name='articleaddress',
            name='article',
            field=models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='old_addresses', to='articles.article'),
        ),
        migrations.RunPython(freeze_what_readers_see, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='publishedversion',
            name='category',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='published_versions', to='articles.category'),
        ),
        migrations.AlterField(
            model_name='publishedversion',
            name='slug',
            field=models.SlugField(max_length=200),
        ),
        migrations.AlterField(
            model_name='article',
            name='live_version',
            field=models.OneToOneField(blank=True, editable=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='live_article', to='articles.publishedversion'),
        ),
    ]
