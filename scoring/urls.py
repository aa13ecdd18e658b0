"""Scoring URLs. Views are split by area: views/scale.py, views/sheets.py, views/summary.py."""

from django.urls import path

from scoring.views import scale, sheets, summary

P = "cham-diem/<int:bloc_pk>/<int:year>/"

urlpatterns = [
    # the scale (thang điểm) and opening the round
    path(P + "thang-diem/", scale.scale_detail, name="scale_detail"),
    path(P + "thang-diem/moi/", scale.scale_create, name="scale_create"),
    path(P + "thang-diem/<int:scale_pk>/tieu-chi/", scale.criterion_edit, name="criterion_add"),
    path(
        P + "thang-diem/<int:scale_pk>/tieu-chi/<int:criterion_pk>/",
        scale.criterion_edit,
        name="criterion_edit",
    ),
    path(
        P + "thang-diem/<int:scale_pk>/tieu-chi/<int:criterion_pk>/xoa/",
        scale.criterion_delete,
        name="criterion_delete",
    ),
    path(P + "thang-diem/<int:scale_pk>/nhap-xlsx/", scale.scale_import, name="scale_import"),
    path(P + "thang-diem/<int:scale_pk>/xuat-xlsx/", scale.scale_export, name="scale_export"),
    path(
        P + "thang-diem/<int:scale_pk>/phien-ban-moi/",
        scale.scale_new_version,
        name="scale_new_version",
    ),
    path(P + "thang-diem/<int:scale_pk>/ap-dung/", scale.scale_apply, name="scale_apply"),
    path(P + "mo-cham-diem/", scale.round_open, name="round_open"),
    # sheets: self-scoring, evidence, verification
    path(P, sheets.round_overview, name="round_overview"),
    path("cham-diem/phieu/<int:pk>/", sheets.sheet_detail, name="sheet_detail"),
    path("cham-diem/phieu/<int:pk>/gui/", sheets.sheet_submit, name="sheet_submit"),
    path("cham-diem/phieu/<int:pk>/xac-nhan/", sheets.sheet_confirm, name="sheet_confirm"),
    path("cham-diem/phieu/<int:pk>/mo-lai/", sheets.sheet_reopen, name="sheet_reopen"),
    path("cham-diem/phieu/<int:pk>/tham-dinh/", sheets.sheet_verify, name="sheet_verify"),
    path(
        "cham-diem/muc/<int:entry_pk>/minh-chung/", sheets.evidence_upload, name="evidence_upload"
    ),
    path("cham-diem/muc/<int:entry_pk>/giai-trinh/", sheets.entry_reply, name="entry_reply"),
    path("cham-diem/minh-chung/<int:pk>/", sheets.evidence_download, name="evidence_download"),
    path("cham-diem/minh-chung/<int:pk>/xoa/", sheets.evidence_delete, name="evidence_delete"),
    # the summary table (biểu tổng hợp), charts, exports, the audit trail
    path(P + "tong-hop/", summary.summary, name="summary"),
    path(P + "tong-hop/xlsx/", summary.summary_xlsx, name="summary_xlsx"),
    path(P + "tong-hop/phat-hanh/", summary.summary_issue, name="summary_issue"),
    path(P + "tong-hop/cong-bo/", summary.round_publish, name="round_publish"),
    path(P + "tong-hop/don-vi/<int:unit_pk>/", summary.unit_chart, name="unit_chart"),
    path(P + "lich-su/", summary.audit_log, name="scoring_audit"),
]
