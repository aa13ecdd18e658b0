"""Account security pages: the second sign-in step, enrolment, recovery codes, removal, and the
ministry office's view of everyone's sign-in state (reset a lost phone, unlock a lockout)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST
from django_otp.plugins.otp_static.models import StaticDevice

from blocs import lockout, selectors, two_factor
from blocs.models import User
from blocs.two_factor_forms import AccountSearchForm, CodeForm, ResetForm


def _next_url(request: HttpRequest, default: str = "dashboard") -> str:
    url = request.POST.get("next") or request.GET.get("next") or ""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return reverse(default)


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + "?" + urlencode({"next": next_url})


def after_password_url(request: HttpRequest, url: str) -> str:
    """Where the login page sends someone whose password was right: the code page if they
    enrolled, enrolment if their role requires it, else where they were going."""
    user = request.user
    if two_factor.is_verified(request):
        return url
    if two_factor.has_device(user):
        return _with_next("two_factor_verify", url)
    if two_factor.is_required(user):
        return _with_next("two_factor_enrol", url)
    return url


def _locked_out(request: HttpRequest, user: User) -> HttpResponse:
    """End the half-signed-in session; django-axes' middleware answers with the lockout page."""
    request.axes_locked_out = True
    request.axes_credentials = {"username": user.get_username()}
    logout(request)
    return HttpResponse(status=429)


# --- the person's own pages -----------------------------------------------------------------


@login_required
@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    context = {"status": two_factor.status(request.user)}
    return render(request, "blocs/two_factor/overview.html", context)


@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second sign-in step: a code from the app or a recovery code."""
    user = request.user
    next_url = _next_url(request)
    if two_factor.is_verified(request):
        return redirect(next_url)
    if not two_factor.has_device(user):
        if two_factor.is_required(user):
            return redirect(_with_next("two_factor_enrol", next_url))
        return redirect(next_url)
    if lockout.is_locked_out(request, username=user.get_username()):
        return _locked_out(request, user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = two_factor.verify_code(
            user=user, code=form.cleaned_data["otp_token"], request=request
        )
        if device is not None:
            two_factor.second_step_pass(request=request, device=device)
            if isinstance(device, StaticDevice):
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    _("Bạn đã dùng một mã dự phòng; còn lại %(n)s mã.") % {"n": left},
                )
            return redirect(next_url)
        if getattr(request, "axes_locked_out", False):
            return _locked_out(request, user)
        form.add_error("otp_token", _("Mã không đúng hoặc đã được dùng."))
        if two_factor.throttled(user):
            form.add_error(None, _("Bạn đã nhập sai nhiều lần. Hãy đợi vài giây rồi thử lại."))
    context = {"form": form, "next": next_url}
    return render(request, "blocs/two_factor/verify.html", context)


@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Scan the QR code (or type the secret), confirm with the first code."""
    user = request.user
    next_url = _next_url(request)
    if two_factor.totp_device(user) is not None:
        context = {"enrolled": True, "next": next_url}
        return render(request, "blocs/two_factor/enrol.html", context)
    key = request.session.get(two_factor.PENDING_KEY_SESSION)
    if not key:
        key = request.session[two_factor.PENDING_KEY_SESSION] = two_factor.new_secret()
    form = CodeForm(request.POST or None, digits_only=True)
    if request.method == "POST" and form.is_valid():
        try:
            device, codes = two_factor.totp_enrol(
                user=user, key=key, code=form.cleaned_data["otp_token"]
            )
        except ValidationError as exc:
            form.add_error("otp_token", exc)
        else:
            request.session.pop(two_factor.PENDING_KEY_SESSION, None)
            two_factor.second_step_pass(request=request, device=device)
            request.session[two_factor.NEW_CODES_SESSION] = codes
            messages.success(request, _("Đã bật xác thực hai bước."))
            return redirect(_with_next("two_factor_recovery", next_url))
    uri = two_factor.otpauth_uri(user=user, key=key)
    context = {
        "enrolled": False,
        "form": form,
        "next": next_url,
        "qr": two_factor.qr_svg(uri),
        "secret": two_factor.secret_text(key),
        "required": two_factor.is_required(user),
    }
    return render(request, "blocs/two_factor/enrol.html", context)


