from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Khối Portal – Văn phòng thi đua của Bộ"
admin.site.site_title = "Khối Portal"

urlpatterns = [
    path("quan-tri/", admin.site.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("", include("blocs.urls")),
    path("", include("documents.urls")),
    path("", include("scoring.urls")),
    path("", include("covenants.urls")),
    path("", include("awards.urls")),
    path("", include("meetings.urls")),
    path("", include("audit.urls")),
]
