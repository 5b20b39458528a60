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
        keys = list(
            self.object_list.annotate(total_count=Window(Count("*"))).values_list("pk", "total_count")[
                bottom : bottom + self.per_page
            ]
        )
        rows = []
        if keys:
            self.__dict__["count"] = keys[0][1]
            found = {row.pk: row for row in self.object_list.filter(pk__in=[pk for pk, _ in keys])}
            rows = [found[pk] for pk, _ in keys if pk in found]
        elif number == 1:
            self.__dict__["count"] = 0
        else:
            raise EmptyPage("That page contains no results")
        return self._get_page(rows, number, self)
