#!/bin/bash
# Developer tool: a fresh set of the antigen-expression scenarios (the eligibility calls), seeds
# 801-820: cd22-partial, cd19-under, cd19-over, cd22-dim and cd19neg-relapse in turn, each in the
# three instrument styles in turn. First evaluated 2026-11-23 (nineteenth session), on the
# session's code and on its base, before any tube in it was looked at.
# Seeds 821-860 (FIRST=821 LAST=860, into /tmp/fresh9) were added the same session after the
# first 20 showed large clones going unfound, to measure how often.
# Seeds 861-900 (FIRST=861 LAST=900, into /tmp/fresh10) were added on 2026-11-24 (twentieth
# session) as a fifth fresh set, with seeds 901-910 of mrd-5, mrd-0.1 and regenerating marrow
# (SEEDS="$(seq 901 910)" SCENARIOS="mrd-5 mrd-0.1 negative-regenerating" ROTATE=seed
# tools/tune/gen-check-set.sh build /tmp/fresh11).
# Usage: [FIRST=801 LAST=820] tools/tune/gen-antigen-set.sh [BUILD_DIR] [OUT_DIR]
#        (defaults: build, /tmp/fresh8)
BUILD=${1:-build}; OUT=${2:-/tmp/fresh8}; FIRST=${FIRST:-801}; LAST=${LAST:-820}
SYN=$BUILD/tools/synth/mrdflow-synth
SCENARIOS=(cd22-partial cd19-under cd19-over cd22-dim cd19neg-relapse)
STYLES=(bd beckman cytek)
mkdir -p $OUT
for seed in $(seq $FIRST $LAST); do
  sc=${SCENARIOS[$(( (seed - 801) % 5 ))]}
  style=${STYLES[$(( (seed - 801) % 3 ))]}
  f=$OUT/${sc}_${seed}_${style}.fcs
  [ -f $f ] || $SYN --scenario $sc --seed $seed --style $style --out $f >/dev/null &
  while [ $(jobs -r | wc -l) -ge 2 ]; do sleep 0.1; done
done
wait