@login_required
def recovery(request: HttpRequest) -> HttpResponse:
    """Recovery codes: shown in full once, right after they are made; regenerate on demand."""
    user = request.user
    if request.method == "POST":
        try:
            codes = two_factor.recovery_codes_regenerate(user=user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            request.session[two_factor.NEW_CODES_SESSION] = codes
        return redirect("two_factor_recovery")
    context = {
        "codes": request.session.pop(two_factor.NEW_CODES_SESSION, None) or [],
        "status": two_factor.status(user),
        "next": _next_url(request, default="two_factor"),
    }
    return render(request, "blocs/two_factor/recovery.html", context)


@login_required
def remove(request: HttpRequest) -> HttpResponse:
    """Turn the second factor off, with a current code (a new phone: remove, then enrol)."""
    user = request.user
    if not two_factor.has_device(user):
        return redirect("two_factor")
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            two_factor.devices_remove(
                user=user, code=form.cleaned_data["otp_token"], request=request
            )
        except ValidationError as exc:
            if getattr(request, "axes_locked_out", False):
                return _locked_out(request, user)
            form.add_error("otp_token", exc)
        else:
            messages.success(request, _("Đã gỡ bỏ xác thực hai bước."))
            return redirect("two_factor")
    context = {"form": form, "required": two_factor.is_required(user)}
    return render(request, "blocs/two_factor/remove.html", context)


# --- the ministry office --------------------------------------------------------------------


def _require_manager(user: User) -> None:
    if not user.has_perm("blocs.manage_sign_in"):
        raise PermissionDenied


@login_required
@require_GET
def accounts(request: HttpRequest) -> HttpResponse:
    _require_manager(request.user)
    form = AccountSearchForm(request.GET or None)
    query = form.cleaned_data["q"] if form.is_valid() else ""
    page = Paginator(two_factor.accounts_overview(query=query), 50).get_page(
        request.GET.get("trang")
    )
    return render(
        request, "blocs/two_factor/accounts.html", {"form": form, "page": page, "query": query}
    )


@login_required
@require_GET
def account(request: HttpRequest, user_pk: int) -> HttpResponse:
    _require_manager(request.user)
    person = get_object_or_404(User.objects.select_related("unit"), pk=user_pk)
    context = {
        "person": person,
        "status": two_factor.status(person),
        "locks": lockout.locked_attempts(user=person),
        "failures": lockout.failure_count(user=person),
        "sign_ins": lockout.recent_sign_ins(user=person),
        "history": selectors.person_history(person=person),
        "reset_form": ResetForm(),
    }
    return render(request, "blocs/two_factor/account.html", context)


@login_required
@require_POST
def account_reset(request: HttpRequest, user_pk: int) -> HttpResponse:
    _require_manager(request.user)
    person = get_object_or_404(User, pk=user_pk)
    form = ResetForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    count = two_factor.devices_reset(person=person, by=request.user, reason=reason)
    if count:
        messages.success(
            request,
            _("Đã đặt lại xác thực hai bước của %(name)s; lần đăng nhập tới sẽ đăng ký lại.")
            % {"name": person},
        )
    else:
        messages.info(request, _("%(name)s chưa bật xác thực hai bước.") % {"name": person})
    return redirect("security_account", user_pk=person.pk)


@login_required
@require_POST
def account_unlock(request: HttpRequest, user_pk: int) -> HttpResponse:
    _require_manager(request.user)
    person = get_object_or_404(User, pk=user_pk)
    lockout.account_unlock(person=person, by=request.user)
    messages.success(request, _("Đã mở khóa đăng nhập cho %(name)s.") % {"name": person})
    return redirect("security_account", user_pk=person.pk)
