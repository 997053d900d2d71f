"""The canary seed, built once for the crawl's modules (pages, posts, query strings, e-mails)."""

from __future__ import annotations

import pytest
from django.db import transaction

from . import urls as crawl_urls
from .seed import build_seed


@pytest.fixture(scope="package")
def seed(django_db_setup, django_db_blocker):
    """One seeded database for the crawl, rolled back at the end."""
    from tests import reference

    with django_db_blocker.unblock(), transaction.atomic():
        reference.ensure()
        crawl_urls.REFERENCE.clear()
        crawl_urls.REFERENCE.update(crawl_urls.reference_rows())
        yield build_seed()
        transaction.set_rollback(True)
