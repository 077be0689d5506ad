"""Enterprise Service Centres, the people they serve, the businesses they support and the jobs created."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower, Replace, Right, Trim
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs.models import Neighbourhood, Organisation, Project, ReviewedRecord
from programs.rules import (
    MIN_AGE_HAZARDOUS_WORK,
    MIN_AGE_WORK,
    activity_date_errors,
    age_on,
)


class EnterpriseServiceCentre(models.Model):
    """A centre that prepares business owners for the market (training, advice)."""

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


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


phone_validator = RegexValidator(
    r"^\+?[0-9 ]{8,20}$",
    _("Enter a phone number of 8 to 20 digits, optionally starting with +, e.g. +509 3712 3456."),
)


#: The phone key compares the last 8 digits: "+509 3712 3456", "50937123456" and "3712 3456"
#: are the same Haitian number.
PHONE_KEY_DIGITS = 8


def name_key_expression():
    """The key two spellings of one name share, in SQL: trimmed, lower case."""
    return Lower(Concat(Trim("first_name"), Value(" "), Trim("last_name")))


def phone_key_expression():
    """The last digits of a phone number, in SQL."""
    return Right(Replace(Replace("phone", Value(" "), Value("")), Value("+"), Value("")), PHONE_KEY_DIGITS)


class Beneficiary(models.Model):
    """A person the project serves: an unemployed young person selected at a forum, an owner."""

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9-]+$", _("Use capital letters, digits and dashes."))],
        error_messages={"unique": _("A beneficiary with this code already exists.")},
    )
    first_name = models.CharField(_("first name"), max_length=100)
    last_name = models.CharField(_("last name"), max_length=100)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(
        _("date of birth"),
        null=True,
        help_text=_("Needed to check the minimum working age; removed only by anonymisation."),
    )
    neighbourhood = models.ForeignKey(
        Neighbourhood,
        verbose_name=_("neighbourhood"),
        on_delete=models.PROTECT,
        related_name="beneficiaries",
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True, validators=[phone_validator])
    consent_given = models.BooleanField(
        _("consent given"),
        default=False,
        help_text=_("The person agreed that their data be recorded for the project."),
    )
    consent_date = models.DateField(_("consent date"), null=True, blank=True)
    consent_withdrawn_on = models.DateField(
        _("consent withdrawn on"),
        null=True,
        blank=True,
        editable=False,
        help_text=_("The person withdrew their consent; their personal data was then removed."),
    )
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    distinct_from = models.ManyToManyField(
        "self",
        verbose_name=_("confirmed different from"),
        symmetrical=True,
        blank=True,
        help_text=_("People who look alike (same name and birth date, or same phone) but are not the same."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("beneficiary")
        verbose_name_plural = _("beneficiaries")
        ordering = ["code"]
        permissions = [("view_personal_data", _("Can view personal data (phone, date of birth)"))]
        constraints = [
            models.CheckConstraint(condition=Q(sex__in=["F", "M"]), name="beneficiary_sex_valid"),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=False) | Q(anonymised_at__isnull=False),
                name="beneficiary_date_of_birth_required",
                violation_error_message=_("The date of birth is required."),
            ),
            models.CheckConstraint(
                condition=Q(consent_given=False) | Q(consent_date__isnull=False),
                name="beneficiary_consent_date_required",
                violation_error_message=_("Give the date on which consent was recorded."),
            ),
            models.CheckConstraint(
                condition=Q(date_of_birth__isnull=True)
                | Q(consent_date__isnull=True)
                | Q(consent_date__gt=F("date_of_birth")),
                name="beneficiary_consent_after_birth",
            ),
            models.CheckConstraint(
                condition=Q(consent_withdrawn_on__isnull=True) | Q(consent_given=False),
                name="beneficiary_consent_withdrawn_not_given",
                violation_error_message=_("Consent that was withdrawn is no longer given."),
            ),
        ]
        indexes = [
            # The look-alike keys (enterprises.selectors.with_duplicate_flag), so that flagging
            # a page of people is a few index probes each, not a scan of every person per row.
            models.Index(
                name_key_expression(),
                "date_of_birth",
                name="beneficiary_name_key",
                condition=Q(anonymised_at__isnull=True),
            ),
            models.Index(
                phone_key_expression(), name="beneficiary_phone_key", condition=Q(anonymised_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.first_name} {self.last_name}".strip()

    def clean(self):
        errors = {}
        if self.date_of_birth is None and self.anonymised_at is None:
            errors["date_of_birth"] = _("The date of birth is required.")
        if self.consent_given and self.consent_date is None:
            errors["consent_date"] = _("Give the date on which consent was recorded.")
        if self.date_of_birth and self.consent_date and self.consent_date <= self.date_of_birth:
            errors["consent_date"] = _("Consent cannot be recorded before the person was born.")
        if self.consent_withdrawn_on and self.consent_given:
            errors["consent_given"] = _("Consent that was withdrawn is no longer given.")
        if self.pk and self.date_of_birth:
            errors |= self._birth_date_errors()
        if errors:
            raise ValidationError(errors)

    def _birth_date_errors(self) -> dict:
        """A corrected birth date must not turn one of the person's jobs into child labour."""
        for job in self.jobs.all():
            minimum = MIN_AGE_HAZARDOUS_WORK if job.is_rehab_work else MIN_AGE_WORK
            if age_on(self.date_of_birth, job.start_date) < minimum:
                return {
                    "date_of_birth": _(
                        "With this date of birth, the job %(job)s would be child labour "
                        "(%(minimum)s years or more are needed)."
                    )
                    % {"job": job, "minimum": minimum}
                }
        return {}

    def age_on(self, day) -> int | None:
        return age_on(self.date_of_birth, day) if self.date_of_birth else None


