"""What one organisation can do to another through shared banks, and hostile input."""

from __future__ import annotations

import secrets

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lindung.detect.media.hashing import hash_bytes
from tests.apps.conftest import ApiClient, make_client
from tests.media_factory import shapes_png, slightly_changed_jpeg

pytestmark = pytest.mark.django_db


def _bank(api: ApiClient, name: str, **kw: object) -> None:
    assert api.post_json("/api/banks", {"name": name, **kw}).status_code == 201


def _add(api: ApiClient, bank: str, signal_type: str, value: str, **kw: object) -> dict:
    response = api.post_json(
        f"/api/banks/{bank}/entries", {"signal_type": signal_type, "value": value, **kw}
    )
    assert response.status_code == 201, response.content
    return response.json()


def _scan(api: ApiClient, data: bytes) -> dict:
    response = api.post_form("/api/scan", {"file": SimpleUploadedFile("f.png", data)})
    assert response.status_code == 200, response.content
    return response.json()


def _flip_bits(hex_value: str, count: int) -> str:
    value = int(hex_value, 16)
    for bit in range(count):
        value ^= 1 << (bit * 7)
    return f"{value:064x}"


def test_foreign_shared_allow_list_cannot_silence_my_matches(
    api: ApiClient, other_api: ApiClient
) -> None:
    media = hash_bytes(shapes_png(1))
    assert media.pdq is not None
    _bank(api, "MINE")
    _add(api, "MINE", "sha256", media.sha256)
    _bank(other_api, "THEIRS", shared=True, is_allow_list=True, pdq_threshold=128)
    _add(other_api, "THEIRS", "pdq", media.pdq.hex)
    result = _scan(api, shapes_png(1))
    assert result["verdict"]["action"] == "review"
    assert [m["bank"] for m in result["matches"]] == ["MINE"]
    assert result["suppressed"] == []


def test_foreign_shared_bank_is_capped_at_distance_31(api: ApiClient, other_api: ApiClient) -> None:
    pdq = hash_bytes(shapes_png(2)).pdq
    assert pdq is not None
    _bank(other_api, "LOOSE", shared=True, pdq_threshold=100)
    _add(other_api, "LOOSE", "pdq", _flip_bits(pdq.hex, 36))
    assert _scan(api, shapes_png(2))["matches"] == []
    assert len(_scan(other_api, shapes_png(2))["matches"]) == 1


def test_shared_bank_can_be_matched_but_not_read(api: ApiClient, other_api: ApiClient) -> None:
    pdq = hash_bytes(shapes_png(3)).pdq
    assert pdq is not None
    _bank(other_api, "SHARED", shared=True)
    entry = _add(other_api, "SHARED", "pdq", pdq.hex, provenance="confidential")
    [match] = _scan(api, slightly_changed_jpeg(3))["matches"]
    assert match["bank"] == "SHARED" and "provenance" not in match["metadata"]
    assert api.get("/api/banks/SHARED/entries").status_code == 403
    assert api.get("/api/banks/SHARED/export").status_code == 403
    assert (
        api.patch_json(f"/api/banks/entries/{entry['id']}", {"disabled": True}).status_code == 404
    )


def test_pdq_allow_list_does_not_hide_an_exact_match(api: ApiClient) -> None:
    media = hash_bytes(shapes_png(4))
    assert media.pdq is not None
    _bank(api, "KNOWN")
    _bank(api, "BENIGN", is_allow_list=True)
    _add(api, "KNOWN", "md5", media.md5)
    _add(api, "KNOWN", "pdq", media.pdq.hex)
    _add(api, "BENIGN", "pdq", media.pdq.hex)
    result = _scan(api, shapes_png(4))
    assert result["verdict"]["action"] == "review"
    assert [m["signal_type"] for m in result["suppressed"]] == ["pdq"]
    assert {m["signal_type"] for m in result["matches"] if not m["allow_list"]} == {"md5"}


def test_unauthenticated_upload_is_refused_before_parsing() -> None:
    client = Client()
    client.cookies["csrftoken"] = "x" * 32
    response = client.post(
        "/api/scan", b"--zzz\r\ngarbage", content_type="multipart/form-data; boundary=zzz"
    )
    assert response.status_code == 401
    response = client.post("/api/scan", b"garbage", content_type="multipart/form-data")
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("/api/banks", {"name": "NUL", "description": "a\x00b"}),
        ("/api/banks/K/entries", {"signal_type": "md5", "value": "0" * 32, "labels": ["a\nb"]}),
        ("/api/banks/K/entries", {"signal_type": "md5", "value": "1" * 32, "source": "a\x00"}),
        (
            "/api/banks/K/entries",
            {"signal_type": "md5", "value": "2" * 32, "metadata": {"disabled": "x"}},
        ),
    ],
)
def test_hostile_text_is_422_not_500(api: ApiClient, path: str, payload: dict) -> None:
    _bank(api, "K")
    response = api.post_json(path, payload)
    assert response.status_code == 422, response.content


def test_more_hostile_requests_are_4xx(api: ApiClient) -> None:
    _bank(api, "K")
    huge = "99999999999999999999"
    assert api.get(f"/api/banks/K/entries?offset={huge}").status_code == 422
    assert api.get(f"/api/scans?offset={huge}").status_code == 422
    long_label = api.put_json("/api/policy", {"rules": [{"label": "x" * 500, "action": "review"}]})
    assert long_label.status_code == 422
    bad_boundary = api.client.post(
        "/api/scan",
        b"--zzz\r\nContent-Disposition: form-data\r\n\r\n",
        content_type="multipart/form-data; boundary=",
        HTTP_AUTHORIZATION=f"Bearer {api.key}",
    )
    assert 400 <= bad_boundary.status_code < 500
    two_videos = api.post_json(
        "/api/scan",
        {"hashes": [{"signal_type": "vpdq", "value": f"0,100,{secrets.token_hex(32)},0.000"}] * 2},
    )
    assert two_videos.status_code == 422
    assert (
        api.post_json(
            "/api/scan", {"hashes": [{"signal_type": "md5", "value": "0" * 32}], "banks": []}
        ).status_code
        == 422
    )


def test_hashing_needs_the_scan_scope(org) -> None:
    reader = make_client(org, ["banks:read"])
    response = reader.post_form("/api/hash", {"file": SimpleUploadedFile("f.png", shapes_png(5))})
    assert response.status_code == 403


def test_unicode_organisation_names(db: None) -> None:
    from lindung.apps.accounts.services import create_organisation
    from tests.apps.conftest import OPERATOR

    org = create_organisation(OPERATOR, "มูลนิธิเด็ก", "social_welfare", "TH")
    assert org.slug.startswith("ม")
    with pytest.raises(Exception, match="letter or digit"):
        create_organisation(OPERATOR, "!!!", "hotline", "TH")
