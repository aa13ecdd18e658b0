from __future__ import annotations

import hashlib

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs.models import Bloc
from blocs.views import get_bloc_for_user
from documents import selectors, services
from documents.documents import render_document_pdf
from documents.forms import BatchForm, DocumentForm, IssueForm, VerifyLookupForm, VerifyUploadForm
from documents.models import Batch, Delivery, Document

# --- object loading ---------------------------------------------------------------------------


def get_document_for_user(user, pk: int, *, manage: bool = False) -> Document:
    """404 for whoever may not see the document, 403 for who sees it but may not change it."""
    document = get_object_or_404(Document.objects.select_related("doc_type", "bloc", "unit"), pk=pk)
    if not user.has_perm("documents.view_document", document):
        raise Http404
    if manage and not user.has_perm("documents.manage_document", document):
        raise PermissionDenied
    return document


def get_register_bloc(user, pk: int, *, manage: bool = False) -> Bloc:
    bloc = get_bloc_for_user(user, pk)
    if manage and not user.has_perm("documents.manage_register", bloc):
        raise PermissionDenied
    return bloc


def get_batch_for_user(user, uid) -> Batch:
    batch = get_object_or_404(Batch.objects.select_related("bloc"), uid=uid)
    if not (
        batch.created_by_id == user.pk or user.has_perm("documents.manage_register", batch.bloc)
    ):
        raise Http404
    return batch


def _pdf_name(document: Document) -> str:
    return (document.number_text or f"du-thao-{document.pk}").replace("/", "_") + ".pdf"


# --- register ---------------------------------------------------------------------------------


@login_required
@require_GET
def register(request: HttpRequest, bloc_pk: int) -> HttpResponse:
    bloc = get_register_bloc(request.user, bloc_pk)
    year = request.GET.get("nam")
    year = int(year) if year and year.isdigit() else None
    documents = selectors.register_documents(bloc=bloc, user=request.user, year=year)
    can_manage = request.user.has_perm("documents.manage_register", bloc)
    drafts = (
        documents.filter(status=Document.Status.DRAFT) if can_manage else Document.objects.none()
    )
    context = {
        "bloc": bloc,
        "documents": documents,
        "year": year,
        "years": selectors.register_years(bloc=bloc),
        "can_manage": can_manage,
        "batch_form": BatchForm(queryset=drafts) if can_manage else None,
    }
    return render(request, "documents/register.html", context)


