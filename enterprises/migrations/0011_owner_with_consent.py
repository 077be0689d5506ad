"""A new business cannot be recorded with an owner who withdrew their consent (their personal
data removed): the rule of `Business.clean()`, in PostgreSQL (an owner changed later is checked
by `clean()`; a merge of duplicates still moves businesses as it must)."""

from django.db import migrations

from programs.db_rules import consent_needed


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0010_business_turns_construction"),
        ("beneficiaries", "0004_born_after_1900"),
    ]

    operations = [
        consent_needed("enterprises_business", "owner", function="enterprises_business_owner_consent")
    ]
