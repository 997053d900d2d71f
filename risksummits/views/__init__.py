"""Risk summit pages. Each view: access check (risksummits.access), a service, a response.

One module per stage of a summit, as in `risksummits.services`: `summits` (the list and a
summit's page), `trigger`, `participants`, `ring_holder`, `judgement`, `meetings`, `actions`,
`closure`, `documents` (PDFs), `access_log`, and `sections` (what summits add to other pages);
`_common` holds the helpers they share. Every page of a summit records the view in the summit's
access log.
"""
