"""A labelled corpus of free text for the PID screener, written for this purpose.

Every snippet is invented, in the style of what QSG members type: soft intelligence,
meeting titles and venues, agenda presenters, notes, actions, membership notes. NHS numbers
are made up in the 999 range (NHS England's test range, never issued) with their check
digit computed here; phone numbers come from Ofcom's ranges kept for drama; names are
invented; postcodes have the right shape and are not chosen to be anyone's address.

Each snippet has the kinds a careful reader would want removed (one entry per finding,
empty when the text holds no PID), a category and a split:

* positive categories name what is hidden and how (``nhs``, ``nhs_evasion``, ``phone``,
  ``phone_evasion``, ``postcode``, ``postcode_evasion``, ``email``, ``email_evasion``,
  ``dob``, ``dob_evasion``, ``name_titled``, ``name_title_evasion``, ``name_untitled``,
  ``hospital_number``, ``mixed``);
* negative categories are ``hard_*`` (text that looks like PID but is not: codes, wards,
  dates, ages, places, numbers, words) and ``clean`` (ordinary text);
* ``split`` is ``dev`` (looked at while the rules were written) or ``held`` (written at
  the same time, before the rules changed, and only scored at the end: its figures are the
  better guess at how the screener does on text nobody tuned it to).

``kinds`` states the truth, not what the screener does. ``limitation`` says why the
screener is known to get a snippet wrong (empty for every other snippet); the corpus test
asserts that it is right on every other snippet and still wrong on these.

A third split, ``probe``, was written after the rules, by the same author, to try to break
them; its first score is recorded in docs/benchmarks-pid.md before anything was fixed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

__all__ = ["CORPUS", "Snippet", "check_digit", "nhs"]


def check_digit(first_nine: str) -> int | None:
    """The NHS modulus 11 check digit of nine digits (None: no valid number starts so)."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need exactly nine ASCII digits")
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    return 0 if check == 11 else (None if check == 10 else check)


def nhs(first_nine: str, sep: str = " ", groups: tuple[int, ...] = (3, 3, 4)) -> str:
    """A valid NHS number from nine digits, written in groups joined by ``sep``."""
    check = check_digit(first_nine)
    if check is None:  # about 1 in 11 prefixes: take the next ninth digit
        first_nine = first_nine[:8] + str((int(first_nine[8]) + 1) % 10)
        check = check_digit(first_nine)
    digits = first_nine + str(check)
    parts, at = [], 0
    for size in groups:
        parts.append(digits[at : at + size])
        at += size
    return sep.join(parts)


def nhs_bad(first_nine: str, sep: str = " ") -> str:
    """Ten digits in NHS layout whose check digit is wrong."""
    check = check_digit(first_nine)
    wrong = 0 if check is None else (check + 3) % 10
    digits = first_nine + str(wrong)
    return sep.join((digits[:3], digits[3:6], digits[6:]))


def spaced(number: str) -> str:
    return " ".join(c for c in number if c.isdigit())


def o_for_zero(number: str) -> str:
    return number.replace("0", "O")


ZW = "\u200b"  # zero-width space
ZWJ = "\u200d"
SHY = "\u00ad"  # soft hyphen
FW_AT = "\uff20"  # full-width commercial at


