#!/bin/bash
# Developer tool: the cross-lab robustness variants of docs/analysis.md (thirty-fourth session),
# for evaluation only. For each base set that exists under /tmp (tune, check, fresh10, fresh11:
# gen-tuning-set.sh, gen-check-set.sh, gen-antigen-set.sh with FIRST=861 LAST=900, and seeds
# 901-910 of gen-check-set.sh), writes /tmp/<set>_g2, _g3 (other marker intensities), _ms10 and
# _ms30 (spillover off by up to 10% and 30%), then scores each with eval-tuning-set.py.
# Usage: tools/tune/gen-robustness-sets.sh [BUILD_DIR] [SET...]   (defaults: build, the four)
BUILD=${1:-build}; shift
SETS=${*:-"tune check fresh10 fresh11"}
HERE=$(dirname "$0")
PY=${PYTHON:-/usr/bin/python3}
export EVAL=${EVAL:-$BUILD/tests/analysis/analysis-eval}
for s in $SETS; do
  [ -d /tmp/$s ] || { echo "/tmp/$s: missing (generate it first)" >&2; continue; }
  for v in "gain 2 7 g2" "gain 3 11 g3" "misspill 1.1 13 ms10" "misspill 1.3 13 ms30"; do
    set -- $v
    out=/tmp/${s}_$4
    [ -d $out ] || $PY "$HERE/perturb-set.py" $1 $2 $3 $out /tmp/$s/*.fcs
    echo "${s}_$4 $($PY "$HERE/eval-tuning-set.py" $out/*.fcs | tail -n 1)"
  done
done
