"""Signals the programme's services send for decoupled side effects."""

from django.dispatch import Signal

#: Sent (sender: the model) by a service that wrote rows in bulk, which sends no post_save:
#: pages cached from those rows (the dashboard's boards) listen to it.
records_changed = Signal()