def fullwidth(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@dataclass(frozen=True)
class Snippet:
    text: str
    kinds: tuple[str, ...]
    category: str
    split: str
    limitation: str = ""


NHS = "nhs_number"
DOB = "date_of_birth"
PC = "postcode"
TEL = "phone_number"
EMAIL = "email"
NAME = "personal_name"
HOSP = "hospital_number"

CORPUS: list[Snippet] = []


def _add(split: str, category: str, rows: list) -> None:
    for row in rows:
        text, *kinds = row if isinstance(row, tuple) else (row,)
        CORPUS.append(Snippet(text, tuple(kinds), category, split))


# =====================================================================================
# dev split
# =====================================================================================

_add(
    "dev",
    "nhs",
    [
        (f"Relative read out the NHS number {nhs('999301452')} on the phone to PALS.", NHS),
        (f"Screenshot in the complaint shows {nhs('999412873', '')} in the corner.", NHS),
        (f"Transfer form for {nhs('999523784', '-')} had the wrong ward.", NHS),
        (f"Ambulance crew quoted {nhs('999634125', '.')} at handover.", NHS),
        (f"Resident {nhs('999745236')} had no care plan review for a year.", NHS),
        (
            f"Two letters, {nhs('999856347')} and {nhs('999967458', '')}, were posted together.",
            NHS,
            NHS,
        ),
        (f"NHS No. {nhs('999078519')} - missed insulin.", NHS),
        (f"Datix 44123 names the patient ({nhs('999189620', ' ', (5, 5))}).", NHS),
        (f"Clinic list printed with {nhs('999290731', ' ', (4, 3, 3))} left at reception.", NHS),
        (f"Safeguarding strategy meeting about {nhs('999391842', chr(0xA0))}.", NHS),
        (f"nhs number {nhs_bad('999402953')} quoted by the caller (may be mistyped).", NHS),
        (f"Discharge summary ({nhs('999513064', ' - ')}) went to the wrong GP.", NHS),
        (f"Prescription for {nhs('999624175', chr(0x2013))} dispensed twice.", NHS),
        (f"Ref. {nhs('999735286')}\nWard 3, bed 12", NHS),
        (f"Patient ID (NHS): {nhs('999846397', '')}", NHS),
    ],
)

_add(
    "dev",
    "nhs_evasion",
    [
        (f"Number given as {nhs('999112233', '/')} on the referral.", NHS),
        (f"File named report_{nhs('999223344', '_')}_final was attached.", NHS),
        (f"Patient {spaced(nhs('999334455'))} waited on a trolley.", NHS),
        (f"Resident's number:\n{nhs('999445566', chr(10))}\nplease chase", NHS),
        (f"Details {o_for_zero(nhs('999501020'))} were read out in the meeting.", NHS),
        (f"See {nhs('999667788', ZW)} for the records.", NHS),
        (f"Patient {fullwidth(nhs('999778899'))} was transferred.", NHS),
        (f"N H S no {spaced(nhs('999889900'))}", NHS),
        (f"nhs-number: {nhs('999990011', '')}", NHS),
        (f"Caller spelt it out: {nhs('999101112', ' / ')}.", NHS),
        (f"Resident {nhs('999212223', '_')} fell twice.", NHS),
        (f"{nhs('999323334', ' ', (2, 2, 2, 2, 2))} is the NHS number on the wristband.", NHS),
    ],
)

_add(
    "dev",
    "phone",
    [
        ("Ward sister's mobile is 07700 900312, call after 5.", TEL),
        ("The home's office number 0113 496 0417 rings out.", TEL),
        ("Family asked for a call on 020 7946 0188.", TEL),
        ("Whistleblower: +44 7700 900651 (text only).", TEL),
        ("Call 0161 496 0733 to reach the night coordinator.", TEL),
        ("Son abroad: +1 415 555 0142.", TEL),
        ("Practice manager direct dial (0114) 496 0999.", TEL),
        ("Deputy manager 07700-900-244.", TEL),
        ("Provider hotline 0300 555 0170 for escalations.", TEL),
        ("On-call pharmacist 0121 496 0852 / 07700 900853.", TEL, TEL),
    ],
)

_add(
    "dev",
    "phone_evasion",
    [
        ("Ring O77OO 9OO428 and ask for the deputy.", TEL),
        ("Number: O161 496 O555.", TEL),
        (f"Contact {fullwidth('07700 900517')} after the shift.", TEL),
        (f"Mobile 07700{ZW}900{ZW}641 left on the whiteboard.", TEL),
        ("Call 0 7 7 0 0 9 0 0 2 3 4 about the resident.", TEL),
        ("Tel. o2o 7946 o321 (the relative).", TEL),
        ("phone zero seven seven double oh, 900 777", TEL),
    ],
)

_add(
    "dev",
    "postcode",
    [
        ("Resident's daughter lives in LS7 3PQ and visits daily.", PC),
        ("Referral addressed to a house in WF1 2ED.", PC),
        ("Home visit at S10 2TN was missed.", PC),
        ("Patient was found at EC2V 7HH after leaving the ward.", PC),
        ("Taxi took him to BD9 6RJ instead of the care home.", PC),
        ("Correspondence to HD1 4EQ was returned.", PC),
        ("His flat in NG7 2RD has no heating.", PC),
        ("Family moved to YO31 8HE last year.", PC),
    ],
)

_add(
    "dev",
    "postcode_evasion",
    [
        ("Lives at ls72pq with her son.", PC),
        ("postcode wf12ed on the letter", PC),
        ("Found wandering near s10 2tn.", PC),
        ("Address ended Bd96rj according to the crew.", PC),
        ("Old address: ng7  2rd (two spaces).", PC),
        ("He is registered at yo318he.", PC),
        (f"Home address HD1{ZW}4EQ per the notes.", PC),
        ("Moved to m15 4fn in May.", PC),
    ],
)

_add(
    "dev",
    "email",
    [
        ("Complainant wrote from t.owusu@example.com.", EMAIL),
        ("Please reply to ward12.manager@trust.example.nhs.uk.", EMAIL),
        ("Daughter's email: lisa.k88@example.co.uk", EMAIL),
        ("Forwarded by gp.practice.y01234@nhs.net.", EMAIL),
        ("Raised by a nurse (hannah_m@example.org).", EMAIL),
        ("cc: ops-lead@carehome.example.com", EMAIL),
    ],
)

_add(
    "dev",
    "email_evasion",
    [
        (f"Whistleblower asks for replies to k.dunn{FW_AT}example.com.", EMAIL),
        ("Write to mark dot ellis at example dot com.", EMAIL),
        ("contact: jo.baker [at] example [dot] org", EMAIL),
        ("Email her on sarah(at)example.co.uk please.", EMAIL),
        ("r.singh at nhs dot net is the relative's address.", EMAIL),
        ("Reply to a.nowak AT example DOT com", EMAIL),
        (f"Send to {fullwidth('p.reid@example.com')}", EMAIL),
        ("Email: tom.h at example.com", EMAIL),
    ],
)

_add(
    "dev",
    "dob",
    [
        ("Resident, DOB 02/11/1937, had three falls.", DOB),
        ("Patient born 14 August 1942 was left without fluids.", DOB),
        ("date of birth 1936-07-19 on the transfer sheet", DOB),
        ("D.O.B. 5/6/44, admitted from home.", DOB),
        ("Born on 3rd January 1951, lives alone.", DOB),
        ("DOB: 29.02.1948", DOB),
    ],
)

_add(
    "dev",
    "dob_evasion",
    [
        ("date-of-birth 04/05/1939 on the label", DOB),
        (f"D{ZW}O{ZW}B 17/09/1946 written on the bed board", DOB),
        ("d-o-b 12 July 1933", DOB),
        ("Date_of_birth: 08/08/1940", DOB),
        (f"Date of bi{SHY}rth 21/10/1929", DOB),
        ("dob:1.4.38", DOB),
        ("Birth-date 9 Sept 1947.", DOB),
        ("DateOfBirth=1945-12-01", DOB),
    ],
)

_add(
    "dev",
    "name_titled",
    [
        ("Mrs Edna Harrow was not given her evening medication.", NAME),
        ("Complaint about Dr Farouk's manner in clinic.", NAME),
        ("Mr Tomasz Zielinski waited 11 hours in ED.", NAME),
        ("Prof Hilary Mbeki presented the mortality review.", NAME),
        ("Ms Dunleavy, the home manager, has left.", NAME),
        ("Family of Miss Rowena Pike raised concerns.", NAME),
        ("Mr Ahmed Qureshi's wife called twice.", NAME),
        ("Dr. Ingrid Solberg was the only consultant on site.", NAME),
        ("Seen by Mx Okoro in the walk-in centre.", NAME),
        ("Mrs P. Langridge fell in the corridor.", NAME),
    ],
)

_add(
    "dev",
    "name_title_evasion",
    [
        ("The family of mrs crabtree say she was not fed.", NAME),
        ("spoke to dr pemberton on the ward about it", NAME),
        ("mr o'hara left the unit without his medication.", NAME),
        ("Complaint from the husband of ms keane.", NAME),
        ("\u041crs Hollis was left alone for hours.", NAME),  # Cyrillic M
        ("Dr \u0421astellano signed it off.", NAME),  # Cyrillic C in the surname
        ("\u039cr Vasquez was discharged at 3am.", NAME),  # Greek Mu
        ("MRS GALLAGHER WAS NOT SEEN BY A DOCTOR.", NAME),
        (f"Mrs{ZW} Ferreira complained about the food.", NAME),
        ("Dr\u00a0Whitcombe refused to attend.", NAME),
        ("Prof. O\u2019Sullivan's team reviewed it.", NAME),
        ("dr. abara did the ward round", NAME),
    ],
)

_add(
    "dev",
    "name_untitled",
    [
        ("Margaret Holt, 87, was found on the floor by the night staff.", NAME),
        ("Dennis Whitaker (aged 79) waited 9 hours for an ambulance.", NAME),
        ("An 84-year-old, Irene Castle, was discharged without a care package.", NAME),
        ("Resident Joan Atherton fell twice in one week.", NAME),
        ("Graham Pollard of 14 Weaver Street says his wife was neglected.", NAME),
        ("Agnes Mulligan, 22 Foundry Lane, has had no home visits.", NAME),
        ("The patient, Colin Baxter, was not given pain relief.", NAME),
        ("Her son Liam Forde phoned the QSG office.", NAME),
        ("Sandra Okafor aged 58 was sent home with a fracture.", NAME),
        ("Harold Jennings, a 91 year old resident, lost 6 kg.", NAME),
    ],
)

_add(
    "dev",
    "hospital_number",
    [
        ("Hospital number RX4471902 was on the discarded wristband.", HOSP),
        ("MRN: 00723841, seen in ED twice.", HOSP),
        ("hosp no K2291834 written on the handover sheet", HOSP),
        ("Unit number 4418276 quoted by the daughter.", HOSP),
        ("Medical record number 88231457 is on the photo.", HOSP),
        ("Hospital no. A7734521 in the incident report.", HOSP),
        ("Case note number 5539021 missing from the file.", HOSP),
        ("MRN 771-204-993", HOSP),
    ],
)

_add(
    "dev",
    "mixed",
    [
        (f"Mrs Iris Kemp (DOB 11/04/1936, NHS {nhs('999404142')}) of LS7 3PQ.", NAME, DOB, NHS, PC),
        ("Call Mr Barlow on 07700 900369 about his mother.", NAME, TEL),
        ("Dr Tan (k.tan@example.nhs.uk) raised it.", NAME, EMAIL),
        (f"Patient {nhs('999515253', '')} born 2 May 1950.", NHS, DOB),
        ("Contact: Mrs Pryce, 0113 496 0655.", NAME, TEL),
        ("Frank Doyle, 80, of S10 2TN.", NAME, PC),
    ],
)

_add(
    "dev",
    "hard_codes",
    [
        "Trust RAE has three sites: RAE01, RAE05 and RAE08.",
        "GP practice B86012 and its branch B86012A both closed lists.",
        "ICB code QWO; sub-ICB location 02T.",
        "CQC location 1-5551234567 rated inadequate.",
        "Provider ID 1-102643301 runs six homes.",
        "Care home registered under 1-13579086421.",
        "Datix reference W205577 and StEIS 2024/11023.",
        "Ticket INC0098122 raised with IT.",
        "Contract number NHSE-2024-000312.",
        "PO 4500123987 for replacement beds.",
        "Invoice 0009912345 queried by the ICB.",
        "Form HR2 and form MA1 were not completed.",
        "Policy CP-07 version 3.2 is out of date.",
        "The ODS code for the practice is Y05321.",
        "Lab batch 2024-11-0345 was delayed.",
    ],
)

_add(
    "dev",
    "hard_wards",
    [
        "Ward 12 and ward 14 share a matron.",
        "Bay 3, beds 1 to 6, had no call bells.",
        "Room 214 on the second floor floods in heavy rain.",
        "Ward 7B (stroke) is closed to admissions.",
        "Wards 20-24 are on the old site.",
        "Theatre 5 was out of use for a week.",
        "Side room 4 used for isolation.",
        "Level 3, area C, cubicle 9.",
        "Beds 31 32 33 34 were blocked.",
        "Unit 4 of the industrial estate is the pharmacy store.",
    ],
)

_add(
    "dev",
    "hard_dates",
    [
        "QSG meeting on 14/01/2025 at 10:00 in the boardroom.",
        "Inspection 03-12-2024, report published 2025-01-20.",
        "Incident on 12 March 2024 at 02:15.",
        "Next review due June 2025.",
        "Action plan dated 01.10.2024 was late.",
        "The home was born out of a partnership in 2011.",
        "Date of birth field missing on 30% of forms.",
        "DOB verification audit due 31/03/2025.",
        "Born in 1948, she has lived at the home for ten years.",
        "Staff born overseas make up a third of the team.",
    ],
)

_add(
    "dev",
    "hard_ages",
    [
        "A 94-year-old resident fell twice.",
        "Residents aged 80 to 95 were affected.",
        "The patient, aged 67, waited 14 hours.",
        "Woman in her 80s left on a trolley.",
        "Man (72) sent home without a care package.",
        "Children under 5 waited longest.",
        "An 18 year old with learning disabilities was placed out of area.",
        "Two residents, 88 and 91, lost weight.",
        "Age 45-64 group had most complaints.",
        "The 101-year-old resident celebrated her birthday.",
    ],
)

_add(
    "dev",
    "hard_places",
    [
        "Queen Elizabeth Hospital has reopened its MIU.",
        "St Mary's Hospital maternity unit is under review.",
        "Florence Nightingale Ward has a new manager.",
        "Mary Seacole House is a mental health rehab unit.",
        "Royal Victoria Infirmary, Queen Victoria Road, Newcastle.",
        "Sunnyfield Care Home, 14 Park Road, has a new manager.",
        "William Harvey Hospital A&E was diverted.",
        "The Alexandra Hospital in Redditch.",
        "Leeds Teaching Hospitals NHS Trust reported 4 never events.",
        "Kings Mill Hospital, Mansfield Road, Sutton-in-Ashfield.",
        "Airedale NHS Foundation Trust, Skipton Road, Steeton.",
        "James Cook University Hospital, Marton Road.",
        "Dr Gray's Hospital in Elgin.",
        "Elizabeth Garrett Anderson Wing at UCLH.",
        "Milton Keynes University Hospital ED is under pressure.",
    ],
)

_add(
    "dev",
    "hard_numbers",
    [
        "Waiting list 12,345 patients; 1,234 over 52 weeks.",
        "Agency spend £2,345,678 in Q2.",
        "Call 111 or 999 in an emergency.",
        "Vacancies: 45.6 WTE nurses, 12.3 WTE HCAs.",
        "Occupancy 97.4% on 1,102 beds.",
        "Bleep 2241 and extension 5567 were unanswered.",
        "ESR position 11223344 is vacant.",
        "Figures for 2021, 2022, 2023 and 2024 are attached.",
        "Scores 3 4 2 5 4 3 across the domains.",
        "Serial 7734 5521 9908 on the infusion pump.",
        "ISBN 978 1 4729 1234 5 of the policy book.",
        "Ratio 1:6 on days, 1:10 at night.",
        "Extension 2345, bleep 6789.",
    ],
)

_add(
    "dev",
    "hard_words",
    [
        "Meeting will be on MS Teams; link in the invite.",
        "The minutes were typed in ms word and lost.",
        "MR scanner out of action for two weeks.",
        "Patients with ms were not offered a review.",
        "morphine mr 10mg given late.",
        "Staff did not miss doses on the audit day.",
        "Dr appointments are hard to get.",
        "Hospital numbers are up 12% this year.",
        "MRN not recorded on 40% of samples.",
        "The unit number for the ward is on the door.",
        "Staff at the trust dot every i and cross every t.",
        "Meet at the hospital at 10.",
        "The email at the top of the thread is from the ICB.",
        "Residents said they miss their families.",
        "Seen by a Dr. Then sent home.",
    ],
)

_add(
    "dev",
    "clean",
    [
        "Staff morale is low after the restructure.",
        "Families report poor communication at discharge.",
        "Call bells are not answered at night.",
        "The provider has not sent its action plan.",
        "Agency staff do not know the residents.",
        "Falls risk assessments were not repeated.",
        "Medicines were left unattended on the trolley.",
        "Safeguarding team has opened an enquiry.",
        "The board was not told about the never event.",
        "Ambulance handover delays are getting worse.",
        "The QSG agreed to refer this to the regulator.",
        "Infection control scores have fallen again.",
    ],
)

# =====================================================================================
# held split: written with the dev split, scored only at the end
# =====================================================================================

_add(
    "held",
    "nhs",
    [
        (f"Patient's NHS number is {nhs('999120304')}.", NHS),
        (f"{nhs('999230415', '')} - wrong blood sample label.", NHS),
        (f"Records of {nhs('999340526', '-')} accessed without reason.", NHS),
        (f"Letter shows {nhs('999450637', ' ', (5, 5))} at the top.", NHS),
        (f"Mix-up between {nhs('999560748')} and another patient.", NHS),
        (f"The number {nhs('999670859', '.')} was on the bin bag.", NHS),
        (f"nhs no: {nhs_bad('999780960', '-')}", NHS),
        (f"Resident ({nhs('999891071')}) has a grade 4 pressure ulcer.", NHS),
    ],
)

_add(
    "held",
    "nhs_evasion",
    [
        (f"Number {nhs('999102938', '/')} written on the glove.", NHS),
        (f"Spreadsheet cell said {nhs('999213049', '_')}.", NHS),
        (f"Reference {spaced(nhs('999324150'))} from the caller.", NHS),
        (f"Patient\n{nhs('999435261', chr(10))}\nwas moved twice", NHS),
        (f"Details: {o_for_zero(nhs('999500703'))}", NHS),
        (f"The resident {nhs('999657483', ZWJ)} was moved.", NHS),
        (f"{fullwidth(nhs('999768594', ''))} appears in the letter.", NHS),
        (f"nhs{ZW}number {nhs_bad('999879605')}", NHS),
        (f"Resident {nhs('999980716', ' ', (3, 3, 2, 2))} missed meals.", NHS),
        (f"ID {nhs('999191827', ' . ')} on the chart.", NHS),
    ],
)

_add(
    "held",
    "phone",
    [
        ("Ring the ward on 0115 496 0213.", TEL),
        ("Relative's mobile: 07700900134.", TEL),
        ("Call +44 (0)117 496 0588 for the manager.", TEL),
        ("Night manager 01632 960 477.", TEL),
        ("He left 029 2018 0399 as a contact.", TEL),
        ("Tel 028 9649 6541.", TEL),
        ("Daughter in Spain: +34 612 345 678.", TEL),
        ("Direct line 0131-496-0722.", TEL),
    ],
)

_add(
    "held",
    "phone_evasion",
    [
        ("Mobile O77OO 9OO 819 on the notes.", TEL),
        (f"Call {fullwidth('0161 496 0201')}.", TEL),
        (f"Number 0113{SHY}496{SHY}0302 given by the caller.", TEL),
        ("phone 0 1 1 3 4 9 6 0 4 4 5", TEL),
        ("ring o7700 9oo 566", TEL),
        ("Tel: +44 77OO 9OO 112", TEL),
    ],
)

_add(
    "held",
    "postcode",
    [
        ("Patient was taken home to HX1 5PL.", PC),
        ("The address on the form was DN4 8QT.", PC),
        ("Carer lives in CB2 8AX.", PC),
        ("Son in SE15 4RR wants updates.", PC),
        ("Found at the bus stop on G12 8QQ.", PC),
        ("Relative at CF10 3NQ complained.", PC),
    ],
)

_add(
    "held",
    "postcode_evasion",
    [
        ("address hx15pl", PC),
        ("Taken to dn4 8qt by taxi.", PC),
        ("Lives in Cb2 8ax now.", PC),
        ("se154rr is the son's postcode.", PC),
        (f"Postcode G12{ZW} 8QQ.", PC),
        ("home: cf103nq", PC),
    ],
)

_add(
    "held",
    "email",
    [
        ("Complaint came from j.fairweather@example.com.", EMAIL),
        ("Reply to matron.ward5@trust.example.nhs.uk only.", EMAIL),
        ("Her address is bex_1979@example.co.uk.", EMAIL),
        ("From: k.osei@example.org", EMAIL),
        ("Forward to night.team+rota@example.nhs.uk.", EMAIL),
    ],
)

_add(
    "held",
    "email_evasion",
    [
        (f"Relative: m.ward{FW_AT}example.co.uk", EMAIL),
        ("email anna dot bell at example dot org", EMAIL),
        ("j.smythe (at) example (dot) com wants a reply.", EMAIL),
        ("write to c.ng[at]example.com", EMAIL),
        ("Reply: tina.l AT nhs DOT net", EMAIL),
        ("e-mail dave_p at example dot co dot uk", EMAIL),
    ],
)

_add(
    "held",
    "dob",
    [
        ("DOB 07/07/1943; no falls assessment.", DOB),
        ("Born on 19 February 1939.", DOB),
        ("date of birth: 3.3.1950", DOB),
        ("Gentleman (D.O.B 22-08-1934) waited in the corridor.", DOB),
        ("b. 12/12/1941, widow, lives alone", DOB),
    ],
)

_add(
    "held",
    "dob_evasion",
    [
        ("Date-of-Birth: 14/06/1944", DOB),
        (f"DO{ZWJ}B 2/2/1952", DOB),
        ("d.o.b-23/09/1937", DOB),
        ("date - of - birth 1 Jan 1940", DOB),
        ("birth_date 1938-05-30", DOB),
        ("DOB\u200c: 11/11/1949", DOB),
    ],
)

_add(
    "held",
    "name_titled",
    [
        ("Mrs Winifred Agyeman was not repositioned.", NAME),
        ("Dr Rashid's locum shifts were not checked.", NAME),
        ("Mr Kieran Doherty waited in the car park.", NAME),
        ("Professor Lena Voss chaired the panel.", NAME),
        ("Ms Abiodun raised it with the matron.", NAME),
        ("Miss Freya Lund was bullied on placement.", NAME),
        ("Mr J. Harcourt was sent home at night.", NAME),
        ("Dr Nuala Breen refused the transfer.", NAME),
    ],
)

_add(
    "held",
    "name_title_evasion",
    [
        ("mrs pettigrew was not given a bath for a week", NAME),
        ("husband of mrs dlamini called", NAME),
        ("spoke with dr fenwick", NAME),
        ("\u041c\u0433 Holloway (Cyrillic) was discharged.", NAME),
        ("Dr \u039ferwell refused.", NAME),  # Greek Omicron
        ("MR ACHTERBERG HAS COMPLAINED TWICE.", NAME),
        ("Mr\u200b Ballantyne was moved wards.", NAME),
        ("dr. nakamura on nights", NAME),
    ],
)

_add(
    "held",
    "name_untitled",
    [
        ("Edith Crowther, 92, was left in a wet bed.", NAME),
        ("Ronald Beck (aged 81) waited 7 hours.", NAME),
        ("A 76-year-old, Brian Tolley, missed his dialysis.", NAME),
        ("Resident Violet Sandhu was not weighed for months.", NAME),
        ("Derek Mason of 9 Chapel Close rang the QSG.", NAME),
        ("The patient, Ayesha Rahman, was not told.", NAME),
        ("His daughter Claire Lomax wants a meeting.", NAME),
        ("Joyce Whitfield, 31 Bridge Street, has no carers.", NAME),
    ],
)

_add(
    "held",
    "hospital_number",
    [
        ("Hospital number: M3319274.", HOSP),
        ("hosp. no. 6620148 on the specimen", HOSP),
        ("MRN 10923847", HOSP),
        ("unit no RD0041287 given by the son", HOSP),
        ("Her hospital no is H00451239.", HOSP),
    ],
)

_add(
    "held",
    "mixed",
    [
        ("Mr Fenton, 07700 900744, wants a call back.", NAME, TEL),
        (f"DOB 01/01/1944, NHS {nhs('999202122')}.", DOB, NHS),
        ("Patricia Lowe, 83, LS6 1AN.", NAME, PC),
    ],
)

_add(
    "held",
    "hard_codes",
    [
        "Practice P84003 merged with P84017.",
        "Trust RXF; sites RXF01 and RXF05.",
        "CQC location 1-4448881234.",
        "SI 2024/3345 closed.",
        "Order 7712345678 for dressings.",
        "ICB QHM; place 00L.",
        "Case QSG-2025-0042 opened.",
        "Code RW3 is the trust.",
    ],
)

_add(
    "held",
    "hard_wards",
    [
        "Ward 23 has four empty beds.",
        "Beds 5 and 6 on ward 9 were broken.",
        "Bay B, bed 7.",
        "Room 12A on level 2.",
        "Wards 1, 2, 3 and 4 were visited.",
    ],
)

_add(
    "held",
    "hard_dates",
    [
        "Meeting on 03/02/2025.",
        "Inspected 2024-10-08.",
        "Report due by 30 April 2025.",
        "Born in 1933, he moved in last year.",
        "DOB not checked before the transfusion.",
    ],
)

_add(
    "held",
    "hard_ages",
    [
        "A 79 year old man fell.",
        "Residents aged 70 and over.",
        "Patient (aged 52) waited 16 hours.",
        "Teenagers aged 13-17 waited longest.",
    ],
)

_add(
    "held",
    "hard_places",
    [
        "Princess Royal Hospital, Apley Castle, Telford.",
        "Grace Ward reopened.",
        "St George's University Hospitals NHS FT.",
        "Harold Wood clinic is moving.",
        "Rose Court Care Home, 12 Church Lane.",
        "Victoria Hospital, Blackpool.",
        "The Edith Cavell Building is closed.",
    ],
)

_add(
    "held",
    "hard_numbers",
    [
        "Complaints 2,401 this year; 1,997 last year.",
        "£1,250,000 overspend.",
        "Extension 4412 or bleep 2290.",
        "Serial number 9123 4567 8901 on the hoist.",
        "Targets 95% and 92%.",
    ],
)

_add(
    "held",
    "hard_words",
    [
        "Agenda sent on MS Teams.",
        "mr tablets were not given.",
        "ms clinic waiting times are long.",
        "Staff miss breaks on nights.",
        "Hospital number checks were not done.",
        "Email the team at the usual address.",
    ],
)

_add(
    "held",
    "clean",
    [
        "Leadership has changed three times in two years.",
        "The home uses paper records only.",
        "Training compliance is below 70%.",
        "Families praised end of life care.",
        "The ICB will write to the provider.",
        "No concerns raised at the last visit.",
    ],
)

# =====================================================================================
# second batch (both splits), written before any rule changed
# =====================================================================================

_add(
    "dev",
    "name_untitled",
    [
        ("Kathleen Brennan, aged 88, has had four falls since June.", NAME),
        ("Peter Sowerby (77) was discharged without his medicines.", NAME),
        ("A 69-year-old man, Anthony Riley, waited 30 hours in ED.", NAME),
        ("Service user Precious Moyo was restrained twice.", NAME),
        ("Wife of Stanley Hepworth says he was left unwashed.", NAME),
        ("Gladys Ingham, who is 95, was moved at 2am.", NAME),
        ("Alan Hewitt of 3 Moor View, Halifax complained.", NAME),
        ("Resident: Nora Fitzgerald, 86.", NAME),
    ],
)

_add(
    "dev",
    "name_title_evasion",
    [
        ("mr. kowalczyk said nobody answered the bell", NAME),
        ("the family of miss deering want a meeting", NAME),
        ("\u0420rof Lindqvist chaired (Cyrillic P).", NAME),
        ("MS O'DOWD RAISED IT WITH PALS.", NAME),
        ("mrs. haworth-bell was found on the floor", NAME),
        ("Dr\u2060 Ashworth-Lee was on call.", NAME),
    ],
)

_add(
    "dev",
    "hospital_number",
    [
        ("MRN# 3391047 on the blood bottle.", HOSP),
        ("hospital number - B1192834", HOSP),
        ("Her unit no. is 0093371.", HOSP),
        ("Hosp No: RTH 449 2103", HOSP),
    ],
)

_add(
    "dev",
    "email_evasion",
    [
        ("reply to lucy.f at example dot co dot uk", EMAIL),
        (f"k{ZW}.dunn@example.com wrote again", EMAIL),
        ("Email: p_hughes (at) example.org", EMAIL),
    ],
)

_add(
    "dev",
    "dob_evasion",
    [
        ("D O B 14/02/1936", DOB),
        ("date.of.birth 3/7/41", DOB),
        ("dob 1O/O3/1939", DOB),
    ],
)

_add(
    "dev",
    "hard_codes",
    [
        "Practice codes C82001, C82002 and C82005 are in scope.",
        "Trust code RR8; site code RR813.",
        "Ambulance trust RX9 reported handover delays.",
        "Contract ref RX9-2024-117 renewed.",
        "CCG 03R became part of the ICB.",
        "NHS 111 and 999 demand rose.",
        "Reg 12 and Reg 17 breaches.",
        "Location ID 1-1234567890 and provider ID 1-987654321.",
    ],
)

_add(
    "dev",
    "hard_wards",
    [
        "Ward 31 (elderly care) had 3 falls; ward 32 had none.",
        "Bed 14 in bay 2 had a broken call bell.",
        "Pods 1 to 4 in ED were full.",
        "Flat 3 of the supported living scheme has damp.",
        "Room 7, Oak Unit, smelt of urine.",
    ],
)

_add(
    "dev",
    "hard_dates",
    [
        "QSG meeting 12 February 2025, 10:00-12:00.",
        "Inspection fieldwork 4-6 March 2025.",
        "Risk summit held 09/01/2025 (virtual).",
        "Action due 28/02/25; extended to 31/03/25.",
        "Born of necessity, the hub opened in 2020.",
        "DOB and NHS number checks are part of the audit.",
    ],
)

_add(
    "dev",
    "hard_ages",
    [
        "Patients aged over 75 waited longest.",
        "An 82-year-old woman was found on the floor.",
        "Three residents, all over 90, had pressure ulcers.",
        "The youngest patient was 16.",
        "Woman, 84, left in a corridor for 9 hours.",
    ],
)

_add(
    "dev",
    "hard_places",
    [
        "Walton Centre, Lower Lane, Liverpool.",
        "Beaumont Lodge care home, 7 Station Road, was inspected.",
        "Harry Blackman ward hosted the visit.",
        "Stepping Hill Hospital, aged estate, needs repair.",
        "Treliske (Royal Cornwall Hospital) escalated to OPEL 4.",
        "Chelsea and Westminster Hospital, 369 Fulham Road.",
        "The Christie, 550 Wilmslow Road, Manchester.",
        "Sheila Hancock Suite (renal) closed for refurbishment.",
        "Nightingale Court, a 40-bed home, has a new manager.",
        "George Eliot Hospital NHS Trust.",
    ],
)

_add(
    "dev",
    "hard_numbers",
    [
        "Reference 2024/25 Q3; 1,245 incidents.",
        "Dial-in: conference ID 412 998 731#.",
        "Teams meeting ID 345 678 901 234, passcode Qx7vBz.",
        "https://example.zoom.us/j/91234567890?pwd=abc123",
        "Budget line 5500 1200 3300.",
        "Times: 08:00, 12:30, 17:45.",
    ],
)

_add(
    "dev",
    "hard_words",
    [
        "ms teams call at 2pm",
        "Dr Foster data published.",
        "The MS nurse post is vacant.",
        "MR imaging backlog is 6 weeks.",
        "Miss Saigon tickets were raffled at the staff awards.",
        "mr preparations were substituted",
        "Pharmacy: morphine MR and oxycodone MR stocks low.",
        "Email at least two days before the meeting.",
        "Staff were at lunch; dot points in the report were unclear.",
        "The hospital number one priority is flow.",
        "unit numbers on the estate plan are wrong",
        "Dr. Martens boots are not allowed in theatres.",
    ],
)

_add(
    "dev",
    "clean",
    [
        "Meeting title: Quarterly QSG, North locality.",
        "Venue: Boardroom, Trust Headquarters.",
        "Presenter: Director of Nursing, ICB.",
        "Deputy for the Chief Nurse.",
        "Membership notes: joined after the merger.",
        "District: Calderdale.",
        "Footprint: Leeds, Wakefield and Kirklees.",
        "Protective marking: OFFICIAL-SENSITIVE.",
        "Quorum: two statutory members.",
        "Job title: Head of Quality.",
    ],
)

_add(
    "held",
    "name_untitled",
    [
        ("Lillian Pratt, 90, was given someone else's tablets.", NAME),
        ("Keith Ormerod (aged 73) fell in the bathroom.", NAME),
        ("An 80-year-old, Maureen Tilly, was sent home at 3am.", NAME),
        ("Resident Bernard Quigley lost weight.", NAME),
        ("Husband of Dorothy Sneddon complained.", NAME),
        ("Wilfred Ashcroft of 27 Mill Street, Batley.", NAME),
        ("The patient, Oluwaseun Adeyemi, was not translated for.", NAME),
        ("Rita Chadwick, 12 Aspen Grove, rang the ICB.", NAME),
    ],
)

_add(
    "held",
    "name_title_evasion",
    [
        ("mrs. o'rourke's daughter called", NAME),
        ("dr mahmood cancelled the clinic", NAME),
        ("\u041cs Farrow was on shift (Cyrillic M).", NAME),
        ("MISS TREVELYAN WAS NOT OFFERED A CHAPERONE", NAME),
        ("Mrs\u00ad Kingsley asked for a move.", NAME),
    ],
)

_add(
    "held",
    "hospital_number",
    [
        ("MRN: 5527710", HOSP),
        ("Hospital number K4403219 was faxed.", HOSP),
        ("Unit number: 2284119", HOSP),
    ],
)

_add(
    "held",
    "email_evasion",
    [
        ("send to n.obi at example dot com", EMAIL),
        (f"e-mail: b.hale{FW_AT}example.org", EMAIL),
    ],
)

_add(
    "held",
    "dob_evasion",
    [
        ("date of-birth 5/5/1940", DOB),
        ("D\u200b.O\u200b.B. 01/03/1935", DOB),
    ],
)

_add(
    "held",
    "nhs_evasion",
    [
        (f"NHS: {nhs('999414243', '/')}", NHS),
        (f"Number\n{nhs('999525354', chr(10), (3, 3, 4))}", NHS),
    ],
)

_add(
    "held",
    "hard_codes",
    [
        "Practice M85001 and M85002 share a building.",
        "Trust RJ1 sites RJ121 and RJ122.",
        "Provider 1-199887766 and location 1-2233445566.",
        "Claim 2024-0091 on the CQC portal.",
        "Contract reference NHSE/2024/01177.",
    ],
)

_add(
    "held",
    "hard_wards",
    [
        "Ward 4A and ward 4B merged.",
        "Beds 20-28 closed for cleaning.",
        "Bay 1 bed 2, bay 3 bed 4.",
        "Cubicles 11, 12 and 13 in majors.",
    ],
)

_add(
    "held",
    "hard_dates",
    [
        "Meeting on Tuesday 11 March 2025 at 14:00.",
        "Report dated 17.01.2025.",
        "Visit planned 2025-04-02.",
        "Born and bred in the town, the manager knows the families.",
    ],
)

_add(
    "held",
    "hard_ages",
    [
        "A woman aged 101 was admitted.",
        "Two men, 58 and 63, waited overnight.",
        "Children aged 0-4.",
        "The resident, 88, was not weighed.",
    ],
)

_add(
    "held",
    "hard_places",
    [
        "Northern General Hospital, Herries Road, Sheffield.",
        "Victoria Ward and Albert Ward share staff.",
        "Mary Stevens Hospice, 221 Hagley Road.",
        "John Radcliffe Hospital, Headley Way, Oxford.",
        "Florence Park surgery has closed its list.",
        "The Lister Hospital, Stevenage.",
        "Ida Darwin site is being sold.",
    ],
)

_add(
    "held",
    "hard_numbers",
    [
        "Dial in 0000 000 000 is a placeholder.",
        "Conference ID 991 223 448#.",
        "1,024 calls; 87 abandoned.",
        "Page 12 of 40, paragraph 3.2.1.",
    ],
)

_add(
    "held",
    "hard_words",
    [
        "MS Teams and MS Excel licences expire.",
        "mr scan booked for Friday.",
        "Patients miss appointments due to transport.",
        "Dr Doctor app letters were late.",
        "Staff at the home dot the residents' names on the board? No: initials only.",
        "Unit number 4 is the stores.",
    ],
)

_add(
    "held",
    "clean",
    [
        "Meeting: Regional QSG, quarter 4.",
        "Venue: Microsoft Teams.",
        "Presenter: Head of Quality, Healthwatch.",
        "Quorum label: Statutory quorum.",
        "Guest job title: Deputy Chief Nurse.",
    ],
)

# =====================================================================================
# probe split: written after the rules, to break them; scored once before any fix
# =====================================================================================

_add(
    "probe",
    "nhs",
    [
        (f"NHS num {nhs('999606162', '-')} on the wristband.", NHS),
        (f"nhs#: {nhs('999717273', '')}", NHS),
        (f"Number {nhs('999828384', '.', (3, 3, 4)).replace('.', '. ', 1)} on the chart.", NHS),
        (f"The resident's number, {nhs('999939495', ' ', (4, 3, 3))}, was on the board.", NHS),
    ],
)
_add(
    "probe",
    "nhs_evasion",
    [
        (f"nhs no {nhs('999040506', ' _ ')}", NHS),
        (f"{o_for_zero(nhs('999105070', ''))} quoted on the call", NHS),
        (f"Patient (NHS {nhs('999216181', chr(8209))}) waited.", NHS),
        (f"N.H.S. number: {spaced(nhs('999327292'))}", NHS),
    ],
)
_add(
    "probe",
    "phone",
    [
        ("Call +44(0)7700 900 123 any time.", TEL),
        ("Her number is 07700 900 123.", TEL),
        ("tel:07700900456", TEL),
        ("(07700) 900789 is the son's mobile.", TEL),
    ],
)
_add(
    "probe",
    "phone_evasion",
    [
        ("Mobile: 07700 9OO l23", TEL),
        (f"Ring 0113{ZW}4960{ZW}555.", TEL),
        ("0 1 6 1 - 4 9 6 - 0 7 7 7", TEL),
    ],
)
_add(
    "probe",
    "postcode",
    [
        ("Lives at L1 8JQ.", PC),
        ("Postcode: EH1 1YZ.", PC),
        ("Address in BT7 1NN.", PC),
        ("He was found at b1 1bb.", PC),
    ],
)
_add(
    "probe",
    "email",
    [
        ("j.bloggs @ nhs.net asked for a reply.", EMAIL),
        ("jbloggs(at)nhs(dot)net", EMAIL),
        ("jane at gmail dot com", EMAIL),
        ("Email jane.doe[at]nhs.net", EMAIL),
    ],
)
_add(
    "probe",
    "dob",
    [
        ("DOB 1st May 1944.", DOB),
        ("born 03/04/41 in Leeds", DOB),
        ("D.o.B. 12-Mar-1950", DOB),
        ("Date of birth - 4th of July 1936", DOB),
        ("dob 15 / 06 / 1942", DOB),
    ],
)
_add(
    "probe",
    "name_titled",
    [
        ("Dr. S. Ahmed did the ward round.", NAME),
        ("Sister Okafor was in charge on nights.", NAME),
        ("Charge Nurse Patel raised the alarm.", NAME),
        ("Matron Hughes refused to meet the family.", NAME),
        ("Rev. Green visits the home weekly.", NAME),
        ("Mr and Mrs Khan complained.", NAME),
    ],
)
_add(
    "probe",
    "name_untitled",
    [
        ("Patient: Smith, John (84).", NAME),
        ("Nora (86) and her husband Fred Wilkins both fell.", NAME),
        ("Resident Mohammed Iqbal was not given halal meals.", NAME),
        ("Eileen Pearson, 79, of Bradford.", NAME),
        ("Elderly man, Reginald Foxley, left in a corridor.", NAME),
        ("Her mother, Shirley Dunn, 88, fell.", NAME),
        ("Wei Chen, aged 45, was not offered an interpreter.", NAME),
        ("Client Zofia Kaczmarek was discharged with no plan.", NAME),
    ],
)
_add(
    "probe",
    "hospital_number",
    [
        ("hospital ID 7789912", HOSP),
        ("MRN:7789913", HOSP),
        ("RM number 1234567 on the form", HOSP),
    ],
)
_add(
    "probe",
    "hard_places",
    [
        "Dr Who Ward is the children's ward.",
        "Peter Pan ward reopened.",
        "Alder Hey Children's Hospital, Eaton Road.",
        "Sue Ryder hospice, 3 Park Lane.",
        "Age UK Leeds, 14 Park Row.",
        "Barnsley Hospital NHS FT, Gawber Road.",
        "Grace Mary House, 4 Elm Road.",
        "Leeds City Council, 2 Great George Street.",
        "Marie Curie nurses cover 12 homes.",
        "Princess Diana Hospice has 14 beds.",
        "St Thomas' Hospital, Westminster Bridge Road.",
        "Harley Street clinic, 10 Harley Street.",
        "Ronald McDonald House, 9 beds, is full.",
        "Lady Margaret Hall, 2 Norham Gardens.",
    ],
)
_add(
    "probe",
    "hard_words",
    [
        "MS Society funding ended.",
        "ms symptoms worsened after the move.",
        "mrsa screening compliance 88%.",
        "mr and ct scans were delayed.",
        "Prof dev day cancelled.",
        "The Mr Men books in the play area were old.",
        "Raised at NHS England's meeting at 10.30.",
        "Guidance available at nhs.uk/conditions.",
        "See gov.uk for the guidance.",
        "Meeting @ 10:00 in room 4.",
        "Mrs Brown's Boys DVD in the lounge.",
        "Miss a dose and the alarm sounds.",
        "The MRN field is blank.",
        "Hospital numbers 1 to 5 in the league table.",
    ],
)
_add(
    "probe",
    "hard_numbers",
    [
        "Extension 12345 for the ward.",
        "01/02/2024 - 02/03/2024 closure period.",
        "2024/25 and 2025/26 plans.",
        "NHS 111 (option 2).",
        "ICD-10 F03.90 coded.",
        "LSOA E01011234 has high deprivation.",
        "1 in 1000 births affected.",
        "0.9% 1.2% 3.4% 5.6% 7.8%",
        "Audit score 3/10, 2/3 of staff trained.",
        "Budget codes 4410 2201 and 4410 2202.",
        "Serial no. 9991590137 on the pump.",
        "Population 1,234,567,890 worldwide.",
    ],
)
_add(
    "probe",
    "hard_dates",
    [
        "Born-again approach to governance launched 12/03/2024.",
        "DOB format must be DD/MM/YYYY.",
        "The birth date field was added on 01/04/2024.",
    ],
)
_add(
    "probe",
    "clean",
    [
        "Presented by the Director of Nursing.",
        "Venue: Room 4, Civic Centre.",
        "Dial-in: Microsoft Teams link in the invite.",
        "Title: Risk summit follow-up.",
    ],
)


# Known limitations: the label states the truth; the screener gets these wrong.
LIMITATIONS = {
    "phone zero seven seven double oh, 900 777": "digits spelled out in words are not read",
    "Service user Precious Moyo was restrained twice.": "a given name that is also a common "
    "English word ('Precious') is not in the name lists, so a name after a cue is missed",
    "Miss Saigon tickets were raffled at the staff awards.": "a title and a capitalised word "
    "that name a show or a product read as a person",
    "Rev. Green visits the home weekly.": "after a title that is also a word (Rev, Sister, "
    "Nurse) a surname that is a very common word ('Green') is not taken as a name",
    "RM number 1234567 on the form": "a hospital number after a trust's own prefix "
    "('RM number') has no cue the screener knows",
    "Prof dev day cancelled.": "a lower-case word missing from the word-frequency list "
    "('dev') counts as rare, so it reads as a name after a title",
    "Mrs Brown's Boys DVD in the lounge.": "a title and a capitalised word that name a show "
    "read as a person",
}
_texts = {s.text for s in CORPUS}
assert set(LIMITATIONS) <= _texts, set(LIMITATIONS) - _texts
CORPUS = [replace(s, limitation=LIMITATIONS.get(s.text, "")) for s in CORPUS]
