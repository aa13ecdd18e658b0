"""The dashboard's "needs your attention" list: each app registers one provider.

A provider takes the user and returns AttentionItems; adding a new kind of task to the
dashboard touches its own app and one ``register`` call, nothing here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

Provider = Callable[[object], Iterable["AttentionItem"]]
_providers: list[Provider] = []


@dataclass(frozen=True)
class AttentionItem:
    title: str
    detail: str = ""
    url: str = ""
    level: str = "info"  # Bootstrap contextual class: info, warning, danger, success
    progress: int | None = None  # 0–100 when the task has a measurable progress


def register(provider: Provider) -> Provider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def attention_items(user) -> list[AttentionItem]:
    items: list[AttentionItem] = []
    for provider in _providers:
        items.extend(provider(user))
    return items
