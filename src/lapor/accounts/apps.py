from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "lapor.accounts"
    label = "accounts"
    verbose_name = "Akun"

    def ready(self):
        from django.contrib import admin

        from . import audit

        audit.connect()
        # One door for staff: the Django admin's own login form would skip the lockout and the
        # two-factor step, so it sends people to the site's sign-in (which returns them to the admin).
        admin.site.login = _admin_login_redirect


def _admin_login_redirect(request, extra_context=None):
    from django.shortcuts import redirect
    from django.urls import reverse
    from django.utils.http import urlencode

    target = request.GET.get("next") or reverse("admin:index")
    return redirect(reverse("web:signin") + "?" + urlencode({"next": target}))
