"""The Celery application. With no broker configured, tasks run eagerly (see settings)."""

import os

from celery import Celery
from django_structlog.celery.steps import DjangoStructLogInitStep

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "roadmap_site.settings")

app = Celery("roadmap_site")
app.config_from_object("django.conf:settings", namespace="CELERY")
# The request id (and user id) of the request that queued a task go with it into the
# worker's log lines.
app.steps["worker"].add(DjangoStructLogInitStep)
app.autodiscover_tasks()
