"""CPU cost of personal-data protection per value: AES-256-GCM envelope encryption (atende_core.pii)
and the pseudonymous conversation id (atende_core.ids), single-threaded, in this process.

Figures (microseconds per operation, median of `--rounds` timed loops of `--loops` operations each,
after one warm-up loop): encrypt/decrypt of a CPF, a name, a 1.5 KB conversation state (text form)
and a 1 KB SGP customer record (binary form), and one conversation id from raw webhook bytes.
The last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable

from atende_core.ids import conversation_id_from_bytes
from atende_core.pii import development_keyring


def _per_op_us(op: Callable[[], object], *, loops: int, rounds: int) -> float:
    for _ in range(loops):
        op()
    samples = []
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(loops):
            op()
        samples.append((time.perf_counter() - started) / loops * 1e6)
    return round(statistics.median(samples), 2)


def main() -> None:
    """Measure and print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--loops", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    ring = development_keyring()
    state = json.dumps({"turns": [["customer", "x" * 60]] * 20, "profile_name": "Maria Souza"})[:1500]
    record = b'{"name":"MARIA DEMO DA SILVA","document":"12345678909",' + b'"x":"' + b"y" * 960 + b'"}'
    values = {"cpf": "123.456.789-09", "name": "Maria Demo da Silva", "state_1500b": state}
    figures: dict[str, float | int | str] = {
        "loops": args.loops,
        "rounds": args.rounds,
        "python": sys.version.split()[0],
    }
    for label, value in values.items():
        token = ring.encrypt_str(value, purpose="bench")
        figures[f"pii_encrypt_{label}_us"] = _per_op_us(
            lambda v=value: ring.encrypt_str(v, purpose="bench"), loops=args.loops, rounds=args.rounds
        )
        figures[f"pii_decrypt_{label}_us"] = _per_op_us(
            lambda t=token: ring.decrypt_str(t, purpose="bench"), loops=args.loops, rounds=args.rounds
        )
    blob = ring.encrypt_bytes(record, purpose="bench")
    figures["pii_encrypt_record_1kb_bytes_us"] = _per_op_us(
        lambda: ring.encrypt_bytes(record, purpose="bench"), loops=args.loops, rounds=args.rounds
    )
    figures["pii_decrypt_record_1kb_bytes_us"] = _per_op_us(
        lambda: ring.decrypt_bytes(blob, purpose="bench"), loops=args.loops, rounds=args.rounds
    )
    figures["pii_ciphertext_overhead_cpf_chars"] = len(ring.encrypt_str(values["cpf"], purpose="bench")) - len(
        values["cpf"]
    )
    figures["conversation_id_from_bytes_us"] = _per_op_us(
        lambda: conversation_id_from_bytes(phone_number_id=b"106540352242922", wa_id=b"5511987654321", key=b"k" * 32),
        loops=args.loops,
        rounds=args.rounds,
    )
    sys.stdout.write(json.dumps(figures) + "\n")


if __name__ == "__main__":
    main()
