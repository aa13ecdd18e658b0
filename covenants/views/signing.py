"""Signing a frozen covenant: online by the unit's leader, at the conference on the
secretariat's tablet (ceremony mode), on paper recorded by the secretariat, or as a PDF signed
with the unit's own certificate; closing the round; the stored signature files.

Every signature binds the SHA-256 of the text (the service checks it); these views only
establish who is signing for which unit.
"""

from __future__ import annotations

import logging
import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import content_disposition_header
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from covenants import selectors, services
from covenants.forms import (
    SCAN_TYPES,
    CeremonySignForm,
    DigitalSignatureForm,
    PaperSignatureForm,
    SignForm,
    detect_scan_type,
)
from covenants.models import Covenant, Signature
from covenants.views.common import get_covenant
from covenants.views.covenant import errors_text, items_of, to_detail
from meetings.models import Meeting
from meetings.selectors import ceremony_meeting, present_unit_ids

logger = logging.getLogger(__name__)
MANAGE = "covenants.manage_covenant"
# Tells the ceremony page's tally to refresh at once rather than at the next poll.
SIGNED_EVENT = "covenant-signed"


def _client_ip(request: HttpRequest) -> str | None:
    return request.META.get("REMOTE_ADDR") or None


def _unsigned_units(covenant: Covenant) -> list:
    return [
        unit
        for unit, signature in selectors.signature_tally(covenant=covenant).rows
        if signature is None
    ]


def _file_slug(text: str) -> str:
    """A file-name slug: "Bình Định" → "binh-dinh" (slugify drops đ: it has no decomposition)."""
    return slugify(text.replace("đ", "d").replace("Đ", "D")) or "don-vi"


def _refuse_not_signing(request: HttpRequest, covenant: Covenant) -> HttpResponse:
    messages.error(request, _("Giao ước không ở giai đoạn ký."))
    return to_detail(covenant)


# --- online, by the leader ------------------------------------------------------------------


