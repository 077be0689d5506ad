"""A manager's review decision on a field record, through the review workflow's service."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from programs.models import ReviewState
from programs.models.review import COMMENT_MAX_LENGTH
from programs.review import review_set_state


class ReviewSerializer(serializers.Serializer):
    """A manager's decision on a submitted record."""

    to_state = serializers.ChoiceField(
        choices=[ReviewState.VERIFIED, ReviewState.RETURNED, ReviewState.DRAFT, ReviewState.SUBMITTED],
        help_text=_("verified, or returned with a comment saying why."),
    )
    comment = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=COMMENT_MAX_LENGTH
    )

    def save(self, *, record, by):
        return review_set_state(
            record=record,
            to_state=self.validated_data["to_state"],
            by=by,
            comment=self.validated_data["comment"],
        )
