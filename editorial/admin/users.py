"""Staff accounts in the admin: Django's own user and group admins, with list filters that
take only their listed lookups (a password hash is a column too)."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from healthsite.admin_lookups import ListedLookupsOnly


class StaffAccountAdmin(ListedLookupsOnly, UserAdmin):
    pass


class RoleAdmin(ListedLookupsOnly, GroupAdmin):
    pass


admin.site.unregister(User)
admin.site.register(User, StaffAccountAdmin)
admin.site.unregister(Group)
admin.site.register(Group, RoleAdmin)
