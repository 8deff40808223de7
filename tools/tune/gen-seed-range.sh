#!/bin/bash
# Developer tool: generate one scenario in one style over a range of seeds, two at a time (the
# later fresh sets; each is evaluated once before any tube in it is looked at).
# Usage: tools/tune/gen-seed-range.sh SCENARIO STYLE FIRST LAST OUT_DIR [BUILD_DIR]
# e.g.   tools/tune/gen-seed-range.sh mrd-loq cytek 1101 1160 /tmp/fresh12
# The twelfth fresh set (mrd-loq, cytek, 1101-1160) was made and evaluated once on 2026-11-24
# (twenty-ninth session, 50/60) before any tube was looked at; 1101-1140 may be analysed per
# event since, 1141-1160 stay evaluate-only. The thirteenth (mrd-0.01, cytek, 1161-1200): 36/40
# at 0d38427, evaluated once before any tube was looked at; 1161-1190 tunable since, 1191-1200
# evaluate-only. The fourteenth (mrd-loq, cytek, 1201-1260): 47/60 at 1bef74a (thirtieth
# session), evaluated once before any tube was looked at; 1201-1240 tunable since, 1241-1260
# evaluate-only.
set -e
[ $# -ge 5 ] || { echo "usage: $0 SCENARIO STYLE FIRST LAST OUT_DIR [BUILD_DIR]" >&2; exit 2; }
SC=$1; ST=$2; FIRST=$3; LAST=$4; OUT=$5; BUILD=${6:-build}
SYN=$BUILD/tools/synth/mrdflow-synth
mkdir -p "$OUT"
for seed in $(seq "$FIRST" "$LAST"); do
  f=$OUT/${SC}_${seed}_${ST}.fcs
  [ -f "$f" ] || $SYN --scenario "$SC" --seed "$seed" --style "$ST" --out "$f" >/dev/null &
  while [ "$(jobs -r | wc -l)" -ge 2 ]; do sleep 0.1; done
done
wait
