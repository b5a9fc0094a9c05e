"""One process that keeps a site up to date as ``kb serve`` does, timed over three changes.

Run by run.py, in the project's environment: builds the site once (the record and
render caches held in memory, MkDocs's state kept by generator/live.py), then makes
the benchmark's three changes one after the other and times each update, from the
change on disk to the last file of the site written (the garbage a build leaves is
freed after that, as kb serve frees it once the browsers were told to reload). Prints
the figures as JSON;
run.py compares the final site with a clean ``kb build`` of the same records.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

from run import CHANGES, MKDOCS_YML, add_event, delete_event, edit_title

from generator import pipeline
from generator.config import load_settings
from generator.live import LiveSite
from generator.prerendered import load_kb_config
from generator.site import mkdocs_logging


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--content", type=Path, required=True)
    parser.add_argument("--docs-dir", type=Path, required=True)
    parser.add_argument("--site-dir", type=Path, required=True)
    parser.add_argument("--size", type=int, required=True)
    args = parser.parse_args()
    settings = load_settings(MKDOCS_YML, content=args.content, docs_dir=args.docs_dir)
    # As kb serve keeps it: a build's garbage is freed once the site is up to date.
    session = pipeline.Session(collect_later=True)
    live = LiveSite(
        lambda: load_kb_config(
            config_file=str(MKDOCS_YML),
            docs_dir=str(args.docs_dir.resolve()),
            site_dir=str(args.site_dir.resolve()),
            site_url=settings.site_url,
        )
    )
    started = time.perf_counter()
    if pipeline.generate(settings, cache=True, session=session).kb is None:
        print("live: the records have errors", file=sys.stderr)
        return 1
    with mkdocs_logging():
        live.build()
    report: dict[str, object] = {"first_build_seconds": time.perf_counter() - started}
    session.collect()
    changed: dict[str, str] = {}
    for change in CHANGES:
        if change == "edit_title":
            what = edit_title(args.content)
        elif change == "add_event":
            what = add_event(
                args.content,
                args.size,
                slug="live",
                date="2019-09-23",
                title="Benchmark probe written while one process keeps the site",
            )
        else:
            what = delete_event(args.content, set(changed.values()))
        changed[change] = what["event"]
        started = time.perf_counter()
        written = pipeline.generate(settings, cache=True, session=session).written
        generated = time.perf_counter()
        if written is None:
            print(f"live: {change}: the records have errors", file=sys.stderr)
            return 1
        with mkdocs_logging() as log:
            pages = live.update(written.written_files, written.removed_files)
        done = time.perf_counter()
        session.collect()
        report[change] = {
            "change": what,
            "seconds": done - started,
            "generate_seconds": generated - started,
            "update_seconds": done - generated,
            "files_written": written.written,
            "files_removed": written.removed,
            # None: the update fell back to a full build
            "pages_built": pages,
            "warnings": log.messages,
        }
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
