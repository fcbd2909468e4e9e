from functools import partial

from django.conf import settings
from django.contrib.sitemaps import views as sitemap_views
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.http import urlencode
from django.utils.text import Truncator
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.generic import ListView
from taggit.models import Tag

from articles.models import Article, ArticleAddress, Category, published_condition
from articles.versions import build_version
from reviewers.models import Reviewer
from website import cache_tags, stored_pages, structured_data
from website.languages import alternates, page_links
from website.listing_counts import MemoizedCountPaginator, memoized
from website.page_meta import (
    SITE_DESCRIPTION,
    PageMeta,
    canonical_url,
    category_feed,
    site_feed,
    social_image,
    titled,
)
from website.search import MAX_QUERY_LENGTH, clean_query, search_articles
from website.sitemaps import SITEMAPS
from website.stored_pages import card_rows, cards


def can_preview(user) -> bool:
    return user.is_active and user.is_staff and user.has_perm("articles.view_article")


def published_topics() -> list[Category]:
    """Categories with published articles in the reader's language, each with its
    ``article_count`` (memoized, per language: it counts every published article)."""
    in_language = published_condition("live_articles__") & Q(live_articles__language=get_language())
    return memoized(
        "topics",
        lambda: list(
            Category.objects.annotate(
                article_count=Count("live_articles", filter=in_language)
            ).filter(article_count__gt=0)
        ),
    )


def listed_articles():
    """Published articles in the reader's language (the address's: website/locale.py), newest
    first, as card rows (website/stored_pages.py)."""
    return card_rows(
        Article.objects.published()
        .in_language(get_language())
        .order_by("-live_published_at", "-pk")
    )


def page_alternates(request, path: str):
    return alternates(page_links(path), request.build_absolute_uri)


def home(request):
    latest = cards(listed_articles()[:9], heading_level=3)
    categories = published_topics()
    return render(
        request,
        "website/home.html",
        {
            "latest": latest,
            "categories": categories,
            "page_meta": PageMeta(
                title=_("%(site)s: medically reviewed health information")
                % {"site": settings.SITE_NAME},
                share_title=settings.SITE_NAME,
                description=str(SITE_DESCRIPTION),
                canonical_url=canonical_url(request, reverse("website:home")),
                feeds=(site_feed(request),),
                alternates=page_alternates(request, reverse("website:home")),
            ),
            "structured_data": structured_data.to_json_ld(
                structured_data.home_graph(absolute_url=request.build_absolute_uri)
            ),
        },
    )


def article_detail(request, slug):
    """The live version of a published article, at the address it was published at; an
    address it was published at before redirects there. Staff see a preview of an article
    not yet public at its working copy's address."""
    article = (
        Article.objects.select_related("live_version")
        .only(*stored_pages.STORED_PAGE_FIELDS)
        .filter(live_slug=slug)
        .first()
    )
    if article is not None and article.is_published:
        if article.language != get_language():  # e.g. a Spanish slug without /es/
            return redirect(article.get_absolute_url(), permanent=True)
        version = article.live_version
        cache_tags.add(
            request,
            cache_tags.article(article.pk),
            cache_tags.category(version.category_id),
            cache_tags.reviewer(version.reviewer_id),
        )
        return HttpResponse(stored_pages.published_page(request, article))
    moved = ArticleAddress.objects.filter(slug=slug).select_related("article").first()
    if moved is not None and moved.article.is_published:
        return redirect(moved.article.get_absolute_url(), permanent=True)
    if can_preview(request.user) and Article.objects.filter(slug=slug).exists():
        return article_preview(request, slug)
    raise Http404("No article at this address.")


def article_preview(request, slug):
    """The working copy rendered as readers would see it; for staff only, never cached."""
    if not can_preview(request.user):
        raise Http404("No article at this address.")
    article = get_object_or_404(
        Article.objects.select_related("category", "reviewer").prefetch_related("tags"), slug=slug
    )
    version = build_version(
        article, reviewer=article.reviewer, reviewed_on=article.last_reviewed_on
    )
    page = stored_pages.render_page(article, version, is_preview=True)
    page = stored_pages.page_for_request(request, article, page, is_preview=True)
    response = HttpResponse(page)
    add_never_cache_headers(response)
    return response


