"""POST /api/scan/text and /api/scan/conversation, with per-organisation thresholds."""

from __future__ import annotations

import pytest

from tests.apps.conftest import ApiClient

pytestmark = pytest.mark.django_db

RISKY = "how old are you? don't tell your parents about us, it's our secret. send me a pic"
BENIGN = "see you at football practice tomorrow, bring the ball"


def test_scan_text_scores_and_explains(api: ApiClient) -> None:
    response = api.post_json(
        "/api/scan/text", {"messages": [{"id": "m1", "text": RISKY}, {"id": "m2", "text": BENIGN}]}
    )
    assert response.status_code == 200, response.content
    risky, benign = response.json()["results"]
    assert risky["id"] == "m1" and risky["language"] == "en"
    assert "grooming" in risky["labels"]
    assert any(r["quote"] and r["quote"].lower() in RISKY.lower() for r in risky["reasons"])
    assert benign["labels"] == []
    assert set(risky["scores"]) == {
        "grooming",
        "sextortion",
        "sexual_content_minor",
        "bullying_harassment",
        "self_harm",
    }


def test_organisation_thresholds_apply(api: ApiClient) -> None:
    response = api.put_json("/api/policy", {"text_thresholds": {"grooming": 1.0}})
    assert response.status_code == 200, response.content
    result = api.post_json("/api/scan/text", {"messages": [{"id": "m1", "text": RISKY}]}).json()
    assert "grooming" not in result["results"][0]["labels"]
    bad = api.put_json("/api/policy", {"text_thresholds": {"grooming": 2}})
    assert bad.status_code == 422
    bad = api.put_json("/api/policy", {"text_thresholds": {"nonsense": 0.5}})
    assert bad.status_code == 422


def test_conversation_early_warning(api: ApiClient) -> None:
    messages = [
        {"id": "1", "author": "adult", "text": "hey, you play that game too? cool"},
        {"id": "2", "author": "kid", "text": "yeah every day after school"},
        {"id": "3", "author": "adult", "text": "how old are you? you seem so mature for your age"},
        {"id": "4", "author": "kid", "text": "13"},
        {"id": "5", "author": "adult", "text": "don't tell your parents we talk, it's our secret"},
        {"id": "6", "author": "adult", "text": "send me a pic of you, just for me"},
        {"id": "7", "author": "adult", "text": "let's meet up this weekend, I can pick you up"},
    ]
    response = api.post_json(
        "/api/scan/conversation", {"conversation_id": "c1", "messages": messages}
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert len(body["messages"]) == 7
    authors = {a["author"]: a for a in body["authors"]}
    assert "grooming" in authors["adult"]["labels"]
    assert authors["adult"]["early_warning_message_id"] in {"3", "5", "6", "7"}
    assert authors["kid"]["labels"] == []


@pytest.mark.parametrize(
    "payload",
    [
        {"messages": []},
        {"messages": [{"id": "1"}]},
        {"messages": [{"id": "1", "text": "x" * 100_001}]},
        {"messages": [{"id": "", "text": "hi"}]},
        {"messages": "hello"},
    ],
)
def test_bad_text_requests_are_422(api: ApiClient, payload: dict) -> None:
    response = api.post_json("/api/scan/text", payload)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "invalid"


def test_bad_conversation_requests_are_422(api: ApiClient) -> None:
    bad = {
        "conversation_id": "c",
        "messages": [{"id": "1", "author": "a", "text": "hi", "timestamp": "soon"}],
    }
    assert api.post_json("/api/scan/conversation", bad).status_code == 422
    assert (
        api.post_json(
            "/api/scan/conversation", {"conversation_id": "c", "messages": []}
        ).status_code
        == 422
    )
