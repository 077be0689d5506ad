"""A person who withdrew their consent (their personal data removed) cannot be newly selected at
a forum session: the rule of `BeneficiarySelection.clean()`, in PostgreSQL."""

from django.db import migrations

from programs.db_rules import consent_needed


class Migration(migrations.Migration):
    dependencies = [
        ("fora", "0005_beneficiary_moved"),
        ("beneficiaries", "0004_born_after_1900"),
    ]

    operations = [
        consent_needed(
            "fora_beneficiaryselection", "beneficiary", function="fora_beneficiaryselection_consent"
        )
    ]
