"""A paginator that reads a page and the total in one query.

Django's Paginator counts first (the whole search again: box, distance, joins) and then fetches
the page. ``COUNT(*) OVER ()`` is computed before LIMIT, so the first row of the page carries the
total; a separate count runs only for an empty page past the first.
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
        rows = list(self.object_list.annotate(total_count=Window(Count("*")))[bottom : bottom + self.per_page])
        if rows:
            self.__dict__["count"] = rows[0].total_count
        elif number == 1:
            self.__dict__["count"] = 0
        else:
            raise EmptyPage("That page contains no results")
        return self._get_page(rows, number, self)
