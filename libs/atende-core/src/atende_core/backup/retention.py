"""Which archives to keep: the newest of each of the last BACKUP_KEEP_DAILY days that have one, and the
newest of each of the last BACKUP_KEEP_WEEKLY ISO weeks; the newest archive always. Days and weeks are
UTC, read from the archive's name (`atende-backup-20261206T203000Z.tar.gz.enc`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

PREFIX = "atende-backup-"
SUFFIX = ".tar.gz.enc"
_NAME = re.compile(re.escape(PREFIX) + r"(\d{8}T\d{6}Z)" + re.escape(SUFFIX))


def archive_name(taken_at: datetime) -> str:
    """The file name of an archive taken at `taken_at`."""
    return f"{PREFIX}{taken_at.astimezone(UTC):%Y%m%dT%H%M%SZ}{SUFFIX}"


def taken_at(path: Path) -> datetime | None:
    """When the archive was taken, from its name (None for a file that is not an archive)."""
    match = _NAME.fullmatch(path.name)
    return datetime.strptime(match[1], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC) if match else None


def archives(directory: Path) -> list[Path]:
    """The archives in `directory`, newest first."""
    found = [(when, p) for p in directory.glob(f"{PREFIX}*{SUFFIX}") if (when := taken_at(p)) is not None]
    return [p for _, p in sorted(found, reverse=True)]


def to_keep(paths: Iterable[Path], *, daily: int, weekly: int) -> set[Path]:
    """The archives the policy keeps (every other one may be deleted)."""
    dated = sorted(((when, p) for p in paths if (when := taken_at(p)) is not None), reverse=True)
    keep: set[Path] = {dated[0][1]} if dated else set()
    days: dict[object, Path] = {}
    weeks: dict[object, Path] = {}
    for when, path in dated:  # newest first: the first seen of a day or week is its newest
        days.setdefault(when.date(), path)
        weeks.setdefault(when.isocalendar()[:2], path)
    keep.update(list(days.values())[:daily])
    keep.update(list(weeks.values())[:weekly])
    return keep
