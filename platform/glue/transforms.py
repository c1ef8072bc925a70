"""Raw -> curated transform logic of the platform's Glue job, in plain Python.

The Glue script (raw_to_curated.py) applies these functions to Spark DataFrames; here they take
and return plain values so platform/tests can unit-test them with python3 alone (no PySpark).

Raw zone layout (what producers write):
    s3://<raw bucket>/<dataset>/[ingest_date=YYYY-MM-DD/]<file>.csv
Curated zone layout (what the job writes, the crawler catalogs and Athena queries):
    s3://<curated bucket>/<dataset>/ingest_date=YYYY-MM-DD/part-*.parquet
"""

from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import Iterable, Optional

# Prefixes in the raw bucket that are not data: the job's own scripts and Spark's temp dir.
RESERVED_PREFIXES = ("_glue/",)

# Glue catalog and Athena: lower case, letters, digits and underscores; at most 255 characters.
MAX_NAME_LENGTH = 255

# Values producers use for "no value" in CSV exports.
NULL_TOKENS = frozenset({"", "null", "none", "na", "n/a", "nan", "\\n"})

_DATASET = re.compile(r"^[a-z][a-z0-9_]{0,62}$")
_INGEST_DATE = re.compile(r"(?:^|/)ingest_date=(\d{4}-\d{2}-\d{2})(?:/|$)")


def normalize_column_name(name: str) -> str:
    """A raw CSV header as a catalog column name: snake_case ASCII, never empty.

    >>> normalize_column_name("Order ID")
    'order_id'
    """
    text = unicodedata.normalize("NFKD", str(name)).encode("ascii", "ignore").decode("ascii")
    # camelCase / PascalCase boundaries become underscores (orderId -> order_id, HTTPCode -> http_code).
    text = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", text)
    text = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", text)
    text = re.sub(r"[^0-9a-zA-Z]+", "_", text).strip("_").lower()
    if not text:
        text = "column"
    if text[0].isdigit():
        text = f"c_{text}"
    return text[:MAX_NAME_LENGTH]


def normalize_columns(names: Iterable[str]) -> list[str]:
    """Normalises every header and makes the results unique (a, a -> a, a_2), order kept."""
    result: list[str] = []
    seen: set[str] = set()
    for name in names:
        base = normalize_column_name(name)
        candidate, n = base, 1
        while candidate in seen:
            n += 1
            suffix = f"_{n}"
            candidate = base[: MAX_NAME_LENGTH - len(suffix)] + suffix
        seen.add(candidate)
        result.append(candidate)
    return result


def clean_value(value: Optional[str]) -> Optional[str]:
    """Trims a CSV cell; the usual null tokens (empty, NULL, N/A, NaN, ...) become None."""
    if value is None:
        return None
    text = str(value).strip()
    return None if text.lower() in NULL_TOKENS else text


def is_data_key(key: str) -> bool:
    """True for objects the job should read: inside a dataset folder, not reserved, not a marker."""
    key = key.lstrip("/")
    if not key or key.endswith("/") or any(key.startswith(p) for p in RESERVED_PREFIXES):
        return False
    if "/" not in key:
        return False  # files at the bucket root belong to no dataset
    name = key.rsplit("/", 1)[-1]
    return not (name.startswith("_") or name.startswith("."))


def dataset_from_key(key: str) -> str:
    """The dataset (first folder) of a raw object key; raises ValueError for keys outside one."""
    if not is_data_key(key):
        raise ValueError(f"not a data object: {key!r}")
    folder = key.lstrip("/").split("/", 1)[0]
    dataset = normalize_column_name(folder)
    # A folder that does not start with a letter (2026/, _tmp/) is a producer's mistake, not a
    # dataset: normalising it would invent a table called c_2026.
    if not folder[:1].isalpha() or not _DATASET.match(dataset):
        raise ValueError(f"dataset name {dataset!r} from {key!r} is not a valid table name")
    return dataset


def ingest_date_from_key(key: str, default: _dt.date) -> str:
    """The ingest_date=YYYY-MM-DD partition in the key, else the default date (ISO format)."""
    match = _INGEST_DATE.search(key)
    if match:
        return _dt.date.fromisoformat(match.group(1)).isoformat()  # rejects 2026-13-40
    return default.isoformat()


def datasets_in(keys: Iterable[str]) -> list[str]:
    """The sorted distinct datasets among raw object keys (reserved and stray keys skipped)."""
    found = set()
    for key in keys:
        if is_data_key(key):
            try:
                found.add(dataset_from_key(key))
            except ValueError:
                continue
    return sorted(found)


def keys_by_dataset(keys: Iterable[str], ingest_date: str) -> dict[str, list[str]]:
    """The data keys of one ingest_date=YYYY-MM-DD partition, by dataset (the Spark job's input)."""
    found: dict[str, list[str]] = {}
    for key in keys:
        if not is_data_key(key) or _INGEST_DATE.search(key) is None:
            continue
        try:
            dataset = dataset_from_key(key)
            if ingest_date_from_key(key, _dt.date.min) != ingest_date:
                continue
        except ValueError:
            continue
        found.setdefault(dataset, []).append(key.lstrip("/"))
    return {d: sorted(found[d]) for d in sorted(found)}


def source_path(bucket_url: str, dataset: str) -> str:
    """s3://raw/ + orders -> s3://raw/orders/"""
    return f"{bucket_url.rstrip('/')}/{dataset}/"


def target_path(bucket_url: str, dataset: str) -> str:
    """s3://curated/ + orders -> s3://curated/orders/ (partitions below it)"""
    return f"{bucket_url.rstrip('/')}/{dataset}/"


def is_empty_row(values: Iterable[Optional[str]]) -> bool:
    """A row whose every cell is null after cleaning carries no data and is dropped."""
    return all(clean_value(v) is None for v in values)