@login_required
def sign_online(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader reads the frozen text and its SHA-256, then re-types their password."""
    covenant = get_covenant(request.user, pk, perm="covenants.sign_covenant")
    if covenant.status != Covenant.Status.SIGNING:
        return _refuse_not_signing(request, covenant)
    if selectors.unit_signature(covenant=covenant, unit_id=request.user.unit_id):
        messages.info(request, _("Đơn vị của bạn đã ký giao ước này."))
        return to_detail(covenant)
    form = SignForm(
        request.POST if request.method == "POST" else None, initial={"sha256": covenant.text_sha256}
    )
    if form.is_valid():
        if form.cleaned_data["sha256"] != covenant.text_sha256:
            form.add_error(
                None,
                _("Nội dung giao ước đã thay đổi từ khi bạn mở trang; hãy đọc lại trước khi ký."),
            )
        elif not request.user.check_password(form.cleaned_data["password"]):
            form.add_error("password", _("Mật khẩu không đúng; giao ước chưa được ký."))
        else:
            try:
                services.covenant_sign(
                    covenant=covenant,
                    method=Signature.Method.ONLINE,
                    signer=request.user,
                    unit=request.user.unit,
                    ip=_client_ip(request),
                )
            except ValidationError as exc:
                form.add_error(None, exc)
            else:
                messages.success(
                    request,
                    _("Đã ký giao ước thay mặt %(unit)s.") % {"unit": request.user.unit.full_name},
                )
                return to_detail(covenant)
    context = {
        "covenant": covenant,
        "bloc_year": covenant.bloc_year,
        "items": items_of(covenant),
        "canonical_text": services.covenant_text(covenant),
        "form": form,
    }
    return render(request, "covenants/sign.html", context)


# --- ceremony mode, on the secretariat's tablet -------------------------------------------------


def _ceremony_presence(covenant: Covenant) -> tuple[Meeting | None, set[int] | None]:
    """The conference the ceremony is on the agenda of, and the units checked in there."""
    meeting = ceremony_meeting(covenant=covenant)
    return meeting, (present_unit_ids(meeting=meeting) if meeting else None)


def _ceremony_context(
    covenant: Covenant, form: CeremonySignForm | None = None, notice: str = ""
) -> dict:
    """The tally and the signing form; at a conference, who is checked in (only they sign)."""
    tally = selectors.signature_tally(covenant=covenant)
    signing = covenant.status == Covenant.Status.SIGNING
    unsigned = [unit for unit, signature in tally.rows if signature is None]
    meeting, present = _ceremony_presence(covenant)
    if form is None and signing and unsigned:
        form = CeremonySignForm(units=unsigned, present=present, auto_id="le-ky-%s")
    return {
        "covenant": covenant,
        "bloc_year": covenant.bloc_year,
        "tally": tally,
        "signing": signing,
        "form": form if signing and unsigned else None,
        "notice": notice,
        "meeting": meeting,
        # Unit ids checked in at the ceremony's conference; None when tied to no conference.
        "present": present,
    }


@login_required
@require_GET
def ceremony(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    return render(request, "covenants/ceremony.html", _ceremony_context(covenant))


@login_required
@require_GET
def ceremony_tally(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    return render(request, "covenants/ceremony.html#tally", _ceremony_context(covenant))


@login_required
@require_POST
def ceremony_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The leader authenticates on the tablet; the secretariat's session is never touched
    (authenticate() checks the credentials without logging anyone in)."""
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    form = CeremonySignForm(
        request.POST,
        units=_unsigned_units(covenant),
        present=_ceremony_presence(covenant)[1],
        auto_id="le-ky-%s",
    )
    signature = None
    if form.is_valid():
        unit = form.cleaned_data["unit"]
        try:
            # Presence first: an absent unit is refused before any password is tried.
            services.ceremony_presence_check(covenant=covenant, unit=unit)
            leader = services.authenticate_leader(
                request=request,
                username=form.cleaned_data["username"],
                password=form.cleaned_data["password"],
                unit=unit,
            )
            signature = services.covenant_sign(
                covenant=covenant,
                method=Signature.Method.CEREMONY,
                signer=leader,
                unit=unit,
                ip=_client_ip(request),
                recorded_by=request.user,
            )
        except ValidationError as exc:
            form.add_error(None, exc)
    notice = ""
    if signature is not None:
        notice = _("%(unit)s đã ký: %(name)s.") % {
            "unit": signature.unit.full_name,
            "name": signature.signer_name,
        }
        covenant.refresh_from_db()
    if not request.htmx:
        if signature is not None:
            messages.success(request, notice)
            return redirect("covenant_ceremony", pk=covenant.pk)
        return render(request, "covenants/ceremony.html", _ceremony_context(covenant, form))
    # A fresh, empty form after a signature; the typed credentials never come back.
    context = _ceremony_context(covenant, None if signature else form, notice)
    response = render(request, "covenants/ceremony.html#signing", context)
    if signature is not None:
        response["HX-Trigger"] = SIGNED_EVENT
    return response


# --- recorded by the secretariat, or uploaded by the unit --------------------------------------


@login_required
def record_paper(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit signed the printed covenant: the secretariat records it with the scan."""
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    if covenant.status != Covenant.Status.SIGNING:
        return _refuse_not_signing(request, covenant)
    form = PaperSignatureForm(
        request.POST or None,
        request.FILES or None,
        covenant=covenant,
        units=_unsigned_units(covenant),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            signature = services.covenant_sign(
                covenant=covenant,
                unit=data["unit"],
                method=Signature.Method.PAPER,
                recorded_by=request.user,
                scan=data["scan"],
                signer_name=data["signer_name"],
                signer_title=data["signer_title"],
                signed_at=form.signed_at(),
                ip=_client_ip(request),
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Đã ghi nhận chữ ký trên giấy của %(unit)s.")
                % {"unit": signature.unit.full_name},
            )
            return to_detail(covenant, "chu-ky")
    return render(
        request,
        "covenants/record_paper.html",
        {"covenant": covenant, "bloc_year": covenant.bloc_year, "form": form},
    )


def _member_unit_of(user, covenant: Covenant):
    """The user's unit if it is a member of the covenant's year (officer or leader), else 403."""
    if not user.has_perm("covenants.upload_signature", covenant):
        raise PermissionDenied
    return user.unit


def _subject_common_name(subject: str) -> str:
    """The CN of an RFC 4514 subject ("CN=Nguyễn Văn A,O=Ban Quản lý…,C=VN"), escapes undone."""
    for part in re.split(r"(?<!\\),", subject):
        key, sep, value = part.partition("=")
        if sep and key.strip().upper() == "CN":
            return re.sub(r"\\(.)", r"\1", value.strip())
    return subject.strip()


def _validate_digital(upload, covenant: Covenant) -> str:
    """The signer certificate's subject, or a ValidationError. Raises ImportError while the
    validator is not installed and ImproperlyConfigured without trust roots (both reported to
    the user by the view)."""
    from covenants.sealing import validate_unit_signed_pdf

    upload.seek(0)
    data = upload.read()
    upload.seek(0)
    # trust_roots=None: the validator's own default (COVENANT_TRUST_ROOTS).
    result = validate_unit_signed_pdf(data, covenant.text_sha256, None)
    subject = getattr(result, "subject", None)
    if subject is None:
        subject = result[0] if isinstance(result, tuple | list) else result
    return str(subject)


@login_required
def upload_digital(request: HttpRequest, pk: int) -> HttpResponse:
    """A member unit's officer or leader uploads the covenant PDF signed with the unit's own
    certificate; the signature is checked against the frozen text before it counts."""
    covenant = get_covenant(request.user, pk)
    unit = _member_unit_of(request.user, covenant)
    if covenant.status != Covenant.Status.SIGNING:
        return _refuse_not_signing(request, covenant)
    if selectors.unit_signature(covenant=covenant, unit_id=unit.pk):
        messages.info(request, _("Đơn vị của bạn đã ký giao ước này."))
        return to_detail(covenant)
    form = DigitalSignatureForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            subject = _validate_digital(upload, covenant)
            services.covenant_sign(
                covenant=covenant,
                unit=unit,
                method=Signature.Method.DIGITAL,
                signer_name=_subject_common_name(subject)[:120],
                certificate_subject=subject,
                scan=upload,
                recorded_by=request.user,
                ip=_client_ip(request),
            )
        except (ImportError, ImproperlyConfigured):
            logger.exception("Digital signature check unavailable")
            form.add_error(
                None,
                _(
                    "Máy chủ chưa sẵn sàng kiểm tra chữ ký số (thiếu bộ kiểm tra hoặc chứng thư "
                    "gốc tin cậy); chữ ký chưa được ghi nhận. Hãy báo thường trực khối, hoặc "
                    "ký trực tuyến hay ký trên giấy."
                ),
            )
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            messages.success(
                request, _("Đã nhận giao ước ký số của %(unit)s.") % {"unit": unit.full_name}
            )
            return to_detail(covenant, "chu-ky")
    return render(
        request,
        "covenants/upload_digital.html",
        {"covenant": covenant, "bloc_year": covenant.bloc_year, "unit": unit, "form": form},
    )


@login_required
@require_GET
def signing_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """The frozen text as a PDF (its SHA-256 printed and in the metadata) for a member unit to
    sign with its own certificate and upload back. Not numbered, not stored."""
    covenant = get_covenant(request.user, pk)
    if not request.user.has_perm(MANAGE, covenant):
        _member_unit_of(request.user, covenant)
    if covenant.status != Covenant.Status.SIGNING:
        raise Http404
    from covenants.sealing import signing_copy_pdf

    filename = f"giao-uoc-{covenant.bloc_year.year}-v{covenant.version}-ban-de-ky-so.pdf"
    response = HttpResponse(signing_copy_pdf(covenant), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename)
    return response


@login_required
@require_POST
def covenant_close(request: HttpRequest, pk: int) -> HttpResponse:
    covenant = get_covenant(request.user, pk, perm=MANAGE)
    try:
        services.covenant_close(covenant=covenant, by=request.user)
    except ValidationError as exc:
        messages.error(request, errors_text(exc))
    else:
        messages.success(
            request, _("Đã kết thúc ký giao ước; văn bản giao ước đang được niêm phong.")
        )
    return to_detail(covenant)


@login_required
@require_GET
def signature_scan(request: HttpRequest, pk: int) -> FileResponse:
    """A paper scan or digitally signed PDF: for the secretariat and the signing unit's people
    only, always as an attachment with its content-detected type."""
    signature = get_object_or_404(
        Signature.objects.select_related("unit", "covenant__bloc_year"), pk=pk
    )
    covenant = get_covenant(request.user, signature.covenant_id)
    if not (request.user.has_perm(MANAGE, covenant) or request.user.unit_id == signature.unit_id):
        raise Http404
    if not signature.scan:
        raise Http404
    try:
        handle = signature.scan.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    mime = detect_scan_type(handle.read(8192)) or "application/octet-stream"
    handle.seek(0)
    name, extension = _file_slug(signature.unit.short_name), SCAN_TYPES.get(mime, "bin")
    filename = f"giao-uoc-{covenant.bloc_year.year}-v{covenant.version}-{name}.{extension}"
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=mime)
