from django.contrib.sitemaps.views import sitemap
from django.urls import path
from django.views.generic import TemplateView

from articles import views
from articles.feeds import CategoryFeed, LatestArticlesFeed
from articles.sitemaps import SITEMAPS

app_name = "articles"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="detail"),
    path("articles/<slug:slug>/preview/", views.article_preview, name="preview"),
    path("articles/<slug:slug>/feedback/", views.article_feedback, name="feedback"),
    path("topics/<slug:slug>/", views.CategoryView.as_view(), name="category"),
    path("tags/<slug:slug>/", views.TagView.as_view(), name="tag"),
    path("topics/<slug:slug>/feed/", CategoryFeed(), name="category_feed"),
    path("feed/", LatestArticlesFeed(), name="feed"),
    path("search/", views.search, name="search"),
    path("sitemap.xml", sitemap, {"sitemaps": SITEMAPS}, name="sitemap"),
    path(
        "robots.txt",
        TemplateView.as_view(template_name="robots.txt", content_type="text/plain; charset=utf-8"),
        name="robots",
    ),
]
