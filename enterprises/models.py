"""Enterprise Service Centres, the businesses they support, their services and the jobs created."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs.models import Neighbourhood, Organisation, Project, ReviewedRecord
from programs.rules import (
    MIN_AGE_HAZARDOUS_WORK,
    MIN_AGE_WORK,
    activity_date_errors,
    age_on,
    hazardous_words_in,
)


class EnterpriseServiceCentre(models.Model):
    """A centre that prepares business owners for the market (training, advice)."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "neighbourhood"

    name = models.CharField(_("name"), max_length=150, unique=True)
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.PROTECT, related_name="centres"
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        on_delete=models.PROTECT,
        related_name="centres",
    )
    operator = models.ForeignKey(
        Organisation,
        verbose_name=_("operated by"),
        on_delete=models.PROTECT,
        related_name="centres",
    )
    opened_on = models.DateField(_("opened on"), null=True, blank=True)

    class Meta:
        verbose_name = _("enterprise service centre")
        verbose_name_plural = _("enterprise service centres")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        errors = {}
        if self.project_id and self.neighbourhood_id:
            if not self.project.neighbourhoods.filter(pk=self.neighbourhood_id).exists():
                errors["neighbourhood"] = _("This neighbourhood is not one of the project's.")
        if self.project_id:
            errors |= activity_date_errors("opened_on", self.opened_on, self.project.partnership.signed_on)
        if errors:
            raise ValidationError(errors)


