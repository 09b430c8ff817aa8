"""The audit log: append-only, hash-chained entries stored by auth alone (from `audit.events`).

chain.py         entries, canonical encoding, keyed hash, checkpoint (pure)
verification.py  walking the chain: the first modified/reordered/inserted/deleted/truncated entry (pure)
intake.py        what is accepted: malformed entries refused, personal data masked (pure)
store.py         MongoDB adapter (append-only; one chain across replicas)
consumer.py      the `audit.events` subscriber
cli.py           `atende audit verify` and `atende audit list`
"""
