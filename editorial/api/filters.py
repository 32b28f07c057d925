"""The API's filters and pagination: the public lists' filters, with errors as 400 answers.

The claim and source filters are the public pages' own (``editorial.filters``), so a query string
that works on ``/claims/`` or ``/sources/`` works on ``/api/claims/`` or ``/api/sources/``. Only
``page_size`` moves: the API's paginator reads it, so the filter sets drop their copy.

Every error is keyed by the query parameter at fault (``claim_date_after``, not the ``claim_date``
filter behind it), so a client can tell which part of its query string to fix.
"""

from functools import partial

import django_filters
from django import forms
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework.exceptions import ValidationError
from rest_framework.pagination import PageNumberPagination

from editorial.filters import MAX_PAGE_SIZE, ClaimFilter, SourceFilter
from editorial.public import counters
from editorial.public.caching import DepthLimitedPaginator


class ApiClaimFilter(ClaimFilter):
    """``ClaimFilter`` without ``page_size`` (``ApiPagination`` reads it)."""

    page_size = None

    class Meta(ClaimFilter.Meta):
        pass

    # The slug filters below run through methods, which the schema generator cannot read a type from.

    @extend_schema_field(OpenApiTypes.STR)
    def filter_speaker(self, claims, name, speaker):
        return super().filter_speaker(claims, name, speaker)

    @extend_schema_field(OpenApiTypes.STR)
    def filter_source(self, claims, name, source):
        return super().filter_source(claims, name, source)

    @extend_schema_field(OpenApiTypes.STR)
    def filter_publisher(self, claims, name, publisher):
        return super().filter_publisher(claims, name, publisher)

    @extend_schema_field(OpenApiTypes.STR)
    def filter_author(self, claims, name, author):
        return super().filter_author(claims, name, author)


class ApiSourceFilter(SourceFilter):
    """``SourceFilter`` without ``page_size`` (``ApiPagination`` reads it)."""

    page_size = None

    class Meta(SourceFilter.Meta):
        pass

    @extend_schema_field(OpenApiTypes.STR)
    def filter_author(self, sources, name, author):
        return super().filter_author(sources, name, author)


def parameter_errors(filterset):
    """Return the filter set's errors as ``{query parameter: [messages]}``.

    A range filter (``claim_date``) reads two parameters (``claim_date_after``, ``claim_date_before``);
    its error goes to each of them that does not parse on its own, or to both when neither is wrong
    alone.
    """
    errors = {}
    for name, messages in filterset.errors.items():
        filter_ = filterset.filters.get(name)
        if isinstance(filter_, django_filters.RangeFilter):
            suffixes = filter_.field_class.widget.suffixes
            parameters = [f"{name}_{suffix}" for suffix in suffixes]
            field = filterset.form.fields[name].fields[0]
            wrong = []
            for parameter in parameters:
                try:
                    field.clean(filterset.data.get(parameter) or None)
                except forms.ValidationError:
                    wrong.append(parameter)
            for parameter in wrong or parameters:
                errors[parameter] = list(messages)
        else:
            errors[name] = list(messages)
    return errors


class ApiFilterBackend(DjangoFilterBackend):
    """``DjangoFilterBackend`` whose 400 names the query parameters at fault (``parameter_errors``)."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(parameter_errors(filterset))
        if hasattr(filterset, "counted_scope"):
            # The claim list's total, when its counters keep it (``ClaimApiPagination``).
            view.counted_scope = filterset.counted_scope()
        return filterset.qs


def _whole_number(value):
    """Return ``value`` as a positive int, or None when it is not a plain whole number of a sane size."""
    if value.isascii() and value.isdigit() and len(value) <= 9 and int(value) >= 1:
        return int(value)
    return None


class ApiPagination(PageNumberPagination):
    """Page-number pagination whose bad ``page`` or ``page_size`` is a 400 naming the parameter.

    A well-formed page number past the last page stays DRF's 404 ("Invalid page.").
    """

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request):
        value = request.query_params.get(self.page_size_query_param)
        if value is None:
            return self.page_size
        size = _whole_number(value)
        if size is None or size > self.max_page_size:
            raise ValidationError(
                {self.page_size_query_param: [f"Enter a whole number from 1 to {self.max_page_size}."]}
            )
        return size

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            parameter["schema"]["minimum"] = 1
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"]["maximum"] = self.max_page_size
                parameter["description"] = f"Results per page, 1 to {self.max_page_size} (default {self.page_size})."
        return parameters

    def get_page_number(self, request, paginator):
        value = request.query_params.get(self.page_query_param)
        if value is None or value in self.last_page_strings:
            return value or 1
        number = _whole_number(value)
        if number is None:
            raise ValidationError({self.page_query_param: ["Enter a whole number from 1."]})
        return number


class ClaimApiPagination(ApiPagination):
    """The claim list's pagination: pages reaching the first ``LIST_DEPTH`` rows
    (``editorial.public.caching``); the exports stream every claim.

    The total of the whole list, or of one tag's, speaker's or publisher's claims, is read from the
    counters moderation keeps (``editorial.public.counters``), as the HTML list reads it: a
    ``COUNT(*)`` of a million entries after every change would be most of the response's time.
    Other filters are counted once per version of the public record.
    """

    total = None

    def paginate_queryset(self, queryset, request, view=None):
        scope = getattr(view, "counted_scope", None)
        self.total = counters.total(scope) if scope is not None else None
        return super().paginate_queryset(queryset, request, view)

    @property
    def django_paginator_class(self):
        return partial(DepthLimitedPaginator, total=self.total)
