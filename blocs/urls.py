from django.contrib.auth import views as auth_views
from django.urls import path

from blocs import two_factor_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("suc-khoe/", views.health, name="health"),
    path("dang-nhap/", views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("kich-hoat/<uidb64>/<token>/", views.ActivateView.as_view(), name="activate"),
    # Account security: two-factor authentication, and the ministry office's sign-in overview.
    path("tai-khoan/bao-mat/", two_factor_views.overview, name="two_factor"),
    path("tai-khoan/bao-mat/xac-minh/", two_factor_views.verify, name="two_factor_verify"),
    path("tai-khoan/bao-mat/dang-ky/", two_factor_views.enrol, name="two_factor_enrol"),
    path("tai-khoan/bao-mat/ma-du-phong/", two_factor_views.recovery, name="two_factor_recovery"),
    path("tai-khoan/bao-mat/go-bo/", two_factor_views.remove, name="two_factor_remove"),
    path("quan-ly/dang-nhap/", two_factor_views.accounts, name="security_accounts"),
    path("quan-ly/dang-nhap/<int:user_pk>/", two_factor_views.account, name="security_account"),
    path(
        "quan-ly/dang-nhap/<int:user_pk>/dat-lai-xac-thuc/",
        two_factor_views.account_reset,
        name="security_reset",
    ),
    path(
        "quan-ly/dang-nhap/<int:user_pk>/mo-khoa/",
        two_factor_views.account_unlock,
        name="security_unlock",
    ),
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
