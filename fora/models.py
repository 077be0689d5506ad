"""Community fora: sessions that inform, consult, prioritise structures and select beneficiaries."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from programs.models import Neighbourhood, Project, ReviewedRecord
from programs.rules import activity_date_errors


class StructureKind(models.TextChoices):
    """Kinds of community infrastructure the project rehabilitates."""

    RETAINING_WALL = "retaining_wall", _("Retaining wall")
    PEDESTRIAN_CORRIDOR = "pedestrian_corridor", _("Pedestrian corridor")
    PUBLIC_SPACE = "public_space", _("Public space")
    OTHER = "other", _("Other")


class CommunityForum(models.Model):
    """An established community forum of a neighbourhood, run with its local groups."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "neighbourhood"

    name = models.CharField(_("name"), max_length=150)
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        on_delete=models.PROTECT,
        related_name="fora",
    )
    local_groups = models.TextField(
        _("local groups"), blank=True, help_text=_("The local groups that run the forum.")
    )

    class Meta:
        verbose_name = _("community forum")
        verbose_name_plural = _("community fora")
        ordering = ["neighbourhood", "name"]
        constraints = [
            models.UniqueConstraint(fields=["neighbourhood", "name"], name="forum_unique_in_neighbourhood")
        ]

    def __str__(self) -> str:
        return self.name


class ForumSession(ReviewedRecord):
    """One meeting of a forum, counted by its participants."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "forum__neighbourhood"

    class Kind(models.TextChoices):
        SENSITIZATION = "sensitization", _("Sensitization")
        INFORMATION = "information", _("Information")
        CONSULTATION = "consultation", _("Consultation")

    forum = models.ForeignKey(
        CommunityForum, verbose_name=_("forum"), on_delete=models.PROTECT, related_name="sessions"
    )
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="forum_sessions"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    held_on = models.DateField(_("held on"))
    women = models.PositiveIntegerField(_("women participants"), default=0)
    men = models.PositiveIntegerField(_("men participants"), default=0)
    youth = models.PositiveIntegerField(
        _("of whom youth"),
        default=0,
        help_text=_("Participants aged 15–24, counted within the women and men."),
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta(ReviewedRecord.Meta):
        verbose_name = _("forum session")
        verbose_name_plural = _("forum sessions")
        ordering = ["-held_on"]
        indexes = ReviewedRecord.review_indexes("forumsession", "held_on")
        constraints = [
            *ReviewedRecord.review_constraints("forumsession"),
            models.CheckConstraint(
                condition=Q(women__gt=0) | Q(men__gt=0),
                name="forumsession_women_or_men_present",
                violation_error_message=_("A session needs at least one participant."),
            ),
            models.CheckConstraint(
                condition=Q(youth__lte=models.F("women") + models.F("men")),
                name="forumsession_youth_within_participants",
                violation_error_message=_("Youth cannot outnumber all participants."),
            ),
            models.CheckConstraint(
                condition=Q(kind__in=["sensitization", "information", "consultation"]),
                name="forumsession_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.forum} — {self.get_kind_display()} {self.held_on:%Y-%m-%d}"

    @property
    def progress_project_id(self) -> int:
        return self.project_id

    @property
    def participants(self) -> int:
        return self.women + self.men

    @property
    def neighbourhood(self) -> Neighbourhood:
        return self.forum.neighbourhood

    def clean(self):
        errors = {}
        if self.project_id:
            errors |= activity_date_errors("held_on", self.held_on, self.project.partnership.signed_on)
        if self.women is not None and self.men is not None:
            if self.women + self.men == 0:
                errors["women"] = _("A session needs at least one participant.")
            elif self.youth is not None and self.youth > self.women + self.men:
                errors["youth"] = _("Youth cannot outnumber all participants.")
        if self.forum_id and self.project_id:
            if not self.project.neighbourhoods.filter(pk=self.forum.neighbourhood_id).exists():
                errors["forum"] = _("This forum is not in one of the project's neighbourhoods.")
        if errors:
            raise ValidationError(errors)


class StructurePriority(models.Model):
    """A structure proposed at a session and ranked by the community for rehabilitation."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "session__forum__neighbourhood"

    session = models.ForeignKey(
        ForumSession,
        verbose_name=_("forum session"),
        on_delete=models.CASCADE,
        related_name="priorities",
    )
    name = models.CharField(_("structure"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=StructureKind.choices)
    rank = models.PositiveSmallIntegerField(
        _("rank"), validators=[MinValueValidator(1)], help_text=_("1 is the highest priority.")
    )
    estimated_area_m2 = models.DecimalField(
        _("estimated area (m²)"),
        max_digits=10,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0.01"))],
    )

    class Meta:
        verbose_name = _("structure priority")
        verbose_name_plural = _("structure priorities")
        ordering = ["session", "rank"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "rank"],
                name="priority_rank_unique_in_session",
                violation_error_message=_("Two structures cannot share a rank in one session."),
            ),
            models.CheckConstraint(condition=Q(rank__gte=1), name="priority_rank_positive"),
            models.CheckConstraint(
                condition=Q(estimated_area_m2__isnull=True) | Q(estimated_area_m2__gt=0),
                name="priority_area_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.rank} {self.name}"


class BeneficiarySelection(models.Model):
    """A person selected as a beneficiary at a forum session."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "session__forum__neighbourhood"

    session = models.ForeignKey(
        ForumSession,
        verbose_name=_("forum session"),
        on_delete=models.CASCADE,
        related_name="selections",
    )
    beneficiary = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("beneficiary"),
        on_delete=models.PROTECT,
        related_name="selections",
    )
    reason = models.CharField(_("reason for selection"), max_length=250, blank=True)

    class Meta:
        verbose_name = _("beneficiary selection")
        verbose_name_plural = _("beneficiary selections")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "beneficiary"],
                name="selection_unique_in_session",
                violation_error_message=_("This person is already selected at this session."),
            )
        ]

    def __str__(self) -> str:
        return f"{self.beneficiary} @ {self.session}"

    def clean(self):
        if self.session_id and self.beneficiary_id:
            if self.beneficiary.neighbourhood_id != self.session.forum.neighbourhood_id:
                raise ValidationError(
                    {"beneficiary": _("This person does not live in the forum's neighbourhood.")}
                )
        # Consent withdrawn (the personal data then removed): no new processing (the trigger of
        # migration 0006 refuses it too); a selection made before stays. Consent not yet recorded
        # is followed up in the admin ("consent missing"), not refused here.
        if (
            self.beneficiary_id
            and self._state.adding
            and (error := self.beneficiary.consent_withdrawn_error())
        ):
            raise ValidationError({"beneficiary": error})
