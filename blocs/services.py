"""Every write of the blocs app. Views and commands call these; nothing writes models directly.

Each change is recorded by django-simple-history with who made it and why (``_history_user``,
``_change_reason``), so the secretariat and the ministry can always see the trail.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from blocs.models import Bloc, BlocYear, Membership, MemberUnit, SecretariatAppointment, User
from blocs.selectors import bloc_members
from khoi_portal.lib.vietnamese import nfc
from khoi_portal.outbox.services import enqueue


def _stamp(obj, *, by: User | None, reason: str) -> None:
    obj._history_user = by
    obj._change_reason = reason


def _username_for(email: str) -> str:
    base = email.split("@")[0].lower()[:120] or "user"
    candidate, n = base, 1
    while User.objects.filter(username=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


@transaction.atomic
def person_invite(
    *,
    bloc_year: BlocYear,
    unit: MemberUnit,
    full_name: str,
    email: str,
    role: str,
    job_title: str = "",
    phone: str = "",
    invited_by: User,
) -> User:
    """Create the account of a member unit's officer or leader and e-mail an activation link.

    The account has no usable password until the person sets one through the link.
    """
    from blocs.tasks import send_invitation

    if not bloc_members(bloc=bloc_year.bloc, year=bloc_year.year).filter(pk=unit.pk).exists():
        raise ValidationError(
            _("Đơn vị này không thuộc khối trong năm %(year)s.") % {"year": bloc_year.year}
        )
    email = email.strip().lower()
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError(_("Đã có tài khoản dùng địa chỉ thư điện tử này."))
    if role not in User.UnitRole.values:
        raise ValidationError(_("Vai trò không hợp lệ."))
    person = User(
        username=_username_for(email),
        email=email,
        full_name=nfc(full_name.strip()),
        job_title=nfc(job_title.strip()),
        phone=phone.strip(),
        unit=unit,
        unit_role=role,
    )
    person.set_unusable_password()
    _stamp(person, by=invited_by, reason=f"Mời tham gia ({bloc_year})")
    person.full_clean()
    person.save()
    enqueue(send_invitation, person.pk, invited_by.pk)
    return person


@transaction.atomic
def person_update(
    *,
    person: User,
    changed_by: User,
    full_name: str,
    job_title: str,
    phone: str,
    role: str,
) -> User:
    if role not in User.UnitRole.values:
        raise ValidationError(_("Vai trò không hợp lệ."))
    person = User.objects.select_for_update().get(pk=person.pk)
    person.full_name = nfc(full_name.strip())
    person.job_title = nfc(job_title.strip())
    person.phone = phone.strip()
    person.unit_role = role
    _stamp(person, by=changed_by, reason="Cập nhật thông tin, vai trò")
    person.full_clean()
    person.save()
    return person


@transaction.atomic
def person_set_active(*, person: User, active: bool, changed_by: User, reason: str = "") -> User:
    if person.pk == changed_by.pk and not active:
        raise ValidationError(_("Bạn không thể tự khóa tài khoản của mình."))
    person = User.objects.select_for_update().get(pk=person.pk)
    person.is_active = active
    _stamp(
        person,
        by=changed_by,
        reason=reason or ("Mở khóa tài khoản" if active else "Khóa tài khoản"),
    )
    person.save(update_fields=["is_active"])
    return person


@transaction.atomic
def secretariat_set(*, bloc_year: BlocYear, person: User, member: bool, changed_by: User) -> None:
    """Appoint *person* to (or remove them from) the secretariat of *bloc_year*."""
    existing = SecretariatAppointment.objects.filter(bloc_year=bloc_year, user=person).first()
    if member and existing is None:
        appointment = SecretariatAppointment(
            bloc_year=bloc_year, user=person, appointed_by=changed_by
        )
        _stamp(appointment, by=changed_by, reason="Bổ nhiệm vào thường trực khối")
        appointment.save()
    elif not member and existing is not None:
        _stamp(existing, by=changed_by, reason="Thôi tham gia thường trực khối")
        existing.delete()


@transaction.atomic
def bloc_year_set_leadership(
    *,
    bloc_year: BlocYear,
    chair: MemberUnit | None,
    vice: MemberUnit | None,
    changed_by: User | None,
) -> BlocYear:
    """Record the chair (Khối trưởng) and vice (Khối phó) units of a year: both must be members."""
    members = bloc_members(bloc=bloc_year.bloc, year=bloc_year.year)
    for unit in (chair, vice):
        if unit is not None and not members.filter(pk=unit.pk).exists():
            raise ValidationError(
                _("%(unit)s không phải thành viên của khối năm %(year)s.")
                % {"unit": unit.short_name, "year": bloc_year.year}
            )
    if chair is not None and vice is not None and chair.pk == vice.pk:
        raise ValidationError(_("Khối trưởng và Khối phó phải là hai đơn vị khác nhau."))
    bloc_year = BlocYear.objects.select_for_update().get(pk=bloc_year.pk)
    bloc_year.chair, bloc_year.vice = chair, vice
    _stamp(bloc_year, by=changed_by, reason="Khối trưởng, Khối phó")
    bloc_year.save()
    return bloc_year


@transaction.atomic
def membership_add(
    *, bloc: Bloc, unit: MemberUnit, from_year: int, note: str = "", changed_by: User | None = None
) -> Membership:
    """Add *unit* to *bloc* from *from_year*; refuses an overlap with an existing membership."""
    overlapping = Membership.objects.filter(bloc=bloc, unit=unit).exclude(until_year__lt=from_year)
    if overlapping.exists():
        raise ValidationError(
            _("Đơn vị đã là thành viên của khối trong năm %(year)s.") % {"year": from_year}
        )
    membership = Membership(bloc=bloc, unit=unit, from_year=from_year, note=nfc(note))
    _stamp(membership, by=changed_by, reason=note or "Kết nạp thành viên")
    membership.save()
    return membership


@transaction.atomic
def membership_end(
    *, bloc: Bloc, unit: MemberUnit, last_year: int, note: str = "", changed_by: User | None = None
) -> Membership:
    membership = (
        Membership.objects.select_for_update()
        .filter(bloc=bloc, unit=unit, from_year__lte=last_year, until_year__isnull=True)
        .first()
    )
    if membership is None:
        raise ValidationError(_("Đơn vị không còn là thành viên của khối."))
    membership.until_year = last_year
    if note:
        membership.note = nfc(note)
    _stamp(membership, by=changed_by, reason=note or "Rời khối")
    membership.save()
    return membership


@transaction.atomic
def bloc_merge(
    *, sources: list[Bloc], target: Bloc, year: int, note: str = "", changed_by: User | None = None
) -> Bloc:
    """Merge *sources* into *target* from emulation *year* (e.g. the two Tây Nguyên blocs, 2019).

    The sources' memberships end with year - 1 and their units join *target* from *year*.
    """
    for source in sources:
        if source.pk == target.pk:
            raise ValidationError(_("Không thể hợp nhất một khối vào chính nó."))
        for unit in bloc_members(bloc=source, year=year - 1):
            membership_end(
                bloc=source, unit=unit, last_year=year - 1, note=note, changed_by=changed_by
            )
            if not bloc_members(bloc=target, year=year).filter(pk=unit.pk).exists():
                membership_add(
                    bloc=target, unit=unit, from_year=year, note=note, changed_by=changed_by
                )
        source.last_year = year - 1
        source.merged_into = target
        _stamp(source, by=changed_by, reason=note or f"Hợp nhất vào {target.symbol}")
        source.save()
    return target


@transaction.atomic
def person_resend_invitation(*, person: User, changed_by: User) -> User:
    """Send the activation link again to someone who has not yet set a password."""
    from blocs.tasks import send_invitation

    if person.has_usable_password():
        raise ValidationError(_("Người này đã kích hoạt tài khoản."))
    if not person.is_active:
        raise ValidationError(_("Tài khoản đang bị khóa."))
    User.objects.filter(pk=person.pk).update(invitation_sent_at=None)
    enqueue(send_invitation, person.pk, changed_by.pk)
    return person
