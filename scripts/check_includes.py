#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Fails on an include that runs up or sideways between the modules of src/.

Each directory of src/ has a layer (LAYERS below, also drawn in docs/architecture.md). A file
may include headers of its own module and of modules on lower layers only: an include of a
higher layer ("up") or of another module on the same layer ("sideways") is reported as
`src/a/b.c:12: includes "x/y.h" (layer N) from layer M` and the script exits 1. A module
missing from the table is an error too, so a new directory must be placed deliberately.
Run by ctest (include_layers) and by hand: python3 scripts/check_includes.py [SRC_DIR]
"""
import pathlib
import re
import sys

# lower number = lower layer; modules on one layer must not include each other
LAYERS = {
    "util": 0,
    "decode": 0.5,  # byte-level decoders (issue 14); the rule loader reads their names
    "http": 0.5,  # HTTP plumbing: libcurl/libmicrohttpd loading, daemon, guard, access log, metrics
    "rules": 1,
    "source": 1,
    "archive": 1,
    "match": 2,
    "validate": 3,
    "finding": 4,
    "engine": 5,
    "report": 5,
    "notify": 5,
    "audit": 5.5,  # audits into the scan database (issue 17): mirrors, database, reports from it
    "partner": 6,  # the GitHub partner protocol: verify, keyring, handler, flusher

    "session": 6,
    "config": 7,
    "org": 7.5,  # organisation audits: API enumeration, filters, shards, the resumable run
    "cli": 8,
    "tools": 9,  # build-time host tools: may use anything
}

INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_0-9]+)/[^"]+"', re.M)


def main():
    src = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else
                       pathlib.Path(__file__).resolve().parent.parent / "src")
    bad = []
    for d in sorted(p for p in src.iterdir() if p.is_dir()):
        if d.name not in LAYERS:
            bad.append(f"src/{d.name}/: module missing from the layer table of "
                       "scripts/check_includes.py (and docs/architecture.md)")
            continue
    for f in sorted(src.rglob("*.[ch]")):
        mod = f.relative_to(src).parts[0]
        if mod not in LAYERS:
            continue
        text = f.read_text(errors="replace")
        for m in INCLUDE.finditer(text):
            dep = m.group(1)
            if dep == mod or dep not in LAYERS:
                continue  # own module, or a generated header (generated/...)
            if LAYERS[dep] >= LAYERS[mod]:
                line = text.count("\n", 0, m.start()) + 1
                kind = "up" if LAYERS[dep] > LAYERS[mod] else "sideways"
                header = m.group(0).split('"')[1]
                bad.append(f"src/{f.relative_to(src)}:{line}: includes '{header}' "
                           f"({kind}: {dep} is layer {LAYERS[dep]}, {mod} is layer {LAYERS[mod]})")
    for b in bad:
        print(b)
    if bad:
        print(f"check_includes: {len(bad)} include(s) against the layering", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
