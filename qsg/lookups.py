"""`AnyOf(F("pk"), ids)`: a long list of values as one parameter.

`pk__in=ids` sends one placeholder per value, and psycopg splits a query on its placeholders in
Python, uncached past a certain length: about 70 ms for a query with 4,000 ids, twice a request
for the intelligence list of a reader whose organisation is named on 4,000 items
(docs/benchmarks-intelligence.md). On PostgreSQL `AnyOf` is `field = ANY(%s)` with the list as
one array (the planner treats it as the IN list it is); elsewhere it is `IN`.
"""

from __future__ import annotations

from django.db.models import Lookup
from django.db.models.lookups import In


class AnyOf(Lookup):
    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        return In(self.lhs, list(self.rhs)).as_sql(compiler, connection)

    def as_postgresql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = [self.lhs.output_field.get_db_prep_value(v, connection) for v in self.rhs]
        return f"{lhs} = ANY(%s)", [*params, values]
