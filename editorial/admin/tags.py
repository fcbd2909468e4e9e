"""Tags in the admin: django-taggit's admin, with merging kept to those who may change tags
(taggit's own merge page is open to any staff account)."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from taggit.admin import TagAdmin
from taggit.models import Tag


class TagsAdmin(TagAdmin):
    actions = ["merge_tags"]

    @admin.action(description="Merge selected tags", permissions=["change"])
    def merge_tags(self, request, queryset):
        return self.render_tag_form(request, queryset)

    def merge_tags_view(self, request):
        if not self.has_change_permission(request):
            raise PermissionDenied("Only editors can merge tags.")
        return super().merge_tags_view(request)


admin.site.unregister(Tag)
admin.site.register(Tag, TagsAdmin)
