#!/usr/bin/env bash
# Compare feed parse throughput of sheaf-feed with Python feedparser 6 on the same files.
#
# Usage: scripts/bench-feeds.sh [FEEDS_DIR] [ROUNDS]
#   FEEDS_DIR defaults to $SHEAF_SHARED_DIR/corpus/feeds, else ../shared/corpus/feeds.
#   ROUNDS (default 20) is how often every file is parsed by each parser.
# Installs feedparser into a virtual environment at $BENCH_VENV (default /tmp/sheaf-bench-venv).
# Prints one JSON line per parser and the ratio of entries per second.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
shared="${SHEAF_SHARED_DIR:-$root/../shared}"
feeds="${1:-$shared/corpus/feeds}"
rounds="${2:-20}"
venv="${BENCH_VENV:-/tmp/sheaf-bench-venv}"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
if ! "$venv/bin/python" -c "import feedparser" 2>/dev/null; then
    "$venv/bin/pip" install --quiet "feedparser==6.*"
fi

sheaf_line="$(CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}" cargo run --quiet --release \
    -p sheaf-feed --example parse_corpus -- "$feeds" "$rounds")"

python_line="$("$venv/bin/python" - "$feeds" "$rounds" <<'PY'
import json, os, sys, time, warnings
import feedparser
warnings.simplefilter("ignore")
folder, rounds = sys.argv[1], int(sys.argv[2])
paths = sorted(
    os.path.join(d, f) for d, _, files in os.walk(folder) for f in files
    if f.endswith((".xml", ".json"))
)
bodies = [open(p, "rb").read() for p in paths]
started = time.perf_counter()
entries = 0
for _ in range(rounds):
    for body in bodies:
        entries += len(feedparser.parse(body).entries)
seconds = time.perf_counter() - started
size = sum(len(b) for b in bodies)
print(json.dumps({
    "parser": "feedparser " + feedparser.__version__, "files": len(paths), "bytes": size,
    "rounds": rounds, "entries": entries, "seconds": round(seconds, 3),
    "entries_per_second": round(entries / seconds), "mb_per_second": round(size * rounds / seconds / 1e6, 2),
}))
PY
)"

echo "$sheaf_line"
echo "$python_line"
python3 - "$sheaf_line" "$python_line" <<'PY'
import json, sys
sheaf, python = json.loads(sys.argv[1]), json.loads(sys.argv[2])
print(f"sheaf-feed / feedparser: {sheaf['entries_per_second'] / python['entries_per_second']:.1f}x entries per second, "
      f"{sheaf['mb_per_second'] / python['mb_per_second']:.1f}x bytes per second")
PY
