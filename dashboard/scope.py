"""Who may open the dashboard, and the part of the programme each user sees there.

Everything for ILO managers and administrators; field staff their neighbourhoods only
(through `programs.access`).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from programs.access import may_use_programme, sees_everything, visible
from programs.models import Neighbourhood, Project


def may_open_dashboard(user) -> bool:
    """Every role of the programme (`programs.use_programme`); each sees its scope."""
    return may_use_programme(user)


@dataclass(frozen=True)
class Scope:
    """The part of the programme a user sees: everything, or some neighbourhoods."""

    everything: bool
    neighbourhoods: tuple[Neighbourhood, ...]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(hood.name for hood in self.neighbourhoods)

    @property
    def label(self) -> str:
        return ", ".join(sorted(self.names))


def dashboard_scope(user) -> Scope:
    """Field staff's neighbourhoods; nothing to load for those who see everything (a programme
    may have thousands of neighbourhoods: a page loads those its figures name)."""
    if sees_everything(user):
        return Scope(everything=True, neighbourhoods=())
    hoods = tuple(visible(Neighbourhood.objects.order_by("name"), user))
    return Scope(everything=False, neighbourhoods=hoods)


def visible_projects(user, scope: Scope) -> QuerySet[Project]:
    projects = Project.objects.all()
    if not scope.everything:
        projects = projects.filter(neighbourhoods__in=[h.pk for h in scope.neighbourhoods]).distinct()
    return projects.order_by("start_date", "title")


def project_for(user, pk: int) -> Project:
    """A project the user may see, or Project.DoesNotExist."""
    return visible_projects(user, dashboard_scope(user)).get(pk=pk)
