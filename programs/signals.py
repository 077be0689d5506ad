"""Signals the programme's services send for decoupled side effects."""

from django.dispatch import Signal

#: Sent (sender: the model) by a service that wrote rows in bulk, which sends no post_save:
#: pages cached from those rows (the dashboard's boards) listen to it.
records_changed = Signal()

#: Sent (sender: the model; `project_ids`: the projects concerned) inside the transaction of a
#: write that changes what counts towards progress. The progress engine (floor 4) receives it
#: and marks the projects stale, so no lower floor imports it.
progress_changed = Signal()

#: Sent (sender: the model; `record`, `event`: the ReviewEvent) inside the transaction of
#: `review.review_set_state` when a record is returned to its author. Notifications (floor 5)
#: receive it: the author learns at once in the app, and by e-mail in their daily digest.
record_returned = Signal()
