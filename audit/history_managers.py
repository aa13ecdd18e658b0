"""One history manager class per model, not one per access.

django-simple-history's ``HistoryDescriptor.__get__`` builds a new manager class
(``Manager.from_queryset``, which walks the queryset class with ``inspect.getmembers``) each
time ``Model.history`` is read, and its post_save handler reads it on every save of a tracked
model: a few per cent of a score sheet's save or a check-in (issue #8, bench/RESULTS.md).
The class depends only on the descriptor's manager and queryset classes, so it is built once
per descriptor; each access still gets its own manager instance, bound to its instance.
"""

from __future__ import annotations

from simple_history.manager import HistoryDescriptor


def _get(self, instance, owner):
    manager_class = self.__dict__.get("_khoi_manager_class")
    if manager_class is None:
        manager_class = self.manager_class.from_queryset(self.queryset_class)
        self._khoi_manager_class = manager_class
    return manager_class(self.model, instance)


def install() -> None:
    """Idempotent: AuditConfig.ready calls it."""
    HistoryDescriptor.__get__ = _get