class Business(ReviewedRecord):
    """A micro, small or medium business created with the support of an ESC."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "neighbourhood"

    class Size(models.TextChoices):
        MICRO = "micro", _("Micro")
        SMALL = "small", _("Small")
        MEDIUM = "medium", _("Medium")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        CREATED = "created", _("Created")
        OPERATING = "operating", _("Operating")
        CLOSED = "closed", _("Closed")

    name = models.CharField(_("name"), max_length=150)
    owner = models.ForeignKey(
        "beneficiaries.Beneficiary",
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="businesses",
    )
    centre = models.ForeignKey(
        EnterpriseServiceCentre,
        verbose_name=_("enterprise service centre"),
        on_delete=models.PROTECT,
        related_name="businesses",
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        on_delete=models.PROTECT,
        related_name="businesses",
    )
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, default=Size.MICRO)
    activity = models.CharField(_("activity"), max_length=200)
    is_construction = models.BooleanField(
        _("construction or rehabilitation work"),
        default=False,
        help_text=_(
            "The business builds or repairs (masonry, paving, demolition…): every job in it is "
            "hazardous work, for workers of 18 or more. An activity that names such work counts too."
        ),
    )
    formed_on = models.DateField(_("formed on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CREATED)

    history = HistoricalRecords()

    class Meta(ReviewedRecord.Meta):
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]
        indexes = ReviewedRecord.review_indexes("business", "formed_on")
        constraints = [
            *ReviewedRecord.review_constraints("business"),
            models.UniqueConstraint(
                fields=["centre", "name"],
                name="business_name_unique_in_centre",
                violation_error_message=_("This centre already supports a business with this name."),
            ),
            models.CheckConstraint(
                condition=Q(size__in=["micro", "small", "medium"]), name="business_size_valid"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["planned", "created", "operating", "closed"]),
                name="business_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def progress_project_id(self) -> int:
        return self.centre.project_id

    def clean(self):
        errors = {}
        if self.centre_id:
            project = self.centre.project
            errors |= activity_date_errors("formed_on", self.formed_on, project.partnership.signed_on)
            if self.neighbourhood_id and not project.neighbourhoods.filter(pk=self.neighbourhood_id).exists():
                errors["neighbourhood"] = _("This neighbourhood is not one of the project's.")
        if self.pk and (self.is_construction or hazardous_words_in(self.activity)):
            errors |= self._young_worker_errors()
        if self.owner_id and (error := self.owner.consent_withdrawn_error()) and self._owner_is_new():
            errors["owner"] = error  # a new record about a person who withdrew consent (fora's rule)
        if errors:
            raise ValidationError(errors)

    def _owner_is_new(self) -> bool:
        return self._state.adding or not Business.objects.filter(pk=self.pk, owner_id=self.owner_id).exists()

    def _young_worker_errors(self) -> dict:
        """Construction work makes every job here hazardous: none may be a minor's (the trigger
        of migration 0010 refuses it too)."""
        for job in self.jobs.filter(is_rehab_work=False).select_related("worker"):
            born = job.worker.date_of_birth
            age = age_on(born, job.start_date) if born else None
            if age is not None and age < MIN_AGE_HAZARDOUS_WORK:
                field = "activity" if hazardous_words_in(self.activity) else "is_construction"
                message = _(
                    "Child labour is refused: %(worker)s works here (%(job)s) at %(age)s, and "
                    "construction work needs %(minimum)s years or more."
                )
                return {
                    field: message
                    % {
                        "worker": job.worker.code,
                        "job": job.role,
                        "age": age,
                        "minimum": MIN_AGE_HAZARDOUS_WORK,
                    }
                }
        return {}


class EscService(ReviewedRecord):
    """A service an ESC delivered: a training simulation or management / market-research advice."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "centre__neighbourhood"

    class Kind(models.TextChoices):
        TRAINING_SIMULATION = "training_simulation", _("Training simulation")
        MANAGEMENT_ADVICE = "management_advice", _("Management advice")
        MARKET_RESEARCH_ADVICE = "market_research_advice", _("Market-research advice")

    centre = models.ForeignKey(
        EnterpriseServiceCentre,
        verbose_name=_("enterprise service centre"),
        on_delete=models.PROTECT,
        related_name="services",
    )
    business = models.ForeignKey(
        Business,
        verbose_name=_("business served"),
        on_delete=models.PROTECT,
        related_name="services",
        null=True,
        blank=True,
        help_text=_("Empty for a training simulation open to prospective owners."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    delivered_on = models.DateField(_("delivered on"))
    participants = models.PositiveIntegerField(
        _("participants"), default=1, validators=[MinValueValidator(1)]
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta(ReviewedRecord.Meta):
        verbose_name = _("ESC service")
        verbose_name_plural = _("ESC services")
        ordering = ["-delivered_on"]
        indexes = ReviewedRecord.review_indexes("escservice", "delivered_on")
        constraints = [
            *ReviewedRecord.review_constraints("escservice"),
            models.CheckConstraint(
                condition=Q(participants__gte=1),
                name="escservice_participants_positive",
                violation_error_message=_("A service needs at least one participant."),
            ),
            models.CheckConstraint(
                condition=Q(
                    kind__in=[
                        "training_simulation",
                        "management_advice",
                        "market_research_advice",
                    ]
                ),
                name="escservice_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} — {self.delivered_on:%Y-%m-%d}"

    @property
    def progress_project_id(self) -> int:
        return self.centre.project_id

    def clean(self):
        errors = {}
        if self.centre_id:
            errors |= activity_date_errors(
                "delivered_on", self.delivered_on, self.centre.project.partnership.signed_on
            )
        if self.business_id and self.centre_id and self.business.centre_id != self.centre_id:
            errors["business"] = _("This business is supported by another centre.")
        if errors:
            raise ValidationError(errors)


class Job(ReviewedRecord):
    """A job held by a person in a business; rehabilitation work is hazardous work."""

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "business__neighbourhood"

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="jobs"
    )
    worker = models.ForeignKey(
        "beneficiaries.Beneficiary", verbose_name=_("worker"), on_delete=models.PROTECT, related_name="jobs"
    )
    role = models.CharField(_("role"), max_length=120)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_rehab_work = models.BooleanField(
        _("rehabilitation / construction work"),
        default=False,
        help_text=_("Construction work is hazardous: workers must be 18 or older."),
    )
    site = models.ForeignKey(
        "rehab.RehabSite",
        verbose_name=_("rehabilitation site"),
        on_delete=models.PROTECT,
        related_name="jobs",
        null=True,
        blank=True,
    )
    worker_age_at_start = models.PositiveSmallIntegerField(
        _("worker's age at start"),
        null=True,
        blank=True,
        editable=False,
        help_text=_(
            "Kept when the worker is anonymised (their date of birth removed), so that the job "
            "keeps counting in the same age band."
        ),
    )

    history = HistoricalRecords()

    class Meta(ReviewedRecord.Meta):
        verbose_name = _("job")
        verbose_name_plural = _("jobs")
        ordering = ["-start_date"]
        indexes = ReviewedRecord.review_indexes("job", "start_date")
        constraints = [
            *ReviewedRecord.review_constraints("job"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="job_end_date_after_start_date",
                violation_error_message=_("The end date must be on or after the start date."),
            ),
            models.CheckConstraint(
                condition=Q(site__isnull=True) | Q(is_rehab_work=True),
                name="job_site_means_is_rehab_work",
                violation_error_message=_("Work on a rehabilitation site is rehabilitation work."),
            ),
            models.CheckConstraint(
                condition=Q(worker_age_at_start__isnull=True) | Q(worker_age_at_start__gte=MIN_AGE_WORK),
                name="job_worker_age_at_start_working_age",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.role} — {self.business}"

    @property
    def progress_project_id(self) -> int:
        return self.business.centre.project_id

    def clean(self):
        errors = {}
        if self.business_id:
            errors |= activity_date_errors(
                "start_date",
                self.start_date,
                self.business.centre.project.partnership.signed_on,
            )
        if self.start_date and self.end_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date must be on or after the start date.")
        # Whether the work is hazardous does not rest on the box alone: the site, the business and
        # the role say it too, and then the box is ticked (the database trigger does the same).
        if self.hazard_reason():
            self.is_rehab_work = True
        if self.worker_id and self.start_date:
            errors |= self._worker_errors()
        if errors:
            raise ValidationError(errors)

    def hazard_reason(self) -> str:
        """Why this job is construction work whatever the box says, or "" when nothing says so."""
        if self.site_id:
            return _("The job is on a rehabilitation site.")
        if self.business_id and (self.business.is_construction or hazardous_words_in(self.business.activity)):
            return _("The business %(business)s does construction work.") % {"business": self.business.name}
        if hazardous_words_in(self.role):
            return _("The role %(role)s is construction work.") % {"role": self.role}
        return ""

    def _worker_errors(self) -> dict:
        worker = self.worker
        if worker.date_of_birth is None:
            return {"worker": _("This person's date of birth is unknown; their age cannot be checked.")}
        age = age_on(worker.date_of_birth, self.start_date)
        minimum = MIN_AGE_HAZARDOUS_WORK if self.is_rehab_work else MIN_AGE_WORK
        if age < minimum:
            if self.is_rehab_work:
                message = _(
                    "Child labour is refused: this worker is %(age)s on the start date, and "
                    "rehabilitation / construction work needs %(minimum)s years or more "
                    "(ILO Conventions 138 and 182)."
                )
                if reason := self.hazard_reason():
                    message = f"{message} {reason}"
            else:
                message = _(
                    "Child labour is refused: this worker is %(age)s on the start date, and "
                    "work needs %(minimum)s years or more (ILO Convention 138)."
                )
            return {"worker": message % {"age": age, "minimum": minimum}}
        overlapping = Job.objects.filter(worker_id=self.worker_id).exclude(pk=self.pk)
        overlapping = overlapping.filter(Q(end_date__isnull=True) | Q(end_date__gte=self.start_date))
        if self.end_date:
            overlapping = overlapping.filter(start_date__lte=self.end_date)
        clash = overlapping.select_related("business").first()
        if clash:
            return {
                "start_date": _(
                    "This person already holds a job at %(business)s from %(start)s over these dates."
                )
                % {"business": clash.business, "start": clash.start_date}
            }
        return {}
