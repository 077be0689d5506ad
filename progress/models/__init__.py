"""The engine's models: progress snapshots, and the reporting cycle (periods, milestones,
narratives, the approved figures and the history of each period's review)."""

from .periods import Milestone, PeriodEvent, PeriodFigure, PeriodNarrative, PeriodState, ReportingPeriod
from .snapshots import ProgressSnapshot

__all__ = [
    "Milestone",
    "PeriodEvent",
    "PeriodFigure",
    "PeriodNarrative",
    "PeriodState",
    "ProgressSnapshot",
    "ReportingPeriod",
]
