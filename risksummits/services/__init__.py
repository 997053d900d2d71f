"""Every write to a risk summit, one module per stage of the summit.

`trigger`, `participants`, `ring_holder`, `judgement` (the CQC's judgement, the checks, rapid
impact assessments), `meetings`, `actions`, `closure`, `alerts` (beat), `documents` (PDFs) and
`access_log`; `_common` holds the helpers they share. Import the function from its module.

Each function is keyword-only and atomic, validates (`full_clean()` and the summit's own rules),
records who did it (django-simple-history and the summit's timeline) and sends e-mail or queues
work only once the transaction has committed. Free text is screened for patient-identifiable
data and refused if any is found. A one-use form token makes a double submit create one record.
"""
