"""`atende nlu ...`: train the local model, evaluate it, export a Gemini tuning dataset."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Annotated

import typer

from atende_core.pii import Keyring
from atende_nlu_gemini.adapters.model_store import load_or_build, save_artifact
from atende_nlu_gemini.domain.prompting import tuning_record
from atende_nlu_gemini.evaluation import (
    confusion_text,
    evaluate,
    read_eval_rows,
    save_confusion_png,
)
from atende_nlu_gemini.settings import NluSettings
from atende_nlu_gemini.training import build_artifact, cross_validate, read_examples

app = typer.Typer(help="NLU: local pt-BR model and Gemini tuning data.", no_args_is_help=True)


@app.callback()
def _main(verbose: Annotated[bool, typer.Option("--verbose", "-v")] = False) -> None:
    """NLU commands."""
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING)


@app.command()
def train(
    cv: Annotated[bool, typer.Option(help="Also report 5-fold cross-validated macro-F1.")] = False,
    out: Annotated[Path | None, typer.Option(help="Artifact path (default: NLU_MODEL_PATH).")] = None,
) -> None:
    """Build the local model from the dataset plus agents' corrections and save it."""
    settings = NluSettings()
    path = out or settings.nlu_model_path
    artifact = build_artifact(
        train_path=settings.nlu_train_path,
        feedback_path=settings.nlu_feedback_path,
        seed=settings.nlu_seed,
        pii=Keyring.from_settings(settings),
    )
    save_artifact(artifact, path)
    meta = artifact.metadata
    typer.echo(
        f"saved {path} ({meta['train_examples']} examples + {meta['corrections']} corrections, "
        f"dataset sha256 {meta['dataset_sha256'][:12]})"
    )
    if cv:
        scores = cross_validate(train_path=settings.nlu_train_path, seed=settings.nlu_seed)
        typer.echo(
            f"5-fold CV: intent macro-F1 {scores['intent_macro_f1']:.4f}, "
            f"intent accuracy {scores['intent_accuracy']:.4f}, "
            f"sentiment accuracy {scores['sentiment_accuracy']:.4f}"
        )
        typer.echo(f"cv_macro_f1={scores['intent_macro_f1']:.4f}")


def train_main() -> None:
    """Console script `atende-nlu-train` (used by `make nlu-train`)."""
    typer.run(train)


@app.command("eval")
def eval_(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="JSONL to score.")],
    png: Annotated[Path | None, typer.Option(help="Confusion matrix PNG path.")] = None,
    show_errors: Annotated[int, typer.Option(help="Print up to N misclassified lines.")] = 0,
) -> None:
    """Score the local model on FILE; the last line is `macro_f1=<value>`."""
    settings = NluSettings()
    artifact = load_or_build(
        model_path=settings.nlu_model_path,
        train_path=settings.nlu_train_path,
        feedback_path=settings.nlu_feedback_path,
        seed=settings.nlu_seed,
        pii=Keyring.from_settings(settings),
    )
    rows = read_eval_rows(file)
    if not rows:
        typer.echo(f"no rows with text and intent in {file}", err=True)
        raise typer.Exit(2)
    report = evaluate(artifact.local_nlu(), rows)
    png_path = png or file.with_suffix(".confusion.png")
    save_confusion_png(report, png_path)

    typer.echo(f"examples: {report.n}")
    typer.echo(f"accuracy: {report.accuracy:.4f}")
    typer.echo(f"macro-F1: {report.macro_f1:.4f}")
    if report.sentiment_accuracy is None:
        typer.echo("sentiment accuracy: n/a (no sentiment labels)")
    else:
        typer.echo(f"sentiment accuracy: {report.sentiment_accuracy:.4f}")
    typer.echo("")
    typer.echo(f"{'intent':<20} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>5}")
    for label, (p, r, f, n) in report.per_intent.items():
        typer.echo(f"{label:<20} {p:>9.3f} {r:>7.3f} {f:>6.3f} {n:>5}")
    typer.echo("")
    typer.echo("confusion matrix (rows = gold, columns = predicted):")
    typer.echo(confusion_text(report))
    typer.echo(f"confusion matrix PNG: {png_path}")
    for text, gold, predicted in report.errors[:show_errors]:
        typer.echo(f"  {gold} -> {predicted}: {text}")
    typer.echo(f"latency per message: p50 {report.latency_p50_ms:.3f} ms, p99 {report.latency_p99_ms:.3f} ms")
    typer.echo(f"macro_f1={report.macro_f1:.4f}")


@app.command("export-tuning")
def export_tuning(
    out: Annotated[Path, typer.Argument(dir_okay=False, help="Output JSONL.")],
    corrections_only: Annotated[
        bool, typer.Option(help="Only agents' corrections, not the hand-written dataset.")
    ] = False,
    system_instruction: Annotated[
        bool, typer.Option(help="Include systemInstruction in every line (optional field).")
    ] = True,
) -> None:
    """Write a Gemini supervised-tuning dataset (contents: user prompt → model JSON answer)."""
    settings = NluSettings()
    corrections = read_examples(settings.nlu_feedback_path, pii=Keyring.from_settings(settings))
    examples = (
        corrections
        if corrections_only
        else [
            *read_examples(settings.nlu_train_path),
            *corrections,
        ]
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", encoding="utf-8") as handle:
        for example in examples:
            record = tuning_record(example, with_system=system_instruction)
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    typer.echo(f"wrote {len(examples)} tuning examples to {out}")
