from django.urls import path

from documents import views

urlpatterns = [
    path("xac-minh/", views.verify_lookup, name="verify_lookup"),
    path("xac-minh/<str:code>/", views.verify, name="verify"),
    path("van-ban/khoi/<int:bloc_pk>/", views.register, name="register"),
    path("van-ban/khoi/<int:bloc_pk>/moi/", views.document_create, name="document_create"),
    path("van-ban/khoi/<int:bloc_pk>/phat-hanh-loat/", views.batch_create, name="batch_create"),
    path("van-ban/<int:pk>/", views.document_detail, name="document_detail"),
    path("van-ban/<int:pk>/sua/", views.document_edit, name="document_edit"),
    path("van-ban/<int:pk>/phat-hanh/", views.document_issue, name="document_issue"),
    path("van-ban/<int:pk>/gui/", views.document_distribute, name="document_distribute"),
    path("van-ban/<int:pk>/thay-the/", views.document_supersede, name="document_supersede"),
    path("van-ban/<int:pk>/pdf/", views.document_pdf, name="document_pdf"),
    path("van-ban/<int:pk>/docx/", views.document_docx, name="document_docx"),
    path("van-ban/gui/<int:pk>/gui-lai/", views.delivery_retry, name="delivery_retry"),
    path("van-ban/lo/<uuid:uid>/", views.batch_detail, name="batch_detail"),
    path("van-ban/lo/<uuid:uid>/tien-do/", views.batch_progress, name="batch_progress"),
    path("van-ban/lo/<uuid:uid>/zip/", views.batch_zip, name="batch_zip"),
]
