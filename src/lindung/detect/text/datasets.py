"""Loaders for the public labelled text datasets kept beside the repository.

Each loader reads one dataset folder under the data directory (``shared/data`` beside the
repository by default, or the folder named by ``LINDUNG_DATA_DIR_TEXT``) and returns a
:class:`Dataset`: binary examples (``label`` 1 = the Lindung category applies) for **one** Lindung
category and language, with a deterministic train/test split.

Label mappings (honest, documented per dataset in :data:`DATASETS`):

* hate speech, offensive, abusive and toxic labels → ``bullying_harassment`` (insults, threats,
  hate, abuse). None of these sets is about children specifically; they are the nearest labelled
  proxy.
* SDCNL ``is_suicide`` (post from r/SuicideWatch, versus r/depression) → ``self_harm``. The negative
  class is depression, not neutral chat.
* PAN12 segments with a predator → ``grooming``. The "victims" are adult decoys posing as minors and
  the negatives include general and adult chat: a weak proxy for real grooming.

Splits: a dataset's official train/test files where they are here (ViHSD train/dev, tag-hate-elf
train/valid: their test files are kept back for independent evaluation), else a seeded, stratified
80/20 split of the unique texts (:data:`SPLIT_SEED`). Texts are deduplicated within each split and
test rows whose text also appears in train are dropped, so no text is in both.

These files are data, not code; nothing here ships them. Several are NonCommercial or unlicensed:
see ``shared/data/SOURCES.md`` before shipping a model trained on one.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

__all__ = [
    "CATEGORIES",
    "DATASETS",
    "SPLIT_SEED",
    "Dataset",
    "DatasetInfo",
    "DatasetNotFoundError",
    "Example",
    "default_data_dir",
    "load_dataset",
    "load_davidson_classes",
    "load_raw",
    "stratified_split",
]

CATEGORIES = (
    "grooming",
    "sextortion",
    "sexual_content_minor",
    "bullying_harassment",
    "self_harm",
)
SPLIT_SEED = 20240611
TEST_FRACTION = 0.2
ENV_DATA_DIR = "LINDUNG_DATA_DIR_TEXT"


class DatasetNotFoundError(FileNotFoundError):
    """The dataset's files are not in the data directory."""


@dataclass(frozen=True, slots=True)
class Example:
    text: str
    label: int


@dataclass(frozen=True, slots=True)
class Dataset:
    name: str
    language: str
    category: str
    train: list[Example]
    test: list[Example]
    split: str
    licence: str

    def counts(self) -> dict[str, dict[int, int]]:
        """Label counts per split, e.g. ``{"train": {0: 900, 1: 100}, "test": {...}}``."""
        out: dict[str, dict[int, int]] = {}
        for part, rows in (("train", self.train), ("test", self.test)):
            c = {0: 0, 1: 0}
            for ex in rows:
                c[ex.label] += 1
            out[part] = c
        return out


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    name: str
    language: str  # BCP 47
    category: str
    mapping: str  # how the dataset's labels become label 1
    split: str  # "official: ..." or "seeded stratified 80/20"
    licence: str
    files: tuple[str, ...]
    #: The licence lets a model trained on it ship inside the package (see SOURCES.md).
    ships: bool = False
    #: Share of positives assumed where the shipped model is used (prior-shift calibration,
    #: see ``training.shift_prior``); None keeps the training split's share.
    deploy_prior: float | None = None


Rows = list[Example]
_Loader = Callable[[Path], tuple[Rows, Rows | None]]


def default_data_dir() -> Path:
    """The folder holding the dataset folders: ``$LINDUNG_DATA_DIR_TEXT`` or ``shared/data``."""
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    # src/lindung/detect/text/datasets.py → parents[5] is the folder holding the repository
    return Path(__file__).resolve().parents[5] / "shared" / "data"


# --------------------------------------------------------------------------------------------------
# readers


def _csv_rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.reader(fh))


