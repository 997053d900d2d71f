"""A labelled corpus of soft-intelligence snippets for the PID screener.

Every snippet was written for this corpus in the style of QSG soft intelligence about
trusts, GP practices and care homes. None of it is real: NHS numbers are made up in the
999 range (NHS England's range for test numbers, never issued to patients) apart from the
published documentation example 943 476 5919; phone numbers are from Ofcom's ranges
reserved for drama (020 7946 0xxx, 0113 496 0xxx, 01632 960xxx, 07700 900xxx ...);
names are invented.

Each snippet carries the kinds the screener should find, one entry per expected finding
(empty for a negative), and a category:

* ``positive``: contains PID;
* ``near_miss``: no PID, but something a careless rule would flag (an invalid check
  digit, an ODS code, a meeting date, a year range, "Dr Foster" ...);
* ``negative``: ordinary soft intelligence with nothing PID-like in it.

``kinds`` is the truth as a reader would judge it, not what the screener happens to do.
A few snippets are ``limitation`` entries: the truth is stated, the screener is known to
get it wrong, and ``limitation`` says why (a rule we chose not to write, or an input no
rule can tell apart). The corpus test asserts that the screener is right on every other
snippet and still wrong on these (so a fix shows up as a failing test that asks for the
note to go); precision and recall are computed on all snippets, limitations included.

The corpus was written by the author of the rules, so it measures the rules against the
author's own expectations: read the figures as a regression check, not as an estimate of
performance on real submissions.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CORPUS", "Snippet", "check_digit", "nhs", "nhs_bad"]


def check_digit(first_nine: str) -> int | None:
    """NHS modulus 11 check digit for nine digits, or None if no number can have them."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need exactly nine ASCII digits")
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        return 0
    return None if check == 10 else check


_FULLWIDTH = str.maketrans("0123456789", "".join(chr(0xFF10 + d) for d in range(10)))


def _format(digits: str, style: str) -> str:
    a, b, c = digits[:3], digits[3:6], digits[6:]
    formats = {
        "space": f"{a} {b} {c}",
        "dash": f"{a}-{b}-{c}",
        "plain": digits,
        "dot": f"{a}.{b}.{c}",
        "nbsp": f"{a}\u00a0{b}\u00a0{c}",
        "narrow": f"{a}\u202f{b}\u202f{c}",
        "endash": f"{a}\u2013{b}\u2013{c}",
        "spaced-dash": f"{a} - {b} - {c}",
        "double-space": f"{a}  {b}  {c}",
        "5-5": f"{digits[:5]} {digits[5:]}",
        "4-3-3": f"{digits[:4]} {digits[4:7]} {digits[7:]}",
        "fullwidth": f"{a} {b} {c}".translate(_FULLWIDTH),
    }
    return formats[style]


def nhs(first_nine: str, style: str = "space") -> str:
    """A valid NHS number built from nine digits and its computed check digit."""
    check = check_digit(first_nine)
    if check is None:
        raise ValueError(f"{first_nine} has no valid check digit; pick other digits")
    return _format(first_nine + str(check), style)


def nhs_bad(first_nine: str, style: str = "space") -> str:
    """Ten digits that fail the modulus 11 check (a wrong check digit)."""
    check = check_digit(first_nine)
    wrong = 0 if check is None else (check + 1) % 10
    return _format(first_nine + str(wrong), style)


@dataclass(frozen=True)
class Snippet:
    text: str
    kinds: tuple[str, ...]
    category: str
    limitation: str = ""


def P(text: str, *kinds: str, limitation: str = "") -> Snippet:
    assert kinds, "a positive needs at least one expected kind"
    return Snippet(text, tuple(kinds), "positive", limitation)


def N(text: str, limitation: str = "") -> Snippet:
    return Snippet(text, (), "near_miss", limitation)


def O(text: str) -> Snippet:  # noqa: E743 - short on purpose, like P and N
    return Snippet(text, (), "negative")


NHS = "nhs_number"
DOB = "date_of_birth"
PC = "postcode"
TEL = "phone_number"
EMAIL = "email"
NAME = "personal_name"