class PublishedArticleListView(ListView):
    # The level of each card's title: one below the heading the list is under.
    card_heading_level = 2

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def published_articles(self):
        return listed_articles()

    def count_key(self) -> str:
        """What the list's count is memoized under (website/listing_counts.py)."""
        raise NotImplementedError

    def get_paginator(self, queryset, per_page, **kwargs):
        return MemoizedCountPaginator(queryset, per_page, count_key=self.count_key(), **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["cards"] = cards(context["object_list"], heading_level=self.card_heading_level)
        context.update(self.head_context(context))
        return context

    def head_context(self, context) -> dict:
        """The page's ``page_meta`` and ``structured_data``."""
        return {}

    def hub_head_context(self, context, *, path, name, title, graph, **meta) -> dict:
        """Head context for a paginated list of articles (a topic, tag or reviewer page);
        ``graph(url=..., crumbs=...)`` builds its structured data."""
        page = context.get("page_obj")
        page_number = page.number if page else None
        if page_number and page_number > 1:
            title = _("%(title)s (page %(number)s)") % {"title": title, "number": page_number}
        request = self.request
        url = canonical_url(request, path)
        return {
            "page_meta": PageMeta(
                title=titled(title),
                share_title=name,
                canonical_url=canonical_url(request, path, page_number=page_number),
                alternates=page_alternates(request, path),
                **meta,
            ),
            "structured_data": structured_data.to_json_ld(
                graph(
                    url=url,
                    crumbs=[
                        (_("Home"), request.build_absolute_uri(reverse("website:home"))),
                        (name, url),
                    ],
                )
            ),
        }


class CategoryView(PublishedArticleListView):
    template_name = "website/category_detail.html"

    def get_queryset(self):
        self.category = get_object_or_404(Category, slug=self.kwargs["slug"])
        cache_tags.add(self.request, cache_tags.category(self.category.pk))
        return self.published_articles().in_category(self.category)

    def count_key(self):
        return f"category:{self.category.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            category=self.category, current_category_slug=self.category.slug, **kwargs
        )

    def head_context(self, context):
        description = Truncator(self.category.description or self.category.name).chars(300)
        return self.hub_head_context(
            context,
            path=self.category.get_absolute_url(),
            name=self.category.name,
            title=_("%(topic)s articles") % {"topic": self.category.name},
            description=description,
            # A topic with nothing published yet is in the navigation but not for search
            # engines, as the sitemap and home page leave it out.
            robots="" if context["paginator"].count else "noindex",
            feeds=(category_feed(self.request, self.category), site_feed(self.request)),
            graph=partial(
                structured_data.collection_graph, name=self.category.name, description=description
            ),
        )


class TagView(PublishedArticleListView):
    template_name = "website/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        cache_tags.add(self.request, cache_tags.tag(self.tag.pk))
        articles = self.published_articles().with_tag(self.tag)
        if not memoized(self.count_key(), articles.count):
            raise Http404("No published article has this tag.")
        return articles

    def count_key(self):
        return f"tag:{self.tag.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)

    def head_context(self, context):
        title = _("Articles about %(tag)s") % {"tag": self.tag.name}
        description = _("Medically reviewed articles about %(tag)s.") % {"tag": self.tag.name}
        return self.hub_head_context(
            context,
            path=reverse("website:tag", kwargs={"slug": self.tag.slug}),
            name=self.tag.name,
            title=title,
            description=description,
            graph=partial(structured_data.collection_graph, name=title, description=description),
        )


