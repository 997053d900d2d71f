"""Pages of meetings: schedule, business cycle, agenda, attendance, the note, actions, PDF.

Each view: access check (access_meetings), a service for writes, a response.

One module per concept: `schedule`, `agenda`, `attendance`, `note`, `workflow` (of the note),
`actions`, `plans`, `pdf`; `urls.py` names each view by its module. It re-exports nothing.
"""
