"""Backups of what Atende keeps in MongoDB, Redis and Kafka, as one encrypted archive, and the restore
that re-applies every LGPD erasure recorded since (docs/deployment/DISASTER_RECOVERY.md)::

    atende backup create             dump → tar.gz → AES-256-GCM stream → BACKUP_DIR, then prune
    atende backup restore ARCHIVE    decrypt → MongoDB, Redis, Kafka topics and offsets → erasures
    atende backup replay-erasures    publish again every journalled erasure since an archive was taken
    atende backup list | prune       the archives kept under BACKUP_KEEP_DAILY / BACKUP_KEEP_WEEKLY

Parts: `archive` (the encrypted stream), `mongo` (BSON per collection), `redis_keys` (DUMP/RESTORE over
the wire), `kafka_state` (topic configurations and consumer-group offsets), `retention`, `run` (the
whole backup and restore), `cli`.

Errors: BackupError (atende_core.errors.AtendeError)
    ├── ArchiveError      an archive that does not open: another key, altered or truncated
    └── RestoreRefused    the target stores are not empty (and --force was not given)
"""
