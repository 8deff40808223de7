#!/usr/bin/env bash
# Installs what is missing, builds, and runs every test: the full suite (Release), the FCS
# engine's tests again under ASan+UBSan (broken-file corpus included), and a bounded libFuzzer run.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs=$(nproc 2>/dev/null || echo 2)

bash scripts/install-deps.sh

cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

# The README's first command (the main job on samples/) must keep working: run it into a
# scratch directory and check that every report file is there.
demo_out=$(mktemp -d)
./build/tools/mrdflow analyze --manifest samples/manifest.csv --out "$demo_out" samples/
for f in index.html summary.csv results.sqlite; do
  [ -s "$demo_out/$f" ] || { echo "demo run: $f missing" >&2; exit 1; }
done
rm -rf "$demo_out"

# FCS engine under ASan+UBSan: every reader test, including the broken-file corpus.
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMRDFLOW_SANITIZE=ON \
      -DMRDFLOW_ONLY_FCS=ON -DMRDFLOW_BENCH=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir build-asan --output-on-failure -j"$jobs"

# libFuzzer on the reader, bounded in time (seeded from the shared files when present).
if [ -f tools/fuzz/run-fuzz.sh ]; then
  bash tools/fuzz/run-fuzz.sh "${MRDFLOW_FUZZ_SECONDS:-60}"
fi
