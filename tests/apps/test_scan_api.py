"""End to end: generated images and videos scanned against banks through POST /api/scan."""

from __future__ import annotations

import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.apps.scanning.models import Scan
from lindung.detect.media.hashing import hash_bytes
from tests.apps.conftest import ApiClient
from tests.media_factory import flat_png, rotated_png, shapes_png, slightly_changed_jpeg

pytestmark = pytest.mark.django_db


def _bank(api: ApiClient, name: str, **kw: object) -> None:
    assert api.post_json("/api/banks", {"name": name, **kw}).status_code == 201


def _add(
    api: ApiClient, bank: str, signal_type: str, value: str, labels: list[str] | None = None
) -> int:
    response = api.post_json(
        f"/api/banks/{bank}/entries",
        {
            "signal_type": signal_type,
            "value": value,
            "labels": labels or ["test"],
            "source": "generated",
        },
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


def _scan_file(api: ApiClient, data: bytes, name: str = "x.png", **fields: str) -> dict:
    response = api.post_form("/api/scan", {"file": SimpleUploadedFile(name, data), **fields})
    assert response.status_code == 200, response.content
    return response.json()


def _pdq(data: bytes) -> str:
    media = hash_bytes(data)
    assert media.pdq is not None
    return media.pdq.hex


def test_near_duplicate_matches_with_metadata(api: ApiClient) -> None:
    _bank(api, "KNOWN")
    entry_id = _add(api, "KNOWN", "pdq", _pdq(shapes_png(1)), ["class-a"])
    result = _scan_file(api, slightly_changed_jpeg(1), "photo.jpg")
    assert result["verdict"]["action"] == "review"
    [match] = result["matches"]
    assert match["bank"] == "KNOWN" and match["entry_id"] == entry_id
    assert 0 < match["distance"] <= 31
    assert match["labels"] == ["class-a"] and match["metadata"]["source"] == "generated"
    assert result["media"]["pdq"]
    scan = Scan.objects.get(pk=result["scan_id"])
    assert scan.needs_review and scan.action == "review"


def test_unrelated_image_does_not_match(api: ApiClient) -> None:
    _bank(api, "KNOWN")
    _add(api, "KNOWN", "pdq", _pdq(shapes_png(1)))
    result = _scan_file(api, shapes_png(2))
    assert result["matches"] == [] and result["verdict"]["action"] == "ignore"


def test_exact_md5_and_sha256_match(api: ApiClient) -> None:
    data = shapes_png(3)
    media = hash_bytes(data)
    _bank(api, "EXACT")
    _add(api, "EXACT", "md5", media.md5)
    _add(api, "EXACT", "sha256", media.sha256)
    result = _scan_file(api, data)
    assert sorted(m["signal_type"] for m in result["matches"]) == ["md5", "sha256"]
    assert all(m["distance"] == 0 for m in result["matches"])


def test_dihedral_matching_is_opt_in(api: ApiClient) -> None:
    _bank(api, "KNOWN")
    _add(api, "KNOWN", "pdq", _pdq(shapes_png(4)))
    assert _scan_file(api, rotated_png(4))["matches"] == []
    result = _scan_file(api, rotated_png(4), dihedral="true")
    [match] = result["matches"]
    assert match["metadata"]["variant"].startswith("dihedral")


def test_allow_list_suppresses_known_benign_collisions(api: ApiClient) -> None:
    pdq = _pdq(shapes_png(5))
    _bank(api, "KNOWN")
    _bank(api, "BENIGN", is_allow_list=True)
    _add(api, "KNOWN", "pdq", pdq)
    _add(api, "BENIGN", "pdq", pdq)
    result = _scan_file(api, shapes_png(5))
    assert result["verdict"]["action"] == "ignore"
    assert [m["bank"] for m in result["matches"]] == ["BENIGN"]
    assert [m["bank"] for m in result["suppressed"]] == ["KNOWN"]
    assert "allow-list" in result["verdict"]["reasons"][0]


def test_per_bank_threshold_and_bank_filter(api: ApiClient) -> None:
    pdq = _pdq(shapes_png(6))
    _bank(api, "STRICT", pdq_threshold=0)
    _bank(api, "LOOSE", pdq_threshold=31)
    _add(api, "STRICT", "pdq", pdq)
    _add(api, "LOOSE", "pdq", pdq)
    near = _scan_file(api, slightly_changed_jpeg(6))
    assert [m["bank"] for m in near["matches"]] == ["LOOSE"]
    exact = _scan_file(api, shapes_png(6), banks="STRICT")
    assert [m["bank"] for m in exact["matches"]] == ["STRICT"]
    response = api.post_form(
        "/api/scan", {"file": SimpleUploadedFile("x.png", shapes_png(6)), "banks": "NOPE"}
    )
    assert response.status_code == 404


def test_bank_edits_reach_the_live_index_without_restart(api: ApiClient) -> None:
    _bank(api, "KNOWN")
    data = shapes_png(7)
    assert _scan_file(api, data)["matches"] == []
    entry_id = _add(api, "KNOWN", "pdq", _pdq(data))
    assert len(_scan_file(api, data)["matches"]) == 1
    api.patch_json(f"/api/banks/entries/{entry_id}", {"disabled": True})
    assert _scan_file(api, data)["matches"] == []
    api.patch_json(f"/api/banks/entries/{entry_id}", {"disabled": False})
    api.patch_json("/api/banks/KNOWN", {"enabled": False})
    assert _scan_file(api, data)["matches"] == []


def test_policy_decides_the_verdict(api: ApiClient) -> None:
    _bank(api, "KNOWN")
    _bank(api, "OTHER")
    _add(api, "KNOWN", "pdq", _pdq(shapes_png(8)), ["severe"])
    _add(api, "OTHER", "pdq", _pdq(shapes_png(9)), ["mild"])
    policy = api.put_json(
        "/api/policy",
        {"default_action": "ignore", "rules": [{"label": "severe", "action": "block_report"}]},
    )
    assert policy.status_code == 200, policy.content
    assert _scan_file(api, shapes_png(8))["verdict"]["action"] == "block_report"
    assert _scan_file(api, shapes_png(9))["verdict"]["action"] == "ignore"
    bad = api.put_json("/api/policy", {"rules": [{"action": "explode"}]})
    assert bad.status_code == 422
    assert api.get("/api/policy").json()["default_action"] == "ignore"


def test_low_quality_image_is_flagged_and_not_perceptually_matched(api: ApiClient) -> None:
    _bank(api, "KNOWN")
    _add(api, "KNOWN", "pdq", _pdq(flat_png()))
    result = _scan_file(api, flat_png())
    assert result["media"]["low_quality"] is True
    assert result["matches"] == []
    assert "quality" in result["notes"][0]


def test_precomputed_hashes_as_json(api: ApiClient) -> None:
    pdq = _pdq(shapes_png(10))
    _bank(api, "KNOWN")
    _add(api, "KNOWN", "pdq", pdq)
    response = api.post_json(
        "/api/scan", {"hashes": [{"signal_type": "pdq", "value": pdq.upper(), "quality": 90}]}
    )
    assert response.status_code == 200, response.content
    assert response.json()["matches"][0]["distance"] == 0


@pytest.mark.parametrize(
    "payload",
    [
        {"hashes": [{"signal_type": "pdq", "value": "xyz"}]},
        {"hashes": [{"signal_type": "md5", "value": secrets.token_hex(15)}]},
        {"hashes": [{"signal_type": "nope", "value": "00"}]},
        {"hashes": []},
        {"hashes": "pdq"},
        {},
    ],
)
def test_invalid_hashes_get_a_clear_422(api: ApiClient, payload: dict) -> None:
    response = api.post_json("/api/scan", payload)
    assert response.status_code == 422
    assert response.json()["error"]["message"]


def test_malformed_json_is_422(api: ApiClient) -> None:
    response = api.client.post(
        "/api/scan",
        b"{not json",
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {api.key}",
    )
    assert response.status_code == 422


@pytest.mark.parametrize(
    ("data", "status", "code"),
    [
        (b"", 422, "empty_file"),
        (b"just some text, not an image", 415, "unsupported_type"),
        (shapes_png(11)[:200], 422, "corrupt_file"),
    ],
)
def test_bad_files_get_a_clear_4xx(api: ApiClient, data: bytes, status: int, code: str) -> None:
    response = api.post_form("/api/scan", {"file": SimpleUploadedFile("f.png", data)})
    assert response.status_code == status, response.content
    assert response.json()["error"]["code"] == code
    assert Scan.objects.count() == 0


def test_oversized_file_is_413(api: ApiClient, settings) -> None:
    from dataclasses import replace

    settings.LINDUNG = replace(settings.LINDUNG, max_upload_bytes=1000)
    response = api.post_form("/api/scan", {"file": SimpleUploadedFile("f.png", shapes_png(12))})
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_missing_file_and_wrong_content_type(api: ApiClient) -> None:
    assert api.post_form("/api/scan", {"banks": "X"}).status_code == 422
    response = api.client.post(
        "/api/scan", b"abc", content_type="text/plain", HTTP_AUTHORIZATION=f"Bearer {api.key}"
    )
    assert response.status_code == 415


def test_openapi_docs_are_served(api: ApiClient) -> None:
    from django.test import Client

    assert Client().get("/api/docs").status_code == 200
    spec = Client().get("/api/openapi.json").json()
    assert "/api/scan" in spec["paths"]
    assert Client().get("/api/health").json()["status"] == "ok"


def test_review_queue_lists_flagged_scans_of_own_organisation(
    api: ApiClient, other_api: ApiClient
) -> None:
    _bank(api, "KNOWN")
    _add(api, "KNOWN", "pdq", _pdq(shapes_png(13)))
    flagged = _scan_file(api, shapes_png(13))
    _scan_file(api, shapes_png(14))
    queue = api.get("/api/scans?needs_review=true").json()
    assert [s["id"] for s in queue] == [flagged["scan_id"]]
    assert queue[0]["matches"][0]["bank"] == "KNOWN"
    assert len(api.get("/api/scans").json()) == 2
    assert other_api.get("/api/scans").json() == []


def test_index_status_needs_auth_and_declared_oversize_is_refused(api: ApiClient) -> None:
    from django.test import Client

    assert Client().get("/api/index").status_code == 401
    assert api.get("/api/index").json()["counts"] == {"pdq": 0, "exact": 0, "vpdq": 0}
    response = api.client.post(
        "/api/scan",
        b"x",
        content_type="multipart/form-data; boundary=zzz",
        HTTP_AUTHORIZATION=f"Bearer {api.key}",
        CONTENT_LENGTH=str(10**12),
    )
    assert response.status_code == 413


def test_oversized_json_body_is_413(api: ApiClient) -> None:
    body = {"hashes": [{"signal_type": "pdq", "value": "0" * 64}], "pad": "x" * (11 * 1024 * 1024)}
    response = api.post_json("/api/scan", body)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
