"""The partnership, its projects, where they work and what they aim for; the review workflow's
records; the access audit. One module per concern, all importable from `programs.models`."""

from .audit import AccessAudit
from .organisations import FocusArea, Organisation, Partnership, Signatory
from .places import Located, Neighbourhood, NeighbourhoodAssignment
from .projects import Project, Target, TargetSplit
from .review import FormSubmission, ReviewedRecord, ReviewEvent, ReviewState

__all__ = [
    "AccessAudit",
    "FocusArea",
    "FormSubmission",
    "Located",
    "Neighbourhood",
    "NeighbourhoodAssignment",
    "Organisation",
    "Partnership",
    "Project",
    "ReviewEvent",
    "ReviewState",
    "ReviewedRecord",
    "Signatory",
    "Target",
    "TargetSplit",
]