class Business(ReviewedRecord):
    """A micro, small or medium business created with the support of an ESC."""

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
        Beneficiary,
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
    formed_on = models.DateField(_("formed on"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CREATED)

    history = HistoricalRecords()

    class Meta(ReviewedRecord.Meta):
        verbose_name = _("business")
        verbose_name_plural = _("businesses")
        ordering = ["name"]
        # The field lists' order, and the review queue (submitted, oldest first).
        indexes = [
            models.Index(fields=["-formed_on", "-id"], name="business_list_order"),
            models.Index(
                fields=["review_changed_at"],
                condition=Q(review_state="submitted"),
                name="business_review_queue",
            ),
        ]
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
        if errors:
            raise ValidationError(errors)


class EscService(ReviewedRecord):
    """A service an ESC delivered: a training simulation or management / market-research advice."""

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
        # The field lists' order, and the review queue (submitted, oldest first).
        indexes = [
            models.Index(fields=["-delivered_on", "-id"], name="escservice_list_order"),
            models.Index(
                fields=["review_changed_at"],
                condition=Q(review_state="submitted"),
                name="escservice_review_queue",
            ),
        ]
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

    business = models.ForeignKey(
        Business, verbose_name=_("business"), on_delete=models.PROTECT, related_name="jobs"
    )
    worker = models.ForeignKey(
        Beneficiary, verbose_name=_("worker"), on_delete=models.PROTECT, related_name="jobs"
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
        # The field lists' order, and the review queue (submitted, oldest first).
        indexes = [
            models.Index(fields=["-start_date", "-id"], name="job_list_order"),
            models.Index(
                fields=["review_changed_at"],
                condition=Q(review_state="submitted"),
                name="job_review_queue",
            ),
        ]
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
        if self.site_id and not self.is_rehab_work:
            errors["is_rehab_work"] = _("Work on a rehabilitation site is rehabilitation work.")
        if self.worker_id and self.start_date:
            errors |= self._worker_errors()
        if errors:
            raise ValidationError(errors)

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