@login_required
def document_create(request: HttpRequest, bloc_pk: int) -> HttpResponse:
    bloc = get_register_bloc(request.user, bloc_pk, manage=True)
    initial = services.header_defaults(bloc=bloc) | {"distribution": "- Như trên;\n- Lưu: VT."}
    form = DocumentForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "version"}
        try:
            document = services.document_create_draft(bloc=bloc, created_by=request.user, **data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã tạo dự thảo."))
            return redirect("document_detail", pk=document.pk)
    return render(
        request, "documents/document_form.html", {"bloc": bloc, "form": form, "document": None}
    )


@login_required
@require_POST
def batch_create(request: HttpRequest, bloc_pk: int) -> HttpResponse:
    bloc = get_register_bloc(request.user, bloc_pk, manage=True)
    drafts = selectors.register_documents(bloc=bloc, user=request.user).filter(
        status=Document.Status.DRAFT
    )
    form = BatchForm(request.POST, queryset=drafts)
    if not form.is_valid():
        messages.error(request, _("Hãy chọn các dự thảo cần phát hành và ngày ban hành."))
        return redirect("register", bloc_pk=bloc.pk)
    try:
        batch = services.batch_issue(
            documents=list(form.cleaned_data["documents"].order_by("created_at")),
            bloc=bloc,
            issued_on=form.cleaned_data["issued_on"],
            by=request.user,
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("register", bloc_pk=bloc.pk)
    return redirect("batch_detail", uid=batch.uid)


# --- one document -----------------------------------------------------------------------------


@login_required
@require_GET
def document_detail(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk)
    can_manage = request.user.has_perm("documents.manage_document", document)
    context = {
        "document": document,
        "can_manage": can_manage,
        "deliveries": document.deliveries.select_related("unit") if can_manage else [],
        "history": document.history.select_related("history_user").order_by("-history_date")[:20]
        if can_manage
        else [],
        "issue_form": IssueForm(
            initial={
                "signer_name": document.signer_name,
                "signer_title": document.signer_title,
                "authority": document.authority,
                "signature_heading": document.signature_heading,
            }
        )
        if can_manage and document.is_draft
        else None,
        "superseded_by": Document.objects.filter(supersedes=document).first(),
    }
    return render(request, "documents/document_detail.html", context)


@login_required
def document_edit(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk, manage=True)
    if not document.is_draft:
        messages.error(request, _("Văn bản đã phát hành, không thể sửa. Hãy tạo văn bản thay thế."))
        return redirect("document_detail", pk=pk)
    form = DocumentForm(request.POST or None, initial=DocumentForm.initial_from(document))
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        version = data.pop("version") or 0
        try:
            services.document_update_draft(
                document=document, version=version, changed_by=request.user, **data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã lưu dự thảo."))
            return redirect("document_detail", pk=pk)
    return render(
        request,
        "documents/document_form.html",
        {"bloc": document.bloc, "form": form, "document": document},
    )


@login_required
@require_POST
def document_issue(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk, manage=True)
    form = IssueForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, " ".join(errors))
        return redirect("document_detail", pk=pk)
    try:
        document = services.document_issue(
            document=document, issued_by=request.user, **form.cleaned_data
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã phát hành văn bản số %(n)s.") % {"n": document.number_text})
    return redirect("document_detail", pk=pk)


@login_required
@require_POST
def document_distribute(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk, manage=True)
    try:
        queued = services.document_distribute(document=document, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Đã xếp %(n)s thư vào hàng gửi.") % {"n": queued})
    return redirect("document_detail", pk=pk)


@login_required
@require_POST
def document_supersede(request: HttpRequest, pk: int) -> HttpResponse:
    document = get_document_for_user(request.user, pk, manage=True)
    try:
        new = services.document_supersede(document=document, created_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("document_detail", pk=pk)
    messages.success(request, _("Đã tạo dự thảo thay thế; văn bản cũ giữ nguyên."))
    return redirect("document_edit", pk=new.pk)


@login_required
@require_POST
def delivery_retry(request: HttpRequest, pk: int) -> HttpResponse:
    delivery = get_object_or_404(Delivery, pk=pk)
    document = get_document_for_user(request.user, delivery.document_id, manage=True)
    try:
        services.delivery_retry(delivery=delivery, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("document_detail", pk=document.pk)


@login_required
@require_GET
def document_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Issued: the frozen file. Draft: a fresh preview marked "DỰ THẢO" (secretariat only)."""
    document = get_document_for_user(request.user, pk)
    if document.is_draft:
        pdf = render_document_pdf(document, draft=True)
        return HttpResponse(
            pdf,
            content_type="application/pdf",
            headers={"Content-Disposition": f'inline; filename="{_pdf_name(document)}"'},
        )
    if not document.is_pdf_ready:
        return render(request, "documents/pdf_pending.html", {"document": document}, status=409)
    return FileResponse(
        document.pdf.open("rb"),
        as_attachment=False,
        filename=_pdf_name(document),
        content_type="application/pdf",
    )


@login_required
@require_GET
def document_docx(request: HttpRequest, pk: int) -> HttpResponse:
    from documents.docx import render_document_docx

    document = get_document_for_user(request.user, pk)
    name = _pdf_name(document).removesuffix(".pdf") + ".docx"
    return HttpResponse(
        render_document_docx(document),
        content_type="application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- batches ----------------------------------------------------------------------------------


@login_required
@require_GET
def batch_detail(request: HttpRequest, uid) -> HttpResponse:
    batch = get_batch_for_user(request.user, uid)
    return render(request, "documents/batch.html", {"batch": batch})


@login_required
@require_GET
def batch_progress(request: HttpRequest, uid) -> HttpResponse:
    batch = get_batch_for_user(request.user, uid)
    return render(request, "documents/batch.html#progress", {"batch": batch})


@login_required
@require_GET
def batch_zip(request: HttpRequest, uid) -> HttpResponse:
    batch = get_batch_for_user(request.user, uid)
    if not batch.archive:
        raise Http404
    return FileResponse(
        batch.archive.open("rb"),
        as_attachment=True,
        filename=f"van-ban-{batch.created_at:%Y%m%d-%H%M}.zip",
    )


# --- public verification ----------------------------------------------------------------------


@require_GET
def verify_lookup(request: HttpRequest) -> HttpResponse:
    form = VerifyLookupForm(request.GET or None)
    if form.is_valid():
        return redirect("verify", code=form.cleaned_data["code"].strip().upper())
    return render(request, "documents/verify_lookup.html", {"form": form})


def verify(request: HttpRequest, code: str) -> HttpResponse:
    """Public: anyone holding a paper or PDF copy can check it against the register."""
    document = selectors.document_by_code(code)
    if document is None:
        return render(
            request, "documents/verify.html", {"document": None, "code": code}, status=404
        )
    form = VerifyUploadForm(request.POST or None, request.FILES or None)
    match = None
    if request.method == "POST" and form.is_valid():
        digest = hashlib.sha256()
        for chunk in form.cleaned_data["file"].chunks():
            digest.update(chunk)
        match = digest.hexdigest() == document.sha256
    return render(
        request, "documents/verify.html", {"document": document, "form": form, "match": match}
    )
