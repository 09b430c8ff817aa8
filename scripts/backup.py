"""`make backup` / `make restore ARCHIVE=...`: the `atende backup` command from the development venv.

    python scripts/backup.py create | restore ARCHIVE [--force] | replay-erasures --archive ARCHIVE | list | prune

The work is in atende_core.backup (in every image too: a CronJob or a Swarm job runs
`atende backup create` from any service image). Settings come from the environment (BACKUP_DIR,
BACKUP_KEY or BACKUP_KEY_FILE, PRIVACY_ERASURE_JOURNAL, the stores'); docs/deployment/DISASTER_RECOVERY.md.
"""

from __future__ import annotations

from atende_core.backup.cli import app

if __name__ == "__main__":
    app(prog_name="backup")
