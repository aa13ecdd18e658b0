from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from blocs import lockout, selectors, services, two_factor
from blocs.forms import LoginForm, PersonForm, PersonInviteForm
from blocs.models import Bloc, BlocYear, MemberUnit, SecretariatAppointment, User
from blocs.two_factor_views import after_password_url
from khoi_portal import pagecache
from khoi_portal.dashboard import attention_items
from khoi_portal.lib.official import interface_date_long

# --- object loading: every view fetches through one of these ------------------------------


def get_bloc_for_user(user: User, pk: int) -> Bloc:
    """The bloc, or a 404 for anyone who may not see it (outsiders must not learn it exists)."""
    bloc = get_object_or_404(Bloc, pk=pk)
    if not user.has_perm("blocs.view_bloc", bloc):
        raise Http404
    return bloc


def get_bloc_year_for_manager(user: User, pk: int, year: int) -> BlocYear:
    """A bloc year whose people *user* manages: 404 for outsiders, 403 for members without the right."""
    bloc = get_bloc_for_user(user, pk)
    bloc_year = get_object_or_404(
        BlocYear.objects.select_related("bloc", "chair", "vice"), bloc=bloc, year=year
    )
    if not user.has_perm("blocs.manage_people", bloc_year):
        raise PermissionDenied
    return bloc_year


def get_person_for_manager(bloc_year: BlocYear, user_pk: int) -> User:
    members = selectors.bloc_members(bloc=bloc_year.bloc, year=bloc_year.year)
    return get_object_or_404(User.objects.select_related("unit"), pk=user_pk, unit__in=members)


# --- pages ----------------------------------------------------------------------------------


class LoginView(auth_views.LoginView):
    """The password step; blocs.two_factor_views takes over for the second one."""

    template_name = "blocs/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form):
        response = super().form_valid(form)
        user = self.request.user
        if not (two_factor.has_device(user) or two_factor.is_required(user)):
            lockout.sign_in_completed(self.request, user=user)
        return response

    def get_success_url(self):
        return after_password_url(self.request, super().get_success_url())


class ActivateView(auth_views.PasswordResetConfirmView):
    template_name = "blocs/activate.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        messages.success(self.request, _("Đã đặt mật khẩu. Mời bạn đăng nhập."))
        return super().form_valid(form)


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return redirect("dashboard" if request.user.is_authenticated else "login")


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    secretariat_years = selectors.secretariat_years(user).order_by("-year")[:5]

    def body_context() -> dict:
        return {
            "items": attention_items(user),
            "blocs": selectors.blocs_with_latest_year(selectors.blocs_visible_to(user)),
            "secretariat_years": secretariat_years,
        }

    context = {
        # Every app's tasks: read from the cache until any of their data changes.
        "body": pagecache.fragment(
            request, "dashboard", template="blocs/_dashboard_body.html", context=body_context
        ),
        "today": interface_date_long(selectors.today()),
    }
    return render(request, "blocs/dashboard.html", context)


@login_required
@require_GET
def bloc_list(request: HttpRequest) -> HttpResponse:
    blocs = selectors.blocs_with_latest_year(selectors.blocs_visible_to(request.user))
    return render(request, "blocs/bloc_list.html", {"blocs": blocs})


@login_required
@require_GET
def bloc_detail(request: HttpRequest, pk: int) -> HttpResponse:
    bloc = pagecache.lookup(  # the bloc and the check that this user may see it
        request,
        "bloc_detail",
        load=lambda: get_bloc_for_user(request.user, pk),
        depends_on={"blocs"},
        vary=(pk,),
    )
    chosen = request.GET.get("nam", "")
    chosen = chosen if len(chosen) == 4 and chosen.isdigit() else ""  # anything else: the latest

    def body_context() -> dict:
        years = list(selectors.bloc_years(bloc=bloc))
        bloc_year = next((y for y in years if str(y.year) == chosen), None)
        if bloc_year is None:
            bloc_year = selectors.latest_bloc_year(bloc=bloc)
        year = bloc_year.year if bloc_year else selectors.current_year()
        return {
            "bloc": bloc,
            "bloc_year": bloc_year,
            "year": year,
            "years": years,
            "members": selectors.bloc_members(bloc=bloc, year=year),
            "supervisor": selectors.bloc_supervisor(bloc=bloc, on=selectors.year_end(year)),
            "merged_from": selectors.merged_from(bloc=bloc),
            "can_manage": bool(
                bloc_year and request.user.has_perm("blocs.manage_people", bloc_year)
            ),
        }

    body = pagecache.fragment(
        request,
        "bloc_detail",
        template="blocs/_bloc_detail_body.html",
        context=body_context,
        depends_on={"blocs"},
        vary=(bloc.pk, chosen),
    )
    context = {"bloc": bloc, "body": body}
    return render(request, "blocs/bloc_detail.html", context)


