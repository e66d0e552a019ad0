"""The ``convenio`` command line.

Exit codes (all commands): 0 success; 1 finished, but some documents failed
(see the ``errors`` table or the JSON ``errors`` field); 2 usage error.
Heavy modules are imported inside each command so that ``--help`` stays fast.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from pipeline import __version__

EXIT_OK = 0
EXIT_FAILED_DOCUMENTS = 1


def _options(**kwargs: object) -> "object":
    from pipeline.context import Options

    return Options(**{k: v for k, v in kwargs.items() if v is not None})


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="convenio")
def cli() -> None:
    """convenio: turn archives of cooperation agreements into a queryable,
    auditable SQLite database, explored in Datasette.

    \b
    Examples:
      convenio ingest archive/ more.zip --db convenio.db
      convenio extract agreement.pdf --out out/
      convenio eval corpus/sample-gold
      convenio serve --db convenio.db
    """


@cli.command(context_settings={"max_content_width": 100})
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--db", "db_path", required=True, type=click.Path(dir_okay=False, path_type=Path), help="SQLite database to create or update.")
@click.option("-w", "--workers", type=click.IntRange(min=1), default=None, help="Worker processes (default: all cores).")
@click.option("--executor", type=click.Choice(["processes", "inline", "dask"]), default="processes", show_default=True,
              help="Where documents are processed: local worker processes, this process, or a Dask cluster.")
@click.option("--scheduler", metavar="tcp://HOST:PORT", help="Dask scheduler address (with --executor dask).")
@click.option("--ship-bytes", is_flag=True, help="Send each file's bytes to the Dask workers (when they do not share this machine's files).")
@click.option("--force", is_flag=True, help="Reprocess every document, even unchanged ones.")
@click.option("--retry-failed", is_flag=True, help="Reprocess unchanged documents that failed before.")
@click.option("--fail-fast", is_flag=True, help="Stop at the first failure and show its traceback (debugging).")
@click.option("-q", "--quiet", is_flag=True, help="No progress bar and no summary.")
@click.option("--shard", metavar="K/N", help="Only take the K-th of N disjoint slices of the files (one shard database per machine; see `convenio merge`).")
@click.option("--timeout", "doc_timeout", type=float, default=None, help="Stop a worker that spends more than this many seconds on one document.")
@click.option("--ocr-timeout", type=float, default=None, help="Seconds allowed per OCR page (default 180).")
@click.option("--ocr-langs", default=None, help="Tesseract languages when detection cannot decide (default spa+eng).")
@click.option("--dpi", type=int, default=None, help="Render resolution for OCR (default 300).")
@click.option("--ocr-engine", type=click.Choice(["auto", "api", "cli"]), default=None,
              help="Tesseract in each worker (api, through tesserocr) or a tesseract process per call (cli); "
                   "auto (default): api when tesserocr is installed.")
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Local transformers model for commitment detection.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), help="Cache OCR results by page-image hash here.")
def ingest(paths: tuple[Path, ...], db_path: Path, workers: int | None, executor: str, scheduler: str | None,
           ship_bytes: bool, force: bool, retry_failed: bool, fail_fast: bool, quiet: bool, shard: str | None, doc_timeout: float | None,
           ocr_timeout: float | None, ocr_langs: str | None, dpi: int | None, ocr_engine: str | None,
           model_dir: Path | None, cache_dir: Path | None) -> None:
    """Process agreement files, folders (recursively) and .zip archives into a SQLite database.

    Incremental: unchanged files are skipped without being read, a copy or a
    renamed file is recorded as another path of the same document, and a
    changed pipeline or model version reprocesses. Each document is written
    in one transaction, so an interrupted run (even killed) is finished by
    running the same command again. Bad files never stop the batch: each is
    recorded in the `errors` table.

    \b
    Exit codes:
      0    every file processed (or skipped as unchanged or not an agreement file)
      1    finished, but some files failed (see the errors table)
      2    usage error
      130  interrupted (Ctrl-C or SIGTERM); run again to finish

    \b
    Examples:
      convenio ingest corpus/sample --db convenio.db
      convenio ingest scans/ letters/agreement.pdf 2019.zip --db archive.db --workers 4
      convenio ingest archive/ --db archive.db --force --quiet
      convenio ingest archive/ --db archive.db --executor dask --scheduler tcp://10.0.0.5:8786
      convenio ingest archive/ --db shard-1.db --shard 1/2   # then: convenio merge archive.db shard-*.db
    """
    import sqlite3

    from pipeline.batch import parse_shard, run_batch

    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler tcp://HOST:PORT")
    if (scheduler or ship_bytes) and executor != "dask":
        raise click.UsageError("--scheduler and --ship-bytes only apply with --executor dask")
    try:
        shard_spec = parse_shard(shard)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--shard") from exc
    options = _options(ocr_timeout=ocr_timeout, ocr_langs=ocr_langs, dpi=dpi, ocr_engine=ocr_engine,
                       transformer_dir=model_dir, cache_dir=cache_dir)
    try:
        summary = run_batch(list(paths), db_path, options, workers, executor, scheduler=scheduler,  # type: ignore[arg-type]
                            force=force, retry_failed=retry_failed, fail_fast=fail_fast, quiet=quiet,
                            shard=shard_spec, doc_timeout=doc_timeout, ship_bytes=ship_bytes)
    except ConnectionError as exc:
        raise click.UsageError(str(exc)) from exc
    except sqlite3.DatabaseError as exc:
        raise click.UsageError(f"{db_path}: {exc}") from exc
    if summary.aborted:
        click.echo(summary.aborted, err=True)
    if not quiet:
        for line in summary.lines():
            click.echo(line, err=True)
    sys.exit(summary.exit_code)


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), help="Write DIR/<input stem>.json instead of printing.")
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Local transformers sequence-classification model for commitment detection.")
@click.option("--dpi", type=int, default=None, help="Render resolution for OCR (default 300).")
def extract(files: tuple[Path, ...], out_dir: Path | None, model_dir: Path | None, dpi: int | None) -> None:
    """Extract facts from files without a database, as JSON in the gold format.

    Prints one JSON document per input to stdout (one per line), or writes
    DIR/<input stem>.json with --out. Every item carries its evidence
    (page, start, end; bbox and confidence on scanned pages).

    \b
    Examples:
      convenio extract agreement.pdf
      convenio extract scans/*.tif --out extracted/
    """
    from pipeline.context import Context
    from pipeline.process import process_path
    from pipeline.serialize import to_format

    ctx = Context(options=_options(transformer_dir=model_dir, dpi=dpi))  # type: ignore[arg-type]
    failed = 0
    if out_dir:
        out_dir.mkdir(parents=True, exist_ok=True)
    for path in files:
        doc = process_path(path, ctx)
        failed += bool(doc.errors)
        payload = to_format(doc, doc_id=path.stem)
        if out_dir:
            (out_dir / f"{path.stem}.json").write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            click.echo(json.dumps(payload, ensure_ascii=False))
        for err in doc.errors:
            click.echo(f"{path}: {err.stage}: {err.error_class}: {err.message}", err=True)
    sys.exit(EXIT_FAILED_DOCUMENTS if failed else EXIT_OK)


@cli.command(name="eval")
@click.argument("gold_dir", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print a machine-readable report.")
@click.option("--model", "model_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Local transformers model for commitment detection.")
def eval_(gold_dir: Path, as_json: bool, model_dir: Path | None) -> None:
    """Score extraction against gold annotations (<id>.json beside <id>.txt or .pdf).

    Precision, recall and F1 for commitments (also per language), indicators,
    parties and themes; accuracy for signed_on, term, paper_only, party
    country, commitment strength and party, indicator value; overall and per
    document language, then every miss and false alarm. The figures other than
    themes are the reference scorer's, which does not score themes.

    \b
    Examples:
      convenio eval ../shared/corpus/real
      convenio eval corpus/sample-gold --json > report.json
    """
    from pipeline.evaluate import evaluate_dir, format_report

    report = evaluate_dir(gold_dir, _options(transformer_dir=model_dir))  # type: ignore[arg-type]
    click.echo(json.dumps(report, ensure_ascii=False, indent=1) if as_json else format_report(report))


@cli.command()
@click.option("--db", "db_path", required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Database made by `convenio ingest`.")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8001, show_default=True, type=int)
@click.option("--flags", "flags_path", type=click.Path(dir_okay=False, path_type=Path), help="Writable database for auditor flags (default: <db>-flags.db beside the database).")
@click.option("--mutable", is_flag=True, help="Serve the database mutable (read-only, but not immutable) to watch an ingest in progress.")
def serve(db_path: Path, host: str, port: int, flags_path: Path | None, mutable: bool) -> None:
    """Explore a database in Datasette with convenio's metadata, canned queries and plugins.

    The database is served immutable (only ingest writes it); auditor flags go
    to a separate writable file (default <db>-flags.db), which re-ingesting
    never touches. Auditor accounts come from environment variables
    CONVENIO_<USER>_PASSWORD_HASH (hash with `datasette hash-password`; the
    hashes are never published); set CONVENIO_SECRET to keep logins valid
    across restarts. Pages, canned queries and plugins: datasette/README.md.

    \b
    Examples:
      convenio serve --db convenio.db
      convenio serve --db convenio.db --port 8080
      CONVENIO_AUDITOR_PASSWORD_HASH="$(datasette hash-password)" convenio serve --db convenio.db
    """
    from pipeline.serve import serve as run_server

    run_server(db_path, host=host, port=port, flags=flags_path, immutable=not mutable)


@cli.command()
@click.option("--models-dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Where to write the trained components (default: models/).")
@click.option("--gold", "gold_dirs", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Folder of annotated agreements to learn from; repeatable (default: ../shared/corpus/real and corpus/dev).")
@click.option("--synthetic", type=int, default=None, help="How many generated agreements to add to the training data (default 120).")
@click.option("--loo", is_flag=True, help="Print leave-one-document-out figures on the annotated agreements instead of training.")
def train(models_dir: Path | None, gold_dirs: tuple[Path, ...], synthetic: int | None, loo: bool) -> None:
    """Train convenio's spaCy components from the project's annotated data into models/.

    The commitment sentence classifier learns from the real annotated agreements
    (the shared sample and corpus/dev; never corpus/heldout) and from agreements
    drawn by corpus/generate.py; its settings are in models/commitment_textcat.cfg.

    \b
    Examples:
      convenio train
      convenio train --synthetic 300 --models-dir /tmp/models
      convenio train --loo
    """
    from pipeline.train import SYNTHETIC_DOCS, leave_one_out, train_all

    count = SYNTHETIC_DOCS if synthetic is None else synthetic
    if loo:
        click.echo(json.dumps(leave_one_out(gold_dirs or None, synthetic=count), indent=1))
        return
    train_all(models_dir=models_dir, gold_dirs=gold_dirs or None, synthetic=count)


@cli.command()
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
def merge(out: Path, shards: tuple[Path, ...]) -> None:
    """Merge shard databases into OUT (created if needed) and rebuild full-text search.

    Shards come from `convenio ingest --shard K/N` on several machines (or any
    ingest databases). A document found in several shards keeps its most
    recently processed copy; paths, errors and runs are carried over. Each
    shard is merged in one transaction: an interrupted merge can be re-run.

    \b
    Examples:
      convenio merge convenio.db shards/*.db
      convenio merge archive.db shard-1.db shard-2.db
    """
    from pipeline.batch import merge_shards

    try:
        summary = merge_shards(out, list(shards))
    except ValueError as exc:
        raise click.UsageError(str(exc)) from exc
    click.echo(
        f"merged {summary.shards} shards into {out}: {summary.documents} documents taken, "
        f"{summary.kept} already up to date, {summary.paths} paths, {summary.errors} errors, {summary.runs} runs",
        err=True,
    )


if __name__ == "__main__":
    cli()
