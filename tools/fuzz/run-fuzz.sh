#!/usr/bin/env bash
# Builds the libFuzzer target for the FCS reader with clang++ (ASan+UBSan) and runs it for
# SECONDS (default 60). Seeds: small shared FCS files (copied into tools/fuzz/corpus-work/, which
# is git-ignored) plus a few generated here. Exits non-zero when the fuzzer finds a crash; the
# reproducer is left in tools/fuzz/corpus-work/artifacts/.
#   usage: tools/fuzz/run-fuzz.sh [SECONDS]
#   env:   CLANGXX (default clang++), MRDFLOW_FUZZ_BUILD (default build-fuzz),
#          MRDFLOW_TESTDATA (default ../shared/testdata)
set -euo pipefail
seconds=${1:-60}
root=$(cd "$(dirname "$0")/../.." && pwd)
cxx=${CLANGXX:-clang++}
if ! command -v "$cxx" >/dev/null 2>&1; then
  echo "run-fuzz: $cxx not found; skipping the libFuzzer run"
  exit 0
fi
build=${MRDFLOW_FUZZ_BUILD:-$root/build-fuzz}
work=$root/tools/fuzz/corpus-work
testdata=${MRDFLOW_TESTDATA:-$root/../shared/testdata}
mkdir -p "$build/generated/mrdflow" "$work/corpus" "$work/seeds" "$work/artifacts"

