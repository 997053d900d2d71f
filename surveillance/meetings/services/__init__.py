"""Every write about meetings: atomic, validated, audited; side effects on commit.

Workflow of the note: draft -> circulated (members comment) -> agreed by the chair (locked,
frozen as a version; conclusions update providers' surveillance levels and "risk summit
required" leaves a referral) -> published to members. Changing an agreed note opens a new
version with a reason; every agreed version stays readable.

One module per concept: `schedule`, `agenda`, `attendance`, `note`, `actions`, `plans`,
`pdf`. Import the function from its module; this package re-exports nothing.
"""
