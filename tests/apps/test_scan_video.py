"""Video scanning: a vPDQ bank entry matches a re-encoded copy, not a different video."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.detect.media.hashing import hash_bytes
from lindung.detect.media.video import frames_to_vpdq_text
from tests.apps.conftest import ApiClient
from tests.media_factory import clip

pytestmark = pytest.mark.django_db


def test_video_matches_by_frame_share(api: ApiClient) -> None:
    original = hash_bytes(clip(1))
    assert original.media_type == "video" and len(original.frames) >= 3
    assert api.post_json("/api/banks", {"name": "VIDEOS"}).status_code == 201
    response = api.post_json(
        "/api/banks/VIDEOS/entries",
        {"signal_type": "vpdq", "value": frames_to_vpdq_text(original.frames), "labels": ["v"]},
    )
    assert response.status_code == 201, response.content

    copy = clip(1, size=(128, 96), fmt="avi")
    result = api.post_form("/api/scan", {"file": SimpleUploadedFile("copy.avi", copy)}).json()
    [match] = result["matches"]
    assert match["signal_type"] == "vpdq"
    assert match["metadata"]["query_match_percent"] >= 80
    assert result["verdict"]["action"] == "review"

    other = api.post_form("/api/scan", {"file": SimpleUploadedFile("o.mp4", clip(2))}).json()
    assert other["matches"] == []

    as_json = api.post_json(
        "/api/scan",
        {
            "hashes": [
                {"signal_type": "vpdq", "value": frames_to_vpdq_text(hash_bytes(copy).frames)}
            ]
        },
    )
    assert as_json.status_code == 200 and len(as_json.json()["matches"]) == 1
