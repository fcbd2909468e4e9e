"""Two-factor sign-in in the admin: each account's own page to set up an authenticator app
(QR code and typed secret) and recovery codes. django-otp's device admins are replaced:
nobody edits a device's secret; an administrator resets a lost one from the account list."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from staff import two_factor
from staff.views import CodeForm

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(TOTPDevice)
class AuthenticatorAdmin(admin.ModelAdmin):
    """The list of enrolled authenticators, for administrators; and anyone's own page."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_select_related = ["user"]
    fields = ["user", "name", "confirmed", "created_at", "last_used_at"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "mine/",
                self.admin_site.admin_view(self.enrol_view),
                name="staff_two_factor",
            ),
            *super().get_urls(),
        ]

    def enrol_view(self, request):
        user = request.user
        form = CodeForm(request.POST if "confirm" in request.POST else None)
        form.fields["code"].help_text = ""
        recovery_codes = None
        if request.method == "POST":
            if "start" in request.POST:
                two_factor.start_enrolment(user=user)
                return HttpResponseRedirect(reverse("admin:staff_two_factor"))
            if "new_codes" in request.POST and two_factor.has_authenticator(user):
                recovery_codes = two_factor.new_recovery_codes(user=user)
            elif "confirm" in request.POST and form.is_valid():
                try:
                    device, recovery_codes = two_factor.finish_enrolment(
                        request=request, user=user, code=form.cleaned_data["code"]
                    )
                except ValidationError as error:
                    for field, errors in getattr(error, "error_dict", {None: error}).items():
                        form.add_error(field, errors)
                else:
                    otp_login(request, device)
                    messages.success(request, "Two-factor sign-in is on for your account.")
        pending = None if recovery_codes else two_factor.pending_enrolment(user)
        context = {
            **self.admin_site.each_context(request),
            "title": "Two-factor sign-in",
            "opts": self.opts,
            "form": form,
            "required": two_factor.requires_second_factor(user),
            "authenticator": two_factor.authenticator_of(user),
            "codes_left": two_factor.recovery_codes_left(user),
            "recovery_codes": recovery_codes,
            "pending": pending,
            "qr_code": pending and two_factor.qr_code_data_uri(pending),
            "secret": pending and two_factor.typed_secret(pending),
        }
        response = TemplateResponse(request, "staff/enrol.html", context)
        add_never_cache_headers(response)  # secrets and codes are never kept by a cache
        return response