POSITIVES = [
    # --- NHS numbers -----------------------------------------------------------------
    P(f"Family raised concerns about a resident, NHS number {nhs('999526018')}, at the home.", NHS),
    P(f"The complaint names the patient ({nhs('999159083', 'dash')}) and the ward.", NHS),
    P(f"Safeguarding referral for {nhs('999016613', 'plain')} was not acted on for 3 weeks.", NHS),
    P(f"Discharge letter for {nhs('999186091', 'dot')} sent to the wrong practice.", NHS),
    P(f"Incident involves patient {nhs('999390996', 'nbsp')}; reported via Datix.", NHS),
    P(f"Pressure ulcer category 3, patient {nhs('999030824', 'endash')}, not escalated.", NHS),
    P(f"Carer quoted the NHS number {nhs('999628194', 'spaced-dash')} in her email to us.", NHS),
    P(f"Patient {nhs('999821993', '5-5')} waited 14 hours in ED on 3 January.", NHS),
    P(f"Reference given by the caller was {nhs('999518190', '4-3-3')}.", NHS),
    P(f"Wrong-site procedure, patient {nhs('999231948', 'double-space')}.", NHS),
    P(f"Resident ({nhs('999757491', 'narrow')}) fell twice in one week.", NHS),
    P(f"Paperwork for {nhs('999186252', 'fullwidth')} was found in a public corridor.", NHS),
    P("The example 943 476 5919 was pasted into the summary by mistake.", NHS),
    P(f"{nhs('999760189')} - medication omitted for three days.", NHS),
    P(f"Two residents affected: {nhs('999507529')} and {nhs('999366712', 'plain')}.", NHS, NHS),
    P(f"Missed cancer referral.\nPatient: {nhs('999768426')}\nPractice: Y02345", NHS),
    P(f"Ambulance handover delay, 6 hours, patient {nhs('999212233')} (aged 91).", NHS),
    P(f"GP practice shared records for {nhs('999079244', 'dash')} with a relative.", NHS),
    P(f"NHS no: {nhs_bad('999026859')} (family say the number may be wrong).", NHS),
    P(f"NHS number {nhs_bad('999952890', 'plain')} given on the referral.", NHS),
    P(f"NHS# {nhs_bad('999786666', 'dash')} per the incident form.", NHS),
    P(f"NHS {nhs_bad('999937865')} appears in the attached letter.", NHS),
    P(f"Patient {nhs('999176031')} 12 hours on a trolley in the corridor.", NHS),
    P(f"Unwitnessed fall; resident {nhs('999010928')}, 3 days before GP review.", NHS),
    P(f"Whistleblower shared a screenshot showing {nhs('999159013', 'plain')}.", NHS),
    P(f"Safeguarding alert raised for nhs number {nhs('999962459')}.", NHS),
    P(f"See patient {nhs('999774121', 'dot')}.", NHS),
    P(f"Duplicate record merged incorrectly ({nhs('999547280', '5-5')}).", NHS),
    # --- Phone numbers ---------------------------------------------------------------
    P("The ward manager can be reached on 07700 900123 out of hours.", TEL),
    P("Relative left her mobile, 07700900456, and asked for a call back.", TEL),
    P("Call the whistleblower on +44 7700 900789 after 6pm.", TEL),
    P("Contact number given: +447700900321.", TEL),
    P("Matron's direct line is (0161) 496 0123.", TEL),
    P("Care home office: 0161-496-0456, ask for the deputy.", TEL),
    P("Ring 020 7946 0321 for the safeguarding lead.", TEL),
    P("Family contact: +44 (0)20 7946 0555.", TEL),
    P("Switchboard 0113 496 0789 could not put the caller through.", TEL),
    P("From abroad the family rang 0044 113 496 0654.", TEL),
    P("The GP practice number 01632 960 111 goes to voicemail all afternoon.", TEL),
    P("Bank staff agency on 01632960222 confirmed shortages.", TEL),
    P("Out-of-hours line 0808 157 0123 was unanswered.", TEL),
    P("Daughter lives in the US, phone +1 202 555 0143.", TEL),
    P("Belfast office: 028 9649 6123.", TEL),
    P("Cardiff contact 029 2018 0456 for the inspection team.", TEL),
    P("Number on the poster (0117.496.0999) is out of date.", TEL),
    P("Tel: 0121 496 0111 / mobile 07700 900999.", TEL, TEL),
    P("Leave a message on 0131 496 0777 and quote the date.", TEL),
    P("Text the manager on 07700-900-555.", TEL),
    P("Concern received by phone from 0191 498 0123 on 14/05/2024.", TEL),
    P("Provider asked us to use 03069 990123 for all queries.", TEL),
    P("Helpline 0300 311 2233 has a 40 minute wait.", TEL),
    P("Caller's number\n07700 900777\nno name given", TEL),
    P("Please call 0115 496 0888 ext 4521 to discuss.", TEL),
    # --- Postcodes -------------------------------------------------------------------
    P("Resident's family live at SW1A 1AA and visit weekly.", PC),
    P("Patient transferred from an address in M1 1AE.", PC),
    P("Home visit to B33 8TH was missed twice.", PC),
    P("Complainant's postcode is CR2 6XH.", PC),
    P("The letter was sent to DN55 1PT instead of the practice.", PC),
    P("Lives alone at 14 Elm Road, LS6 2AB, no package of care.", PC),
    P("Delivery address EC1A 1BB given on the prescription.", PC),
    P("postcode sw1a 2aa written on the referral", PC),
    P("Patient is from B338TH according to the notes.", PC),
    P("Address: Flat 3, 22 Mill Lane, NG5 1PB.", PC),
    P("Two patients from the same street (BD7 1DP) reported the same issue.", PC),
    P("Son's address is W1A 0AX, he wants updates.", PC),
    P("Moved from GL50 3PP to the care home in March.", PC),
    P("Visiting from LS28 7ER every Sunday.", PC),
    P("Discharged home to NE1 4ST without a care plan.", PC),
    P("Resident's home was in e1 6an before admission.", PC),
    P("The two addresses were M60 1NW and M4 5JD.", PC, PC),
    P("Safeguarding visit: PO1 3AX, no answer.", PC),
    # --- Email addresses -------------------------------------------------------------
    P("Whistleblower asked for replies to jane.doe@example.nhs.net only.", EMAIL),
    P("Concern forwarded from a.khan@nhs.net to the QSG.", EMAIL),
    P("The ward manager (ward7manager@trust.example.nhs.uk) did not respond.", EMAIL),
    P("Family email: sam_o'reilly@carehome.example.co.uk.", EMAIL),
    P("Send the action plan to J.Bloggs@NHS.NET by Friday.", EMAIL),
    P("Contact first.last+qsg@nhs.net for the minutes.", EMAIL),
    P("Manager's address is info@sunnyview-care.example.com.", EMAIL),
    P("Relative wrote from <d.okafor1975@example.com> twice.", EMAIL),
    P("Escalated by r.patel@example.org, cc m.jones@example.org.", EMAIL, EMAIL),
    P("email:deputy.manager@example.co.uk", EMAIL),
    P("Reply to 'complaints.lead@example.nhs.uk' please.", EMAIL),
    P("The GP (dr.smith@example-practice.nhs.uk) raised it.", EMAIL),
    P("Contact\nmary.jones@example.com\nfor details", EMAIL),
    # --- Dates of birth --------------------------------------------------------------
    P("Resident DOB 12/03/1950 was given the wrong insulin dose.", DOB),
    P("Patient (D.O.B. 04-07-1938) waited 9 hours.", DOB),
    P("date of birth: 12.03.50, admitted via ED", DOB),
    P("Gentleman born on 12 March 1950, lives alone.", DOB),
    P("DOB: March 12, 1950. Family concerned about weight loss.", DOB),
    P("Patient's date of birth is 1950-03-12.", DOB),
    P("Lady (b. 01/02/1940) fell in the lounge.", DOB),
    P("born on the 5th of November 1936, now on end of life care", DOB),
    P("DoB 23 Jan 1929", DOB),
    P("Date of Birth - 17/11/1944", DOB),
    P("Aged 84 (born 12/06/1940) and awaiting a care package.", DOB),
    P("dob 3/9/47 written on the whiteboard in the bay", DOB),
    P("Resident born March 1931 has had three falls.", DOB),
    P("Birth date 2 Feb 1952 recorded on the wrong chart.", DOB),
    P("DOB 12031950 on the label.", DOB),
    P("Date of birth recorded as 30th September 1948.", DOB),
    P("The baby, born on 14/05/2024, was readmitted.", DOB),
    P("D.O.B: 09/1939 (month only on the old record).", DOB),
    P("Twins born 3 April 2023; concerns about health visiting.", DOB),
    P("DOB 12/03/1950\nNHS no unknown", DOB),
    # --- Titled personal names -------------------------------------------------------
    P("Relatives said Dr J. Smith refused to see them.", NAME),
    P("Mrs O'Neill was left in soiled sheets overnight.", NAME),
    P("Mr Smith-Jones, the registered manager, has resigned.", NAME),
    P("Complaint about Dr Priya Patel's consultation.", NAME),
    P("Prof. Alan Hughes chaired the review.", NAME),
    P("Ms Kowalska raised the concern on the night shift.", NAME),
    P("Miss Ellie Brown, a student nurse, reported bullying.", NAME),
    P("Mx Taylor was not offered a chaperone.", NAME),
    P("Mrs Smith's ward has had four falls this month.", NAME),
    P("Seen by Dr. Okafor in clinic.", NAME),
    P("Mr McDonald waited 40 minutes for the call bell to be answered.", NAME),
    P("The family of Mrs Ada Lovelace-Byrne complained.", NAME),
    P("Dr JR Evans is the only GP at the branch surgery.", NAME),
    P("Dr J R Evans covers both sites.", NAME),
    P("Professor Nkechi Adeyemi raised it at the board.", NAME),
    P("Mr Zoltán Horváth was discharged at 2am.", NAME),
    P("Staff said Mrs Begum had not eaten for two days.", NAME),
    P("Dr.Ng was the only registrar on call.", NAME),
    P("Mr A. Gupta (locum) declined to attend.", NAME),
    P("We spoke to Mrs Williams and Mr Williams separately.", NAME, NAME),
    P("Ms Chen\u2019s notes were incomplete.", NAME),
    P("The surgeon, Mr O\u2019Brien, was named in two complaints.", NAME),
    P("Dr Foster-Grant signed the death certificate.", NAME),
    # --- More than one kind ----------------------------------------------------------
    P(
        f"Mrs Jane Doe (DOB 03/07/1941, NHS {nhs('999385280')}) of LS6 2AB fell twice.",
        NAME,
        DOB,
        NHS,
        PC,
    ),
    P("Call Mr Hassan on 07700 900246 about his mother.", NAME, TEL),
    P("Dr Lee (l.lee@example.nhs.uk, 0161 496 0999) raised the alert.", NAME, EMAIL, TEL),
    P(f"Patient {nhs('999841485', 'plain')}, born 2 Feb 1952, lives at M1 1AE.", NHS, DOB, PC),
    P("Summary: Ward 7 short-staffed.\nContact: Mrs Khan, 07700 900135.", NAME, TEL),
    P(f"Names on the list: Mr Owen, Mrs Price.\nNumbers: {nhs('999253888')}.", NAME, NAME, NHS),
    P("Family (sarah.h@example.com, CR2 6XH) want a meeting.", EMAIL, PC),
    P(f"Caller gave DOB 1/1/1930 and NHS number {nhs('999539336', 'dash')}.", DOB, NHS),
    P("Dr Mehta's mobile 07700 900468 was on the rota on the ward wall.", NAME, TEL),
    P(f"Letters for {nhs('999338750')} and {nhs('999047439')} were swapped.", NHS, NHS),
    # Known limitations of the first screener, handled since normalisation and the
    # lower-case, capitals and spelled-out rules (2026-12).
    P("Daughter spoke to dr smith on the ward.", NAME),
    P("MRS SMITH WAS LEFT ALONE FOR HOURS.", NAME),
    P("Write to jane dot doe at example dot com.", EMAIL),
]

