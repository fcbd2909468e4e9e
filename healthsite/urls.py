from django.conf import settings
from django.conf.urls.i18n import i18n_patterns
from django.conf.urls.static import static
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.generic import RedirectView

from healthsite.views import healthz
from staff.views import SignInView, second_factor

# A database outage gets the 503 page, any other error the 500 page (healthsite/views.py).
handler500 = "healthsite.views.server_error"

admin.site.site_header = f"{settings.SITE_NAME} administration"
# The article list needs the width; the home page and breadcrumbs lead everywhere the
# sidebar did.
admin.site.enable_nav_sidebar = False
admin.site.site_title = settings.SITE_NAME
admin.site.index_title = "Content and medical review"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    # Reviews and sign-offs moved from the reviewers app to editorial: links in emails and
    # calendars sent before still lead to them.
    re_path(
        r"^admin/reviewers/(?P<rest>(?:reviewrequest|signoff|reviewreminder)/.*)$",
        RedirectView.as_view(url="/admin/editorial/%(rest)s", permanent=True, query_string=True),
    ),
    re_path(
        r"^admin/articles/(?P<rest>feedback/.*)$",
        RedirectView.as_view(url="/admin/feedback/%(rest)s", permanent=True, query_string=True),
    ),
    # Sign-in in two steps for accounts with a second factor (staff/views.py).
    path("admin/login/", SignInView.as_view(), name="staff_sign_in"),
    path("admin/login/second-factor/", second_factor, name="staff_second_factor"),
    path("admin/", admin.site.urls),
    path("", include("api.urls")),
    path("", include("editorial.urls")),
    path("", include("feedback.urls")),
    # The readers' pages, robots.txt and the sitemap: in the default language at today's
    # addresses, in every other language under its prefix (/es/…).
    *i18n_patterns(path("", include("website.urls")), prefix_default_language=False),
]

if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
