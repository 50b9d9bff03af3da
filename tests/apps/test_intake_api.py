"""POST /api/reports end to end: validation, idempotency, files in the vault, triage, access."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lindung.apps.audit.models import AuditEntry
from lindung.apps.audit.services import verify
from lindung.apps.intake import services
from lindung.apps.intake.models import Evidence, Priority, Report
from lindung.detect.media.hashing import hash_bytes
from tests.apps.conftest import ApiClient, make_client, with_config
from tests.media_factory import shapes_png, slightly_changed_jpeg

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("intake_settings")]

REPORT_SCOPES = ["reports:write", "reports:read"]
HOTLINE_SCOPES = ["reports:read", "reports:triage", "evidence:open", "banks:write", "banks:read"]


@pytest.fixture
def platform(org: Any) -> ApiClient:
    return make_client(org, REPORT_SCOPES)


@pytest.fixture
def hotline(other_org: Any) -> ApiClient:
    return make_client(other_org, HOTLINE_SCOPES)


def _post(
    api: ApiClient, report: dict[str, Any], files: list[tuple[str, bytes]] = (), key: str = ""
) -> Any:
    key = key or hashlib.sha256(json.dumps(report).encode()).hexdigest()[:32]
    headers = {**api._headers(), "HTTP_IDEMPOTENCY_KEY": key}
    if not files:
        return api.client.post(
            "/api/reports", json.dumps(report), content_type="application/json", **headers
        )
    data: dict[str, Any] = {"report": json.dumps(report)}
    data["files"] = [SimpleUploadedFile(name, content) for name, content in files]
    return api.client.post("/api/reports", data, **headers)


BASIC = {
    "incident_type": "online_enticement",
    "incident_time": "2026-11-20T10:00:00Z",
    "description": "An adult account keeps asking a 12-year-old user to keep their chats secret.",
    "urls": ["https://chat.example.my/u/someone"],
    "platform_name": "ExampleChat",
    "reported_accounts": [{"username": "invented_user", "phone": "+60 12-345 6789"}],
    "victims": [{"age_group": "under13"}],
    "reporter": {"name": "Trust & Safety desk", "email": "tns@example.com"},
}


def _blobs(settings: Any) -> list[Path]:
    root = Path(settings.LINDUNG.evidence_dir)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def test_json_report_is_created_triaged_sealed_and_audited(
    platform: ApiClient, hotline: ApiClient
) -> None:
    response = _post(platform, BASIC)
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["replayed"] is False and body["status"] == "received"
    assert body["priority"] == Priority.HIGH_RISK  # enticement is high-risk by type
    assert body["jurisdiction"] == "MY"  # phone +60 and the .my host
    assert body["jurisdiction_evidence"] == []  # the sender sees the guess, not its grounds
    as_handler = hotline.get(f"/api/reports/{body['id']}").json()
    assert as_handler["jurisdiction_evidence"][0]["country"] == "MY"
    assert "12-345" not in json.dumps(as_handler)  # readable evidence quotes the phone: sealed
    report = Report.objects.get(public_id=body["id"])
    assert "12-345" not in json.dumps(report.jurisdiction_evidence)
    assert report.handling_organisation == hotline.organisation
    # personal details are sealed: not readable in the row
    assert "12-year-old" not in report.sealed and "invented_user" not in report.sealed
    details = hotline.get(f"/api/reports/{body['id']}/details").json()
    assert details["description"] == BASIC["description"]
    assert any("Malaysia" in str(e) for e in details["jurisdiction_evidence"]["countries"])
    assert details["reported_accounts"][0]["username"] == "invented_user"
    actions = list(AuditEntry.objects.values_list("action", flat=True))
    assert "report.received" in actions and "report.details_opened" in actions
    assert verify().ok


def test_retry_returns_the_first_report_and_a_changed_body_is_a_conflict(
    platform: ApiClient,
) -> None:
    first = _post(platform, BASIC, key="retry-key-0001")
    again = _post(platform, BASIC, key="retry-key-0001")
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json()["id"] == first.json()["id"] and again.json()["replayed"] is True
    assert Report.objects.count() == 1
    changed = _post(platform, {**BASIC, "description": "other"}, key="retry-key-0001")
    assert changed.status_code == 409
    assert changed.json()["error"]["code"] == "idempotency_conflict"
    assert Report.objects.count() == 1


def test_file_is_hashed_matched_vaulted_and_opened_only_by_the_hotline(
    platform: ApiClient, hotline: ApiClient, settings: Any
) -> None:
    original = shapes_png(7)
    pdq = hash_bytes(original).pdq
    assert pdq is not None
    assert hotline.post_json("/api/banks", {"name": "HOTLINE-KNOWN"}).status_code == 201
    added = hotline.post_json(
        "/api/banks/HOTLINE-KNOWN/entries",
        {"signal_type": "pdq", "value": pdq.hex, "labels": ["test"], "source": "generated"},
    )
    assert added.status_code == 201, added.content
    upload = slightly_changed_jpeg(7)
    report = {**BASIC, "files": [{"filename": "shot.jpg", "viewed_by_platform": True}]}
    response = _post(platform, report, [("shot.jpg", upload)])
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["priority"] == Priority.KNOWN_MATERIAL
    [evidence] = body["evidence"]
    assert evidence["sha256"] == hashlib.sha256(upload).hexdigest()
    assert evidence["md5"] == hashlib.md5(upload).hexdigest()
    assert evidence["media_type"] == "image/jpeg" and evidence["pdq"]
    assert evidence["matches"] == []  # the sender does not learn what the hotline's banks hold
    seen = hotline.get(f"/api/reports/{body['id']}").json()["evidence"][0]
    assert seen["matches"][0]["bank"] == "HOTLINE-KNOWN"
    # at rest: encrypted
    [blob] = _blobs(settings)
    assert upload[:64] not in blob.read_bytes()
    row = Evidence.objects.get(public_id=evidence["id"])
    assert row.metadata["viewed_by_platform"] is True
    # the platform that sent it cannot open it; the handling hotline can, and it is audited
    url = f"/api/reports/{body['id']}/evidence/{evidence['id']}"
    assert platform.get(url).status_code == 403
    opened = hotline.get(url)
    assert opened.status_code == 200
    assert b"".join(opened.streaming_content) == upload
    custody = AuditEntry.objects.filter(object_id=evidence["id"]).values_list("action", flat=True)
    assert list(custody) == ["evidence.received", "evidence.opened"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"incident_type": 5}, "incident_type"),
        ({"incident_type": "weather"}, "incident_type"),
        ({"urls": ["javascript:alert(1)"]}, "urls"),
        ({"urls": "https://example.com"}, "urls"),
        ({"reporter_country": "XX"}, "reporter_country"),
        ({"victims": [{"age": -1}]}, "victims"),
        ({"incident_time": "yesterday"}, "incident_time"),
        ({"unexpected": True}, "unexpected"),
        ({"description": "x" * (services.MAX_TEXT + 1)}, "description"),
    ],
)
def test_bad_fields_are_422_with_the_field_named_and_nothing_saved(
    platform: ApiClient, change: dict[str, Any], field: str
) -> None:
    response = _post(platform, {**BASIC, **change})
    assert response.status_code == 422, response.content
    error = response.json()["error"]
    assert any(field in d["loc"] for d in error["details"]), error
    assert Report.objects.count() == 0


def test_missing_fields_and_headers(platform: ApiClient) -> None:
    missing = _post(platform, {"description": "no type"})
    assert missing.status_code == 422
    assert any("incident_type" in d["loc"] for d in missing.json()["error"]["details"])
    no_key = platform.client.post(
        "/api/reports", json.dumps(BASIC), content_type="application/json", **platform._headers()
    )
    assert no_key.status_code == 422
    assert no_key.json()["error"]["code"] == "idempotency_key_missing"
    not_json = platform.client.post(
        "/api/reports",
        "{not json",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="key-not-json-1",
        **platform._headers(),
    )
    assert not_json.status_code == 422
    text = platform.client.post(
        "/api/reports",
        "hello",
        content_type="text/plain",
        HTTP_IDEMPOTENCY_KEY="key-text-0001",
        **platform._headers(),
    )
    assert text.status_code == 415
    assert Report.objects.count() == 0


def test_corrupt_second_file_leaves_no_report_and_no_stored_file(
    platform: ApiClient, settings: Any
) -> None:
    good = shapes_png(3)
    broken = shapes_png(4)[:200]
    response = _post(platform, BASIC, [("good.png", good), ("broken.png", broken)])
    assert response.status_code == 422, response.content
    assert Report.objects.count() == 0 and Evidence.objects.count() == 0
    assert _blobs(settings) == []
    unknown = _post(platform, BASIC, [("notes.txt", b"just some text, not an image")])
    assert unknown.status_code == 415
    assert _blobs(settings) == [] and Report.objects.count() == 0


def test_oversize_file_is_413_and_nothing_is_kept(platform: ApiClient, settings: Any) -> None:
    with_config(settings, max_upload_bytes=10_000)
    response = _post(platform, BASIC, [("big.png", shapes_png(5) + b"\0" * 20_000)])
    assert response.status_code == 413
    assert Report.objects.count() == 0 and _blobs(settings) == []


def test_file_metadata_must_describe_every_file(platform: ApiClient) -> None:
    report = {**BASIC, "files": [{"filename": "a.png"}, {"filename": "b.png"}]}
    response = _post(platform, report, [("a.png", shapes_png(1))])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "files_mismatch"


def test_imminent_danger_goes_first(platform: ApiClient, hotline: ApiClient) -> None:
    _post(platform, {**BASIC, "incident_type": "cyberbullying", "description": "mean posts"})
    urgent = _post(platform, {**BASIC, "incident_type": "other", "imminent_danger": True})
    assert urgent.json()["priority"] == Priority.IMMINENT_DANGER
    queue = hotline.get("/api/reports").json()
    assert [r["priority"] for r in queue] == sorted(r["priority"] for r in queue)
    assert queue[0]["id"] == urgent.json()["id"]


def test_scopes_and_isolation(org: Any, other_org: Any, platform: ApiClient) -> None:
    scan_only = make_client(org, ["scan"])
    assert _post(scan_only, BASIC).status_code == 403
    made = _post(platform, BASIC).json()
    from lindung.apps.accounts.services import create_organisation
    from tests.apps.conftest import OPERATOR

    stranger_org = create_organisation(OPERATOR, "Another Platform", "platform", "TH")
    stranger = make_client(stranger_org, REPORT_SCOPES)
    assert stranger.get(f"/api/reports/{made['id']}").status_code == 404
    assert stranger.get("/api/reports").json() == []
    assert platform.get(f"/api/reports/{made['id']}").status_code == 200
    # the sender sees its report but not the sealed details
    assert platform.get(f"/api/reports/{made['id']}/details").status_code == 403
    assert platform.get("/api/reports/not-a-uuid").status_code == 404


def test_status_changes_are_decisions_by_the_handler(
    platform: ApiClient, hotline: ApiClient
) -> None:
    made = _post(platform, BASIC).json()
    url = f"/api/reports/{made['id']}/status"
    assert platform.post_json(url, {"status": "in_review"}).status_code == 403
    ok = hotline.post_json(url, {"status": "in_review", "note": "looking"})
    assert ok.status_code == 200 and ok.json()["status"] == "in_review"
    assert hotline.post_json(url, {"status": "received"}).status_code == 409
    assert hotline.post_json(url, {"status": "nonsense"}).status_code == 422
    change = AuditEntry.objects.get(action="report.status_changed")
    assert change.data["from"] == "received" and change.data["to"] == "in_review"


def test_retention_purge_erases_files_and_details(
    platform: ApiClient, hotline: ApiClient, settings: Any
) -> None:
    made = _post(platform, BASIC, [("a.png", shapes_png(9))]).json()
    assert len(_blobs(settings)) == 1
    Report.objects.update(retain_until=datetime.now(UTC) - timedelta(days=1))
    assert services.purge_expired() == 1
    assert _blobs(settings) == []
    report = Report.objects.get(public_id=made["id"])
    assert report.sealed == "" and report.purged_at is not None
    evidence = report.evidence.get()
    assert evidence.header == "" and evidence.sha256  # digests stay for statistics
    url = f"/api/reports/{made['id']}/evidence/{evidence.public_id}"
    assert hotline.get(url).status_code == 404
    assert AuditEntry.objects.filter(action="report.purged").count() == 1
    assert services.purge_expired() == 0


def test_retention_days_per_type(settings: Any) -> None:
    with_config(settings, retention_days={"default": 100, "cyberbullying": 10})
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert services.retention_until("cyberbullying", now) == now + timedelta(days=10)
    assert services.retention_until("sextortion", now) == now + timedelta(days=100)


def test_schema_is_published(platform: ApiClient) -> None:
    from django.test import Client

    schema = Client().get("/api/reports/schema").json()  # no key needed to read it
    assert "incident_type" in schema["required"]
    assert "reported_accounts" in schema["properties"]


def test_master_key_rotation_rewraps_files_and_details(
    platform: ApiClient, hotline: ApiClient, settings: Any
) -> None:
    from lindung.apps.intake import runtime
    from lindung.apps.intake.vault import generate_key_entry

    made = _post(platform, BASIC, [("a.png", shapes_png(4))]).json()
    old = settings.LINDUNG.vault_keys
    new = generate_key_entry("k2")
    with_config(settings, vault_keys=f"{new},{old}")
    runtime.reset()
    assert services.rewrap_all(actor="test") == {
        "key_id": "k2",
        "files": 1,
        "reports": 1,
        "failed": [],
    }
    with_config(settings, vault_keys=new)  # the old key is gone
    runtime.reset()
    url = f"/api/reports/{made['id']}/evidence/{made['evidence'][0]['id']}"
    assert b"".join(hotline.get(url).streaming_content) == shapes_png(4)
    details = hotline.get(f"/api/reports/{made['id']}/details").json()
    assert details["description"] == BASIC["description"]


def test_video_evidence_is_hashed_and_matched_by_its_frames(
    platform: ApiClient, hotline: ApiClient
) -> None:
    from lindung.detect.media.hashing import hash_bytes as hash_media
    from lindung.detect.media.video import frames_to_vpdq_text
    from tests.media_factory import clip

    known = clip(5)
    frames = hash_media(known).frames
    assert hotline.post_json("/api/banks", {"name": "VIDEOS"}).status_code == 201
    added = hotline.post_json(
        "/api/banks/VIDEOS/entries",
        {"signal_type": "vpdq", "value": frames_to_vpdq_text(frames), "source": "generated"},
    )
    assert added.status_code == 201, added.content
    response = _post(platform, {**BASIC, "incident_type": "other"}, [("clip.mp4", clip(5))])
    assert response.status_code == 201, response.content
    made = hotline.get(f"/api/reports/{response.json()['id']}").json()
    [evidence] = made["evidence"]
    assert evidence["media_type"] == "video/mp4" and evidence["pdq"] == ""
    assert evidence["matches"] and evidence["matches"][0]["signal_type"] == "vpdq"
    assert response.json()["priority"] == Priority.KNOWN_MATERIAL


def test_staff_roles_decide_who_opens_evidence(
    platform: ApiClient, hotline: ApiClient, other_org: Any
) -> None:
    from lindung.apps.accounts.permissions import PermissionDenied, Principal
    from lindung.apps.accounts.services import create_user
    from lindung.apps.errors import Forbidden
    from tests.apps.conftest import OPERATOR

    made = _post(platform, BASIC, [("a.png", shapes_png(6))]).json()
    evidence = Evidence.objects.get(public_id=made["evidence"][0]["id"])
    password = "a long invented passphrase 42"
    reviewer = create_user(OPERATOR, "rev", password, organisation=other_org, role="reviewer")
    viewer = create_user(OPERATOR, "view", password, organisation=other_org, role="viewer")
    stranger = create_user(
        OPERATOR, "plat", password, organisation=platform.organisation, role="reviewer"
    )
    opened = services.open_evidence(Principal.for_user(reviewer), evidence)
    assert b"".join(opened) == shapes_png(6)
    with pytest.raises(PermissionDenied):
        services.open_evidence(Principal.for_user(viewer), evidence)
    with pytest.raises(Forbidden):
        services.open_evidence(Principal.for_user(stranger), evidence)
    opened_by = AuditEntry.objects.filter(action="evidence.opened").values_list("actor", flat=True)
    assert list(opened_by) == ["user:rev"]


def test_another_organisations_private_bank_is_neither_matched_nor_revealed(
    platform: ApiClient, hotline: ApiClient
) -> None:
    from lindung.apps.accounts.services import create_organisation
    from tests.apps.conftest import OPERATOR

    third = make_client(create_organisation(OPERATOR, "Third Party", "platform", "VN"))
    pdq = hash_bytes(shapes_png(8)).pdq
    assert pdq is not None
    assert third.post_json("/api/banks", {"name": "THIRD-PRIVATE"}).status_code == 201
    third.post_json(
        "/api/banks/THIRD-PRIVATE/entries",
        {"signal_type": "pdq", "value": pdq.hex, "labels": ["secret"], "source": "private"},
    )
    made = _post(platform, BASIC, [("a.png", shapes_png(8))]).json()
    report = hotline.get(f"/api/reports/{made['id']}").json()
    assert report["evidence"][0]["matches"] == []
    assert report["priority"] != Priority.KNOWN_MATERIAL


def test_same_key_with_other_file_bytes_is_a_conflict(platform: ApiClient) -> None:
    first = _post(platform, BASIC, [("a.png", shapes_png(1))], key="bytes-key-0001")
    other = _post(platform, BASIC, [("a.png", shapes_png(2))], key="bytes-key-0001")
    assert (first.status_code, other.status_code) == (201, 409)
    same = _post(platform, BASIC, [("a.png", shapes_png(1))], key="bytes-key-0001")
    assert same.status_code == 200 and same.json()["id"] == first.json()["id"]


def test_a_failure_after_storing_leaves_no_file_and_the_sweep_clears_leftovers(
    platform: ApiClient, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("index unavailable")

    monkeypatch.setattr(services, "find_matches", broken)
    response = _post(platform, BASIC, [("a.png", shapes_png(3))])
    assert response.status_code == 500 and Report.objects.count() == 0
    assert _blobs(settings) == []
    monkeypatch.undo()
    # a blob no evidence row points to (a crash between storing and committing) is swept
    from lindung.apps.intake import runtime

    runtime.vault().store_file(b"orphan", max_bytes=100)
    assert len(_blobs(settings)) == 1
    assert services.sweep_vault(older_than_seconds=0) == 1
    assert _blobs(settings) == []
    assert AuditEntry.objects.filter(action="vault.swept").count() == 1


def test_malformed_ids_and_unknown_parts_are_clear_errors(platform: ApiClient) -> None:
    assert platform.get("/api/reports/" + "-" * 36).status_code == 404
    made = _post(platform, BASIC).json()
    assert platform.get(f"/api/reports/{made['id']}/evidence/{'a' * 33}").status_code == 404
    headers = {**platform._headers(), "HTTP_IDEMPOTENCY_KEY": "unknown-part-01"}
    wrong_name = platform.client.post(
        "/api/reports",
        {"report": json.dumps(BASIC), "file": SimpleUploadedFile("a.png", shapes_png(1))},
        **headers,
    )
    assert wrong_name.status_code == 422 and wrong_name.json()["error"]["code"] == "unknown_part"
    described = _post(platform, {**BASIC, "files": [{"filename": "a.png"}]})
    assert described.status_code == 422
    assert described.json()["error"]["code"] == "files_mismatch"


def test_principals_without_an_organisation_see_no_reports(platform: ApiClient) -> None:
    from lindung.apps.accounts.permissions import Principal
    from lindung.apps.accounts.services import create_user
    from tests.apps.conftest import OPERATOR

    _post(platform, BASIC)
    loner = create_user(OPERATOR, "loner", "a long invented passphrase 42", organisation=None)
    assert list(services.visible_reports(Principal.for_user(loner))) == []


def test_reports_still_worked_on_are_held_past_their_retention_date(
    platform: ApiClient, hotline: ApiClient
) -> None:
    made = _post(platform, BASIC).json()
    url = f"/api/reports/{made['id']}/status"
    assert hotline.post_json(url, {"status": "referred"}).status_code == 200
    Report.objects.update(retain_until=datetime.now(UTC) - timedelta(days=1))
    assert services.purge_expired() == 0
    assert hotline.post_json(url, {"status": "closed_actioned"}).status_code == 200
    assert services.purge_expired() == 1