def _csv_dicts(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    csv.field_size_limit(sys.maxsize)
    with path.open(encoding=encoding, newline="") as fh:
        return list(csv.DictReader(fh))


def _clean(text: str) -> str:
    return text.strip()


def _load_davidson(d: Path) -> tuple[Rows, Rows | None]:
    rows = _csv_dicts(d / "labeled_data.csv")
    # class 0 = hate speech, 1 = offensive language, 2 = neither (CrowdFlower majority)
    return [Example(_clean(r["tweet"]), int(r["class"] in ("0", "1"))) for r in rows], None


def load_davidson_classes(data_dir: Path | str | None = None) -> Rows:
    """Davidson et al.'s three classes as labels (0 hate, 1 offensive, 2 neither): every row of
    the file, in file order, duplicates kept.

    Only the benchmark's comparison with the authors' 3-class figures uses this, and it must
    rebuild their held-out split, which is drawn from the rows as they stand in the file.
    Lindung's model is binary (:func:`load_dataset`).
    """
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    path = folder / "en-davidson-hate-offensive" / "labeled_data.csv"
    if not path.is_file():
        raise DatasetNotFoundError(f"en-davidson-hate-offensive: {path} is missing")
    return [Example(_clean(r["tweet"]), int(r["class"])) for r in _csv_dicts(path)]


def _load_pan12(d: Path) -> tuple[Rows, Rows | None]:
    rows = _csv_dicts(d / "en_val_seg.csv")
    return [Example(_clean(r["segment"]), int(r["label"])) for r in rows], None


def _load_sdcnl(d: Path) -> tuple[Rows, Rows | None]:
    rows = _csv_dicts(d / "training-set.csv")
    out = []
    for r in rows:
        text = _clean(f"{r['title'].strip()}\n{r['selftext'].strip()}")
        out.append(Example(text, int(float(r["is_suicide"]))))
    return out, None


def _load_indonesian(d: Path) -> tuple[Rows, Rows | None]:
    # not valid UTF-8: latin-1 reads every byte and keeps the (mostly ASCII) text intact
    rows = _csv_dicts(d / "re_dataset.csv", encoding="latin-1")
    return [
        Example(_clean(r["Tweet"]), int(r["HS"] == "1" or r["Abusive"] == "1")) for r in rows
    ], None


_MY_TAGS = frozenset({"ab", "re", "ra", "bo", "po", "se", "le", "ed", "no"})
_MY_TAG_RE = "(?:ab|re|ra|bo|po|se|le|ed|no)"
_MY_WORD_TAG = re.compile(rf"/{_MY_TAG_RE}(?:\|{_MY_TAG_RE})*(?![A-Za-z])")  # word/ab, word/ab|po
_MYANMAR = "\u1000-\u109f\uaa60-\uaa7f\ua9e0-\ua9ff"
_MY_SEGMENT_SPACE = re.compile(rf"(?<=[{_MYANMAR}])\s+(?=[{_MYANMAR}])")


def _desegment_myanmar(text: str) -> str:
    """Remove the corpus's word-segmentation spaces between Burmese-script characters.

    Burmese is written without spaces between words; a model that sees the corpus's segmented text
    would not see text as users write it.
    """
    return _MY_SEGMENT_SPACE.sub("", text)


def _load_myanmar(d: Path) -> tuple[Rows, Rows | None]:
    out = []
    with (d / "myHateSpeech_ver1.0.txt").open(encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if "\t" not in line:
                continue  # malformed: no sentence tag
            text, tag = line.rsplit("\t", 1)
            tag = tag.strip(" /\u200b\u200c\u200d\ufeff")
            if tag not in _MY_TAGS:
                continue  # malformed tag (empty, "11", ...)
            text = _desegment_myanmar(_MY_WORD_TAG.sub("", text)).strip()
            out.append(Example(text, int(tag != "no")))
    return out, None


_THAI_MISSING = frozenset({"", "TWEET_NOT_FOUND"})


def _load_thai(d: Path) -> tuple[Rows, Rows | None]:
    out = []
    with (d / "train.jsonl").open(encoding="utf-8") as fh:
        for line in fh:
            if not line.strip():
                continue
            r = json.loads(line)
            text = _clean(str(r.get("tweet_text") or ""))
            if text in _THAI_MISSING:
                continue
            out.append(Example(text, int(r["is_toxic"])))
    return out, None


def _read_tagalog(path: Path) -> Rows:
    """tag-hate-elf CSVs hold unquoted multi-line tweets: rows with an empty label are the first
    lines of the next labelled row, so they are joined back onto it."""
    rows = _csv_rows(path)
    out: Rows = []
    pending: list[str] = []
    for r in rows[1:]:
        if not r:
            continue
        label = r[-1].strip() if len(r) > 1 else ""
        text = ",".join(r[:-1]) if len(r) > 1 else r[0]
        if label in ("0", "1"):
            full = _clean("\n".join([*pending, text]))
            pending = []
            out.append(Example(full, int(label)))
        else:  # a first line: its (empty) label field is the comma the line ended with
            pending.append(",".join(r[:-1] if len(r) > 1 and not r[-1] else r))
    return out


def _load_tagalog(d: Path) -> tuple[Rows, Rows | None]:
    return _read_tagalog(d / "train.csv"), _read_tagalog(d / "valid.csv")


def _load_vihsd(d: Path) -> tuple[Rows, Rows | None]:
    def read(name: str) -> Rows:
        # label_id: 0 = CLEAN, 1 = OFFENSIVE, 2 = HATE
        return [
            Example(_clean(r["free_text"]), int(r["label_id"] in ("1", "2")))
            for r in _csv_dicts(d / name)
        ]

    return read("train.csv"), read("dev.csv")


_HATE = "bullying_harassment"
_SEEDED = "seeded stratified 80/20 of unique texts"

DATASETS: dict[str, DatasetInfo] = {
    i.name: i
    for i in (
        DatasetInfo(
            "en-davidson-hate-offensive",
            "en",
            _HATE,
            "class 0 hate speech or 1 offensive language → 1; 2 neither → 0",
            _SEEDED,
            "MIT",
            ("labeled_data.csv",),
            ships=True,
            # 2% keeps chat false alarms where the first shipped model had them (about 6% of the
            # PAN12 chat without a predator); `lindung bench text-calibration` prints the trade
            deploy_prior=0.02,
        ),
        DatasetInfo(
            "en-grooming-pan12-vtpan",
            "en",
            "grooming",
            "PAN12 segment with a predator (adult decoys posing as minors) → 1; other chat → 0",
            _SEEDED + " (only the English validation segments are here)",
            "none (PAN12-derived; research only)",
            ("en_val_seg.csv",),
        ),
        DatasetInfo(
            "en-suicide-sdcnl",
            "en",
            "self_harm",
            "is_suicide (r/SuicideWatch) → 1; r/depression → 0; text = title + selftext",
            _SEEDED + " (of SDCNL's training set; its test set is kept back)",
            "none (research only)",
            ("training-set.csv",),
        ),
        DatasetInfo(
            "id-multilabel-hate-abusive",
            "id",
            _HATE,
            "HS = 1 or Abusive = 1 → 1; neither → 0 (file read as latin-1)",
            _SEEDED,
            "CC BY-NC-SA 4.0",
            ("re_dataset.csv",),
        ),
        DatasetInfo(
            "my-myhatespeech",
            "my",
            _HATE,
            "any hate tag (ab re ra bo po se le ed) → 1; no → 0; malformed tags dropped; "
            "inline word tags and word-segmentation spaces removed",
            _SEEDED,
            "CC BY-NC-SA 4.0",
            ("myHateSpeech_ver1.0.txt",),
        ),
        DatasetInfo(
            "th-thai-toxicity-tweet",
            "th",
            _HATE,
            "is_toxic (majority of 3 annotators) → 1; TWEET_NOT_FOUND and empty texts dropped",
            _SEEDED,
            "CC BY-NC 4.0",
            ("train.jsonl",),
        ),
        DatasetInfo(
            "tl-tag-hate-elf",
            "fil",
            _HATE,
            "label 1 (hate, 2016 election tweets) → 1; multi-line tweets rejoined",
            "official: train.csv / valid.csv (test.csv is kept back)",
            "none (research only)",
            ("train.csv", "valid.csv"),
        ),
        DatasetInfo(
            "vi-vihsd",
            "vi",
            _HATE,
            "label_id 1 OFFENSIVE or 2 HATE → 1; 0 CLEAN → 0",
            "official: train.csv / dev.csv (test.csv is kept back)",
            "none (research only)",
            ("train.csv", "dev.csv"),
        ),
    )
}

_LOADERS: dict[str, _Loader] = {
    "en-davidson-hate-offensive": _load_davidson,
    "en-grooming-pan12-vtpan": _load_pan12,
    "en-suicide-sdcnl": _load_sdcnl,
    "id-multilabel-hate-abusive": _load_indonesian,
    "my-myhatespeech": _load_myanmar,
    "th-thai-toxicity-tweet": _load_thai,
    "tl-tag-hate-elf": _load_tagalog,
    "vi-vihsd": _load_vihsd,
}


# --------------------------------------------------------------------------------------------------
# splitting


def _dedupe(rows: Iterable[Example]) -> Rows:
    """Keep the first example of each (non-empty) text."""
    seen: set[str] = set()
    out = []
    for ex in rows:
        if ex.text and ex.text not in seen:
            seen.add(ex.text)
            out.append(ex)
    return out


def stratified_split(
    rows: Rows, test_fraction: float = TEST_FRACTION, seed: int = SPLIT_SEED
) -> tuple[Rows, Rows]:
    """Deterministic stratified split: per label, a seeded permutation; the first
    ``round(n * test_fraction)`` go to test. Order within each part follows the input order."""
    rng = np.random.default_rng(seed)
    labels = np.array([ex.label for ex in rows], dtype=np.int64)
    is_test = np.zeros(len(rows), dtype=bool)
    for lab in sorted(set(labels.tolist())):
        idx = np.flatnonzero(labels == lab)
        perm = rng.permutation(idx)
        is_test[perm[: round(len(idx) * test_fraction)]] = True
    train = [ex for ex, t in zip(rows, is_test, strict=True) if not t]
    test = [ex for ex, t in zip(rows, is_test, strict=True) if t]
    return train, test


def load_raw(name: str, data_dir: Path | str | None = None) -> tuple[Rows, Rows | None]:
    """The dataset's mapped rows before deduplication and splitting: ``(rows, None)``, or
    ``(train, test)`` where the dataset has an official split."""
    if name not in DATASETS:
        raise KeyError(f"unknown text dataset {name!r}; known: {', '.join(sorted(DATASETS))}")
    info = DATASETS[name]
    folder = Path(data_dir) if data_dir is not None else default_data_dir()
    folder = folder / name
    missing = [f for f in info.files if not (folder / f).is_file()]
    if missing:
        raise DatasetNotFoundError(
            f"dataset {name!r} not found: missing {', '.join(missing)} in {folder} "
            f"(set {ENV_DATA_DIR} to the folder holding the dataset folders)"
        )
    return _LOADERS[name](folder)


def load_dataset(name: str, data_dir: Path | str | None = None) -> Dataset:
    """Load one dataset by its folder name (a key of :data:`DATASETS`)."""
    first, second = load_raw(name, data_dir)
    info = DATASETS[name]
    if second is None:
        train, test = stratified_split(_dedupe(first))
    else:
        train = _dedupe(first)
        seen = {ex.text for ex in train}
        test = [ex for ex in _dedupe(second) if ex.text not in seen]
    return Dataset(
        name=name,
        language=info.language,
        category=info.category,
        train=train,
        test=test,
        split=info.split,
        licence=info.licence,
    )
