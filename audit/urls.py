from django.urls import path

from audit import views

urlpatterns = [
    path("nhat-ky/", views.audit_log, name="audit_log"),
    path("nhat-ky/xlsx/", views.audit_export, name="audit_export"),
]
