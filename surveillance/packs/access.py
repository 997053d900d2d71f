"""Who sees and changes what in meeting packs and member returns. Built on `qsg.access`.

* A meeting's pack page is visible to everyone who sees the meeting (participants and the
  regional team); what it offers depends on the role.
* The secretariat makes, checks and publishes the pack, sets the deadline for returns and reads
  the completeness of returns and the download log; the chair reads them too.
* Files: the secretariat and chair download the full pack (the secretariat also every
  audience's file, to check what each organisation receives). A member downloads their own
  organisation's file of the published version, and nothing else. Observers and the regional
  team receive no pack (the region gets the local report instead).
* A member organisation's return is written by its members in the group; the secretariat and
  chair read every return.
* Not visible: 404. Visible but not yours: 403.
"""

from __future__ import annotations

from django.db.models import QuerySet

from qsg.access import not_found, principal, require
from qsg.models import QSGRole
from surveillance.meetings import access as am
from surveillance.meetings.access import _int
from surveillance.meetings.models import Meeting
from surveillance.packs.models import MeetingPack, MemberReturn, PackRecipient, PackVersion

Role = QSGRole.Role


def manages(user, qsg_id: int) -> bool:
    return principal(user).manages(qsg_id)


def reads_everything(user, qsg_id: int) -> bool:
    """The secretariat and chair: the full pack, every return, the download log."""
    return principal(user).is_team(qsg_id)


def is_member(user, qsg_id: int) -> bool:
    return Role.MEMBER in principal(user).roles_in(qsg_id)


def meeting_for_user(user, pk, *, manage: bool = False) -> Meeting:
    return am.meeting_for_user(user, pk, manage=manage)


def pack_of(meeting: Meeting) -> MeetingPack | None:
    return MeetingPack.objects.filter(meeting=meeting).first()


def packs_for(user) -> QuerySet[MeetingPack]:
    """Packs of meetings the user sees."""
    return MeetingPack.objects.filter(meeting__qsg_id__in=principal(user).qsg_ids)


def pack_for_user(user, pk) -> MeetingPack:
    pack = packs_for(user).select_related("meeting__qsg").filter(pk=_int(pk)).first()
    if pack is None:
        raise not_found()
    return pack


def versions_for(user, pack: MeetingPack) -> QuerySet[PackVersion]:
    """The files this person may download, newest first."""
    qsg_id = pack.meeting.qsg_id
    versions = PackVersion.objects.filter(pack=pack, status=PackVersion.Status.READY)
    if manages(user, qsg_id):
        return versions
    if reads_everything(user, qsg_id):
        return versions.filter(for_secretariat=True)
    if is_member(user, qsg_id) and pack.published_number:
        p = principal(user)
        received = PackRecipient.objects.filter(
            pack=pack, number=pack.published_number, organisation_id=p.organisation_id
        ).values("version_id")
        return versions.filter(pk__in=received)
    return versions.none()


def version_for_user(user, pack: MeetingPack, pk) -> PackVersion:
    version = versions_for(user, pack).filter(pk=_int(pk)).first()
    if version is None:
        raise not_found()
    return version


def own_copy(user, pack: MeetingPack) -> PackVersion | None:
    """The file this person would open first: the full pack of the newest ready version for
    the secretariat and chair, their organisation's copy of the published one for members."""
    versions = versions_for(user, pack)
    if reads_everything(user, pack.meeting.qsg_id):
        versions = versions.filter(for_secretariat=True)
    return versions.order_by("-number").first()


# Member returns -----------------------------------------------------------------------------


def can_write_return(user, qsg_id: int) -> bool:
    return is_member(user, qsg_id)


def own_return(user, pack: MeetingPack) -> MemberReturn | None:
    return MemberReturn.objects.filter(
        pack=pack, organisation_id=principal(user).organisation_id
    ).first()


def returns_for(user, pack: MeetingPack) -> QuerySet[MemberReturn]:
    qsg_id = pack.meeting.qsg_id
    require(reads_everything(user, qsg_id))
    return MemberReturn.objects.filter(pack=pack)
