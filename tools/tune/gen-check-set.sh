#!/bin/bash
# Developer tool: a check set on seeds 401-410 (never tuned on; evaluated to compare designs
# after they were chosen on the tuning set): the rare and negative scenarios, styles rotated.
# Usage: tools/tune/gen-check-set.sh [BUILD_DIR] [OUT_DIR]   (defaults: build, /tmp/check)
# SEEDS, SCENARIOS and ROTATE=seed (the style also steps once per seed, so that each scenario
# meets every style) serve other evaluate-only sets (gen-fresh-set.sh).
BUILD=${1:-build}; OUT=${2:-/tmp/check}
SYN=$BUILD/tools/synth/mrdflow-synth
SEEDS=${SEEDS:-"401 402 403 404 405 406 407 408 409 410"}
SCENARIOS=${SCENARIOS:-"mrd-0.01 mrd-loq mrd-0.1 negative-regenerating"}
per_seed=$(echo $SCENARIOS | wc -w)
mkdir -p $OUT
styles=(cytek bd beckman)
i=0
for seed in $SEEDS; do
  for sc in $SCENARIOS; do
    step=$i; [ "$ROTATE" = seed ] && step=$((i + i / per_seed))
    st=${styles[$((step % 3))]}; i=$((i+1))
    f=$OUT/${sc}_${seed}_${st}.fcs
    [ -f $f ] || $SYN --scenario $sc --seed $seed --style $st --out $f >/dev/null &
    while [ $(jobs -r | wc -l) -ge 2 ]; do sleep 0.1; done
  done
done
wait
