"""The navbar's notifications menu on every page: computed only when a page shows it."""

from django.utils.functional import SimpleLazyObject

from .selectors import unread_menu


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notification_menu": SimpleLazyObject(lambda: unread_menu(user))}
