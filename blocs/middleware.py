"""The second sign-in step before any page (after django_otp.middleware.OTPMiddleware)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from blocs import two_factor

# URL names a signed-in person may open before the second step: signing in and out, the
# two-factor pages themselves, the public verification of issued documents, the health check.
EXEMPT_URL_NAMES = frozenset(
    {
        "login",
        "logout",
        "two_factor_verify",
        "two_factor_enrol",
        "verify_lookup",
        "verify",
        "health",
    }
)


class TwoFactorMiddleware:
    """Sends a signed-in person whose session has not passed the second step to it: those who
    enrolled to the code page, the roles that must use it and have not enrolled to enrolment.

    Officers who never enrolled pass (the second factor is optional for them).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or two_factor.is_verified(request):
            return None
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        match = request.resolver_match
        if match is not None and match.view_name in EXEMPT_URL_NAMES:
            return None
        if two_factor.has_device(user):
            target = "two_factor_verify"
        elif two_factor.is_required(user):
            target = "two_factor_enrol"
        else:
            return None
        url = reverse(target)
        if request.method == "GET":
            url += "?" + urlencode({"next": request.get_full_path()})
        if request.headers.get("HX-Request"):
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
