"""The pack per audience, rendered by WeasyPrint and read back with pypdf."""

from __future__ import annotations

import io
import re

from django.core.files.storage import default_storage
from pypdf import PdfReader

from surveillance.packs import services as sp
from surveillance.packs.models import PackRecipient, PackVersion
from surveillance.packs.selectors import SECTIONS

from .factories import (
    CONFIDENTIAL_ITEM,
    RESTRICTED,
    SHARED,
    add_non_statutory_member,
    pack_scenario,
    render_now,
)

PREVIOUS_SECRET = "Whistleblower account shared in confidence"


def pages_of(version: PackVersion) -> list[str]:
    with default_storage.open(version.file, "rb") as fh:
        reader = PdfReader(io.BytesIO(fh.read()))
    return [" ".join((page.extract_text() or "").split()) for page in reader.pages]


def text_of(version: PackVersion) -> str:
    return " ".join(pages_of(version))


def by_audience(cast, versions) -> dict[str, PackVersion]:
    out = {"full": next(v for v in versions if v.for_secretariat)}
    for r in PackRecipient.objects.filter(version__in=versions).select_related("organisation"):
        key = next(k for k, o in cast.orgs.items() if o.pk == r.organisation_id)
        out[key] = r.version
    return out


def test_each_organisation_receives_exactly_what_it_may_see(cast):
    add_non_statutory_member(cast)
    s = pack_scenario(cast)
    _job, versions = render_now(cast, s["pack"])
    files = by_audience(cast, versions)
    assert set(files) == {"full", "icb_a", "cqc", "voice_a"}
    assert len({v.pk for v in files.values()}) == 4  # every view differs here
    text = {k: text_of(v) for k, v in files.items()}
    for key, body in text.items():
        assert "OFFICIAL-SENSITIVE" in body, key
        assert SHARED in body, key  # the CQC's return is shared with all members
    # The ICB's return is for the secretariat and chair: in the full pack and the ICB's own.
    assert RESTRICTED in text["full"] and RESTRICTED in text["icb_a"]
    assert RESTRICTED not in text["cqc"] and RESTRICTED not in text["voice_a"]
    # Confidential agenda items and note passages: statutory bodies only (the voluntary body is not).
    for key in ("full", "icb_a", "cqc"):
        assert CONFIDENTIAL_ITEM in text[key], key
        assert PREVIOUS_SECRET in text[key], key
    assert CONFIDENTIAL_ITEM not in text["voice_a"]
    assert PREVIOUS_SECRET not in text["voice_a"]
    assert "Confidential material is left out of this copy" in text["voice_a"]
    # The secretariat's copy says who has not returned; members' copies do not.
    assert "Not yet returned: Alpha Patient Voice CIC" in text["full"]
    assert "Not yet returned" not in text["cqc"]
    for v in files.values():
        assert v.checksum and v.pages == len(pages_of(v))


def test_audiences_with_identical_content_share_one_file(cast):
    s = pack_scenario(cast, returns=False)
    _job, versions = render_now(cast, s["pack"])
    assert len(versions) == 2  # the full pack, and one file both statutory members receive
    members = next(v for v in versions if not v.for_secretariat)
    received = set(
        PackRecipient.objects.filter(version=members).values_list("organisation_id", flat=True)
    )
    assert received == {cast.orgs["icb_a"].pk, cast.orgs["cqc"].pk}
    assert "Alpha Integrated Care Board" in members.audience_label
    assert "Care Quality Commission" in members.audience_label


def test_contents_page_numbers_are_the_pages_where_sections_start(cast):
    s = pack_scenario(cast)
    _job, versions = render_now(cast, s["pack"])
    full = next(v for v in versions if v.for_secretariat)
    pages = pages_of(full)
    contents = pages[1]
    assert contents.startswith("Meeting pack") or "Contents" in contents
    for number, (key, title) in enumerate(SECTIONS, start=1):
        match = re.search(rf"{number}\. {re.escape(title)}[ .]*?(\d+)", contents)
        assert match, f"{title} missing from the contents"
        listed = int(match.group(1))
        heading = f"{number}. {title}"
        starts = [i + 1 for i, page in enumerate(pages) if i > 1 and heading in page]
        assert starts and starts[0] == listed, (title, listed, starts)
        stored = next(c for c in full.contents if c["key"] == key)
        assert stored["page"] == listed


def test_running_the_job_again_makes_no_second_file(cast):
    s = pack_scenario(cast)
    job, versions = render_now(cast, s["pack"])
    before = {(v.pk, v.checksum, v.file) for v in versions}
    # A redelivered message (the worker was killed after finishing) runs the render again.
    again = sp.meeting_pack_render(job=job, redelivered=True)
    assert {
        (v.pk, v.checksum, v.file) for v in PackVersion.objects.filter(pk__in=[v.pk for v in again])
    } == before
    assert PackVersion.objects.filter(pack=s["pack"]).count() == len(versions)
    assert PackRecipient.objects.filter(pack=s["pack"]).count() == 2


def test_intelligence_reaches_only_the_packs_it_is_shared_with(cast):
    """An item for one organisation only is in that organisation's pack (and the full pack)
    and in no other; a "do not attribute" item is in every pack without its source."""
    from surveillance.intelligence.models import IntelligenceItem
    from tests.surveillance.intelligence.factories import submit, triage

    Distribution = IntelligenceItem.Distribution
    add_non_statutory_member(cast)
    own = "Alpha ICB only: agency staffing contracts under review"
    hidden = "Anonymous account of missed observations on the stroke unit"
    named = "Shared with the CQC by name: discharge letters delayed"
    s = pack_scenario(cast, returns=False)
    for author, summary, extra in (
        ("member_a", own, {"distribution": Distribution.ORGANISATION}),
        ("cqc_a", hidden, {"do_not_attribute": True}),
        (
            "member_a",
            named,
            {"distribution": Distribution.NAMED, "named_organisations": [cast.orgs["cqc"]]},
        ),
    ):
        triage(cast, submit(cast, author, summary=summary, **extra), for_next_meeting=True)
    _job, versions = render_now(cast, s["pack"])
    text = {k: text_of(v) for k, v in by_audience(cast, versions).items()}
    assert set(text) == {"full", "icb_a", "cqc", "voice_a"}
    assert [k for k in sorted(text) if own in text[k]] == ["full", "icb_a"]
    assert [k for k in sorted(text) if named in text[k]] == ["cqc", "full", "icb_a"]
    for key, body in text.items():
        assert hidden in body, key
        around = body[body.index(hidden) - 400 : body.index(hidden) + 400]
        assert "Source: Source not attributed" in around, key
        assert "Care Quality Commission" not in around, key
    assert "Source: Alpha Integrated Care Board" in text["cqc"]  # attributed items say who
