"""Awards: types, eligibility exclusions, nominations, ballot rounds with secret ballots.

Secrecy: a Ballot has no foreign key to its voter, no timestamp, and a random UUID key,
so nothing in the database joins a ballot to the unit that cast it. One vote per unit is
held by VoterToken (unique per round and unit, written once, used, by the cast's conditional
upsert); one ballot per secret by the unique ``token_hash`` — an HMAC of the voter's secret
under a different key from the one VoterToken keeps, so the two cannot be matched without the
secret, which only the voter's page ever held (the server signs it and keeps nothing of it).
"""

from __future__ import annotations

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from khoi_portal.fields import NFCCharField, NFCTextField


class AwardType(models.Model):
    class Recipient(models.TextChoices):
        COLLECTIVE = "collective", _("Tập thể")
        INDIVIDUAL = "individual", _("Cá nhân")

    code = models.SlugField(_("mã"), max_length=40, unique=True)
    name = NFCCharField(_("tên hình thức"), max_length=200)
    recipient = models.CharField(_("đối tượng"), max_length=10, choices=Recipient.choices)
    salary_multiplier = models.DecimalField(
        _("hệ số mức lương cơ sở"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    description = NFCTextField(_("mô tả"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("hình thức khen thưởng")
        verbose_name_plural = _("hình thức khen thưởng")

    def __str__(self) -> str:
        return self.name


class Exclusion(models.Model):
    """A hard condition a unit fails in a year (discipline, a required title): it cannot be
    proposed, whatever its score."""

    bloc_year = models.ForeignKey(
        "blocs.BlocYear", on_delete=models.CASCADE, related_name="award_exclusions"
    )
    unit = models.ForeignKey("blocs.MemberUnit", on_delete=models.CASCADE, related_name="+")
    award_type = models.ForeignKey(
        AwardType,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        help_text=_("Để trống nếu áp dụng cho mọi hình thức."),
    )
    reason = NFCCharField(_("lý do"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("điều kiện loại trừ")
        verbose_name_plural = _("điều kiện loại trừ")

    def __str__(self) -> str:
        return f"{self.unit}: {self.reason}"


def _report_path(nomination: Nomination, filename: str) -> str:
    return f"awards/{nomination.bloc_year_id}/{uuid.uuid4().hex}"


class Nomination(models.Model):
    """A candidate for an award: a member unit (collective) or a person (individual), with the
    score and rank it had when nominated, and its achievement report."""

    class Source(models.TextChoices):
        SECRETARIAT = "secretariat", _("Thường trực khối đề xuất")
        UNIT = "unit", _("Đơn vị đề xuất")

    bloc_year = models.ForeignKey(
        "blocs.BlocYear", on_delete=models.CASCADE, related_name="nominations"
    )
    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="nominations")
    unit = models.ForeignKey(
        "blocs.MemberUnit", on_delete=models.PROTECT, related_name="nominations"
    )
    person_name = NFCCharField(_("họ tên cá nhân"), max_length=120, blank=True)
    person_title = NFCCharField(_("chức vụ"), max_length=200, blank=True)
    source = models.CharField(max_length=12, choices=Source.choices)
    score = models.DecimalField(_("điểm"), max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(_("hạng"), null=True, blank=True)
    note = NFCTextField(_("ghi chú"), blank=True)
    report = models.FileField(_("báo cáo thành tích"), upload_to=_report_path, blank=True)
    report_name = NFCCharField(max_length=255, blank=True)
    report_sha256 = models.CharField(max_length=64, blank=True)
    withdrawn = models.BooleanField(default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc_year", "award_type", "rank", "pk"]
        verbose_name = _("đề cử")
        verbose_name_plural = _("đề cử")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        if self.person_name:
            return f"{self.person_name} ({self.unit.short_name})"
        return self.unit.full_name


class BallotRound(models.Model):
    """One vote on one award (bình xét, suy tôn): "choose up to N" among the candidates."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Chuẩn bị")
        OPEN = "open", _("Đang bỏ phiếu")
        CLOSED = "closed", _("Đã kết thúc")

    class Mode(models.TextChoices):
        ELECTRONIC = "electronic", _("Bỏ phiếu điện tử")
        PAPER = "paper", _("Phiếu giấy")

    class Base(models.TextChoices):
        ALL = "all", _("Tổng số thành viên")
        PRESENT = "present", _("Số thành viên có mặt")

    class TieBreak(models.TextChoices):
        RUNOFF = "runoff", _("Bỏ phiếu lại")
        SCORE = "score", _("Theo điểm thi đua")

    bloc_year = models.ForeignKey(
        "blocs.BlocYear", on_delete=models.CASCADE, related_name="ballot_rounds"
    )
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    purpose = models.CharField(
        _("mục đích"),
        max_length=12,
        default="award",
        help_text=_("award: bình xét khen thưởng; election: bầu Khối trưởng, Khối phó"),
    )
    title = NFCCharField(_("tên vòng bỏ phiếu"), max_length=300)
    runoff_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="runoffs"
    )
    mode = models.CharField(
        _("hình thức"), max_length=10, choices=Mode.choices, default=Mode.ELECTRONIC
    )
    status = models.CharField(
        _("trạng thái"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    max_choices = models.PositiveSmallIntegerField(_("chọn tối đa"), default=1)
    seats = models.PositiveSmallIntegerField(_("số suất"), default=1)
    quorum = models.DecimalField(
        _("tỷ lệ tối thiểu có mặt"), max_digits=5, decimal_places=4, default=Decimal("0.6667")
    )
    base = models.CharField(
        _("căn cứ tính tỷ lệ"), max_length=8, choices=Base.choices, default=Base.ALL
    )
    pass_share = models.DecimalField(
        _("tỷ lệ phiếu phải vượt"), max_digits=5, decimal_places=4, default=Decimal("0.5")
    )
    tie_break = models.CharField(
        _("khi bằng phiếu"), max_length=8, choices=TieBreak.choices, default=TieBreak.RUNOFF
    )
    present_units = models.PositiveSmallIntegerField(_("số đơn vị có mặt"), null=True, blank=True)
    member_units = models.PositiveSmallIntegerField(_("số đơn vị thành viên"), default=0)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    held_on = models.DateField(_("ngày bỏ phiếu"), null=True, blank=True)
    results = models.JSONField(_("kết quả"), default=dict, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc_year", "pk"]
        verbose_name = _("vòng bỏ phiếu")
        verbose_name_plural = _("vòng bỏ phiếu")
        constraints = [
            models.CheckConstraint(
                condition=Q(max_choices__gte=1) & Q(seats__gte=1), name="round_choices_positive"
            ),
            models.CheckConstraint(
                condition=Q(pass_share__gte=0) & Q(pass_share__lt=1), name="round_pass_share"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Candidate(models.Model):
    round = models.ForeignKey(BallotRound, on_delete=models.CASCADE, related_name="candidates")
    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "blocs.MemberUnit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    label = NFCCharField(_("ứng viên"), max_length=300)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["round", "label"], name="candidate_unique_label")
        ]

    def __str__(self) -> str:
        return self.label


class VoterToken(models.Model):
    """A unit's right to vote once in a round. ``used`` flips once; no time is kept (it would
    correlate with the ballot)."""

    # No index of its own: token_one_per_unit (round, unit) serves every read by round (issue #8:
    # each cast writes this table's indexes).
    round = models.ForeignKey(
        BallotRound, on_delete=models.CASCADE, related_name="tokens", db_index=False
    )
    unit = models.ForeignKey("blocs.MemberUnit", on_delete=models.CASCADE, related_name="+")
    proof = models.CharField(max_length=64)  # HMAC(key "token", secret): proves the secret
    used = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["round", "unit"], name="token_one_per_unit")]

    def __str__(self) -> str:
        return f"{self.round_id}/{self.unit_id}: {'đã dùng' if self.used else 'chưa dùng'}"


class Ballot(models.Model):
    """A cast electronic ballot: no voter, no time, a random key."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    round = models.ForeignKey(BallotRound, on_delete=models.CASCADE, related_name="ballots")
    token_hash = models.CharField(max_length=64)  # HMAC(key "ballot", secret); unique below
    receipt = models.CharField(max_length=64)  # unique below
    choices = models.ManyToManyField(
        Candidate, through="BallotChoice", related_name="ballots", blank=True
    )

    class Meta:
        ordering = ["receipt"]  # never creation order
        # Constraints rather than unique=True: on PostgreSQL a unique CharField also gets a
        # second, LIKE-pattern index that no query uses, and every cast wrote both (issue #8).
        constraints = [
            models.UniqueConstraint(fields=["token_hash"], name="ballot_token_hash_unique"),
            models.UniqueConstraint(fields=["receipt"], name="ballot_receipt_unique"),
        ]

    def __str__(self) -> str:
        return self.receipt[:12]


class BallotChoice(models.Model):
    """A candidate ticked on a ballot. A random key, like the ballot's: Django's automatic
    through table would number the rows in the order the ballots were cast."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: ballot_choice_once (ballot, candidate) serves every read by ballot.
    ballot = models.ForeignKey(Ballot, on_delete=models.CASCADE, related_name="+", db_index=False)
    candidate = models.ForeignKey(Candidate, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["ballot", "candidate"], name="ballot_choice_once")
        ]

    def __str__(self) -> str:
        return f"{self.ballot_id}: {self.candidate_id}"


class PaperTally(models.Model):
    """Paper ballots: the counting committee enters the totals; a second member confirms."""

    round = models.OneToOneField(BallotRound, on_delete=models.CASCADE, related_name="paper_tally")
    ballots_issued = models.PositiveSmallIntegerField(_("số phiếu phát ra"))
    ballots_returned = models.PositiveSmallIntegerField(_("số phiếu thu về"))
    ballots_valid = models.PositiveSmallIntegerField(_("số phiếu hợp lệ"))
    votes = models.JSONField(_("số phiếu từng ứng viên"), default=dict)  # {candidate_id: votes}
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(auto_now_add=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(confirmed_by__isnull=True) | ~Q(confirmed_by=models.F("entered_by")),
                name="tally_confirmed_by_another",
            ),
            models.CheckConstraint(
                condition=Q(ballots_valid__lte=models.F("ballots_returned"))
                & Q(ballots_returned__lte=models.F("ballots_issued")),
                name="tally_counts_consistent",
            ),
        ]

    def __str__(self) -> str:
        return f"Kiểm phiếu {self.round}"


class Proposal(models.Model):
    """What the bloc proposes to the ministry for one award: each nominee's score and votes."""

    bloc_year = models.ForeignKey(
        "blocs.BlocYear", on_delete=models.CASCADE, related_name="award_proposals"
    )
    award_type = models.ForeignKey(AwardType, on_delete=models.PROTECT, related_name="+")
    round = models.ForeignKey(BallotRound, on_delete=models.PROTECT, related_name="proposals")
    nomination = models.ForeignKey(
        Nomination, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey("blocs.MemberUnit", on_delete=models.PROTECT, related_name="+")
    label = NFCCharField(max_length=300)
    score = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    votes = models.PositiveSmallIntegerField(default=0)
    vote_share = models.DecimalField(max_digits=6, decimal_places=4, default=Decimal("0"))
    minutes = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    submission = models.ForeignKey(
        "documents.Document", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["bloc_year", "award_type", "-votes"]
        constraints = [
            models.UniqueConstraint(fields=["round", "label"], name="proposal_once_per_round")
        ]

    def __str__(self) -> str:
        return f"{self.award_type}: {self.label}"


class VotingDelegate(models.Model):
    """Someone a unit's leader names to cast the unit's vote (issue #6: "cast by its leader or a
    delegate the leader names"): for the whole bloc year, or for one round only, which then
    takes the place of the year's delegate in that round.

    The unit keeps one vote: its leaders may still vote while a delegate is named, and whoever
    casts first uses the unit's single-use token (VoterToken). Nothing here touches a ballot, so
    the vote stays secret; who named whom and when is kept (``named_by``/``named_at``, history).
    """

    bloc_year = models.ForeignKey(
        "blocs.BlocYear", on_delete=models.CASCADE, related_name="voting_delegates"
    )
    unit = models.ForeignKey("blocs.MemberUnit", on_delete=models.CASCADE, related_name="+")
    round = models.ForeignKey(
        BallotRound,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="delegates",
        verbose_name=_("vòng bỏ phiếu"),
        help_text=_("Để trống: ủy quyền cho mọi vòng bỏ phiếu của năm."),
    )
    delegate = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="voting_delegations",
        verbose_name=_("người được ủy quyền"),
    )
    note = NFCCharField(_("ghi chú"), max_length=300, blank=True)
    named_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("người ủy quyền"),
    )
    named_at = models.DateTimeField(_("ủy quyền lúc"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người thu hồi"),
    )
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["bloc_year", "unit", "-named_at", "-pk"]
        verbose_name = _("người được ủy quyền bỏ phiếu")
        verbose_name_plural = _("người được ủy quyền bỏ phiếu")
        constraints = [
            # At most one active delegate per unit and scope: the year, or one round.
            models.UniqueConstraint(
                fields=["bloc_year", "unit"],
                condition=Q(revoked_at__isnull=True, round__isnull=True),
                name="delegate_one_active_per_year",
            ),
            models.UniqueConstraint(
                fields=["round", "unit"],
                condition=Q(revoked_at__isnull=True, round__isnull=False),
                name="delegate_one_active_per_round",
            ),
            models.CheckConstraint(
                condition=~Q(delegate=models.F("named_by")), name="delegate_not_the_leader"
            ),
            models.CheckConstraint(
                condition=Q(revoked_at__isnull=True, revoked_by__isnull=True)
                | Q(revoked_at__isnull=False, revoked_by__isnull=False),
                name="delegate_revoked_by_and_at",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.delegate} – {self.unit}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
