"""Staff accounts in the admin: Django's own user and group admins, with list filters that
take only their listed lookups (a password hash is a column too)."""

from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from healthsite.admin_lookups import ListedLookupsOnly
from staff import two_factor


class StaffAccountAdmin(ListedLookupsOnly, UserAdmin):
    actions = ["reset_second_factor"]

    @admin.action(description="Reset two-factor sign-in (lost phone)", permissions=["change"])
    def reset_second_factor(self, request, queryset):
        reset = [
            user.get_username() for user in queryset if two_factor.reset_second_factor(user=user)
        ]
        if not reset:
            self.message_user(
                request, "None of these accounts had a second factor.", messages.WARNING
            )
            return
        self.message_user(
            request,
            f"Two-factor sign-in reset for {', '.join(reset)}: each sets up a new authenticator "
            "app at their next sign-in.",
            messages.SUCCESS,
        )


class RoleAdmin(ListedLookupsOnly, GroupAdmin):
    pass


admin.site.unregister(User)
admin.site.register(User, StaffAccountAdmin)
admin.site.unregister(Group)
admin.site.register(Group, RoleAdmin)
