"""Staff sign-in in two steps: the password (Django's admin form, through django-axes),
then, for an account with an authenticator, its code or a recovery code."""

import datetime

import django_otp
from django import forms
from django.contrib import admin, messages
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth import get_user_model
from django.contrib.auth import login as auth_login
from django.contrib.auth.views import LoginView
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse, reverse_lazy
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters

from healthsite.security import lockout_response
from staff.two_factor import has_authenticator, is_locked_out, recovery_codes_left, verify_code

PENDING_KEY = "staff_pending_sign_in"
PENDING_MINUTES = 5


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
        help_text="The 6 digits your authenticator app shows now, or one of your recovery codes.",
    )


class SignInView(LoginView):
    """The admin's sign-in page; stops after the password when the account has a second
    factor, and asks for it on the next page."""

    template_name = "admin/login.html"
    redirect_authenticated_user = True
    authentication_form = AdminAuthenticationForm
    next_page = reverse_lazy("admin:index")  # as Django's admin login, without a ?next=

    def get_context_data(self, **kwargs):
        return {
            **admin.site.each_context(self.request),
            "title": "Log in",
            "app_path": self.request.get_full_path(),
            "site_header": admin.site.site_header,
            **super().get_context_data(**kwargs),
        }

    def form_valid(self, form):
        user = form.get_user()
        if not has_authenticator(user):
            return super().form_valid(form)
        self.request.session.cycle_key()
        self.request.session[PENDING_KEY] = {
            "user_id": user.pk,
            "backend": user.backend,
            "at": timezone.now().isoformat(),
            "next": self.get_success_url(),
        }
        return HttpResponseRedirect(reverse("staff_second_factor"))


def _pending_user(request):
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None, None
    started = datetime.datetime.fromisoformat(pending["at"])
    if timezone.now() - started > datetime.timedelta(minutes=PENDING_MINUTES):
        del request.session[PENDING_KEY]
        return None, None
    user = get_user_model().objects.filter(pk=pending["user_id"], is_active=True).first()
    return user, pending


@sensitive_post_parameters("code")
@csrf_protect
@never_cache
def second_factor(request):
    user, pending = _pending_user(request)
    if user is None:
        messages.warning(request, "Sign in again: the code must follow the password within "
                         f"{PENDING_MINUTES} minutes.")  # fmt: skip
        return HttpResponseRedirect(reverse("admin:login"))
    credentials = {"username": user.get_username()}
    if is_locked_out(request, user):
        return lockout_response(request, credentials=credentials)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_code(
            request=request, user=user, code=form.cleaned_data["code"], allow_recovery=True
        )
        if device is not None:
            del request.session[PENDING_KEY]
            auth_login(request, user, backend=pending["backend"])
            django_otp.login(request, device)
            if device.__class__.__name__ == "StaticDevice":
                left = recovery_codes_left(user)
                messages.warning(
                    request,
                    f"You signed in with a recovery code; it no longer works. {left} left: "
                    "make new ones on your two-factor page if you are running low.",
                )
            target = pending["next"]
            if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
                target = reverse("admin:index")
            return HttpResponseRedirect(target)
        if is_locked_out(request, user):
            return lockout_response(request, credentials=credentials)
        form.add_error("code", "That code is not right. Type the code your app shows now "
                       "(each works once), or an unused recovery code.")  # fmt: skip
    context = {
        **admin.site.each_context(request),
        "title": "Two-factor sign-in",
        "form": form,
        "username": user.get_username(),
    }
    return render(request, "staff/second_factor.html", context)