def search(request):
    """Search results over the live versions (website/search.py); never indexed."""
    raw_query = request.GET.get("q") or ""
    query = clean_query(raw_query)
    results = search_articles(query, language=get_language())
    page = Paginator(results, settings.ARTICLES_PER_PAGE).get_page(request.GET.get("page"))
    title = (
        _("Search results for “%(query)s”") % {"query": Truncator(query).chars(60)}
        if query
        else _("Search")
    )
    url = request.build_absolute_uri(reverse("website:search"))
    if query:
        url = f"{url}?{urlencode({'q': query})}"
        if page.number > 1:
            url = f"{url}&page={page.number}"
    return render(
        request,
        "website/search.html",
        {
            "query": query,
            "shortened": len(" ".join(raw_query.split())) > MAX_QUERY_LENGTH,
            # A query with no letter or digit in it: nothing to look for.
            "no_words": bool(query) and not results.terms,
            "more_results": results.more,
            "page_obj": page,
            "paginator": page.paginator,
            "is_paginated": page.has_other_pages(),
            "cards": cards(
                page.object_list,
                heading_level=2,
                snippets={match.pk: match.search_snippet for match in page.object_list},
            ),
            "page_query": urlencode({"q": query}),
            # Suggestions when there is nothing to list.
            "topics": published_topics() if not page.object_list else [],
            "page_meta": PageMeta(
                title=titled(title),
                description=_("Search the medically reviewed articles on %(site)s.")
                % {"site": settings.SITE_NAME},
                canonical_url=url,
                robots="noindex",
            ),
            "structured_data": structured_data.to_json_ld(
                structured_data.search_graph(name=title, url=url)
            ),
        },
    )


class ReviewerProfileView(PublishedArticleListView):
    """A reviewer's public profile with the published articles they reviewed."""

    template_name = "website/reviewer_detail.html"
    card_heading_level = 3  # under "Articles reviewed by …"

    def get_queryset(self):
        self.reviewer = get_object_or_404(Reviewer, slug=self.kwargs["slug"])
        cache_tags.add(self.request, cache_tags.reviewer(self.reviewer.pk))
        return self.published_articles().reviewed_by(self.reviewer)

    def count_key(self):
        return f"reviewer:{self.reviewer.pk}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(reviewer=self.reviewer, **kwargs)

    def head_context(self, context):
        reviewer = self.reviewer
        description = reviewer.name_with_credentials
        if reviewer.specialty:
            description += f", {reviewer.specialty}"
        photo = social_image(
            self.request,
            reviewer.photo,
            reviewer.photo_renditions,
            width=reviewer.photo_width,
            height=reviewer.photo_height,
            alt=_("Portrait of %(name)s") % {"name": reviewer.name},
        )
        return self.hub_head_context(
            context,
            path=reviewer.get_absolute_url(),
            name=reviewer.name,
            title=_("%(name)s, medical reviewer") % {"name": reviewer.name_with_credentials},
            description=_("%(description)s: medical reviewer at %(site)s.")
            % {"description": description, "site": settings.SITE_NAME},
            og_type="profile",
            image=photo,
            graph=partial(
                structured_data.profile_graph,
                reviewer=reviewer,
                absolute_url=self.request.build_absolute_uri,
            ),
        )


def _kept_sitemap(request, name: str, view, **kwargs) -> HttpResponse:
    """A sitemap file as Django's view renders it, kept until what readers see changes
    (website/listing_counts.py): a file of 5,000 article URLs takes about a second."""
    page = request.GET.get("p", "1")
    if not page.isdigit():  # Django's view answers 404
        return view(request, sitemaps=SITEMAPS, **kwargs)

    def render():
        response = view(request, sitemaps=SITEMAPS, **kwargs)
        response.render()
        return response.content, dict(response.headers)

    key = f"sitemap-file:{name}:{page}:{request.scheme}://{request.get_host()}"
    content, headers = memoized(key, render)
    return HttpResponse(content, headers=headers)


def sitemap_index(request):
    return _kept_sitemap(
        request, "index", sitemap_views.index, sitemap_url_name="website:sitemap_section"
    )


def sitemap_section(request, section):
    if section not in SITEMAPS:
        raise Http404(f"No sitemap section {section!r}.")
    return _kept_sitemap(request, section, sitemap_views.sitemap, section=section)
