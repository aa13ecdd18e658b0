from django.contrib.auth import views as auth_views
from django.urls import path

from blocs import views

urlpatterns = [
    path("", views.home, name="home"),
    path("suc-khoe/", views.health, name="health"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("kich-hoat/<uidb64>/<token>/", views.ActivateView.as_view(), name="activate"),
    path("bang-dieu-khien/", views.dashboard, name="dashboard"),
    path("khoi/", views.bloc_list, name="bloc_list"),
    path("khoi/<int:pk>/", views.bloc_detail, name="bloc_detail"),
    path("khoi/<int:pk>/<int:year>/nguoi-dung/", views.people, name="people"),
    path("khoi/<int:pk>/<int:year>/nguoi-dung/moi/", views.person_invite, name="person_invite"),
    path(
        "khoi/<int:pk>/<int:year>/nguoi-dung/<int:user_pk>/", views.person_edit, name="person_edit"
    ),
    path(
        "khoi/<int:pk>/<int:year>/nguoi-dung/<int:user_pk>/trang-thai/",
        views.person_set_active,
        name="person_set_active",
    ),
    path(
        "khoi/<int:pk>/<int:year>/nguoi-dung/<int:user_pk>/gui-lai/",
        views.person_resend,
        name="person_resend",
    ),
    path("don-vi/<int:pk>/", views.unit_detail, name="unit_detail"),
]