@login_required
@require_GET
def unit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_object_or_404(MemberUnit.objects.select_related("province"), pk=pk)
    if not request.user.has_perm("blocs.view_unit", unit):
        raise Http404
    context = {
        "unit": unit,
        "province_now": selectors.province_on(province=unit.province, on=selectors.today()),
        "memberships": selectors.unit_memberships(unit=unit),
        "chair_years": selectors.unit_leadership_years(unit=unit),
        "people": selectors.unit_people(units=[unit])
        if request.user.has_perm("blocs.view_unit_people", unit)
        else None,
    }
    return render(request, "blocs/unit_detail.html", context)


@login_required
@require_GET
def people(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_manager(request.user, pk, year)
    members = selectors.bloc_members(bloc=bloc_year.bloc, year=year)
    appointed = set(
        SecretariatAppointment.objects.filter(bloc_year=bloc_year).values_list("user_id", flat=True)
    )
    context = {
        "bloc_year": bloc_year,
        "rows": selectors.people_by_unit(units=members),
        "appointed": appointed,
        "missing": selectors.units_missing_accounts(bloc_year=bloc_year),
    }
    return render(request, "blocs/people.html", context)


@login_required
def person_invite(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_manager(request.user, pk, year)
    units = selectors.bloc_members(bloc=bloc_year.bloc, year=year)
    form = PersonInviteForm(
        request.POST or None, units=units, initial={"unit": request.GET.get("don_vi")}
    )
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_invite(
                bloc_year=bloc_year, invited_by=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request,
                _("Đã mời %(name)s; thư kích hoạt đã được gửi.") % {"name": person.full_name},
            )
            return redirect("people", pk=pk, year=year)
    return render(request, "blocs/person_invite.html", {"bloc_year": bloc_year, "form": form})


@login_required
def person_edit(request: HttpRequest, pk: int, year: int, user_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_manager(request.user, pk, year)
    person = get_person_for_manager(bloc_year, user_pk)
    in_secretariat = SecretariatAppointment.objects.filter(
        bloc_year=bloc_year, user=person
    ).exists()
    initial = {
        "full_name": person.full_name,
        "job_title": person.job_title,
        "phone": person.phone,
        "role": person.unit_role,
        "in_secretariat": in_secretariat,
    }
    form = PersonForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        member = data.pop("in_secretariat")
        try:
            services.person_update(person=person, changed_by=request.user, **data)
            services.secretariat_set(
                bloc_year=bloc_year, person=person, member=member, changed_by=request.user
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(
                request, _("Đã lưu thông tin của %(name)s.") % {"name": person.full_name}
            )
            return redirect("people", pk=pk, year=year)
    context = {
        "bloc_year": bloc_year,
        "person": person,
        "form": form,
        "history": selectors.person_history(person=person),
    }
    return render(request, "blocs/person_edit.html", context)


@login_required
@require_POST
def person_set_active(request: HttpRequest, pk: int, year: int, user_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_manager(request.user, pk, year)
    person = get_person_for_manager(bloc_year, user_pk)
    active = request.POST.get("active") == "1"
    try:
        services.person_set_active(person=person, active=active, changed_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        text = _("Đã mở khóa tài khoản %(name)s.") if active else _("Đã khóa tài khoản %(name)s.")
        messages.success(request, text % {"name": person.full_name})
    return redirect("people", pk=pk, year=year)


@login_required
@require_POST
def person_resend(request: HttpRequest, pk: int, year: int, user_pk: int) -> HttpResponse:
    bloc_year = get_bloc_year_for_manager(request.user, pk, year)
    person = get_person_for_manager(bloc_year, user_pk)
    try:
        services.person_resend_invitation(person=person, changed_by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, _("Đã gửi lại thư kích hoạt cho %(name)s.") % {"name": person.full_name}
        )
    return redirect(reverse("people", kwargs={"pk": pk, "year": year}))
