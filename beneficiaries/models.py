"""The register of people the project serves: who they are, their consent, look-alike keys."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import F, Q, Value
from django.db.models.functions import Concat, Lower, Replace, Right, Trim
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from programs.models import Neighbourhood
from programs.rules import MIN_AGE_HAZARDOUS_WORK, MIN_AGE_WORK, age_on


class Sex(models.TextChoices):
    FEMALE = "F", _("Female")
    MALE = "M", _("Male")


phone_validator = RegexValidator(
    r"^\+?[0-9 ]{8,20}$",
    _("Enter a phone number of 8 to 20 digits, optionally starting with +, e.g. +509 3712 3456."),
)


#: What no text of a person may hold: the control characters (C0, NUL, tab and line feed
#: included, DEL and C1) and Unicode's line and paragraph separators. A code, a name or a phone
#: is one line of visible text; a tab or a NUL pasted from another program is invisible in the
#: admin and breaks the files it is exported to (PostgreSQL cannot even store a NUL). Written so
#: that Python and PostgreSQL read the expression alike (SQLite runs Django's REGEXP, Python's).
CONTROL_CHARACTERS = r"[\x00-\x1f\x7f-\x9f\u2028\u2029]"
_CONTROL = re.compile(CONTROL_CHARACTERS)
#: The text columns held to one line of visible text (a CHECK constraint each).
ONE_LINE_FIELDS = ("code", "first_name", "last_name", "phone")
#: No one living was born before: an earlier date of birth is a slip of the year (0001-01-01).
EARLIEST_BIRTH = datetime.date(1900, 1, 1)
BORN_TOO_EARLY = _("A date of birth before 1900 cannot be right: check the year.")


@deconstructible
class OneLineValidator:
    """Refuse text holding a control character, naming the first one found (it is invisible)."""

    message = _(
        "Remove the control character %(character)s (a tab, a line break, NUL or another invisible "
        "character): write this on one line."
    )
    code = "control_character"

    def __call__(self, value) -> None:
        found = _CONTROL.search(str(value))
        if found:
            raise ValidationError(
                self.message, code=self.code, params={"character": f"U+{ord(found.group()):04X}"}
            )

    def __eq__(self, other) -> bool:
        return isinstance(other, OneLineValidator)


one_line_validator = OneLineValidator()


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

    #: How the record reaches its neighbourhood (`programs.access.neighbourhood_path`).
    neighbourhood_path = "neighbourhood"

    code = models.CharField(
        _("code"),
        max_length=30,
        unique=True,
        validators=[
            one_line_validator,
            RegexValidator(r"^[A-Z0-9-]+$", _("Use capital letters, digits and dashes.")),
        ],
        error_messages={"unique": _("A beneficiary with this code already exists.")},
    )
    first_name = models.CharField(_("first name"), max_length=100, validators=[one_line_validator])
    last_name = models.CharField(_("last name"), max_length=100, validators=[one_line_validator])
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
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[one_line_validator, phone_validator]
    )
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
        db_table="enterprises_beneficiary_distinct_from",
        help_text=_("People who look alike (same name and birth date, or same phone) but are not the same."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    # The tables kept their names when the register moved out of `enterprises`: no row moved.
    history = HistoricalRecords(table_name="enterprises_historicalbeneficiary")

    class Meta:
        db_table = "enterprises_beneficiary"
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
                condition=Q(date_of_birth__isnull=True) | Q(date_of_birth__gte=EARLIEST_BIRTH),
                name="beneficiary_born_after_1900",
                violation_error_message=BORN_TOO_EARLY,
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
            # One line of visible text (`OneLineValidator`). "Not in the future" cannot be a
            # CHECK (it would read the clock): a trigger refuses it (migration 0003).
            *[
                models.CheckConstraint(
                    condition=~Q(**{f"{field}__regex": CONTROL_CHARACTERS}),
                    name=f"beneficiary_{field}_one_line",
                    violation_error_message=_(
                        "Control characters (a tab, a line break, NUL…) cannot be recorded."
                    ),
                )
                for field in ONE_LINE_FIELDS
            ],
        ]
        indexes = [
            # The look-alike keys (beneficiaries.selectors.with_duplicate_flag), so that flagging
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
        # Nothing of an anonymised person changes again: an impossible date recorded before the
        # rule never stops their anonymisation (the database trigger checks changed dates only).
        today = None if self.anonymised_at else timezone.localdate()
        if self.date_of_birth is None and self.anonymised_at is None:
            errors["date_of_birth"] = _("The date of birth is required.")
        elif today and self.date_of_birth and self.date_of_birth > today:
            errors["date_of_birth"] = _("The date of birth cannot be in the future.")
        elif today and self.date_of_birth and self.date_of_birth < EARLIEST_BIRTH:
            errors["date_of_birth"] = BORN_TOO_EARLY
        if self.consent_given and self.consent_date is None:
            errors["consent_date"] = _("Give the date on which consent was recorded.")
        elif today and self.consent_date and self.consent_date > today:
            errors["consent_date"] = _("The consent date cannot be in the future.")
        elif (
            "date_of_birth" not in errors  # a birth date in the future has its own message
            and self.date_of_birth
            and self.consent_date
            and self.consent_date <= self.date_of_birth
        ):
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

    def consent_withdrawn_error(self) -> str:
        """Why nothing new may be recorded about this person (consent withdrawn, data removed): a
        new selection or business refuses it; "" when consent stands. Records made before stay."""
        if self.consent_withdrawn_on or self.anonymised_at:
            return _("%(code)s withdrew their consent: nothing new can be recorded about them.") % {
                "code": self.code
            }
        return ""

    def age_on(self, day) -> int | None:
        return age_on(self.date_of_birth, day) if self.date_of_birth else None
