from rest_framework import pagination
from rest_framework.exceptions import ValidationError

from qsg.pagination import CountParts, UnionCountPaginator

MAX_PAGE = 2**31 - 1


class PageNumberPagination(pagination.PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    # Set by a view whose list is an OR of arms: count the page's total as their union.
    count_parts: CountParts | None = None
    # Set by a view to count only up to this many (`count_capped` then says the count is a floor).
    count_cap: int | None = None
    capped_order: list[str] | None = None

    def django_paginator_class(self, queryset, page_size):
        return UnionCountPaginator(
            queryset,
            page_size,
            count_parts=self.count_parts,
            count_cap=self.count_cap,
            capped_order=self.capped_order,
        )

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response.data["count_capped"] = self.page.paginator.capped
        return response

    def get_paginated_response_schema(self, schema):
        schema = super().get_paginated_response_schema(schema)
        schema["properties"]["count_capped"] = {
            "type": "boolean",
            "description": "True when `count` is a floor: more items match than were counted "
            "(a search counts up to 1,000), the pages reach only that many, and a search lists "
            "them newest first rather than best match first.",
        }
        return schema

    def get_page_size(self, request):
        """A page_size that is not a whole number from 1 to 500 is a 400, not silently ignored."""
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        try:
            size = int(raw[-1])
        except ValueError:
            size = 0
        if len(raw) > 1 or not 1 <= size <= self.max_page_size:
            raise ValidationError(
                {"page_size": [f"Enter a whole number from 1 to {self.max_page_size}"]}
            )
        return size

    def get_page_number(self, request, paginator):
        """A page that is given but not a whole number of 1 or more (blank included) is a 400."""
        raw = request.query_params.getlist(self.page_query_param)
        if not raw:
            return 1
        value = raw[-1]
        if value in self.last_page_strings:
            return paginator.num_pages
        if (
            len(raw) > 1
            or not value.isascii()
            or not value.isdigit()
            or not 1 <= int(value) <= MAX_PAGE
        ):
            raise ValidationError({"page": [f"Enter a whole number from 1 to {MAX_PAGE}"]})
        return value

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_PAGE}
        return parameters