NEAR_MISSES = [
    # --- Ten digits with an invalid check digit, nine and eleven digits --------------
    N(f"Order reference {nhs_bad('999575513')} for the replacement hoists."),
    N(f"Purchase order {nhs_bad('999137353', 'plain')} was cancelled."),
    N(f"Invoice {nhs_bad('999799075', 'dash')} queried by the ICB."),
    N(f"Ticket {nhs_bad('999116372', 'dot')} logged with IT about the e-rostering system."),
    N(f"Asset tag {nhs_bad('999797543', 'plain')} on the broken bed frame."),
    N(f"Consignment {nhs_bad('999555979', '5-5')} of PPE was late."),
    N(f"Courier tracking {nhs_bad('999711471')} shows the samples were lost."),
    N("Serial number 9434765918 on the defibrillator."),
    N("Record 943 476 5910 in the spreadsheet is a duplicate row."),
    N("Datix batch 123456789 contains 14 incidents."),
    N("Nine-digit code 999 123 456 appears in the export."),
    N("Account 12345678901 is the provider's supplier number."),
    N("Eleven digits 99952601812 from the finance system."),
    N("Lab accession 9995260181 2 (the trailing 2 is a batch)"),
    N("Reference 999-526-0181-22 on the contract."),
    N("QSG-2024-9995260181 is the case file number."),
    N("Spreadsheet row 9995260181X was corrupted."),
    # --- ODS codes and CQC identifiers -----------------------------------------------
    N("Three whistleblowers from ward 7 at RXX report staffing below safe levels."),
    N("ODS code RW3, site RW3T1."),
    N("GP practice Y02345 has lost two partners since January."),
    N("Practice code A81001 has a list size of 12,400."),
    N("Site RYJ02 closed its minor injuries unit."),
    N("Trust RXX1 site and RXX01 both reported."),
    N("CQC location ID 1-123456789 was inspected."),
    N("CQC location 1-2345678901 rated requires improvement."),
    N("Provider ID 1-101681683 covers four care homes."),
    N("ICB QWE and sub-ICB 93C are reviewing the contract."),
    N("Sites RW3T1, RW3T2 and RW3T3 share one rota."),
    N("ONS code E12000007 (London region)."),
    N("Care home registered as 1-10987654321 on the CQC site."),
    # --- Dates that are not dates of birth ------------------------------------------
    N("CQC inspection on 03/04/2024 found breaches of regulation 12."),
    N("Discussed at the meeting on 14/05/2024."),
    N("Three whistleblowers report staffing below safe levels since 12 March 2024."),
    N("Report published 2024-05-14, action plan due 2024-06-30."),
    N("Next QSG meeting 14.05.24 at 10:00."),
    N("The service was born out of a merger on 1 April 2019."),
    N("Newborn unit closed on 12/03/2024 for deep cleaning."),
    N("Aged 84 (born 1940) and awaiting a care package."),
    N("Resident was born in 1932 and has dementia."),
    N("The DOB field was blank on 40% of the referrals."),
    N("Date of birth not recorded on the transfer form."),
    N("Births fell 12% between 2019 and 2023."),
    N("Deaths: 4 in March 2024, 7 in April 2024."),
    N("Birthday party for the home's 10th anniversary on 12 June 2024."),
    N("Incident on 05/01/2024 at 02:30."),
    N("The policy dated March 2021 is out of date."),
    N("Letter dated 1st April 2024 from the Medical Director."),
    N("Staff born overseas make up 40% of the workforce."),
    N("A new ward was born from the reconfiguration; opened 01/09/2023."),
    # --- Years, ranges, versions, money, percentages, counts -------------------------
    N("Complaints rose every year 2019-2024."),
    N("Financial year 2023/24 deficit of £12,500,000."),
    N("Q3 2023/24 performance against the 4-hour standard was 58.2%."),
    N("The trust owes £1,234,567 to the agency."),
    N("Cost pressure £2.4m, 3.7% of budget."),
    N("Vacancy rate 12.5% (48.6 WTE) on 1,240 establishment."),
    N("Rota tool v1.2.3 miscalculated night shifts."),
    N("32 beds, 4 closed; bed 12 in bay 3 had no call bell."),
    N("0.5 WTE pharmacist for 120 residents."),
    N("Opening hours 09:00-17:00, Monday to Friday."),
    N("Between 2019 2020 and 2021 the numbers tripled."),
    N("Waiting list 7,654,321 nationally; 12 345 locally."),
    N("Agency spend £1 234 567 890 across the region."),
    N("Scores: 0.5 1.5 2.5 3.5 4.5 across the five domains."),
    N("Ratios 1:8 days and 1:12 nights."),
    N("Section 136 suite used 14 times; regulation 17(2)(a) breached."),
    N("Regulation 12, 17 and 18 breaches; 3 warning notices."),
    N("NHS 111 calls up 20%; 999 calls up 8%."),
    N("0-19 service and 0-5 years pathway both paused."),
    N("Occupancy 98.7% for 12 weeks; 4,521 attendances."),
    N("Extension 4521 is the ward's internal line."),
    N("Contact the ward on extension 4521."),
    N("Bleep 1234 was not answered."),
    N("Reference QSG-2024-00042."),
    N("FOI 2024/0042 and SI 2024/12345 relate to this."),
    N("Datix W123456 and INC0012345 logged."),
    N("Dates 01/02/2024, 02/02/2024, 03/02/2024 all had short staffing."),
    N("12-03-2024 to 19-03-2024 the lift was broken."),
    N("Figures for 2021 2022 2023 2024 are attached."),
    N("Grade 5 to 8a posts; 25 vacancies in bands 5-6."),
    N("IP address 10.0.0.1 and port 8080 blocked the portal."),
    N("ISBN 978 0 14 103614 4 is the book the staff cited."),
    # --- Postcode look-alikes --------------------------------------------------------
    N("Traffic on the A1 road delayed the ambulance."),
    N("Crash on the M62 closed the route to the hospital."),
    N("COVID 19 outbreak on ward 4."),
    N("B12 deficiency missed in three residents."),
    N("Services in NG5 and LS1 are affected."),
    N("Ward a1 2nd floor is closed."),
    N("The SW1A district office."),
    N("CO2 monitors were not working."),
    N("E. coli bacteraemia rates rose."),
    N("NEWS2 score 7 not escalated."),
    N("4AT delirium screen not done."),
    N("A&E waits exceeded 12 hours."),
    N("M1 J25 closure delayed transfers."),
    N("Wards A1, B2 and C3 have vacancies."),
    N("Bay 4 bed 3 and room 12B."),
    N("Room G12 3rd floor."),
    # --- Email look-alikes -----------------------------------------------------------
    N("Raised on social media by @CQCProf and @NHSEngland."),
    N("The practice's generic nhs.net mailbox is not monitored."),
    N("Staff email the secretariat at the usual address."),
    N("Emails were sent @ 10pm on a Sunday."),
    N("Use the QSG@ mailbox, not personal accounts."),
    # --- Titles without a name, and "Dr Foster" --------------------------------------
    N("Dr Foster data shows a high mortality ratio."),
    N("Dr Foster Intelligence published the hospital guide."),
    N("The Dr Doctor app sent appointment letters late."),
    N("The Director of Nursing has been told."),
    N("Concerns about the Medical Director and the Chief Nurse."),
    N("The on-call doctor did not attend."),
    N("The patient was seen by a Dr. The ward then closed."),
    N("Mrs A was left without pain relief; Mr X was not."),
    N("Patient B and Resident C both fell."),
    N("Meeting held on Ms Teams."),
    N("Notes written in Ms Word and lost."),
    N("Only one Dr on shift. Patients waited hours."),
    N("Letters addressed to Dr and Mrs, no name."),
    N("Mr and Mrs were both listed as next of kin."),
    N("Miss. Patients reported missed doses."),
    N("MR scanner down; MRSA screening late; MS Teams call."),
    N("Titles such as Mr, Mrs, Ms or Dr were missing."),
    N("A Prof. Then the lecture ended."),
    N("Dr The Ward Manager did not reply."),
    # --- Wards and places ------------------------------------------------------------
    N("Nightingale Ward and Elm Ward share a manager."),
    N("Ward 12B (respiratory) has 28 beds."),
    N("Station Road surgery, Church Street branch."),
    N("The home on Station Dr. has a new manager."),
    N("Dr Gray's Hospital in Elgin has a new A&E lead."),
    N("Dr Jenner Ward reopened after the norovirus outbreak."),
    N("The Mrs Harris Memorial Fund paid for the garden."),
    # --- Added after the first run: more look-alikes ---------------------------------
    N("Wards 01 02 03 04 05 06 were audited."),
    N("Shift 0800-0900; handover audit on 07/07/2024."),
    N("Staff were born and raised locally and are loyal to the home."),
    N("DOB verified on admission for all residents."),
    N("Resident (b. 1940) has capacity."),
    N("Professor of Nursing visited the unit."),
    N("Version 2.0.1 released 01.02.2024 0930."),
    N("Test reference 123456789012 from the supplier."),
    N("Titles Mrs, Ms, Miss and Mx are all offered on the form."),
    N("Rota 07:00 to 19:30, breaks not taken."),
    N("Data from Sept 2023 to March 2024."),
    N("MS Excel and MS Teams are used for the rota."),
    N("Patients told to call 111 or 999."),
    N("Population 56 550 138 in the ONS estimate."),
    N("Ward phone out of order since 03.06.24."),
    N("Call handling time 01:23:45 on average."),
    N("Rooms 0.12 and 0.13 on level 0 flood."),
    N("A 92-year-old resident fell; she was born locally."),
    N("Site visit 10.30-12.30 on 4 June."),
    N("Calls to the practice: 1,024 in one week, 0 answered in 10 minutes."),
    N("ESR position 12345678 is vacant."),
    # A ten-digit number labelled as something else that passes the check by chance.
    N(f"Purchase order {nhs('999159013', 'plain')} for the new beds."),
]

