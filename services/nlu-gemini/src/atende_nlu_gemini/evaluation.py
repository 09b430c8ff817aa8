"""Evaluate the local model on a JSONL file: accuracy, macro-F1, per-intent P/R, confusion."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from sklearn.metrics import (
    accuracy_score,
    confusion_matrix,
    f1_score,
    precision_recall_fscore_support,
)

from atende_nlu_gemini.domain.classifier import LocalNlu
from atende_nlu_gemini.domain.labels import INTENTS


@dataclass(frozen=True)
class EvalReport:
    """Everything `atende nlu eval` prints."""

    n: int
    accuracy: float
    macro_f1: float
    sentiment_accuracy: float | None
    labels: list[str]
    per_intent: dict[str, tuple[float, float, float, int]]
    confusion: np.ndarray
    latency_p50_ms: float
    latency_p99_ms: float
    errors: list[tuple[str, str, str]]


def read_eval_rows(path: Path) -> list[dict[str, object]]:
    """Rows with at least ``text`` and ``intent``."""
    rows = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            if line.strip():
                row = json.loads(line)
                if "text" in row and "intent" in row:
                    rows.append(row)
    return rows


def evaluate(nlu: LocalNlu, rows: list[dict[str, object]]) -> EvalReport:
    """Predict every row one at a time (as in production) and compute the metrics."""
    nlu.analyze("aquecimento")  # first call pays one-off lazy initialisation
    gold, predicted, gold_sent, predicted_sent, latencies = [], [], [], [], []
    errors: list[tuple[str, str, str]] = []
    for row in rows:
        text = str(row["text"])
        start = time.perf_counter()
        result = nlu.analyze(text)
        latencies.append((time.perf_counter() - start) * 1000)
        gold.append(str(row["intent"]))
        predicted.append(result.intent.value)
        if gold[-1] != predicted[-1]:
            errors.append((text, gold[-1], predicted[-1]))
        if row.get("sentiment"):
            gold_sent.append(str(row["sentiment"]))
            predicted_sent.append(result.sentiment.value)
    labels = [label for label in INTENTS if label in set(gold) | set(predicted)]
    precision, recall, f1, support = precision_recall_fscore_support(gold, predicted, labels=labels, zero_division=0)
    return EvalReport(
        n=len(rows),
        accuracy=float(accuracy_score(gold, predicted)),
        macro_f1=float(f1_score(gold, predicted, labels=sorted(set(gold)), average="macro", zero_division=0)),
        sentiment_accuracy=float(accuracy_score(gold_sent, predicted_sent)) if gold_sent else None,
        labels=labels,
        per_intent={
            label: (float(p), float(r), float(f), int(s))
            for label, p, r, f, s in zip(labels, precision, recall, f1, support, strict=True)
        },
        confusion=confusion_matrix(gold, predicted, labels=labels),
        latency_p50_ms=float(np.percentile(latencies, 50)),
        latency_p99_ms=float(np.percentile(latencies, 99)),
        errors=errors,
    )


def confusion_text(report: EvalReport) -> str:
    """The confusion matrix as aligned text (rows = gold, columns = predicted)."""
    short = [label[:6] for label in report.labels]
    width = max(len(label) for label in report.labels)
    lines = [" " * width + " " + " ".join(f"{s:>6}" for s in short)]
    for label, row in zip(report.labels, report.confusion, strict=True):
        lines.append(f"{label:>{width}} " + " ".join(f"{int(v):>6}" for v in row))
    return "\n".join(lines)


def save_confusion_png(report: EvalReport, path: Path) -> None:
    """Render the confusion matrix with matplotlib (Agg backend, no display needed)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 8.5))
    ax.imshow(report.confusion, cmap="Blues")
    ax.set_xticks(range(len(report.labels)), report.labels, rotation=60, ha="right")
    ax.set_yticks(range(len(report.labels)), report.labels)
    ax.set_xlabel("predicted")
    ax.set_ylabel("gold")
    ax.set_title(f"NLU confusion matrix (n={report.n}, macro-F1={report.macro_f1:.3f})")
    top = report.confusion.max() if report.confusion.size else 0
    for i, row in enumerate(report.confusion):
        for j, value in enumerate(row):
            if value:
                color = "white" if value > top / 2 else "black"
                ax.text(j, i, str(int(value)), ha="center", va="center", color=color, fontsize=8)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
