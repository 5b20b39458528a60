"""The history of meetings and locations (django-simple-history), written where changes are written in bulk.

Single saves are recorded by simple-history itself (its middleware names the user, for the admin and the
API alike). The importer and the admin's bulk actions write many rows at once; ``record`` gives them the
same history, many rows per query, with the meetings' types as they are after the change.
"""

from collections import defaultdict
from collections.abc import Sequence

from django.db import models
from django.utils import timezone
from simple_history.utils import get_history_manager_for_model

BATCH_SIZE = 2000


def record(objs: Sequence[models.Model], *, created: bool, user=None, reason: str = "", when=None) -> None:
    """One history row per object, as it is now (call it after its many-to-many rows are written)."""
    if not objs:
        return
    model = type(objs[0])
    manager = get_history_manager_for_model(model)
    rows = manager.bulk_history_create(
        objs,
        batch_size=BATCH_SIZE,
        update=not created,
        default_user=user,
        default_change_reason=reason,
        default_date=when or timezone.now(),
    )
    if rows:  # None when history is switched off (SIMPLE_HISTORY_ENABLED)
        _record_many_to_many(manager.model, rows)


def _record_many_to_many(history_model, rows: Sequence[models.Model]) -> None:
    """The tracked many-to-many links of each object, copied for its new history row."""
    for field in history_model._history_m2m_fields:
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        copy = getattr(history_model, field.name).model
        pk_name = history_model.instance_type._meta.pk.attname
        link_pk = through._meta.pk.attname
        for start in range(0, len(rows), BATCH_SIZE):
            batch = rows[start : start + BATCH_SIZE]
            links = defaultdict(list)
            for link_id, owner_id, target_id in through.objects.filter(
                **{f"{source}_id__in": [getattr(row, pk_name) for row in batch]}
            ).values_list("pk", f"{source}_id", f"{target}_id"):
                links[owner_id].append((link_id, target_id))
            copy.objects.bulk_create(
                [
                    copy(**{"history_id": row.pk, link_pk: link_id, f"{source}_id": owner, f"{target}_id": target_id})
                    for row in batch
                    for owner in [getattr(row, pk_name)]
                    for link_id, target_id in links[owner]
                ],
                batch_size=BATCH_SIZE,
            )
