"""A paginator that reads a page and the total in one query.

Django's Paginator counts first (the whole search again: box, distance, joins) and then fetches
the page. ``COUNT(*) OVER ()`` is computed before LIMIT, so the first row of the page carries the
total; a separate count runs only for an empty page past the first.

The window needs every matching row, so it runs over the keys only (a dense search matches
thousands; with whole rows PostgreSQL spilled them to disk), and a second query fetches the
page's rows, with what they select and prefetch, by key.
"""

from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.db.models import Count, Window
from django.utils.functional import cached_property


class _TotalCount(Window):
    """``COUNT(*) OVER ()``: the number of matching rows, on every row."""

    def __init__(self) -> None:
        super().__init__(Count("*"))

    @cached_property
    def identity(self) -> tuple:
        # Ordering compares it with the other columns; Django's identity binds the constructor's
        # arguments with inspect.signature() for that, a tenth of compiling a search's query.
        return (type(self),)


# No search has this many results; an offset past 2**63 - 1 is an error in the database, not an empty page.
_MAX_OFFSET = 2**62


class CountingPaginator(Paginator):
    def page(self, number):
        try:
            number = int(number)
        except (TypeError, ValueError):
            raise PageNotAnInteger("That page number is not an integer") from None
        # A window counts rows before DISTINCT, so distinct querysets take the usual two queries.
        if number < 1 or not hasattr(self.object_list, "query") or self.object_list.query.distinct:
            return super().page(number)
        bottom = (number - 1) * self.per_page
        if bottom > _MAX_OFFSET:
            raise EmptyPage("That page contains no results")
        queryset = self.object_list
        # The annotations (distance, minutes until the next start) come with the keys: the second
        # query looks rows up by key only, without the search's conditions.
        annotations = [name for name in queryset.query.annotation_select if name != "total_count"]
        keys = list(
            queryset.annotate(total_count=_TotalCount()).values_list("pk", "total_count", *annotations)[
                bottom : bottom + self.per_page
            ]
        )
        if not keys and number > 1:
            raise EmptyPage("That page contains no results")
        self.__dict__["count"] = keys[0][1] if keys else 0
        found = _by_key(queryset, [key[0] for key in keys]) if keys else {}
        rows = []
        for pk, _, *values in keys:
            if pk in found:  # unless deleted in between
                for name, value in zip(annotations, values, strict=True):
                    setattr(found[pk], name, value)
                rows.append(found[pk])
        return self._get_page(rows, number, self)


def _by_key(queryset, keys: list) -> dict:
    """The rows with these keys, with what ``queryset`` selects, prefetches, defers and attaches."""
    read_by_key = getattr(queryset._iterable_class, "by_key", None)
    if read_by_key is not None:  # rows with a reader of their own (meetings.models.MeetingRows)
        return {row.pk: row for row in read_by_key(keys, queryset.db)}
    fresh = queryset.model._default_manager.filter(pk__in=keys).order_by()  # page() puts them in the keys' order
    fresh.query.select_related = queryset.query.select_related
    fresh.query.deferred_loading = queryset.query.deferred_loading
    fresh._iterable_class = queryset._iterable_class  # e.g. meetings with their types (WithTypeList)
    fresh = fresh.prefetch_related(*queryset._prefetch_related_lookups)
    return {row.pk: row for row in fresh}
