from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path

from healthsite.views import healthz

admin.site.site_header = f"{settings.SITE_NAME} administration"
# The article list needs the width; the home page and breadcrumbs lead everywhere the
# sidebar did.
admin.site.enable_nav_sidebar = False
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Content and medical review"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("admin/", admin.site.urls),
    path("", include("reviewers.urls")),
    path("", include("articles.urls")),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