# ---- build (only when a source is newer than the binary) -----------------------------------
bin=$build/fuzz_fcs_read
sources=("$root"/src/fcs/*.cpp "$root"/src/common/*.cpp "$root/tools/fuzz/fuzz_fcs_read.cpp")
version=$(sed -n 's/^project(mrdflow VERSION \([0-9.]*\).*/\1/p' "$root/CMakeLists.txt")
sed "s/@PROJECT_VERSION@/${version:-0.0.0}/" "$root/src/common/version.h.in" > "$build/generated/mrdflow/version.h.new"
cmp -s "$build/generated/mrdflow/version.h.new" "$build/generated/mrdflow/version.h" ||
  mv "$build/generated/mrdflow/version.h.new" "$build/generated/mrdflow/version.h"
rebuild=0
[ -x "$bin" ] || rebuild=1
for f in "${sources[@]}" "$root"/src/fcs/*.h "$root"/src/common/*.h; do
  [ "$f" -nt "$bin" ] && rebuild=1
done
start=$(date +%s)
if [ "$rebuild" = 1 ]; then
  echo "run-fuzz: building $bin"
  flags=(-std=c++20 -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
         -fno-omit-frame-pointer -I"$root/src" -I"$build/generated")
  omp=(-fopenmp)
  echo 'int main(){}' > "$build/omp_probe.cpp"
  "$cxx" -fopenmp "$build/omp_probe.cpp" -o "$build/omp_probe" >/dev/null 2>&1 || omp=()
  # One object per source, two at a time, so a rebuild costs what it must.
  objs=()
  pids=()
  for src in "${sources[@]}"; do
    obj=$build/$(basename "$(dirname "$src")")_$(basename "${src%.cpp}").o
    objs+=("$obj")
    "$cxx" "${flags[@]}" "${omp[@]}" -c "$src" -o "$obj" &
    pids+=($!)
    if [ ${#pids[@]} -ge 2 ]; then wait "${pids[0]}"; pids=("${pids[@]:1}"); fi
  done
  for p in "${pids[@]}"; do wait "$p"; done
  "$cxx" "${flags[@]}" "${omp[@]}" "${objs[@]}" -lcrypto -o "$bin"
fi
built=$(date +%s)

# ---- seeds ---------------------------------------------------------------------------------
# Small shared files whole; the HEADER+TEXT of larger ones (first 16 KiB) so inputs stay short.
if [ -d "$testdata" ]; then
  while IFS= read -r -d '' f; do
    [ -f "$f.truth.json" ] || continue
    name=$(echo "${f#"$testdata"/}" | tr '/ ' '__')
    if [ "$(stat -c %s "$f")" -le 32768 ]; then cp "$f" "$work/seeds/$name"
    else head -c 16384 "$f" > "$work/seeds/head_$name"; fi
  done < <(find "$testdata" -type f ! -name '*.json' -print0)
else
  echo "run-fuzz: no shared test data at $testdata; generated seeds only"
fi

# make_seed NAME VERSION TEXT-KEYWORDS DATA-HEX: a consistent file with HEADER/TEXT offsets.
make_seed() {
  local name=$1 version=$2 kw=$3 hex=$4
  local data
  data=$(printf '%b' "$hex" | wc -c)
  local text="/\$BEGINDATA/BBBBBBBB/\$ENDDATA/EEEEEEEE/\$NEXTDATA/0/${kw}"
  local te=$((58 + ${#text} - 1)) db=$((58 + ${#text})) de=$((58 + ${#text} + data - 1))
  text=${text/BBBBBBBB/$(printf '%08d' "$db")}
  text=${text/EEEEEEEE/$(printf '%08d' "$de")}
  { printf '%-10s%8d%8d%8d%8d%8d%8d' "$version" 58 "$te" "$db" "$de" 0 0
    printf '%s' "$text"
    printf '%b' "$hex"; } > "$work/seeds/gen_$name"
}
make_seed f32_le FCS3.1 '$BYTEORD/1,2,3,4/$DATATYPE/F/$MODE/L/$PAR/2/$TOT/2/$P1N/FSC-A/$P1B/32/$P1R/262144/$P1E/0,0/$P2N/CD19/$P2S/CD19 PE/$P2B/32/$P2R/262144/$P2E/0,0/$SPILLOVER/1,CD19,1/' '\x00\x00\x80\x3f\x00\x00\x00\x40\x00\x00\x40\x40\x00\x00\x80\x40'
make_seed i16_be FCS3.0 '$BYTEORD/4,3,2,1/$DATATYPE/I/$MODE/L/$PAR/2/$TOT/2/$P1N/FSC-H/$P1B/16/$P1R/1024/$P1E/0,0/$P2N/FL1-H/$P2B/16/$P2R/1024/$P2E/4,1/$P2G/2/' '\x00\x01\x03\xff\x04\x00\x00\x10'
make_seed i10_20 FCS2.0 '$BYTEORD/1,2/$DATATYPE/I/$MODE/L/$PAR/3/$TOT/2/$P1N/FS/$P1B/10/$P1R/1024/$P2N/SS/$P2B/10/$P2R/1024/$P3N/FL1/$P3B/12/$P3R/4096/' '\x01\x02\x03\x04\x05\x06\x07\x08'
make_seed f64_be FCS3.1 '$BYTEORD/4,3,2,1/$DATATYPE/D/$MODE/L/$PAR/1/$TOT/2/$P1N/Time/$P1B/64/$P1R/1024/$TIMESTEP/0.01/' '\x3f\xf0\x00\x00\x00\x00\x00\x00\x40\x00\x00\x00\x00\x00\x00\x00'
make_seed ascii_fixed FCS3.0 '$BYTEORD/1,2,3,4/$DATATYPE/A/$MODE/L/$PAR/2/$TOT/2/$P1N/FS/$P1B/3/$P1R/1000/$P2N/SS/$P2B/3/$P2R/1000/' '001002003004'
make_seed ascii_delim FCS3.0 '$BYTEORD/1,2,3,4/$DATATYPE/A/$MODE/L/$PAR/2/$TOT/2/$P1N/FS/$P1B/*/$P1R/1000/$P2N/SS/$P2B/*/$P2R/1000/' '1,22\n333 4\n'
make_seed pndatatype FCS3.2 '$BYTEORD/1,2,3,4/$DATATYPE/I/$MODE/L/$PAR/2/$TOT/1/$P1N/FSC-A/$P1B/16/$P1R/65536/$P2N/CD22/$P2B/32/$P2R/262144/$P2DATATYPE/F/' '\x10\x00\x00\x00\x80\x3f'

# ---- run -----------------------------------------------------------------------------------
echo "run-fuzz: fuzzing the FCS reader for ${seconds}s ($(ls "$work/seeds" | wc -l) seeds, $(ls "$work/corpus" | wc -l) corpus inputs kept from earlier runs)"
set +e
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:allocator_may_return_null=0} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
"$bin" "$work/corpus" "$work/seeds" -dict="$root/tools/fuzz/fcs.dict" \
  -max_total_time="$seconds" -rss_limit_mb=2048 -timeout=10 -max_len=65536 \
  -artifact_prefix="$work/artifacts/" -print_final_stats=1 > "$work/last-run.log" 2>&1
status=$?
set -e
finished=$(date +%s)
tail -n 25 "$work/last-run.log"
echo "run-fuzz: build $((built - start)) s, run $((finished - built)) s, exit $status"
if [ "$status" -ne 0 ]; then
  echo "run-fuzz: the fuzzer found a problem; reproducer(s):" >&2
  ls -1 "$work/artifacts" >&2
  exit 1
fi
