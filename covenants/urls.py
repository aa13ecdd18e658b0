"""Covenant, campaign and bloc-document URLs; views split by area under covenants/views/."""

from django.urls import path

from covenants.views import campaigns, covenant, signing

Y = "giao-uoc/<int:bloc_pk>/<int:year>/"

urlpatterns = [
    # drafting and consultation (views/covenant.py)
    path(Y, covenant.covenant_overview, name="covenant_overview"),
    path(Y + "moi/", covenant.covenant_create, name="covenant_create"),
    path("giao-uoc/<int:pk>/", covenant.covenant_detail, name="covenant_detail"),
    path("giao-uoc/<int:pk>/sua/", covenant.covenant_edit, name="covenant_edit"),
    path("giao-uoc/<int:pk>/noi-dung/", covenant.item_edit, name="covenant_item_add"),
    path(
        "giao-uoc/<int:pk>/noi-dung/<int:item_pk>/", covenant.item_edit, name="covenant_item_edit"
    ),
    path(
        "giao-uoc/<int:pk>/noi-dung/<int:item_pk>/xoa/",
        covenant.item_delete,
        name="covenant_item_delete",
    ),
    path("giao-uoc/<int:pk>/lay-y-kien/", covenant.covenant_share, name="covenant_share"),
    path("giao-uoc/<int:pk>/y-kien/", covenant.covenant_comment, name="covenant_comment"),
    path("giao-uoc/<int:pk>/chot/", covenant.covenant_finalize, name="covenant_finalize"),
    path("giao-uoc/<int:pk>/sua-doi/", covenant.covenant_amend, name="covenant_amend"),
    # signing (views/signing.py)
    path("giao-uoc/<int:pk>/ky/", signing.sign_online, name="covenant_sign"),
    path("giao-uoc/<int:pk>/le-ky/", signing.ceremony, name="covenant_ceremony"),
    path("giao-uoc/<int:pk>/le-ky/ky/", signing.ceremony_sign, name="covenant_ceremony_sign"),
    path(
        "giao-uoc/<int:pk>/le-ky/kiem-dem/", signing.ceremony_tally, name="covenant_ceremony_tally"
    ),
    path("giao-uoc/<int:pk>/ky-giay/", signing.record_paper, name="covenant_record_paper"),
    path("giao-uoc/<int:pk>/ky-so/", signing.upload_digital, name="covenant_upload_digital"),
    path("giao-uoc/<int:pk>/ky-so/ban-de-ky/", signing.signing_copy, name="covenant_signing_copy"),
    path("giao-uoc/<int:pk>/ket-thuc/", signing.covenant_close, name="covenant_close"),
    path(
        "giao-uoc/chu-ky/<int:pk>/ban-quet/", signing.signature_scan, name="covenant_signature_scan"
    ),
    # campaigns and the bloc's standing documents (views/campaigns.py)
    path("phong-trao/", campaigns.campaign_list, name="campaign_list"),
    path("phong-trao/moi/", campaigns.campaign_create, name="campaign_create"),
    path("phong-trao/<int:pk>/", campaigns.campaign_detail, name="campaign_detail"),
    path("phong-trao/<int:pk>/dot/", campaigns.phase_edit, name="phase_add"),
    path("phong-trao/<int:pk>/dot/<int:phase_pk>/", campaigns.phase_edit, name="phase_edit"),
    path(
        "phong-trao/<int:pk>/dot/<int:phase_pk>/so-ket/",
        campaigns.phase_review,
        name="phase_review",
    ),
    path(
        "phong-trao/<int:pk>/phat-dong/",
        campaigns.campaign_launch_document,
        name="campaign_launch_document",
    ),
    path("khoi/<int:bloc_pk>/van-ban-khoi/", campaigns.bloc_documents, name="bloc_documents"),
    path(
        "khoi/<int:bloc_pk>/van-ban-khoi/moi/",
        campaigns.bloc_document_create,
        name="bloc_document_create",
    ),
    path(
        "khoi/van-ban-khoi/<int:pk>/", campaigns.bloc_document_detail, name="bloc_document_detail"
    ),
]
