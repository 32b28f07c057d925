"""Saving inline rows that are ordered by a position unique within their parent (citations, set members)."""


def park_moved_rows(formset, rows):
    """Delete the formset's deleted rows, then move each row whose position changed past every stored one.

    Call it after ``formset.save(commit=False)`` and before saving the rows: positions are unique per
    parent and rows are saved one by one, so two rows swapping places would collide halfway; parked
    on free positions first, they cannot. ``rows`` is the parent's stored rows (a queryset). Return
    the stored positions of the rows left in place, ``{pk: position}``.
    """
    for obj in formset.deleted_objects:
        obj.delete()
    moved = [obj.pk for obj, changed in formset.changed_objects if "position" in changed]
    stored = dict(rows.values_list("pk", "position"))
    top = max(stored.values(), default=0)
    for offset, pk in enumerate(moved, start=1):
        rows.filter(pk=pk).update(position=top + offset)
    return {pk: position for pk, position in stored.items() if pk not in moved}
