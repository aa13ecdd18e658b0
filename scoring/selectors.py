"""Reads of the scoring app. The summary table is computed in a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

from blocs.models import BlocYear, MemberUnit
from scoring.models import Criterion, Entry, Round, Scale, Sheet

ZERO = Decimal("0")


def scales_of(*, bloc_year: BlocYear) -> QuerySet[Scale]:
    return Scale.objects.filter(bloc_year=bloc_year).order_by("-version")


def current_scale(*, bloc_year: BlocYear) -> Scale | None:
    return scales_of(bloc_year=bloc_year).first()


def criteria_tree(*, scale: Scale) -> list[tuple[Criterion, list[Criterion]]]:
    """[(group, [items…])] in scale order, in one query."""
    groups: list[tuple[Criterion, list[Criterion]]] = []
    by_id: dict[int, list[Criterion]] = {}
    for criterion in Criterion.objects.filter(scale=scale).order_by("position"):
        if criterion.is_group:
            by_id[criterion.pk] = []
            groups.append((criterion, by_id[criterion.pk]))
        else:
            by_id.setdefault(criterion.parent_id, []).append(criterion)
    return groups


def previous_year_scale(*, bloc_year: BlocYear) -> Scale | None:
    """The latest version of the bloc's scale of the year before: the usual starting point."""
    return (
        Scale.objects.select_related("bloc_year")
        .filter(bloc_year__bloc_id=bloc_year.bloc_id, bloc_year__year=bloc_year.year - 1)
        .order_by("-version")
        .first()
    )


def scale_totals(*, scale: Scale) -> dict[str, Decimal]:
    rows = (
        Criterion.objects.filter(scale=scale)
        .exclude(kind=Criterion.Kind.GROUP)
        .values("kind")
        .annotate(total=Sum("max_points"))
    )
    totals = {row["kind"]: row["total"] or ZERO for row in rows}
    return {
        "normal": totals.get("normal", ZERO),
        "bonus": totals.get("bonus", ZERO),
        "deduction": totals.get("deduction", ZERO),
    }


def round_of(*, bloc_year: BlocYear) -> Round | None:
    return Round.objects.filter(bloc_year=bloc_year).select_related("scale").first()


def sheets_of(*, scoring_round: Round) -> QuerySet[Sheet]:
    """Every sheet with its progress (items scored / items), for the secretariat's overview."""
    return (
        Sheet.objects.filter(round=scoring_round)
        .select_related("unit")
        .annotate(
            items=Count("entries"),
            scored=Count("entries", filter=Q(entries__self_score__isnull=False)),
            verified=Count("entries", filter=Q(entries__verified_score__isnull=False)),
        )
        .order_by("unit__full_name")
    )


def sheet_entries(*, sheet: Sheet) -> QuerySet[Entry]:
    return (
        Entry.objects.filter(sheet=sheet)
        .select_related("criterion", "criterion__parent", "verified_by")
        .prefetch_related("evidence")
        .order_by("criterion__position")
    )


@dataclass
class Row:
    unit: MemberUnit
    sheet: Sheet
    groups_self: dict[int, Decimal] = field(default_factory=dict)
    groups_final: dict[int, Decimal] = field(default_factory=dict)
    self_total: Decimal = ZERO
    verified_total: Decimal = ZERO
    bonus: Decimal = ZERO
    deduction: Decimal = ZERO
    final: Decimal = ZERO
    rank: int = 0
    flagged: int = 0

    def group_cells(self, groups: list[Criterion]) -> list[tuple[Decimal, Decimal]]:
        return [
            (self.groups_self.get(g.pk, ZERO), self.groups_final.get(g.pk, ZERO)) for g in groups
        ]


@dataclass
class SummaryTable:
    scoring_round: Round
    groups: list[Criterion]
    rows: list[Row]
    averages: dict[int, Decimal]


