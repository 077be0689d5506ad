"""What the API shows and accepts. Field records are written by each kind's service (the ones the
forms and the admin call), so validation (`full_clean()`), review history, neighbourhood scoping
and progress marking are the same at every door.
"""

from .auth import TokenRequestSerializer
from .field_records import (
    BeneficiaryCodeField,
    BusinessSerializer,
    EscServiceSerializer,
    FieldRecordSerializer,
    ForumSessionSerializer,
    JobSerializer,
    ScopedRelatedField,
    StructurePrioritySerializer,
    WorkRecordSerializer,
)
from .programme import (
    BeneficiarySerializer,
    CentreSerializer,
    CommunityForumSerializer,
    NeighbourhoodSerializer,
    OrganisationSerializer,
    PartnershipSerializer,
    ProjectSerializer,
    RehabSiteSerializer,
    SnapshotSerializer,
    TargetSerializer,
)
from .review import ReviewSerializer

__all__ = [
    "TokenRequestSerializer",
    "BeneficiaryCodeField",
    "BeneficiarySerializer",
    "BusinessSerializer",
    "CentreSerializer",
    "CommunityForumSerializer",
    "EscServiceSerializer",
    "FieldRecordSerializer",
    "ForumSessionSerializer",
    "JobSerializer",
    "NeighbourhoodSerializer",
    "OrganisationSerializer",
    "PartnershipSerializer",
    "ProjectSerializer",
    "RehabSiteSerializer",
    "ReviewSerializer",
    "ScopedRelatedField",
    "SnapshotSerializer",
    "StructurePrioritySerializer",
    "TargetSerializer",
    "WorkRecordSerializer",
]
