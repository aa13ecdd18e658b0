"""The Django admin is the ministry emulation office's tool for blocs, units and accounts."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from simple_history.admin import SimpleHistoryAdmin

from blocs.models import (
    Authority,
    Bloc,
    BlocSupervision,
    BlocYear,
    Membership,
    MemberUnit,
    Province,
    SecretariatAppointment,
    User,
)


@admin.register(Authority)
class AuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name"]
    search_fields = ["name", "short_name"]


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["name", "valid_from", "valid_until", "merged_into"]
    search_fields = ["name"]
    list_select_related = ["merged_into"]


@admin.register(MemberUnit)
class MemberUnitAdmin(SimpleHistoryAdmin):
    list_display = ["full_name", "short_name", "province", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["full_name", "short_name"]
    list_select_related = ["province"]


class SupervisionInline(admin.TabularInline):
    model = BlocSupervision
    extra = 0


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    autocomplete_fields = ["unit"]


@admin.register(Bloc)
class BlocAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "symbol", "first_year", "last_year", "merged_into"]
    list_filter = ["kind"]
    search_fields = ["name", "symbol"]
    inlines = [SupervisionInline, MembershipInline]


@admin.register(BlocYear)
class BlocYearAdmin(SimpleHistoryAdmin):
    list_display = ["bloc", "year", "chair", "vice", "status"]
    list_filter = ["status", "bloc"]
    list_select_related = ["bloc", "chair", "vice"]
    autocomplete_fields = ["chair", "vice"]


@admin.register(SecretariatAppointment)
class SecretariatAppointmentAdmin(SimpleHistoryAdmin):
    list_display = ["bloc_year", "user", "appointed_by", "created_at"]
    list_select_related = ["bloc_year__bloc", "user", "appointed_by"]


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin):
    list_display = ["username", "full_name", "unit", "unit_role", "is_ministry_office", "is_active"]
    list_filter = ["unit_role", "is_ministry_office", "is_active", "is_staff"]
    search_fields = ["username", "full_name", "email"]
    list_select_related = ["unit"]
    ordering = ["full_name"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Thông tin cá nhân", {"fields": ["full_name", "email", "job_title", "phone"]}),
        ("Vai trò", {"fields": ["unit", "unit_role", "is_ministry_office"]}),
        ("Quyền quản trị", {"fields": ["is_active", "is_staff", "is_superuser", "groups"]}),
        ("Mốc thời gian", {"fields": ["last_login", "date_joined", "invitation_sent_at"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": [
                    "username",
                    "full_name",
                    "email",
                    "unit",
                    "unit_role",
                    "password1",
                    "password2",
                ],
            },
        ),
    ]
