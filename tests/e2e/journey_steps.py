"""Steps the role journeys share: typing a date as people do, leaving, reading a downloaded
PDF back as text, and the 2022 demo to walk on."""

from __future__ import annotations

import datetime as dt
import re
import subprocess

from django.utils import timezone
from playwright.sync_api import expect


def fill_date(page, name: str, date: dt.date) -> None:
    """The NHS date input (day, month, year boxes) of the field called `name`."""
    page.locator(f'input[name="{name}[day]"]').fill(str(date.day))
    page.locator(f'input[name="{name}[month]"]').fill(str(date.month))
    page.locator(f'input[name="{name}[year]"]').fill(str(date.year))


def meeting_clock(span: dt.timedelta) -> dt.datetime:
    """The current minute, or the last minute of yesterday when `span` before now would cross
    midnight: a meeting's record takes its end as a time on the meeting's day, so a journey that
    books meetings within `span` before now keeps them all on one day at any hour it runs."""
    now = timezone.localtime().replace(second=0, microsecond=0)
    midnight = now.replace(hour=0, minute=0)
    return midnight - dt.timedelta(minutes=1) if now - span < midnight else now


def expect_error_page(page) -> None:
    """The page came back with its errors: the NHS error title ("Error: ..."), waited for, as a
    submit's answer may still be loading when the click returns."""
    expect(page).to_have_title(re.compile(r"^Error: "))


def sign_out(page) -> None:
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/account/**")


def pdf_text(content: bytes) -> str:
    """The words of a PDF as poppler's pdftotext reads them, whitespace collapsed."""
    assert content[:5] == b"%PDF-", content[:40]
    out = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True)
    return " ".join(out.stdout.decode().split())


def download_text(page, trigger) -> str:
    """Click `trigger` (a locator), save the download and return the PDF's text."""
    with page.expect_download() as info:
        trigger.click()
    with open(info.value.path(), "rb") as fh:
        return pdf_text(fh.read())


def seed_2022_demo(settings) -> None:
    """The 2022 profile and its demo network (`QSG_PROFILE=2022 make demo`), every account's
    password the cast's. Call `qsg.vocabulary.forget()` when done."""
    from qsg import demo, dimensions, vocabulary
    from tests import reference
    from tests.cast import PASSWORD

    settings.QSG_PROFILE = "2022"
    vocabulary.forget()
    dimensions.forget()
    reference.ensure()
    demo.seed(password=PASSWORD)