NEGATIVES = [
    O("Healthwatch survey of 240 patients found long waits."),
    O("Staff report low morale and high agency use."),
    O("Concerns about the culture in the maternity unit."),
    O("Care home staff were not trained in moving and handling."),
    O("GP practice has closed its list to new patients."),
    O("The registered manager left and has not been replaced."),
    O("Families report poor communication at discharge."),
    O("Relatives say call bells are not answered at night."),
    O("Medicines were left unattended on the trolley."),
    O("Infection control audit scores have fallen."),
    O("Ambulance handover delays at the front door are getting worse."),
    O("Whistleblowers describe a closed culture on the ward."),
    O("Mental health beds are being used out of area."),
    O("The provider has not submitted its action plan."),
    O("Community nursing caseloads are unsafe according to staff."),
    O("Local authority safeguarding team has opened an enquiry."),
    O("Complaints about rudeness at reception."),
    O("Several residents lost weight without review."),
    O("The trust board was not told about the never event."),
    O("Patients wait in corridors during the evening peak."),
    O("Nutrition and hydration charts were incomplete."),
    O("Dementia care plans lack personal histories."),
    O("The home uses agency staff who do not know the residents."),
    O("No learning disability liaison nurse is in post."),
    O("Children's mental health waits remain long."),
    O("Out-of-hours GP cover relies on locums."),
    O("Pharmacy stock shortages have delayed discharges."),
    O("Falls risk assessments were not repeated after falls."),
    O("The QSG agreed to share this with the regulator."),
    O("Staff were afraid to raise concerns with managers."),
    O("The provider disputes the findings."),
    O("Response from the ICB is awaited."),
    O("End of life care was good according to families."),
    O("Positive feedback about the new stroke pathway."),
    O("Recruitment to health visiting is improving."),
    O("The practice merged with a neighbouring one."),
    O("Cleanliness in the outpatients department has improved."),
    O("Delayed transfers of care are now the main pressure."),
    O("No concerns were raised at the last visit."),
    O("Students report good supervision on placement."),
    O("The maternity voices partnership raised similar themes."),
    O("Leadership has been unstable for two years."),
    O("Bank holiday staffing was particularly poor."),
    O("The home's kitchen has a low food hygiene rating."),
    O("Interpreting services were not booked for appointments."),
    O("Sepsis screening compliance is below target."),
]

# Known limitations: the truth is stated; the screener gets these wrong on purpose or
# because no rule of this kind can tell.
LIMITATIONS = [
    P(
        "Dr Foster, the consultant, apologised to the family.",
        NAME,
        limitation="'Dr Foster' is allow-listed for Dr Foster Intelligence; a person of "
        "that name is missed",
    ),
    P(
        "Kate Morrison complained about her mother's care.",
        NAME,
        limitation="names without a title cannot be told from places and products by rule",
    ),
    N(
        "Prof. Dev. Day for band 5 nurses was cancelled.",
        limitation="'Prof. Dev.' (professional development) reads as Prof + a name",
    ),
    N(
        "Form HR1 2AB version is obsolete.",
        limitation="a form code that is also a valid postcode: indistinguishable, flagged",
    ),
]

CORPUS: list[Snippet] = POSITIVES + NEAR_MISSES + NEGATIVES + LIMITATIONS
