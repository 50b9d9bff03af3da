"""Bank management through the API: validation, isolation, import all-or-nothing, export."""

from __future__ import annotations

import secrets

import pytest

from lindung.apps.audit.models import AuditEntry
from lindung.apps.audit.services import verify
from lindung.apps.banks.models import BankEntry
from tests.apps.conftest import ApiClient, make_client

pytestmark = pytest.mark.django_db


def _pdq() -> str:
    return secrets.token_hex(32)


def _bank(api: ApiClient, name: str = "KNOWN", **kw: object) -> dict:
    response = api.post_json("/api/banks", {"name": name, **kw})
    assert response.status_code == 201, response.content
    return response.json()


def test_create_list_and_patch_bank(api: ApiClient) -> None:
    bank = _bank(api, description="test bank", pdq_threshold=20)
    assert bank["pdq_threshold"] == 20 and bank["organisation"] == "example-platform"
    assert [b["name"] for b in api.get("/api/banks").json()] == ["KNOWN"]
    patched = api.patch_json("/api/banks/KNOWN", {"pdq_threshold": 10, "shared": True})
    assert patched.status_code == 200 and patched.json()["pdq_threshold"] == 10
    assert AuditEntry.objects.filter(action__startswith="bank.").count() == 2


@pytest.mark.parametrize(
    ("payload", "status"),
    [
        ({"name": "bad name!"}, 422),
        ({"name": ""}, 422),
        ({"name": "OK", "pdq_threshold": 500}, 422),
        ({"name": "OK", "pdq_threshold": "many"}, 422),
        ({}, 422),
    ],
)
def test_bad_bank_input_is_a_clear_4xx(api: ApiClient, payload: dict, status: int) -> None:
    response = api.post_json("/api/banks", payload)
    assert response.status_code == status
    assert set(response.json()["error"]) == {"code", "message", "details"}


def test_duplicate_bank_conflicts(api: ApiClient) -> None:
    _bank(api)
    assert api.post_json("/api/banks", {"name": "KNOWN"}).status_code == 409


def test_add_entry_validates_hash(api: ApiClient) -> None:
    _bank(api)
    value = _pdq()
    ok = api.post_json(
        "/api/banks/KNOWN/entries",
        {"signal_type": "pdq", "value": value.upper(), "labels": ["test"]},
    )
    assert ok.status_code == 201 and ok.json()["value"] == value
    assert (
        api.post_json(
            "/api/banks/KNOWN/entries", {"signal_type": "pdq", "value": value}
        ).status_code
        == 409
    )
    for bad in (
        {"signal_type": "pdq", "value": "abc"},
        {"signal_type": "md5", "value": "z" * 32},
        {"signal_type": "tlsh", "value": "00"},
        {"signal_type": "pdq"},
    ):
        response = api.post_json("/api/banks/KNOWN/entries", bad)
        assert response.status_code == 422, bad
        assert response.json()["error"]["message"]
    assert BankEntry.objects.count() == 1


def test_other_organisations_cannot_see_or_change_private_banks(
    api: ApiClient, other_api: ApiClient
) -> None:
    _bank(api)
    assert other_api.get("/api/banks").json() == []
    assert other_api.get("/api/banks/KNOWN").status_code == 404
    assert (
        other_api.post_json(
            "/api/banks/KNOWN/entries", {"signal_type": "pdq", "value": _pdq()}
        ).status_code
        == 404
    )
    api.patch_json("/api/banks/KNOWN", {"shared": True})
    assert [b["name"] for b in other_api.get("/api/banks").json()] == ["KNOWN"]
    assert (
        other_api.post_json(
            "/api/banks/KNOWN/entries", {"signal_type": "pdq", "value": _pdq()}
        ).status_code
        == 403
    )


def test_scopes_are_enforced(org) -> None:
    reader = make_client(org, ["banks:read"])
    assert reader.get("/api/banks").status_code == 200
    response = reader.post_json("/api/banks", {"name": "X"})
    assert response.status_code == 403 and response.json()["error"]["code"] == "forbidden"


def test_unauthenticated_is_401(api: ApiClient) -> None:
    from django.test import Client

    response = Client().get("/api/banks")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"
    response = Client().get("/api/banks", HTTP_AUTHORIZATION="Bearer lk_00000000_nope")
    assert response.status_code == 401


def _csv(rows: list[str]) -> bytes:
    return ("signal_type,value,labels,source\n" + "\n".join(rows) + "\n").encode()


def test_import_is_all_or_nothing_with_line_numbers(api: ApiClient) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _bank(api)
    good = [f"pdq,{_pdq()},test,generated" for _ in range(3)]
    bad = [*good, "pdq,nothex,test,generated", f"md5,{secrets.token_hex(16)},test,generated"]
    response = api.post_form(
        "/api/banks/KNOWN/import", {"file": SimpleUploadedFile("bank.csv", _csv(bad))}
    )
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "bad_bank_file"
    assert [d["line"] for d in error["details"]] == [5]
    assert BankEntry.objects.count() == 0

    response = api.post_form(
        "/api/banks/KNOWN/import", {"file": SimpleUploadedFile("bank.csv", _csv(good))}
    )
    assert response.status_code == 200, response.content
    assert response.json() == {"bank": "KNOWN", "added": 3, "skipped_existing": 0}
    again = api.post_form(
        "/api/banks/KNOWN/import", {"file": SimpleUploadedFile("bank.csv", _csv(good))}
    )
    assert again.json()["skipped_existing"] == 3
    assert BankEntry.objects.count() == 3
    assert verify().ok


@pytest.mark.parametrize("fmt", ["csv", "threatexchange", "threatexchange_csv", "hma"])
def test_export_then_import_round_trips(api: ApiClient, fmt: str) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _bank(api)
    _bank(api, "COPY")
    values = sorted(_pdq() for _ in range(4))
    for v in values:
        api.post_json(
            "/api/banks/KNOWN/entries", {"signal_type": "pdq", "value": v, "labels": ["t"]}
        )
    exported = api.get(f"/api/banks/KNOWN/export?format={fmt}")
    assert exported.status_code == 200
    response = api.post_form(
        "/api/banks/COPY/import",
        {"file": SimpleUploadedFile("bank", exported.content), "format": fmt},
    )
    assert response.status_code == 200, response.content
    copied = sorted(BankEntry.objects.filter(bank__name="COPY").values_list("value", flat=True))
    assert copied == values


def test_disable_entry_and_list_entries(api: ApiClient) -> None:
    _bank(api)
    entry = api.post_json(
        "/api/banks/KNOWN/entries", {"signal_type": "md5", "value": secrets.token_hex(16)}
    ).json()
    response = api.patch_json(f"/api/banks/entries/{entry['id']}", {"disabled": True})
    assert response.status_code == 200 and response.json()["disabled"] is True
    page = api.get("/api/banks/KNOWN/entries?limit=10").json()
    assert page["total"] == 1 and page["entries"][0]["disabled"] is True
    assert api.get("/api/banks/KNOWN/entries?limit=0").status_code == 422
    assert api.patch_json("/api/banks/entries/999999", {"disabled": True}).status_code == 404
