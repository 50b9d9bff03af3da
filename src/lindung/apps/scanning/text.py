"""Text scanning for the API: one process-wide scorer, thresholds from the organisation's policy."""

from __future__ import annotations

import threading
from typing import Any

from django.conf import settings

from lindung.apps.accounts.permissions import Permission, Principal, require
from lindung.apps.errors import InvalidInput
from lindung.apps.scanning.models import ScanPolicy
from lindung.detect.text.conversation import ConversationScorer, Message
from lindung.detect.text.pipeline import CATEGORIES, TextScorer

_scorer: TextScorer | None = None
_lock = threading.Lock()


def text_scorer() -> TextScorer:
    """Built once per process: the default lexicon plus models in LINDUNG_TEXT_MODELS_DIR."""
    global _scorer
    if _scorer is None:
        with _lock:
            if _scorer is None:
                _scorer = TextScorer.default(models_dir=settings.LINDUNG.text_models_dir)
    return _scorer


def validate_thresholds(raw: Any) -> dict[str, float]:
    if not isinstance(raw, dict):
        raise InvalidInput("text_thresholds must be an object of category: number.")
    clean: dict[str, float] = {}
    for name, value in raw.items():
        if name not in CATEGORIES:
            raise InvalidInput(f"Unknown text category {name!r}; use {', '.join(CATEGORIES)}.")
        if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= 1:
            raise InvalidInput(f"Threshold for {name} must be a number between 0 and 1.")
        clean[name] = float(value)
    return clean


def thresholds_for(principal: Principal) -> dict[str, float] | None:
    if principal.organisation is None:
        return None
    policy = ScanPolicy.objects.filter(organisation=principal.organisation).first()
    return dict(policy.text_thresholds) if policy and policy.text_thresholds else None


def scan_texts(principal: Principal, items: list[tuple[str, str]]) -> list[dict[str, Any]]:
    require(principal, Permission.SCAN)
    results = text_scorer().score_many([t for _, t in items], thresholds=thresholds_for(principal))
    return [{"id": i, **r.to_dict()} for (i, _), r in zip(items, results, strict=True)]


def scan_conversation(
    principal: Principal, conversation_id: str, messages: list[Message]
) -> dict[str, Any]:
    require(principal, Permission.SCAN)
    thresholds = thresholds_for(principal)
    scorer = text_scorer()
    per_message = scorer.score_many([m.text for m in messages], thresholds=thresholds)
    authors = ConversationScorer(scorer, thresholds=thresholds).score(
        conversation_id, messages, results=per_message
    )
    return {
        "conversation_id": conversation_id,
        "messages": [
            {"id": m.id, **r.to_dict()} for m, r in zip(messages, per_message, strict=True)
        ],
        "authors": [a.to_dict() for a in authors],
    }
