"""Page titles say "Error: " once: templates/layout.jinja adds it whenever a page sets
page_errors, so a page's own title block must not add it again (screen readers read the
title first; "Error: Error:" was heard on five pages)."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
SETS_PAGE_ERRORS = re.compile(r"{%-?\s*set\s+page_errors\b")
TITLE_ADDS_ERROR = re.compile(
    r"{%-?\s*block\s+title\s*-?%}[^{]*{%-?\s*if\s+page_errors\s*-?%}\s*Error"
)


def test_the_layout_adds_the_error_prefix():
    layout = (TEMPLATES / "layout.jinja").read_text()
    assert re.search(r"{%\s*if page_errors is defined and page_errors\s*%}Error: ", layout)


def test_no_page_adds_the_error_prefix_a_second_time():
    doubled = [
        str(path.relative_to(TEMPLATES))
        for path in TEMPLATES.rglob("*.jinja")
        if SETS_PAGE_ERRORS.search(text := path.read_text()) and TITLE_ADDS_ERROR.search(text)
    ]
    assert doubled == []
