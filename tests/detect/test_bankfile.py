"""Tests for lindung.detect.bankfile: bank file formats, validation and error reporting.

Every hash here is random hex or the hash of generated noise: never real material.
Where python-threatexchange ships a reader or writer for a format, the tests run it.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import pickle
import random
import sys
import time
import types
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lindung.detect.bankfile import (
    BankFileError,
    BankFormat,
    BankRow,
    RowError,
    VpdqFrame,
    detect_format,
    format_vpdq,
    parse_vpdq,
    read_bank_file,
    signal_type_from_name,
    threatexchange_name,
    validate_signal,
    vpdq_to_threatexchange_json,
    write_bank_file,
)
from lindung.detect.signals import SignalType

RNG = random.Random(20240501)
HEADER = "signal_type,value,labels,source,provenance,added_by,added_at,disabled"


def hexs(n: int, rng: random.Random = RNG) -> str:
    return "".join(rng.choice("0123456789abcdef") for _ in range(n))


def pdq() -> str:
    return hexs(64)


def md5() -> str:
    return hexs(32)


def vpdq_text(frames: int = 3) -> str:
    return "\n".join(f"{i},{80 + i % 20},{pdq()},{i * 0.5:.3f}" for i in range(frames))


def errors_of(excinfo: pytest.ExceptionInfo[BankFileError]) -> list[tuple[int, str | None]]:
    return [(e.line, e.field) for e in excinfo.value.errors]


def read_csv(text: str, **kwargs: Any) -> list[BankRow]:
    return read_bank_file(text.encode(), BankFormat.CSV, **kwargs)


# --------------------------------------------------------------------------------------
# Signal validation
# --------------------------------------------------------------------------------------


class TestValidateSignal:
    def test_hex_types_normalise_case_and_space(self) -> None:
        value = pdq()
        assert validate_signal(SignalType.PDQ, f"  {value.upper()}\n") == value
        digest = md5()
        assert validate_signal(SignalType.MD5, digest.upper()) == digest
        assert validate_signal("video_sha256", value) == value

    @pytest.mark.parametrize(
        ("signal_type", "value", "message"),
        [
            (SignalType.PDQ, "", "empty"),
            (SignalType.PDQ, "ab" * 31, "64 hex digits; got 62"),
            (SignalType.PDQ, "g" * 64, "hexadecimal"),
            (SignalType.PDQ, "0x" + "a" * 62, "hexadecimal"),
            (SignalType.MD5, "a" * 64, "32 hex digits"),
            (SignalType.SHA256, "a" * 32, "64 hex digits"),
            (SignalType.SHA256, "a" * 63 + " a", "hexadecimal"),
        ],
    )
    def test_bad_hex_is_refused_with_reason(
        self, signal_type: SignalType, value: str, message: str
    ) -> None:
        with pytest.raises(ValueError, match=message):
            validate_signal(signal_type, value)

    def test_agrees_with_threatexchange_validators(self) -> None:
        from threatexchange.signal_type.md5 import VideoMD5Signal
        from threatexchange.signal_type.pdq.signal import PdqSignal
        from threatexchange.signal_type.sha256 import VideoSHA256Signal

        te = {
            SignalType.PDQ: PdqSignal,
            SignalType.MD5: VideoMD5Signal,
            SignalType.SHA256: VideoSHA256Signal,
        }
        for signal_type, cls in te.items():
            for example in cls.get_examples():
                assert validate_signal(signal_type, example) == cls.validate_signal_str(example)
            good = hexs(64 if signal_type is not SignalType.MD5 else 32)
            assert cls.validate_signal_str(validate_signal(signal_type, good)) == good
            for bad in ("", "z" * 64, "a" * 31, "a" * 65):
                with pytest.raises(ValueError):
                    validate_signal(signal_type, bad)
                with pytest.raises(ValueError):
                    cls.validate_signal_str(bad.lower())

    def test_unknown_signal_type_names_what_is_supported(self) -> None:
        with pytest.raises(ValueError, match=r"unknown signal type 'raw_text'.*vpdq"):
            signal_type_from_name("raw_text")
        assert signal_type_from_name(" Video_MD5 ") is SignalType.MD5
        assert signal_type_from_name("sha256") is SignalType.SHA256

    def test_threatexchange_names_match_the_installed_package(self) -> None:
        from threatexchange.common import class_name_to_human_name
        from threatexchange.signal_type.md5 import VideoMD5Signal
        from threatexchange.signal_type.pdq.signal import PdqSignal
        from threatexchange.signal_type.sha256 import VideoSHA256Signal

        assert threatexchange_name(SignalType.PDQ) == PdqSignal.get_name()
        assert threatexchange_name(SignalType.MD5) == VideoMD5Signal.get_name()
        assert threatexchange_name(SignalType.SHA256) == VideoSHA256Signal.get_name()
        assert threatexchange_name(SignalType.VPDQ) == class_name_to_human_name(
            "VPDQSignal", "Signal"
        )

    def test_error_message_does_not_echo_huge_values(self) -> None:
        with pytest.raises(ValueError) as excinfo:
            validate_signal(SignalType.PDQ, "x" * 100_000)
        assert len(str(excinfo.value)) < 200


class TestVpdq:
    def test_frame_text_is_normalised(self) -> None:
        frame_hash = pdq()
        text = f" 0 , 100 , {frame_hash.upper()} , 0\r\n\r\n7,50,{frame_hash},1.25\n"
        assert parse_vpdq(text) == [
            VpdqFrame(0, 100, frame_hash, 0.0),
            VpdqFrame(7, 50, frame_hash, 1.25),
        ]
        assert validate_signal(SignalType.VPDQ, text) == (
            f"0,100,{frame_hash},0.000\n7,50,{frame_hash},1.250"
        )

    def test_threatexchange_json_form_is_accepted(self) -> None:
        a, b = pdq(), pdq()
        value = validate_signal(SignalType.VPDQ, json.dumps([f"{a},100,0.0", f"{b},90,1.23e+03"]))
        assert value == f"0,100,{a},0.000\n1,90,{b},1230.000"

    def test_to_threatexchange_json(self) -> None:
        a = pdq()
        assert vpdq_to_threatexchange_json(f"3,99,{a},2.5") == json.dumps([f"{a},99,2.500"])

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "empty"),
            ("[]", "no frames"),
            ("\n \n", "empty"),
            ("0,100,abc,0", "64 hex digits"),
            ("0,101,{h},0", "quality must be 0-100"),
            ("0,-1,{h},0", "quality must be 0-100"),
            ("0,100,{h},-1", "timestamp must be >= 0"),
            ("0,100,{h},nan", "timestamp must be >= 0"),
            ("0,100,{h},inf", "timestamp must be >= 0"),
            ("0,100,{h},soon", "bad timestamp"),
            ("-1,100,{h},0", "bad frame number"),
            ("0,100,{h}", "frame_number,quality,pdq_hex,timestamp"),
            ('["{h},100"]', "pdq_hex,quality,timestamp"),
            ("[1, 2]", "list of"),
            ("[nope", "not valid JSON"),
        ],
    )
    def test_bad_vpdq_is_refused(self, text: str, message: str) -> None:
        with pytest.raises(ValueError, match=message):
            validate_signal(SignalType.VPDQ, text.replace("{h}", pdq()))

    def test_format_parse_round_trip(self) -> None:
        frames = [VpdqFrame(i, 100 - i, pdq(), i / 3) for i in range(5)]
        text = format_vpdq(frames)
        assert format_vpdq(parse_vpdq(text)) == text


@pytest.fixture
def threatexchange_vpdq() -> Iterator[types.ModuleType]:
    """threatexchange's own vPDQ module, importable without the native vpdq package.

    Its parser and validator are pure Python; only hashing needs the native module, so a
    stub with the one attribute used at import time is enough to run them.
    """
    before = set(sys.modules)
    stubbed = False
    try:
        import vpdq  # noqa: F401
    except ImportError:
        stub = types.ModuleType("vpdq")
        stub.VpdqFeature = object  # type: ignore[attr-defined]
        sys.modules["vpdq"] = stub
        stubbed = True
    try:
        from threatexchange.extensions.vpdq import vpdq as te_vpdq

        yield te_vpdq
    finally:
        if stubbed:
            for name in set(sys.modules) - before:
                if name == "vpdq" or name.startswith("threatexchange.extensions.vpdq"):
                    del sys.modules[name]


class TestVpdqInterop:
    def test_threatexchange_reads_what_we_write(self, threatexchange_vpdq: Any) -> None:
        from threatexchange.extensions.vpdq.vpdq_util import json_to_vpdq

        value = vpdq_text(4)
        te_json = vpdq_to_threatexchange_json(value)
        assert threatexchange_vpdq.VPDQSignal.validate_signal_str(te_json) == te_json
        features = json_to_vpdq(te_json)
        assert [(f.pdq_hex, f.quality, f.timestamp) for f in features] == [
            (f.pdq_hex, f.quality, f.timestamp) for f in parse_vpdq(value)
        ]

    def test_we_read_what_threatexchange_writes(self, threatexchange_vpdq: Any) -> None:
        from threatexchange.extensions.vpdq.vpdq_util import VpdqCompactFeature, vpdq_to_json

        features = [VpdqCompactFeature(pdq(), 100 - i, i * 12.345) for i in range(4)]
        te_json = vpdq_to_json(features)
        frames = parse_vpdq(te_json)
        assert [(f.pdq_hex, f.quality) for f in frames] == [
            (f.pdq_hex, f.quality) for f in features
        ]
        # threatexchange keeps 3 significant digits of the timestamp, so compare loosely.
        assert [f.timestamp for f in frames] == pytest.approx(
            [f.timestamp for f in features], rel=1e-2
        )
        for example in threatexchange_vpdq.VPDQSignal.get_examples():
            validate_signal(SignalType.VPDQ, example)


# --------------------------------------------------------------------------------------
# BankRow
# --------------------------------------------------------------------------------------


class TestBankRow:
    def test_normalises_on_construction(self) -> None:
        value = pdq()
        when = datetime(2024, 5, 1, 19, 0, tzinfo=timezone(timedelta(hours=7)))
        row = BankRow(
            "pdq",  # type: ignore[arg-type]
            value.upper(),
            labels=[" a ", "b", "a"],  # type: ignore[arg-type]
            source=" NCMEC ",
            added_at=when,
            metadata={"case": "1", "empty": ""},
        )
        assert row.signal_type is SignalType.PDQ
        assert row.value == value
        assert row.labels == ("a", "b")
        assert row.source == "NCMEC"
        assert row.added_at == datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
        assert row.added_at.tzinfo is UTC
        assert row.metadata == {"case": "1"}
        assert hash(row) == hash(replace(row, metadata={"other": "x"}))

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            ({"value": "abc"}, "64 hex digits"),
            ({"labels": ("a;b",)}, "separator"),
            ({"labels": ("",)}, "empty label"),
            ({"labels": "ab"}, "not one string"),
            ({"source": "two\nlines"}, "control character"),
            ({"added_by": "nul\x00"}, "control character"),
            ({"added_at": datetime(2024, 1, 1)}, "timezone-aware"),
            ({"disabled": 1}, "bool"),
            ({"metadata": {"labels": "x"}}, "name of a bank row field"),
            ({"metadata": {"k": "cr\r"}}, "control character"),
            ({"metadata": {"": "x"}}, "empty metadata key"),
        ],
    )
    def test_refuses_invalid_fields(self, kwargs: dict[str, Any], message: str) -> None:
        fields: dict[str, Any] = {"signal_type": SignalType.PDQ, "value": pdq(), **kwargs}
        with pytest.raises(ValueError, match=message):
            BankRow(**fields)


# --------------------------------------------------------------------------------------
# Lindung CSV
# --------------------------------------------------------------------------------------


class TestCsvRead:
    def test_reads_all_fields(self) -> None:
        value, digest = pdq(), md5()
        text = (
            f"{HEADER},case_ref\n"
            f"PDQ,{value.upper()}, csam ; sextortion ;,NCMEC,hotline report 7,analyst1,"
            "2024-05-01T19:00:00+07:00,yes,R-1\n"
            f"video_md5,{digest},,,,,2024-05-01,0,\n"
        )
        rows = read_csv(text)
        assert rows == [
            BankRow(
                SignalType.PDQ,
                value,
                labels=("csam", "sextortion"),
                source="NCMEC",
                provenance="hotline report 7",
                added_by="analyst1",
                added_at=datetime(2024, 5, 1, 12, 0, tzinfo=UTC),
                disabled=True,
                metadata={"case_ref": "R-1"},
            ),
            BankRow(SignalType.MD5, digest, added_at=datetime(2024, 5, 1, tzinfo=UTC)),
        ]

    def test_only_required_columns_in_any_order(self) -> None:
        value = pdq()
        assert read_csv(f"Value,Signal_Type\n{value},pdq\n") == [BankRow(SignalType.PDQ, value)]

    def test_naive_time_is_utc(self) -> None:
        rows = read_csv(f"signal_type,value,added_at\npdq,{pdq()},2024-05-01 10:30:00\n")
        assert rows[0].added_at == datetime(2024, 5, 1, 10, 30, tzinfo=UTC)

    def test_every_bad_row_is_reported_with_its_line(self) -> None:
        first = pdq()
        text = (
            f"{HEADER}\n"  # 1
            f"pdq,{first},,,,,,\n"  # 2 good
            f"pdq,{'f' * 63},,,,,,\n"  # 3 short hash
            f"raw_text,hello,,,,,,\n"  # 4 unknown type
            f"md5,{md5()},,,,,yesterday,\n"  # 5 bad date
            f"md5,{md5()},,,,,,maybe\n"  # 6 bad flag
            f"pdq,{first.upper()},,,,,,\n"  # 7 duplicate of line 2 (after normalising)
            f"pdq,{pdq()},,,,,,,surplus\n"  # 8 more fields than the header
            "\n"  # 9 blank: skipped
            f"md5,{md5()},bad\x01label,,,,,\n"  # 10 control character
            f"sha256,{hexs(64)},,,,,,\n"  # 11 good
        )
        with pytest.raises(BankFileError) as excinfo:
            read_csv(text)
        assert errors_of(excinfo) == [
            (3, "value"),
            (4, "signal_type"),
            (5, "added_at"),
            (6, "disabled"),
            (7, "value"),
            (8, None),
            (10, "labels"),
        ]
        message = str(excinfo.value)
        assert message.startswith("bank file refused: 7 errors")
        assert "line 7, value: duplicate pdq hash; first given on line 2" in message
        assert "line 4, signal_type: unknown signal type 'raw_text'" in message

    def test_lines_after_quoted_multi_line_fields(self) -> None:
        video = vpdq_text(3)  # three physical lines inside one quoted field
        text = (
            f"{HEADER},note\n"  # 1
            f'vpdq,"{video}",,,,,,,\n'  # 2-4
            f'pdq,{pdq()},,,,,,,"a\nmulti-line\nnote"\n'  # 5-7
            f"pdq,nothex,,,,,,,\n"  # 8
            f'md5,{md5()},,,,,,,"x\ny"\n'  # 9-10
            f'md5,"{md5()}\n","x;\ny",,,,never,,\n'  # 11-13: added_at is on line 13
            f'md5,{md5()},,,"a\nb",,,,\n'  # 14-15: provenance must be one line
        )
        with pytest.raises(BankFileError) as excinfo:
            read_csv(text)
        assert errors_of(excinfo) == [(8, "value"), (13, "added_at"), (14, "provenance")]

    def test_vpdq_in_a_quoted_field_round_trips(self) -> None:
        video = vpdq_text(3)
        rows = read_csv(f'{HEADER}\nvpdq,"{video}",,,,,,\n')
        assert rows == [BankRow(SignalType.VPDQ, video)]

    def test_missing_required_columns(self) -> None:
        with pytest.raises(BankFileError) as excinfo:
            read_csv(f"signal_type,hash\npdq,{pdq()}\n")
        assert errors_of(excinfo) == [(1, None)]
        assert "missing required column value" in str(excinfo.value)

    def test_bad_header_columns(self) -> None:
        with pytest.raises(BankFileError) as excinfo:
            read_csv(f"signal_type,value,Value,bad\x01name,labels\npdq,{pdq()},x,y,z\n")
        assert [e.line for e in excinfo.value.errors] == [1, 1]
        assert "column 'Value' appears twice" in str(excinfo.value)
        assert "column 4: metadata key contains a control character" in str(excinfo.value)

    def test_header_only_is_an_empty_bank(self) -> None:
        assert read_csv(f"{HEADER}\n") == []
        assert read_csv(HEADER) == []

    def test_empty_file_is_refused(self) -> None:
        for data in (b"", b"\n\n", b"\xef\xbb\xbf"):
            with pytest.raises(BankFileError, match="file is empty") as excinfo:
                read_bank_file(data, BankFormat.CSV)
            assert errors_of(excinfo) == [(0, None)]

    def test_bom_and_crlf(self) -> None:
        value = pdq()
        video = vpdq_text(2).replace("\n", "\r\n")
        data = ("\ufeff" + f'{HEADER}\r\npdq,{value},a;b,,,,,\r\nvpdq,"{video}",,,,,,\r\n').encode()
        rows = read_bank_file(data, BankFormat.CSV)
        assert rows[0] == BankRow(SignalType.PDQ, value, labels=("a", "b"))
        assert rows[1].value == video.replace("\r\n", "\n")
        bad = data.replace(b"pdq,", b"pdx,", 1)
        with pytest.raises(BankFileError) as excinfo:
            read_bank_file(bad + b"md5,zz,,,,,,\r\n", BankFormat.CSV)
        assert errors_of(excinfo) == [(2, "signal_type"), (5, "value")]

    def test_not_utf8(self) -> None:
        data = f"{HEADER}\npdq,{pdq()},caf\xe9,,,,,\n".encode("latin-1")
        with pytest.raises(BankFileError, match=r"not UTF-8.*0xe9") as excinfo:
            read_bank_file(data, BankFormat.CSV)
        assert errors_of(excinfo) == [(2, None)]

    def test_utf16_gets_a_clear_message(self) -> None:
        data = f"{HEADER}\n".encode("utf-16")
        with pytest.raises(BankFileError, match="UTF-16"):
            read_bank_file(data, BankFormat.CSV)

    def test_malformed_quoting(self) -> None:
        with pytest.raises(BankFileError, match="malformed CSV") as excinfo:
            read_csv(f'{HEADER}\npdq,{pdq()},,,,,,\npdq,"ab"c,,,,,,\n')
        assert errors_of(excinfo) == [(3, None)]

    def test_unclosed_quote_points_at_where_it_opened(self) -> None:
        text = f'{HEADER}\npdq,{pdq()},"oops,,,,,\npdq,{pdq()},,,,,,\nmd5,{md5()},,,,,,\n'
        with pytest.raises(BankFileError, match=r"lines 2-4.*quote left open") as excinfo:
            read_csv(text)
        assert errors_of(excinfo) == [(2, None)]

    def test_spreadsheet_exports(self) -> None:
        # Unnamed empty columns are ignored; left-out trailing cells are empty.
        a, b = pdq(), md5()
        rows = read_csv(f"{HEADER},,\npdq,{a},x,,,,,,,\nmd5,{b}\n")
        assert rows == [BankRow(SignalType.PDQ, a, labels=("x",)), BankRow(SignalType.MD5, b)]
        with pytest.raises(BankFileError, match="column 9 has a value but no name") as excinfo:
            read_csv(f"{HEADER},\npdq,{a},,,,,,,stray\n")
        assert errors_of(excinfo) == [(2, None)]

    def test_row_cap(self) -> None:
        text = f"{HEADER}\n" + "".join(f"md5,{md5()},,,,,,\n" for _ in range(5))
        assert len(read_csv(text, max_rows=5)) == 5
        with pytest.raises(BankFileError, match="more than 4 rows") as excinfo:
            read_csv(text, max_rows=4)
        assert errors_of(excinfo) == [(6, None)]

    def test_line_length_cap(self) -> None:
        text = f"{HEADER}\nmd5,{md5()},,,{'x' * 500},,,\nmd5,{md5()},,,,,,\n"
        with pytest.raises(BankFileError, match=r"line is 5.. characters; the limit is 100") as e:
            read_csv(text, max_line_length=100)
        assert errors_of(e) == [(2, None)]
        assert len(read_csv(text, max_line_length=1000)) == 2

    def test_error_cap_and_message_cap(self) -> None:
        text = f"{HEADER}\n" + "".join(f"md5,bad{i},,,,,,\n" for i in range(120))
        with pytest.raises(BankFileError) as excinfo:
            read_csv(text, max_errors=80)
        error = excinfo.value
        assert error.error_count == 120
        assert len(error.errors) == 80
        assert error.errors[0] == RowError(2, "value", error.errors[0].message)
        message = str(error)
        assert message.count("\n  line ") == BankFileError.MAX_LISTED
        assert message.endswith("and 70 more")

    def test_large_vpdq_field_beyond_csv_default_limit(self) -> None:
        video = vpdq_text(2000)  # ~160 KB in one quoted field; csv's default limit is 128 KiB
        assert len(video) > 131072
        assert read_csv(f'{HEADER}\nvpdq,"{video}",,,,,,\n')[0].value == video


class TestBankFileError:
    def test_is_a_value_error_and_pickles(self) -> None:
        error = BankFileError([RowError(3, "value", "bad"), RowError(0, None, "whole")], 5)
        assert isinstance(error, ValueError)
        copy = pickle.loads(pickle.dumps(error))
        assert copy.errors == error.errors
        assert copy.error_count == 5
        assert str(copy) == str(error)
        assert str(error).splitlines() == [
            "bank file refused: 5 errors",
            "  line 3, value: bad",
            "  file: whole",
            "  and 3 more",
        ]


class TestCsvWrite:
    def test_writes_header_metadata_columns_and_utc(self) -> None:
        value = pdq()
        rows = [
            BankRow(
                SignalType.PDQ,
                value,
                labels=("a", "b"),
                added_at=datetime(2024, 5, 1, 12, 0, 0, 500, tzinfo=UTC),
                disabled=True,
                metadata={"zeta": "1", "alpha": "2"},
            ),
            BankRow(SignalType.MD5, md5().upper()),
        ]
        text = write_bank_file(rows, BankFormat.CSV)
        lines = text.splitlines()
        assert lines[0] == f"{HEADER},alpha,zeta"
        assert lines[1] == f"pdq,{value},a;b,,,,2024-05-01T12:00:00.000500Z,true,2,1"
        assert read_bank_file(text, BankFormat.CSV) == rows

    def test_empty_bank_writes_header_only(self) -> None:
        assert write_bank_file([], BankFormat.CSV) == f"{HEADER}\n"
        assert read_bank_file(write_bank_file([], BankFormat.CSV)) == []

    def test_refuses_non_rows(self) -> None:
        with pytest.raises(TypeError):
            write_bank_file([("pdq", pdq())], BankFormat.CSV)  # type: ignore[list-item]


# --------------------------------------------------------------------------------------
# threatexchange line format
# --------------------------------------------------------------------------------------


def run_dataset_print(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    signals: Any,
    *,
    print_signals_only: bool = False,
    csv: bool = False,
) -> str:
    """Output of `threatexchange dataset -P ...` over ``signals``, by threatexchange's code.

    Only the fetched-state lookups are replaced; the printing is DatasetCommand's own.
    """
    from threatexchange.cli.dataset_cmd import DatasetCommand

    command = DatasetCommand(print_signals=True, print_signals_only=print_signals_only, csv=csv)
    monkeypatch.setattr(command, "get_signal_types", lambda _settings: set(signals))
    monkeypatch.setattr(command, "get_signals", lambda _settings, _types: signals)
    command.execute_print_signals(None)  # type: ignore[no-untyped-call]
    return capsys.readouterr().out


def read_te(text: str, **kwargs: Any) -> list[BankRow]:
    return read_bank_file(text.encode(), BankFormat.THREATEXCHANGE, **kwargs)


class TestThreatExchangeLines:
    def test_reads_types_aliases_blank_lines_and_crlf(self) -> None:
        a, b, c = pdq(), md5(), hexs(64)
        text = f"pdq {a}\r\n\r\nvideo_md5 {b.upper()}\r\n  sha256\t{c}  \r\n"
        assert read_te(text) == [
            BankRow(SignalType.PDQ, a),
            BankRow(SignalType.MD5, b),
            BankRow(SignalType.SHA256, c),
        ]

    def test_rotation_prefixed_hash_output(self) -> None:
        a, b = pdq(), pdq()
        rows = read_te(f"ORIGINAL pdq {a}\nROTATE90 pdq {b}\n")
        assert rows == [
            BankRow(SignalType.PDQ, a, metadata={"rotation": "ORIGINAL"}),
            BankRow(SignalType.PDQ, b, metadata={"rotation": "ROTATE90"}),
        ]

    def test_bare_hashes_need_a_signal_type(self) -> None:
        a, b = md5(), md5()
        rows = read_bank_file(f"{a}\n\n{b}\n", signal_type=SignalType.MD5)
        assert rows == [BankRow(SignalType.MD5, a), BankRow(SignalType.MD5, b)]
        with pytest.raises(BankFileError, match="bare hashes") as excinfo:
            read_te(f"{a}\n")
        assert errors_of(excinfo) == [(1, None)]
        with pytest.raises(ValueError, match="only applies"):
            read_bank_file(f"{a}\n", BankFormat.CSV, signal_type=SignalType.MD5)

    def test_errors_with_lines(self) -> None:
        a = pdq()
        text = (
            f"pdq {a}\n"  # 1
            "raw_text some words\n"  # 2 unknown to Lindung
            f"pdq {a[:-1]}\n"  # 3 short
            "\n"  # 4
            f"PDQ {a.upper()}\n"  # 5 duplicate
            "pdq\n"  # 6 no signal
            'vpdq ["nope"]\n'  # 7 bad vpdq
        )
        with pytest.raises(BankFileError) as excinfo:
            read_te(text)
        assert errors_of(excinfo) == [
            (2, "signal type"),
            (3, "signal"),
            (5, "signal"),
            (6, None),
            (7, "signal"),
        ]

    def test_empty_file_is_an_empty_bank(self) -> None:
        assert read_te("") == []
        assert read_te("\n  \n") == []

    def test_write_uses_threatexchange_names_and_skips_disabled(self) -> None:
        a, b, c = pdq(), md5(), hexs(64)
        video = vpdq_text(2)
        rows = [
            BankRow(SignalType.PDQ, a, labels=("lost",)),
            BankRow(SignalType.MD5, b),
            BankRow(SignalType.SHA256, c, disabled=True),
            BankRow(SignalType.VPDQ, video),
        ]
        text = write_bank_file(rows, BankFormat.THREATEXCHANGE)
        assert text.splitlines() == [
            f"pdq {a}",
            f"video_md5 {b}",
            f"vpdq {vpdq_to_threatexchange_json(video)}",
        ]
        assert read_te(text) == [
            BankRow(SignalType.PDQ, a),
            BankRow(SignalType.MD5, b),
            BankRow(SignalType.VPDQ, video),
        ]


class TestThreatExchangeInterop:
    """Run python-threatexchange's own readers and writers against ours."""

    def _local_file_api(self, path: Path, signal_type: str | None = None) -> Any:
        from threatexchange.exchanges.impl.file_api import (
            FileCollaborationConfig,
            LocalFileSignalExchangeAPI,
        )

        config = FileCollaborationConfig(
            filename=str(path), name="test", api="local_file", signal_type=signal_type
        )
        return LocalFileSignalExchangeAPI(config)

    def test_local_file_exchange_reads_our_file(self, tmp_path: Path) -> None:
        rows = [BankRow(SignalType.PDQ, pdq()), BankRow(SignalType.MD5, md5())]
        path = tmp_path / "bank.txt"
        path.write_text(write_bank_file(rows, BankFormat.THREATEXCHANGE), encoding="utf-8")
        (delta,) = list(self._local_file_api(path).fetch_iter([], None))
        assert set(delta.updates) == {(threatexchange_name(r.signal_type), r.value) for r in rows}

    def test_local_file_exchange_reads_our_vpdq(
        self, tmp_path: Path, threatexchange_vpdq: Any
    ) -> None:
        video = vpdq_text(3)
        path = tmp_path / "bank.txt"
        path.write_text(
            write_bank_file([BankRow(SignalType.VPDQ, video)], BankFormat.THREATEXCHANGE)
        )
        (delta,) = list(self._local_file_api(path).fetch_iter([], None))
        ((name, signal),) = delta.updates
        assert name == "vpdq"
        assert threatexchange_vpdq.VPDQSignal.validate_signal_str(signal) == signal
        assert validate_signal(SignalType.VPDQ, signal) == video

    def test_we_write_what_local_file_exchange_appends(self) -> None:
        # LocalFileSignalExchangeAPI.report_opinion appends f"{s_type.get_name()} {signal}\n"
        # (threatexchange 1.2.17 opens the file with mode "wta", which Python refuses, so
        # it cannot be run; this checks the same line format).
        from threatexchange.signal_type.md5 import VideoMD5Signal
        from threatexchange.signal_type.pdq.signal import PdqSignal

        a, b = pdq(), md5()
        appended = f"{PdqSignal.get_name()} {a}\n{VideoMD5Signal.get_name()} {b}\n"
        rows = [BankRow(SignalType.PDQ, a), BankRow(SignalType.MD5, b)]
        assert write_bank_file(rows, BankFormat.THREATEXCHANGE) == appended
        assert read_bank_file(appended, filename="bank.txt") == rows

    def test_bare_file_matches_local_file_exchange_with_signal_type(self, tmp_path: Path) -> None:
        hashes = [md5() for _ in range(3)]
        path = tmp_path / "bare.txt"
        path.write_text("\n".join(hashes) + "\n")
        (delta,) = list(self._local_file_api(path, "video_md5").fetch_iter([], None))
        ours = read_bank_file(path.read_bytes(), signal_type=SignalType.MD5)
        assert {("video_md5", r.value) for r in ours} == set(delta.updates)

    def test_we_read_threatexchange_hash_output(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from PIL import Image
        from threatexchange.cli.hash_cmd import HashCommand
        from threatexchange.content_type.photo import PhotoContent
        from threatexchange.signal_type.pdq.signal import PdqSignal

        noise = random.Random(7).randbytes(128 * 128 * 3)
        path = tmp_path / "noise.png"
        Image.frombytes("RGB", (128, 128), noise).save(path)
        settings = types.SimpleNamespace(get_signal_types_for_content=lambda _ct: [PdqSignal])
        HashCommand(PhotoContent, None, [path]).execute(settings)  # type: ignore[arg-type]
        output = capsys.readouterr().out
        rows = read_bank_file(output, filename="hashes.txt")
        assert rows == [BankRow(SignalType.PDQ, PdqSignal.hash_from_file(path))]

    def test_we_read_threatexchange_dataset_print_signals_only(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from threatexchange.exchanges.fetch_state import FetchedSignalMetadata
        from threatexchange.signal_type.md5 import VideoMD5Signal
        from threatexchange.signal_type.pdq.signal import PdqSignal

        signals = {
            PdqSignal: {pdq(): [("c", FetchedSignalMetadata())] for _ in range(3)},
            VideoMD5Signal: {md5(): [("c", FetchedSignalMetadata())]},
        }
        output = run_dataset_print(monkeypatch, capsys, signals, print_signals_only=True)
        rows = read_bank_file(output)
        assert {(threatexchange_name(r.signal_type), r.value) for r in rows} == {
            (cls.get_name(), value) for cls, by_value in signals.items() for value in by_value
        }


# --------------------------------------------------------------------------------------
# threatexchange dataset CSV
# --------------------------------------------------------------------------------------


class _Opinions:
    """FetchedSignalMetadata with given opinions, as an exchange would store them."""

    @staticmethod
    def make(*opinions: tuple[str, set[str]]) -> Any:
        from threatexchange.exchanges.fetch_state import (
            FetchedSignalMetadata,
            SignalOpinion,
            SignalOpinionCategory,
        )

        class Metadata(FetchedSignalMetadata):
            def get_as_opinions(self) -> list[SignalOpinion]:
                return [
                    SignalOpinion(False, SignalOpinionCategory[category], tags)
                    for category, tags in opinions
                ]

        return Metadata()


class TestThreatExchangeCsv:
    def test_reads_threatexchange_dataset_csv(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from threatexchange.signal_type.md5 import VideoMD5Signal
        from threatexchange.signal_type.pdq.signal import PdqSignal

        a, b = pdq(), md5()
        signals = {
            PdqSignal: {
                a: [
                    ("Collab A", _Opinions.make(("POSITIVE_CLASS", {"csam"}))),
                    ("Collab B", _Opinions.make(("NEGATIVE_CLASS", {"benign"}))),
                ]
            },
            VideoMD5Signal: {b: [("Collab A", _Opinions.make(("INVESTIGATION_SEED", set())))]},
        }
        output = run_dataset_print(monkeypatch, capsys, signals, csv=True)
        assert output.startswith("signal_type,signal_str,collab,category,tags\r\n")
        assert detect_format(None, output.encode()) is BankFormat.THREATEXCHANGE_CSV
        rows = read_bank_file(output)
        assert rows == [
            BankRow(
                SignalType.PDQ,
                a,
                labels=("csam", "benign"),
                source="Collab A; Collab B",
                metadata={"opinion_category": "DISPUTED"},
            ),
            BankRow(
                SignalType.MD5,
                b,
                source="Collab A",
                metadata={"opinion_category": "INVESTIGATION_SEED"},
            ),
        ]

    def test_write_matches_threatexchange_dataset_csv(
        self, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        from threatexchange.signal_type.pdq.signal import PdqSignal

        a = pdq()
        signals = {PdqSignal: {a: [("Collab A", _Opinions.make(("POSITIVE_CLASS", {"csam"})))]}}
        theirs = run_dataset_print(monkeypatch, capsys, signals, csv=True)
        ours = write_bank_file(
            [BankRow(SignalType.PDQ, a, labels=("csam",), source="Collab A")],
            BankFormat.THREATEXCHANGE_CSV,
        )
        assert ours == theirs

    def test_errors(self) -> None:
        a = pdq()
        text = (
            "signal_type,signal_str,collab,category,tags\n"  # 1
            f"pdq,{a},A,POSITIVE_CLASS,x\n"  # 2
            f"pdq,{a},A,POSITIVE_CLASS,y\n"  # 3 same collab twice
            f"pdq,{pdq()},A,MAYBE,\n"  # 4 bad category
            f"url,https://example.org,A,POSITIVE_CLASS,\n"  # 5 unsupported type
            f"pdq,{pdq()},A,,,surplus\n"  # 6 more fields than the header
        )
        with pytest.raises(BankFileError) as excinfo:
            read_bank_file(text, BankFormat.THREATEXCHANGE_CSV)
        assert errors_of(excinfo) == [
            (3, "signal_str"),
            (4, "category"),
            (5, "signal_type"),
            (6, None),
        ]

    def test_lindung_only_columns_are_refused(self) -> None:
        with pytest.raises(BankFileError, match="name of a bank row field"):
            read_bank_file(
                f"signal_type,signal_str,source\npdq,{pdq()},x\n", BankFormat.THREATEXCHANGE_CSV
            )

    def test_write_refuses_spaced_labels_and_skips_disabled(self) -> None:
        with pytest.raises(ValueError, match="contains a space"):
            write_bank_file(
                [BankRow(SignalType.PDQ, pdq(), labels=("two words",))],
                BankFormat.THREATEXCHANGE_CSV,
            )
        text = write_bank_file(
            [BankRow(SignalType.PDQ, pdq(), disabled=True)], BankFormat.THREATEXCHANGE_CSV
        )
        assert text == "signal_type,signal_str,collab,category,tags\r\n"


# --------------------------------------------------------------------------------------
# HMA JSON
# --------------------------------------------------------------------------------------


def read_hma(document: Any, *, indent: int | None = 2) -> list[BankRow]:
    return read_bank_file(json.dumps(document, indent=indent), BankFormat.HMA)


def hma_content_response(
    content_id: int, disable_until_ts: int, signals: dict[str, str], **extra: Any
) -> dict[str, Any]:
    """What GET /c/bank/<name>/content/<id>?include_signals=true returns, built from
    threatexchange's BankContentConfig the way HMA's bank_get_content does."""
    from threatexchange.storage.interfaces import BankConfig, BankContentConfig

    config = BankContentConfig(
        id=content_id,
        disable_until_ts=disable_until_ts,
        collab_metadata=extra.get("collab_metadata", {}),
        original_media_uri=extra.get("original_media_uri"),
        bank=BankConfig(name="TEST_BANK", matching_enabled_ratio=1.0),
    )
    return {
        "id": config.id,
        "disable_until_ts": config.disable_until_ts,
        "collab_metadata": {k: list(v) for k, v in config.collab_metadata.items()},
        "original_media_uri": config.original_media_uri,
        "bank": {"name": config.bank.name, "matching_enabled_ratio": 1.0},
        "signals": signals,
    }


class TestHma:
    def test_post_signal_body(self) -> None:
        a, b = pdq(), md5()
        assert read_hma({"pdq": a, "video_md5": b}, indent=None) == [
            BankRow(SignalType.PDQ, a),
            BankRow(SignalType.MD5, b),
        ]
        assert read_hma([{"pdq": a}, {"video_md5": b}]) == [
            BankRow(SignalType.PDQ, a),
            BankRow(SignalType.MD5, b),
        ]

    def test_bank_content_response(self) -> None:
        from threatexchange.storage.interfaces import BankConfig, BankContentConfig

        a, b = pdq(), md5()
        future = int(time.time()) + 86400
        past = int(time.time()) - 86400
        document = [
            hma_content_response(
                11,
                BankContentConfig.ENABLED,
                {"pdq": a},
                collab_metadata={"NCMEC_HASHES": ["k1"]},
                original_media_uri="s3://bucket/key",
            ),
            hma_content_response(12, BankContentConfig.DISABLED, {"video_md5": b}),
            hma_content_response(13, future, {"pdq": (c := pdq())}),
            hma_content_response(14, past, {"pdq": (d := pdq())}),
        ]
        rows = read_hma(document)
        assert rows[0] == BankRow(
            SignalType.PDQ,
            a,
            source="NCMEC_HASHES",
            metadata={"hma_content_id": "11", "original_media_uri": "s3://bucket/key"},
        )
        assert rows[1] == BankRow(
            SignalType.MD5, b, disabled=True, metadata={"hma_content_id": "12"}
        )
        assert (rows[2].value, rows[3].value) == (c, d)
        # Same enabled/disabled verdict as threatexchange's BankContentConfig.enabled.
        for row, item in zip(rows, document, strict=True):
            config = BankContentConfig(
                item["id"], item["disable_until_ts"], {}, None, BankConfig("B", 1.0)
            )
            assert row.disabled is not config.enabled
        assert rows[2].metadata["hma_disable_until_ts"] == str(future)

    def test_content_without_signals_gets_a_hint(self) -> None:
        item = hma_content_response(1, 1, {})
        del item["signals"]
        with pytest.raises(BankFileError, match="include_signals=true"):
            read_hma(item)

    def test_errors_point_at_the_line_of_the_signal(self) -> None:
        text = (
            "[\n"  # 1
            '  {"pdq": "' + pdq() + '"},\n'  # 2
            "  {\n"  # 3
            '    "id": 5,\n'  # 4
            '    "signals": {\n'  # 5
            '      "pdq": "' + pdq() + '",\n'  # 6
            '      "video_md5": "nothex"\n'  # 7
            "    }\n"  # 8
            "  },\n"  # 9
            '  {"text_tlsh": "T1abc"},\n'  # 10
            '  "just a string",\n'  # 11
            '  {"disable_until_ts": -1, "signals": {"pdq": "' + pdq() + '"}}\n'  # 12
            "]\n"
        )
        with pytest.raises(BankFileError) as excinfo:
            read_bank_file(text, BankFormat.HMA)
        assert errors_of(excinfo) == [
            (7, "signals.video_md5"),
            (10, "signals.text_tlsh"),
            (11, None),
            (12, "disable_until_ts"),
        ]

    def test_duplicates_across_contents(self) -> None:
        a = pdq()
        text = json.dumps([{"pdq": a}, {"pdq": pdq()}, {"pdq": a.upper()}], indent=2)
        with pytest.raises(BankFileError, match="first given on line 3") as excinfo:
            read_bank_file(text, BankFormat.HMA)
        assert errors_of(excinfo) == [(9, "signals.pdq")]

    def test_duplicate_json_keys_are_refused(self) -> None:
        text = f'{{"pdq": "{pdq()}",\n "pdq": "{pdq()}"}}'
        with pytest.raises(BankFileError, match="'pdq' appears twice"):
            read_bank_file(text, BankFormat.HMA)

    def test_invalid_json_reports_the_decoder_line(self) -> None:
        with pytest.raises(BankFileError, match="not valid JSON") as excinfo:
            read_bank_file('[\n  {"pdq": "x"}\n  {"pdq": "y"}\n]', BankFormat.HMA)
        assert errors_of(excinfo) == [(3, None)]

    @pytest.mark.parametrize("text", ["", "  \n", "42", '"pdq"', "[[]]", "[{}]"])
    def test_not_bank_content(self, text: str) -> None:
        with pytest.raises(BankFileError):
            read_bank_file(text, BankFormat.HMA)

    def test_empty_array_is_an_empty_bank(self) -> None:
        assert read_bank_file("[]", BankFormat.HMA) == []

    def test_bad_lindung_block(self) -> None:
        item = {
            "signals": {"pdq": pdq()},
            "lindung": {"labels": "a", "source": 1, "added_at": "soon", "colour": "red"},
        }
        with pytest.raises(BankFileError) as excinfo:
            read_hma(item)
        assert {e.field for e in excinfo.value.errors} == {
            "lindung.colour",
            "lindung.labels",
            "lindung.source",
        }
        item["lindung"] = {"added_at": "soon"}
        with pytest.raises(BankFileError, match="ISO 8601"):
            read_hma(item)
        item["lindung"] = {"labels": ["ok", "semi;colon"]}
        with pytest.raises(BankFileError) as excinfo:
            read_hma(item)
        # {\n "signals": {\n "pdq": ...\n },\n "lindung": {\n "labels": [  <- line 6
        assert errors_of(excinfo) == [(6, "lindung.labels")]

    def test_write_shape(self) -> None:
        a = pdq()
        video = vpdq_text(2)
        rows = [
            BankRow(
                SignalType.PDQ,
                a,
                labels=("x",),
                disabled=True,
                metadata={"hma_content_id": "42", "original_media_uri": "https://example.org/1"},
            ),
            BankRow(SignalType.VPDQ, video),
        ]
        document = json.loads(write_bank_file(rows, BankFormat.HMA))
        assert document[0]["id"] == 42
        assert document[0]["disable_until_ts"] == 0
        assert document[0]["original_media_uri"] == "https://example.org/1"
        assert document[0]["signals"] == {"pdq": a}
        assert document[0]["lindung"]["labels"] == ["x"]
        assert "id" not in document[1]
        assert document[1]["disable_until_ts"] == 1
        assert document[1]["signals"] == {"vpdq": vpdq_to_threatexchange_json(video)}
        # Each object's signals are exactly a POST /c/bank/<name>/signal body.
        assert read_hma(document[1]["signals"]) == [BankRow(SignalType.VPDQ, video)]
        assert read_bank_file(json.dumps(document)) == rows


# --------------------------------------------------------------------------------------
# Format detection
# --------------------------------------------------------------------------------------


class TestDetectFormat:
    @pytest.mark.parametrize(
        ("filename", "head", "expected"),
        [
            (None, b'[{"pdq": "', BankFormat.HMA),
            (None, b'\xef\xbb\xbf  {"signals"', BankFormat.HMA),
            ("bank.txt", f"{HEADER}\n".encode(), BankFormat.CSV),
            (None, b"Signal_Type , Value\r\n", BankFormat.CSV),
            (None, b"signal_type,signal_str,collab\n", BankFormat.THREATEXCHANGE_CSV),
            (None, b"signal_type,signal_str,value\n", BankFormat.CSV),
            ("x.csv", b"pdq abcdef", BankFormat.THREATEXCHANGE),
            (None, b"video_md5 abc", BankFormat.THREATEXCHANGE),
            (None, b"ROTATE90 pdq abc", BankFormat.THREATEXCHANGE),
            ("hashes.TXT", b"abcdef0123", BankFormat.THREATEXCHANGE),
            ("bank.json", b"", BankFormat.HMA),
            ("bank.csv", b"weird", BankFormat.CSV),
        ],
    )
    def test_detects(self, filename: str | None, head: bytes, expected: BankFormat) -> None:
        assert detect_format(filename, head) is expected

    def test_undetectable(self) -> None:
        with pytest.raises(BankFileError, match="cannot tell the file format"):
            detect_format("bank.bin", b"hello world")
        with pytest.raises(BankFileError, match="file is empty"):
            detect_format(None, b"")
        with pytest.raises(BankFileError, match="file is empty"):
            read_bank_file(b"")

    def test_format_properties(self) -> None:
        assert BankFormat.HMA.file_extension == ".json"
        assert BankFormat.CSV.media_type == "text/csv"


# --------------------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------------------

_HEX = "0123456789abcdefABCDEF"
_TEXT = st.characters(exclude_categories=("Cc", "Cs", "Zl", "Zp"), exclude_characters="\x85")


@st.composite
def signal_values(draw: st.DrawFn, frame_numbers: bool = True) -> tuple[SignalType, str]:
    """A valid (type, value); without ``frame_numbers`` vPDQ frames are numbered 0..n-1,
    as they come back from formats that do not carry frame numbers."""
    signal_type = draw(st.sampled_from(list(SignalType)))
    if signal_type is SignalType.VPDQ:
        frames = draw(
            st.lists(
                st.builds(
                    VpdqFrame,
                    st.integers(0, 10**6),
                    st.integers(0, 100),
                    st.text("0123456789abcdef", min_size=64, max_size=64),
                    st.floats(0, 10**6, allow_nan=False),
                ),
                min_size=1,
                max_size=5,
            )
        )
        if not frame_numbers:
            frames = [frame._replace(frame_number=i) for i, frame in enumerate(frames)]
        return signal_type, format_vpdq(frames)
    size = 32 if signal_type is SignalType.MD5 else 64
    return signal_type, draw(st.text(_HEX, min_size=size, max_size=size))


labels = st.lists(
    st.text(_TEXT, min_size=1, max_size=12).filter(lambda s: ";" not in s and s.strip()),
    max_size=4,
)
names = st.text(_TEXT, max_size=20)
metadata = st.dictionaries(
    st.text(_TEXT, min_size=1, max_size=10).filter(
        lambda k: k.strip() and k.strip().lower() not in HEADER.split(",")
    ),
    st.text(st.characters(exclude_categories=["Cs"], codec="utf-8"), min_size=1, max_size=20)
    .map(lambda s: "".join(c for c in s if c in "\t\n" or not _is_control(c)))
    .filter(bool),
    max_size=3,
)


def _is_control(char: str) -> bool:
    import unicodedata

    return unicodedata.category(char) in ("Cc", "Cs", "Zl", "Zp")


@st.composite
def bank_rows(draw: st.DrawFn, frame_numbers: bool = True) -> BankRow:
    signal_type, value = draw(signal_values(frame_numbers))
    return BankRow(
        signal_type,
        value,
        labels=tuple(draw(labels)),
        source=draw(names),
        provenance=draw(names),
        added_by=draw(names),
        added_at=draw(
            st.none()
            | st.datetimes(
                min_value=datetime(1970, 1, 1),
                max_value=datetime(2100, 1, 1),
                timezones=st.just(UTC),
            )
        ),
        disabled=draw(st.booleans()),
        metadata={k.strip(): v for k, v in draw(metadata).items()},
    )


def unique_rows(strategy: st.SearchStrategy[BankRow]) -> st.SearchStrategy[list[BankRow]]:
    return st.lists(strategy, max_size=8, unique_by=lambda r: r.key)


_PROPERTY = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class TestProperties:
    @_PROPERTY
    @given(unique_rows(bank_rows()))
    def test_csv_round_trip(self, rows: list[BankRow]) -> None:
        text = write_bank_file(rows, BankFormat.CSV)
        assert read_bank_file(text.encode(), BankFormat.CSV) == rows
        assert read_bank_file(text.encode()) == rows  # and the format is recognised

    @_PROPERTY
    @given(unique_rows(bank_rows(frame_numbers=False)))
    def test_hma_round_trip(self, rows: list[BankRow]) -> None:
        text = write_bank_file(rows, BankFormat.HMA)
        assert read_bank_file(text.encode(), BankFormat.HMA) == rows
        assert read_bank_file(text.encode()) == rows

    @_PROPERTY
    @given(unique_rows(signal_values(frame_numbers=False).map(lambda sv: BankRow(sv[0], sv[1]))))
    def test_threatexchange_lines_round_trip(self, rows: list[BankRow]) -> None:
        text = write_bank_file(rows, BankFormat.THREATEXCHANGE)
        assert read_bank_file(text, BankFormat.THREATEXCHANGE) == rows

    @_PROPERTY
    @given(
        unique_rows(
            st.builds(
                lambda sv, tags, collab, category: BankRow(
                    sv[0],
                    sv[1],
                    labels=tuple(tags),
                    source=collab,
                    metadata={"opinion_category": category},
                ),
                signal_values(frame_numbers=False),
                st.lists(
                    st.text(_TEXT, min_size=1, max_size=8).filter(
                        lambda s: ";" not in s and not any(c.isspace() for c in s)
                    ),
                    max_size=3,
                ),
                names,
                st.sampled_from(
                    ["POSITIVE_CLASS", "NEGATIVE_CLASS", "INVESTIGATION_SEED", "DISPUTED"]
                ),
            )
        )
    )
    def test_threatexchange_csv_round_trip(self, rows: list[BankRow]) -> None:
        text = write_bank_file(rows, BankFormat.THREATEXCHANGE_CSV)
        assert read_bank_file(text, BankFormat.THREATEXCHANGE_CSV) == rows

    @_PROPERTY
    @given(signal_values())
    def test_validate_signal_is_idempotent(self, signal: tuple[SignalType, str]) -> None:
        signal_type, value = signal
        once = validate_signal(signal_type, value)
        assert validate_signal(signal_type, once) == once

    @settings(max_examples=300, deadline=None)
    @given(st.binary(max_size=300) | st.text(max_size=300), st.sampled_from(list(BankFormat)))
    def test_any_input_is_rows_or_a_bank_file_error(
        self, data: bytes | str, fmt: BankFormat
    ) -> None:
        with contextlib.suppress(BankFileError):
            rows = read_bank_file(data, fmt)
            assert all(isinstance(row, BankRow) for row in rows)

    @settings(max_examples=40, deadline=None)
    @given(unique_rows(bank_rows()), st.data())
    def test_one_corrupted_row_is_reported_on_its_own_line(
        self, rows: list[BankRow], data: st.DataObject
    ) -> None:
        text = write_bank_file(rows, BankFormat.CSV)
        records = list(csv.reader(io.StringIO(text, newline="")))
        index = data.draw(st.integers(1, len(records)))
        records.insert(
            index, ["pdq", "not-a-hash", "", "", "", "", "", ""] + [""] * (len(records[0]) - 8)
        )
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(records)
        # The header is line 1; each record before the bad one takes 1 + its embedded breaks.
        expected_line = 1 + sum(
            1 + sum(cell.count("\n") for cell in record) for record in records[:index]
        )
        with pytest.raises(BankFileError) as excinfo:
            read_bank_file(out.getvalue(), BankFormat.CSV)
        assert errors_of(excinfo) == [(expected_line, "value")]
