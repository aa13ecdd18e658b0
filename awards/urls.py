"""Awards URLs; views split by area: views/nominations.py, views/ballots.py, views/results.py."""

from django.urls import path

from awards.views import ballots, delegates, nominations, results

Y = "khen-thuong/<int:bloc_pk>/<int:year>/"

urlpatterns = [
    # eligibility and nominations
    path(Y, nominations.awards_overview, name="awards_overview"),
    path(Y + "dieu-kien/", nominations.eligibility_view, name="award_eligibility"),
    path(Y + "loai-tru/", nominations.exclusion_add, name="award_exclusion_add"),
    path(Y + "de-cu/", nominations.nomination_create, name="nomination_create"),
    path(Y + "de-cu/mac-dinh/", nominations.nominations_default, name="nominations_default"),
    path(
        "khen-thuong/de-cu/<int:pk>/bao-cao/",
        nominations.nomination_report,
        name="nomination_report",
    ),
    # ballot rounds
    path(Y + "vong/moi/", ballots.round_create, name="ballot_round_create"),
    path("khen-thuong/vong/<int:pk>/", ballots.round_detail, name="ballot_round_detail"),
    path("khen-thuong/vong/<int:pk>/mo/", ballots.round_open, name="ballot_round_open"),
    path("khen-thuong/vong/<int:pk>/bo-phieu/", ballots.ballot, name="ballot_cast"),
    path("khen-thuong/vong/<int:pk>/kiem-phieu/", ballots.paper_tally, name="ballot_paper_tally"),
    path("khen-thuong/vong/<int:pk>/xac-nhan/", ballots.paper_confirm, name="ballot_paper_confirm"),
    path("khen-thuong/vong/<int:pk>/ket-thuc/", ballots.round_close, name="ballot_round_close"),
    path(
        "khen-thuong/vong/<int:pk>/tien-do/", ballots.round_progress, name="ballot_round_progress"
    ),
    # voting delegates: the leader names or revokes; the secretariat sees who votes
    path(Y + "uy-quyen-bo-phieu/", delegates.delegates, name="award_delegates"),
    path(
        "khen-thuong/uy-quyen/<int:pk>/thu-hoi/",
        delegates.delegate_revoke,
        name="award_delegate_revoke",
    ),
    path(Y + "nguoi-bo-phieu/", delegates.voters, name="award_voters"),
    # results, documents, the ministry's table
    path("khen-thuong/vong/<int:pk>/ket-qua/", results.round_results, name="ballot_round_results"),
    path("khen-thuong/vong/<int:pk>/bien-ban/", results.minutes_issue, name="ballot_minutes_issue"),
    path(Y + "to-trinh/", results.submission_issue, name="award_submission_issue"),
    path(Y + "ho-so.zip", results.dossier_zip, name="award_dossier"),
    path("khen-thuong/bo/<int:year>/", results.ministry_overview, name="award_ministry_overview"),
]
