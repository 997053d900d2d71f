import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qsg.settings.production")

application = get_wsgi_application()

# Import the broker transport now rather than in the first request that queues a job, which
# otherwise paid for it (2-3 s measured by tests/faults/redis_outage.py). No connection is made.
from qsg.celery import app as celery_app  # noqa: E402

celery_app.connection_for_write().release()
