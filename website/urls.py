from django.urls import path
from django.views.generic import TemplateView

from website import views
from website.feeds import CategoryFeed, LatestArticlesFeed

app_name = "website"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article"),
    path("articles/<slug:slug>/preview/", views.article_preview, name="preview"),
    path("topics/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("reviewers/<slug:slug>/", views.ReviewerProfileView.as_view(), name="reviewer"),
    path("topics/<slug:slug>/feed/", CategoryFeed(), name="category_feed"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("search/", views.search, name="search"),
    path("sitemap.xml", views.sitemap_index, name="sitemap"),
    path("sitemap-<section>.xml", views.sitemap_section, name="sitemap_section"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
]
