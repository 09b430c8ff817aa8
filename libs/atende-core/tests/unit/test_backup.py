"""The backup archive's sealing, the retention policy, the erasure journal and the backup key's rules."""

from __future__ import annotations

import base64
import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from atende_core.backup import archive, retention
from atende_core.backup.settings import BackupSettings
from atende_core.erasure_journal import ErasureJournal, JournalEntry
from atende_core.errors import ArchiveError, ConfigurationError
from atende_core.privacy_cli import app

pytestmark = pytest.mark.unit

KEY = os.urandom(32)


@pytest.fixture
def small_chunks(monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(archive, "CHUNK_BYTES", 64)
    return 64


def _sealed(tmp_path: Path, data: bytes) -> Path:
    plain = tmp_path / "plain"
    plain.write_bytes(data)
    target = tmp_path / "sealed.enc"
    archive.seal(plain, target, KEY)
    return target


@pytest.mark.parametrize("size", [0, 1, 64, 65, 64 * 5, 1000])
def test_an_archive_opens_to_exactly_what_was_sealed(tmp_path: Path, small_chunks: int, size: int) -> None:
    data = os.urandom(size)
    sealed = _sealed(tmp_path, data)
    assert data[:16] not in sealed.read_bytes() or size < 16
    archive.open_sealed(sealed, tmp_path / "opened", KEY)
    assert (tmp_path / "opened").read_bytes() == data


def test_another_key_is_told_apart_from_an_altered_archive(tmp_path: Path, small_chunks: int) -> None:
    sealed = _sealed(tmp_path, os.urandom(300))
    with pytest.raises(ArchiveError, match="another BACKUP_KEY"):
        archive.open_sealed(sealed, tmp_path / "x", os.urandom(32))
    altered = bytearray(sealed.read_bytes())
    altered[-5] ^= 1
    sealed.write_bytes(bytes(altered))
    with pytest.raises(ArchiveError, match="altered or cut short"):
        archive.open_sealed(sealed, tmp_path / "x", KEY)


def test_an_archive_cut_at_a_chunk_boundary_or_extended_does_not_open(tmp_path: Path, small_chunks: int) -> None:
    sealed = _sealed(tmp_path, os.urandom(64 * 4))
    whole = sealed.read_bytes()
    frame = 4 + 64 + 16
    header = len(whole) - 4 * frame
    for cut in (whole[: header + 2 * frame], whole[: header + frame + 10], whole[:header]):
        sealed.write_bytes(cut)
        with pytest.raises(ArchiveError):
            archive.open_sealed(sealed, tmp_path / "x", KEY)
    # Chunks swapped: each is bound to its position.
    chunks = [whole[header + i * frame : header + (i + 1) * frame] for i in range(4)]
    sealed.write_bytes(whole[:header] + chunks[1] + chunks[0] + chunks[2] + chunks[3])
    with pytest.raises(ArchiveError):
        archive.open_sealed(sealed, tmp_path / "x", KEY)
    (tmp_path / "junk").write_bytes(b"not an archive at all")
    with pytest.raises(ArchiveError, match="not an Atende backup"):
        archive.open_sealed(tmp_path / "junk", tmp_path / "x", KEY)


def test_retention_keeps_the_newest_of_each_recent_day_and_week() -> None:
    start = datetime(2026, 12, 6, 23, 0, tzinfo=UTC)  # a Sunday
    # Every 6 hours for 40 days.
    paths = [Path(retention.archive_name(start - timedelta(hours=6 * i))) for i in range(160)]
    keep = retention.to_keep(paths, daily=7, weekly=4)
    kept_days = sorted({retention.taken_at(p).date() for p in keep}, reverse=True)  # type: ignore[union-attr]
    assert kept_days[:7] == [(start - timedelta(days=d)).date() for d in range(7)]
    assert paths[0] in keep  # the newest
    # One per day for the 7 days, plus the newest of each of the 3 earlier ISO weeks.
    assert len(keep) == 7 + 3
    for path in keep:
        when = retention.taken_at(path)
        assert when is not None
        same_day = [p for p in paths if (t := retention.taken_at(p)) and t.date() == when.date()]
        assert path == max(same_day, key=lambda p: retention.taken_at(p))  # type: ignore[arg-type,return-value]
    assert retention.to_keep([], daily=7, weekly=4) == set()
    assert retention.taken_at(Path("notes.txt")) is None


def test_the_journal_is_append_only_and_survives_a_torn_last_line(tmp_path: Path) -> None:
    journal = ErasureJournal(tmp_path / "journal" / "erasures.jsonl")
    assert list(journal.entries()) == []
    old = JournalEntry(request_id="r1", requested_at=100.0, document_index="i1", requested_by="dpo")
    new = JournalEntry(request_id="r2", requested_at=200.0, document_index="i2", requested_by="dpo")
    journal.append(old)
    journal.append(new)
    journal.append(new)  # a retried append is one erasure
    with journal.path.open("a") as torn:
        torn.write('{"request_id": "r3", "requested_')
    assert list(journal.entries()) == [old, new]
    assert list(journal.entries(since=150)) == [new]
    assert oct(journal.path.stat().st_mode & 0o777) == "0o600"


def test_the_backup_key_is_32_bytes_and_never_a_pii_key() -> None:
    good = base64.b64encode(KEY).decode()
    assert BackupSettings(environment="test", backup_key=good).key() == KEY
    with pytest.raises(ConfigurationError, match="not set"):
        BackupSettings(environment="test").key()
    with pytest.raises(ConfigurationError, match="32 bytes"):
        BackupSettings(environment="test", backup_key=base64.b64encode(b"short").decode()).key()
    pii = base64.b64encode(os.urandom(32)).decode()
    with pytest.raises(ConfigurationError, match="must not be a PII key"):
        BackupSettings(environment="test", backup_key=pii, pii_master_key=pii).key()
    with pytest.raises(ConfigurationError, match="must not be a PII key"):
        BackupSettings(environment="test", backup_key=pii, pii_previous_keys=f'{{"old": "{pii}"}}').key()


def test_production_refuses_an_erasure_that_no_journal_would_keep() -> None:
    env = {
        "ENVIRONMENT": "production",
        "PII_MASTER_KEY": base64.b64encode(os.urandom(32)).decode(),
        "CONVERSATION_ID_KEY": base64.b64encode(os.urandom(48)).decode(),
        "PII_HASH_KEY": base64.b64encode(os.urandom(48)).decode(),
        "PRIVACY_ERASURE_JOURNAL": "",
    }
    result = CliRunner().invoke(app, ["erase", "--cpf", "123.456.789-09"], env=env)
    assert result.exit_code == 2
    assert "PRIVACY_ERASURE_JOURNAL" in result.output
