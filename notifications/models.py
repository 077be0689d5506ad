"""What a person hears about: notifications in the app, their preferences, each mail sent once."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Preference(models.Model):
    """One per user, made on first change; without one the defaults apply."""

    class Digest(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")
        OFF = "off", _("Off")

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notification_preference",
    )
    review_digest = models.CharField(
        _("review digest"),
        max_length=10,
        choices=Digest.choices,
        default=Digest.DAILY,
        help_text=_("For ILO managers: how many records wait for review, per neighbourhood."),
    )
    returned_digest = models.BooleanField(
        _("returned records by e-mail"),
        default=True,
        help_text=_("A daily e-mail listing your records returned to you, with the reviewer's comment."),
    )
    drafts_reminder = models.BooleanField(
        _("reminder of old drafts"),
        default=True,
        help_text=_("A weekly e-mail when drafts of yours are older than 7 days."),
    )
    reporting_reminders = models.BooleanField(
        _("reporting reminders"),
        default=True,
        help_text=_("For ILO managers: a reporting period ends soon, or a period report waits for you."),
    )

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(review_digest__in=["daily", "weekly", "off"]), name="preference_digest_known"
            )
        ]

    def __str__(self) -> str:
        return str(self.user)


class Delivery(models.Model):
    """One digest or reminder to one person for one day, week or subject. The row is the claim:
    made before sending under a UNIQUE constraint, marked sent only after the mail server took
    the mail. A second run, a second beat or a retry finds the row and sends nothing more; a
    pending row (the mail server was down) is sent by the next run."""

    class Kind(models.TextChoices):
        REVIEW_DIGEST = "review_digest", _("Review digest")
        RETURNED_DIGEST = "returned_digest", _("Returned records")
        DRAFTS_REMINDER = "drafts_reminder", _("Reminder of old drafts")
        REPORTING_REMINDER = "reporting_reminder", _("Reporting period ending")
        REPORT_APPROVAL = "report_approval", _("Report waiting for approval")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        EMPTY = "empty", _("Nothing left to say")
        SUPERSEDED = "superseded", _("Superseded by a later one")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("user"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    #: The day ("2014-10-07"), the ISO week ("2014-W41") or the subject ("period-3") it is for.
    key = models.CharField(_("for"), max_length=40)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.PENDING)
    claimed_at = models.DateTimeField(_("claimed at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind", "key"], name="delivery_once"),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False)
                | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="delivery_sent_dated",
            ),
        ]
        indexes = [
            models.Index(fields=["claimed_at"], condition=Q(status="pending"), name="delivery_pending")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.key} → {self.user}"


class Notification(models.Model):
    """Something for one person to see in the app: it links to what it is about."""

    class Kind(models.TextChoices):
        RETURNED = "returned", _("Record returned")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    content_type = models.ForeignKey(
        "contenttypes.ContentType", verbose_name=_("record type"), on_delete=models.CASCADE
    )
    object_id = models.PositiveBigIntegerField(_("record id"))
    #: The review event it tells of: one notification per event and person.
    event = models.ForeignKey(
        "programs.ReviewEvent", verbose_name=_("review event"), on_delete=models.CASCADE, related_name="+"
    )
    comment = models.TextField(_("comment"), blank=True)
    url = models.CharField(_("link"), max_length=200)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    #: The e-mail digest that told of it (none yet: the next digest will).
    emailed_in = models.ForeignKey(
        Delivery,
        verbose_name=_("e-mailed in"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="notifications",
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notification_once_per_event")]
        indexes = [
            models.Index(
                fields=["user", "-created_at"], condition=Q(read_at__isnull=True), name="notification_unread"
            ),
            models.Index(
                fields=["user"], condition=Q(emailed_in__isnull=True), name="notification_not_emailed"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.object_id} → {self.user}"

    @property
    def record_label(self) -> str:
        """The record's kind and number: no name, no personal data."""
        content_type = ContentType.objects.get_for_id(self.content_type_id)  # cached: no query per row
        model = content_type.model_class()
        kind = model._meta.verbose_name if model else content_type.model
        return f"{kind} #{self.object_id}"
