"""HTML and CSS to PDF bytes with WeasyPrint, for meeting notes, packs and risk summits.

Rendering takes seconds: call it from a Celery task, never in a request. Stylesheets, images
and fonts are read from the static files on disk (the project's finders), never over HTTP,
and nothing outside them is fetched. The output is a tagged PDF (PDF/UA-1) so that screen
readers can follow it; the HTML must set `lang` and a `<title>`.

Fonts: Liberation Sans (metric-compatible with Arial, Debian's fonts-liberation2) is the body
font; give SVG text an explicit `font-family` too.
"""

from __future__ import annotations

import base64
import gc
import html
import mimetypes
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.template.loader import render_to_string
from markupsafe import Markup

BASE_URL = "https://pdf.qsg-workspace.invalid/"
PDF_VARIANT = "pdf/ua-1"
FONT_STACK = '"Liberation Sans", Arial, sans-serif'


def static_path(url: str) -> Path | None:
    """The file on disk behind a static URL (or path under STATIC_URL), if any."""
    path = url.removeprefix(BASE_URL.rstrip("/"))
    prefix = settings.STATIC_URL
    if not path.startswith(prefix):
        return None
    relative = path[len(prefix) :].split("?")[0].split("#")[0]
    if ".." in Path(relative).parts:
        return None
    found = finders.find(relative)
    if not found and settings.STATIC_ROOT:
        candidate = Path(settings.STATIC_ROOT) / relative
        found = str(candidate) if candidate.is_file() else None
    return Path(found) if found else None


_SVG_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.S)


def svg_image(svg: str) -> Markup:
    """An SVG chart as one `<img>` (a data: URL) for a PDF, its `<title>` as the alternative text.

    Drawn exactly as the same SVG inline, and tagged the same way (a Figure whose Alt is the
    title), but a fifth cheaper to lay out: inline, each of a chart's elements goes through the
    HTML parser (pure Python) and the document's cascade; as an image the SVG is read by
    ElementTree and styled on its own (docs/benchmarks-packs.md, 7 December 2026).
    """
    found = _SVG_TITLE.search(svg)
    alt = html.unescape(found.group(1)) if found else ""
    data = base64.b64encode(svg.encode()).decode("ascii")
    return Markup('<img src="data:image/svg+xml;base64,{}" alt="{}">').format(data, alt)


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticFileFetcher(URLFetcher):
        """Serves static files from disk and data: URLs; refuses everything else."""

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            path = static_path(url)
            if path is None:
                raise ValueError(f"PDF rendering reads static files only, not {url}")
            mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    return StaticFileFetcher


@dataclass(frozen=True)
class RenderedPDF:
    content: bytes
    pages: int
    anchors: dict[str, int] | None = None  # element id -> page number (1-based) it starts on


@contextmanager
def objects_frozen() -> Iterator[None]:
    """Keep the garbage collector's full passes off the objects that existed before.

    WeasyPrint makes hundreds of thousands of objects for a document, enough to set off full
    collections, and each of those also walks everything the process already held (Django,
    Celery, the ORM): a fifth to a third of a meeting note's CPU. Frozen objects are skipped,
    not freed or changed; `gc.unfreeze()` puts them back in the oldest generation, and what
    the render leaves behind is collected as usual (docs/benchmarks-meetings.md, 8 December
    2026).
    """
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def render_pdf(html: str, *, progress: Callable[[int], None] | None = None) -> RenderedPDF:
    """Lay out and write the document. `progress(percent)` is called between the two steps."""
    from weasyprint import HTML

    fetcher = _fetcher_class()(allowed_protocols={"https", "data"}, timeout=5)
    with objects_frozen():
        document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
        if progress:
            progress(70)
        anchors: dict[str, int] = {}
        for number, page in enumerate(document.pages, start=1):
            for name in page.anchors:
                anchors.setdefault(name, number)
        content = document.write_pdf(pdf_variant=PDF_VARIANT)
    return RenderedPDF(content, len(document.pages), anchors=anchors)


def render_template_pdf(
    template_name: str, context: dict, *, progress: Callable[[int], None] | None = None
) -> RenderedPDF:
    html = render_to_string(template_name, {"pdf_font_stack": FONT_STACK, **context})
    if progress:
        progress(20)
    return render_pdf(html, progress=progress)


def store(name: str, content: bytes) -> str:
    """Save generated bytes under `generated/`, replacing an older file of the same name."""
    path = f"generated/{name}"
    if default_storage.exists(path):
        default_storage.delete(path)
    return default_storage.save(path, ContentFile(content))
