"""Who may read each kind of restricted object: the rule the crawl holds the product to.

Written out by hand from docs/security.md, docs/architecture.md, docs/meetings.md and issues 14
and 15, per kind and per member of the cast; never computed by the access layer under test (the
crawl would then only prove that the code agrees with itself).

The crawl's cast (tests/cast.py plus three people the seed adds):

| person | organisation | role |
| --- | --- | --- |
| secretariat_a, chair_a | NHS England Area A team | secretariat, chair of local QSG A |
| member_a | Alpha ICB (statutory) | member of A |
| cqc_a | the CQC (statutory; a member of A, B and the region) | member of A only |
| observer_a | Alpha Borough Council | observer of A |
| voice_a | Alpha Patient Voice CIC (not statutory) | member of A |
| secretariat_b, member_b | NHS England Area B team, Bravo ICB | QSG B (member_b is an analyst) |
| regional_secretariat, reviewer | NHS England regional team | secretariat, reviewer of region R over A and B |
| regional_member | the CQC (again) | member of region R only |
| secretariat_c, member_c | area C, in another region | QSG C |
| trust_c | Charlie University Hospitals NHS Trust (a provider trust, not statutory) | member of C: reads nothing of A |
| outsider | an organisation in no QSG | none |
| national_secretariat, national_reviewer | NHS England national quality team | secretariat, reviewer of the national group over region R: read R, A and B as R's team reads A and B, read-only (issue 16) |
| guest | invited to the risk summit | none |
"""

from __future__ import annotations

from tests.cast import NATIONAL_PEOPLE, PEOPLE

A_TEAM = frozenset({"secretariat_a", "chair_a"})
# Members of A from statutory bodies read confidential agenda items and withheld passages.
A_STATUTORY = A_TEAM | {"member_a", "cqc_a"}
A_ALL = A_STATUTORY | {"observer_a", "voice_a"}
REGION_TEAM = frozenset({"regional_secretariat", "reviewer"})  # oversee A and B, read-only
REGION_ALL = REGION_TEAM | {"regional_member"}
# The national team over R: what R's team reads of A (summits, rapid quality reviews, submitted
# reports and their comments, escalation records), and none of what is shared with a group's
# members or its region (intelligence "with this QSG and its regional QSG" names the region,
# not the tier above it), nothing confidential, no draft.
NATIONAL = frozenset(NATIONAL_PEOPLE)

CRAWLERS = (*sorted(PEOPLE), "voice_a", "guest", *sorted(NATIONAL_PEOPLE))

READERS: dict[str, frozenset[str]] = {
    # Intelligence submitted to QSG A, triaged and marked for the next meeting (so also ticked
    # into its agenda and printed in its pack): whoever reads the item reads what is made from
    # it, and nobody else (issue 14, build 1). A role in the QSG is needed to read its
    # intelligence: an organisation's membership elsewhere gives nothing (build 2).
    "intelorg": A_TEAM | {"cqc_a"},  # "my organisation only", submitted by cqc_a
    "intelnamed": A_TEAM | {"member_a", "observer_a", "cqc_a"},  # named: the council, the CQC
    "intelregion": A_ALL | REGION_ALL,  # "this QSG and its regional QSG"
    "intelqsg": A_ALL,  # "this QSG's members"
    "intelsubmitted": A_TEAM | {"member_a"},  # awaiting triage: the team and the submitter
    "inteldraft": frozenset({"member_a"}),  # a draft: its author only
    "intelb": frozenset({"secretariat_b", "member_b"}),  # QSG B's members (the CQC has no one)
    "inteldna": A_ALL,  # the words of a "do not attribute" item shared with QSG A...
    "dnaname": frozenset({"secretariat_a"}),  # ...and who said them: the secretariat only
    # Meetings of QSG A.
    "agendaconf": A_STATUTORY,  # a confidential agenda item
    "passageheld": A_STATUTORY,  # a note passage withheld under an FOI exemption
    "conclusionheld": A_STATUTORY,  # a withheld conclusion
    "actionheld": A_STATUTORY,  # a withheld action
    "notedraft": A_TEAM,  # a passage of a note still in draft
    # A level change proposed with a conclusion of that draft note: shown only to whoever runs
    # the meeting (the secretariat) until the note's agreement enacts it.
    "proposal": frozenset({"secretariat_a"}),
    "returnheld": A_TEAM | {"member_a"},  # the ICB's return, for the secretariat only
    # The risk summit about Alpha General Hospital: its participants' people (the local
    # authority was taken off it, so observer_a is not one), the QSG's secretariat and chair,
    # the regional team over the QSG, and the guest invited to it. The guest's name and job
    # title are read by the same people.
    "summit": A_TEAM | REGION_TEAM | NATIONAL | {"member_a", "cqc_a", "voice_a", "guest"},
    "guest": A_TEAM | REGION_TEAM | NATIONAL | {"member_a", "cqc_a", "voice_a", "guest"},
    # The 2022 face: a rapid quality review of provider A2 convened by the ICB, read as a summit
    # is (the local authority taken off it; the guest was invited to the other summit only).
    "rapidreview": A_TEAM | REGION_TEAM | NATIONAL | {"member_a", "cqc_a", "voice_a"},
    # Regional: a draft local report, and a draft assurance return, are the local secretariat's
    # and chair's until submitted; the region does not read them before (issue 15, finding 10).
    "reportdraft": A_TEAM,
    "assurancedraft": A_TEAM,
    # The region's comment on a submitted local report: read with the report, by the local QSG
    # and the regional team over it.
    "reportcomment": A_ALL | REGION_TEAM | NATIONAL,
    # An escalation record is kept by the provider's group: read by everyone who sees it (its
    # participants and the regional team over it).
    "escalation": A_ALL | REGION_TEAM | NATIONAL,
}

# The access log the secretariat reads (issue 14, build 6). A file (PDF, CSV or Excel export,
# calendar file) that carries the marker of one of these kinds is logged as a read of the item
# of the kind named, by whoever downloaded it; so is every page or API answer about a "do not
# attribute" item itself that shows its words or who gave it. (The giver's name elsewhere, as a
# former member in the QSG's history, reads no item.) Items shared with the QSG's members and
# attributed are ordinary business, not logged.
AUDITED: dict[str, str] = {
    "intelorg": "intelorg",
    "intelnamed": "intelnamed",
    "intelregion": "intelregion",
    "inteldna": "inteldna",
    "dnaname": "inteldna",
}
DNA_ITEM = "inteldna"


def check_table() -> list[str]:
    problems = []
    for kind, readers in READERS.items():
        unknown = readers - set(CRAWLERS)
        if unknown:
            problems.append(f"{kind}: readers not in the cast: {sorted(unknown)}")
    problems += [f"AUDITED names an unknown kind: {k}" for k in AUDITED if k not in READERS]
    return problems
