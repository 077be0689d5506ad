"""Admin of the beneficiary register."""

from .beneficiary import BeneficiaryAdmin, extend_beneficiary_admin

__all__ = ["BeneficiaryAdmin", "extend_beneficiary_admin"]
