"""What personal data is hidden from those who may not see it, and how it shows instead."""

#: Shown instead of a personal value to users without the personal-data permission.
MASK = "•••"
#: The personal fields of a person that are masked on pages, in histories and exports.
PERSONAL_FIELDS = ("phone", "date_of_birth")
