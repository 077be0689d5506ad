"""haiti_esc: runs a development-cooperation programme from the field to the donor report."""

from .celery import app as celery_app

__all__ = ("celery_app",)