def summary_table(*, scoring_round: Round) -> SummaryTable:
    """All members × groups: self and verified totals, bonus, deductions, final score, rank.

    Five queries whatever the number of members and items. Normal items count towards the
    group totals; bonus items add and deduction items subtract. The final score uses the
    verified score where there is one, else the self score. Equal finals share a rank
    (1, 2, 2, 4).
    """
    groups = list(
        Criterion.objects.filter(scale=scoring_round.scale, kind=Criterion.Kind.GROUP).order_by(
            "position"
        )
    )
    sheets = {s.pk: s for s in Sheet.objects.filter(round=scoring_round).select_related("unit")}
    rows = {pk: Row(unit=sheet.unit, sheet=sheet) for pk, sheet in sheets.items()}
    # Entries always point at criteria of the round's scale (round_switch_scale moves them).
    # Saying so lets PostgreSQL join the scale's 60 criteria, not hash every scale's (issue #8).
    of_round = {"sheet__round": scoring_round, "criterion__scale_id": scoring_round.scale_id}
    sums = (
        Entry.objects.filter(**of_round)
        .values("sheet_id", "criterion__parent_id", "criterion__kind")
        .annotate(
            self_sum=Sum("self_score"),
            verified_sum=Sum("verified_score"),
            verified_n=Count("verified_score"),
            n=Count("pk"),
        )
    )
    finals = (
        Entry.objects.filter(**of_round, verified_score__isnull=True)
        .values("sheet_id", "criterion__parent_id", "criterion__kind")
        .annotate(unverified_self=Sum("self_score"))
    )
    unverified = {
        (f["sheet_id"], f["criterion__parent_id"], f["criterion__kind"]): f["unverified_self"]
        or ZERO
        for f in finals
    }
    for item in sums:
        row = rows[item["sheet_id"]]
        key = (item["sheet_id"], item["criterion__parent_id"], item["criterion__kind"])
        self_sum = item["self_sum"] or ZERO
        final_sum = (item["verified_sum"] or ZERO) + unverified.get(key, ZERO)
        kind, group_id = item["criterion__kind"], item["criterion__parent_id"]
        if kind == Criterion.Kind.NORMAL:
            row.groups_self[group_id] = row.groups_self.get(group_id, ZERO) + self_sum
            row.groups_final[group_id] = row.groups_final.get(group_id, ZERO) + final_sum
            row.self_total += self_sum
            row.verified_total += final_sum
        elif kind == Criterion.Kind.BONUS:
            row.bonus += final_sum
        elif kind == Criterion.Kind.DEDUCTION:
            row.deduction += final_sum
    threshold = scoring_round.difference_flag
    # Compared here, not in SQL: SQLite's decimal arithmetic is binary floating point.
    flagged = Entry.objects.filter(
        sheet__round=scoring_round, verified_score__isnull=False, self_score__isnull=False
    ).values_list("sheet_id", "self_score", "verified_score")
    for sheet_id, self_score, verified_score in flagged:
        if abs(self_score - verified_score) >= threshold:
            rows[sheet_id].flagged += 1
    ordered = sorted(
        rows.values(),
        key=lambda r: (-(r.verified_total + r.bonus - r.deduction), _unit_key(r.unit)),
    )
    previous, rank = None, 0
    for position, row in enumerate(ordered, start=1):
        row.final = row.verified_total + row.bonus - row.deduction
        if row.final != previous:
            rank, previous = position, row.final
        row.rank = rank
    averages = {
        g.pk: (sum((r.groups_final.get(g.pk, ZERO) for r in ordered), ZERO) / len(ordered))
        if ordered
        else ZERO
        for g in groups
    }
    return SummaryTable(scoring_round=scoring_round, groups=groups, rows=ordered, averages=averages)


def _unit_key(unit: MemberUnit):
    from khoi_portal.lib.vietnamese import sort_key

    return sort_key(unit.full_name)


def unit_trend(
    *, unit: MemberUnit, bloc_id: int, include_year: int | None = None
) -> list[tuple[int, Decimal]]:
    """(year, final score) of a unit over the bloc's published rounds, oldest first, plus the
    round of *include_year* whatever its status (the year the viewer already sees)."""
    result = []
    shown = Q(status=Round.Status.PUBLISHED) | Q(bloc_year__year=include_year)
    for scoring_round in (
        Round.objects.filter(shown, bloc_year__bloc_id=bloc_id, sheets__unit=unit)
        .select_related("bloc_year", "scale")
        .order_by("bloc_year__year")
    ):
        table = summary_table(scoring_round=scoring_round)
        for row in table.rows:
            if row.unit.pk == unit.pk:
                result.append((scoring_round.bloc_year.year, row.final))
    return result
