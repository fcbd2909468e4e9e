"""Second-factor devices in the admin. django-otp's own device admins are replaced: staff
enrol and reset through the pages of staff.views, never by editing a device's secret."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

for model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
