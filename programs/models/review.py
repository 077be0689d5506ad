"""The review every field record goes through, its history and its one-time form tokens."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.core.validators import MaxLengthValidator, ProhibitNullCharactersValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..constraints import CheckedInPython

#: The longest review comment (a reason to return a record, read on a phone).
COMMENT_MAX_LENGTH = 2000


class ReviewState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    VERIFIED = "verified", _("Verified")
    RETURNED = "returned", _("Returned")


class ReviewedRecord(CheckedInPython):
    """A field record that goes through review; only verified records count towards progress.

    Its simple CHECK constraints are validated without a query (`programs.constraints`): a field
    form's save validates them twice, on the field's busiest request."""

    review_state = models.CharField(
        _("review state"),
        max_length=10,
        choices=ReviewState.choices,
        default=ReviewState.DRAFT,
        db_index=True,
    )
    review_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("review state changed by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    review_changed_at = models.DateTimeField(_("review state changed at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True
        permissions = [("review", _("Can verify or return field records"))]

    @property
    def progress_project_id(self) -> int:
        """The project whose progress this record counts towards."""
        raise NotImplementedError

    @classmethod
    def review_indexes(cls, prefix: str, date_field: str) -> list[models.Index]:
        """Indexes every reviewed record carries: its field list's order (newest `date_field`
        first) and the review queue (submitted, oldest first)."""
        return [
            models.Index(fields=[f"-{date_field}", "-id"], name=f"{prefix}_list_order"),
            models.Index(
                fields=["review_changed_at"],
                condition=Q(review_state="submitted"),
                name=f"{prefix}_review_queue",
            ),
        ]

    @classmethod
    def review_constraints(cls, prefix: str) -> list[models.BaseConstraint]:
        """Constraints every reviewed record carries, named after its table."""
        return [
            models.CheckConstraint(
                condition=Q(review_state__in=ReviewState.values),
                name=f"{prefix}_review_state_valid",
            ),
            models.CheckConstraint(
                condition=Q(review_state=ReviewState.DRAFT) | Q(review_changed_at__isnull=False),
                name=f"{prefix}_review_change_dated",
                violation_error_message=_("A review state other than draft needs its date."),
            ),
        ]


class ReviewEvent(models.Model):
    """One change of a field record's review state: who, when, why."""

    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    #: A hash of what was sent (`programs.idempotency`): the same key with other content is refused.
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, blank=True)
    from_state = models.CharField(_("from"), max_length=10, choices=ReviewState.choices, blank=True)
    to_state = models.CharField(_("to"), max_length=10, choices=ReviewState.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    #: As the API's field: a readable text of at most 2,000 characters, which PostgreSQL can store.
    comment = models.TextField(
        _("comment"),
        blank=True,
        validators=[MaxLengthValidator(COMMENT_MAX_LENGTH), ProhibitNullCharactersValidator()],
    )

    class Meta:
        verbose_name = _("review event")
        verbose_name_plural = _("review events")
        ordering = ["content_type", "object_id", "at"]
        indexes = [models.Index(fields=["content_type", "object_id"], name="review_event_record")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(to_state="returned") | ~Q(comment=""),
                name="review_event_return_has_comment",
                violation_error_message=_("Say why the record is returned."),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_state or '—'} → {self.to_state} ({self.by}, {self.at:%Y-%m-%d %H:%M})"


class FormSubmission(models.Model):
    """A form's one-time token (an entry's idempotency key), kept with the record it saved, so a
    double submit, a retry or an outbox's resend saves once."""

    token = models.UUIDField(_("token"), unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    record = GenericForeignKey("content_type", "object_id")
    #: A hash of what was sent (`programs.idempotency`): the same key with other content is refused.
    fingerprint = models.CharField(_("content fingerprint"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")

    def __str__(self) -> str:
        return str(self.token)
