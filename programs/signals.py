"""Signals the programme's services send for decoupled side effects."""

from django.dispatch import Signal

#: Sent (sender: the model) by a service that wrote rows in bulk, which sends no post_save:
#: pages cached from those rows (the dashboard's boards) listen to it.
records_changed = Signal()

#: Sent (sender: the model; `project_ids`: the projects concerned) inside the transaction of a
#: write that changes what counts towards progress. The progress engine (floor 4) receives it
#: and marks the projects stale, so no lower floor imports it.
progress_changed = Signal()
