"""JSON Lines in, JSON Lines out: the engine behind ``lindung scan-text``.

Each input line is ``{"id", "text"}``, optionally with ``conversation_id``, ``author`` and
``timestamp`` (ISO 8601). Each produces one output line, in input order: the message's
scores, or an error naming the line number, so one malformed line never stops the rest.
After all lines, one extra line per conversation and author carries the conversation-level
verdict and the early-warning message id.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from lindung.detect.text.conversation import ConversationScorer, Message
from lindung.detect.text.pipeline import TextResult, TextScorer

#: Messages scored per model batch: large enough for fast inference, small enough that
#: output keeps flowing on an endless stream.
BATCH_SIZE = 512
MAX_TEXT_CHARS = 100_000


@dataclass(frozen=True)
class _Item:
    line: int
    id: str
    text: str
    conversation_id: str | None
    author: str | None
    timestamp: datetime | None


def _error(line: int, message: str) -> dict[str, Any]:
    return {"line": line, "error": {"code": "invalid_line", "message": message}}


def parse_timestamp(value: object) -> datetime | None:
    """ISO 8601 (``Z`` allowed) or epoch seconds; naive times are taken as UTC."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("timestamp must be an ISO 8601 string or epoch seconds")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(float(value), tz=UTC)
    if isinstance(value, str):
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
    raise ValueError("timestamp must be an ISO 8601 string or epoch seconds")


def parse_line(number: int, raw: str | bytes) -> _Item | dict[str, Any]:
    """One input line as an item, or an error line saying what is wrong with it."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _error(number, f"not valid UTF-8 (byte {exc.start + 1})")
    try:
        record = json.loads(raw)
    except json.JSONDecodeError as exc:
        return _error(number, f"not valid JSON: {exc.msg} at column {exc.colno}")
    if not isinstance(record, dict):
        return _error(number, "each line must be a JSON object with 'id' and 'text'")
    text = record.get("text")
    if not isinstance(text, str):
        return _error(number, "'text' must be a string")
    if len(text) > MAX_TEXT_CHARS:
        return _error(number, f"'text' is longer than {MAX_TEXT_CHARS} characters")
    raw_id = record.get("id", number)
    if not isinstance(raw_id, str | int) or isinstance(raw_id, bool):
        return _error(number, "'id' must be a string or a number")
    conversation_id = record.get("conversation_id")
    author = record.get("author")
    for name, value in (("conversation_id", conversation_id), ("author", author)):
        if value is not None and not isinstance(value, str | int):
            return _error(number, f"'{name}' must be a string or a number")
    if conversation_id is not None and author is None:
        return _error(number, "a message with 'conversation_id' needs an 'author'")
    try:
        timestamp = parse_timestamp(record.get("timestamp"))
    except (ValueError, OverflowError, OSError) as exc:
        return _error(number, f"bad 'timestamp': {exc}")
    return _Item(
        number,
        str(raw_id),
        text,
        None if conversation_id is None else str(conversation_id),
        None if author is None else str(author),
        timestamp,
    )


def scan_lines(
    lines: Iterable[str | bytes],
    scorer: TextScorer,
    conversations: ConversationScorer | None = None,
    thresholds: Mapping[str, float] | None = None,
) -> Iterator[dict[str, Any]]:
    """Score a stream of JSON lines; yields one dict per input line, then one per author."""
    threads: dict[str, list[Message]] = defaultdict(list)
    thread_results: dict[str, list[TextResult]] = defaultdict(list)
    pending: list[_Item | dict[str, Any]] = []

    def flush() -> Iterator[dict[str, Any]]:
        items = [p for p in pending if isinstance(p, _Item)]
        results = iter(scorer.score_many([i.text for i in items], thresholds=thresholds))
        for entry in pending:
            if isinstance(entry, _Item):
                result = next(results)
                yield {"id": entry.id, **result.to_dict()}
                if entry.conversation_id is not None and entry.author is not None:
                    threads[entry.conversation_id].append(
                        Message(entry.id, entry.author, entry.text, entry.timestamp)
                    )
                    thread_results[entry.conversation_id].append(result)
            else:
                yield entry
        pending.clear()

    for number, raw in enumerate(lines, start=1):
        if not raw.strip():
            continue
        pending.append(parse_line(number, raw))
        if len(pending) >= BATCH_SIZE:
            yield from flush()
    yield from flush()
    if threads:
        conv = conversations or ConversationScorer(scorer, thresholds=thresholds)
        for conversation_id, messages in threads.items():
            results = thread_results[conversation_id]
            for risk in conv.score(conversation_id, messages, results=results):
                yield {"type": "conversation", **risk.to_dict()}
