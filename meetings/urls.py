"""Meetings URLs; views split by area: views/conference.py, views/registration.py, views/election.py."""

from django.urls import path

from meetings.views import conference, election, registration

Y = "hoi-nghi/<int:bloc_pk>/<int:year>/"

urlpatterns = [
    # the conference, its agenda, invitations, documents (views/conference.py)
    path(Y, conference.meeting_list, name="meeting_list"),
    path(Y + "moi/", conference.meeting_create, name="meeting_create"),
    path("hoi-nghi/<int:pk>/", conference.meeting_detail, name="meeting_detail"),
    path("hoi-nghi/<int:pk>/sua/", conference.meeting_edit, name="meeting_edit"),
    path("hoi-nghi/<int:pk>/chuong-trinh/", conference.agenda_edit, name="agenda_add"),
    path(
        "hoi-nghi/<int:pk>/chuong-trinh/<int:item_pk>/", conference.agenda_edit, name="agenda_edit"
    ),
    path("hoi-nghi/<int:pk>/giay-moi/", conference.invitation_draft, name="meeting_invitation"),
    path("hoi-nghi/<int:pk>/bien-ban/", conference.minutes_draft, name="meeting_minutes"),
    path("hoi-nghi/<int:pk>/bao-cao-tong-ket/", conference.year_report, name="meeting_year_report"),
    path("hoi-nghi/<int:pk>/man-hinh/", conference.live_board, name="meeting_board"),
    path(
        "hoi-nghi/<int:pk>/man-hinh/so-lieu/",
        conference.live_board_counts,
        name="meeting_board_counts",
    ),
    path("thong-bao/<int:bloc_pk>/", conference.announcements, name="announcements"),
    # registration and check-in (views/registration.py)
    path("hoi-nghi/<int:pk>/dang-ky/", registration.register, name="meeting_register"),
    path("hoi-nghi/<int:pk>/dai-bieu/", registration.delegates, name="meeting_delegates"),
    path(
        "hoi-nghi/<int:pk>/dai-bieu.xlsx",
        registration.delegates_xlsx,
        name="meeting_delegates_xlsx",
    ),
    path(
        "hoi-nghi/<int:pk>/dai-bieu.pdf", registration.delegates_pdf, name="meeting_delegates_pdf"
    ),
    path(
        "hoi-nghi/dai-bieu/<int:delegate_pk>/thay/",
        registration.substitute,
        name="delegate_substitute",
    ),
    path("hoi-nghi/<int:pk>/nhac/", registration.remind, name="meeting_remind"),
    path("hoi-nghi/<int:pk>/gui-qr/", registration.send_qr, name="meeting_send_qr"),
    path("hoi-nghi/<int:pk>/diem-danh/", registration.check_in, name="meeting_check_in"),
    path("hoi-nghi/dai-bieu/<uuid:uid>/qr.svg", registration.delegate_qr, name="delegate_qr"),
    # rotation, election, the rotating flag (views/election.py)
    path("khoi/<int:bloc_pk>/luan-phien/", election.rotation, name="bloc_rotation"),
    path("hoi-nghi/<int:pk>/bau-cu/", election.election, name="meeting_election"),
    path(
        "hoi-nghi/<int:pk>/bau-cu/ap-dung/", election.election_apply, name="meeting_election_apply"
    ),
]
