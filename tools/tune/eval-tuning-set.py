#!/usr/bin/env python3
# Usage: EVAL=build/tests/analysis/analysis-eval tools/tune/eval-tuning-set.py [FILE.fcs...]  (default /tmp/tune/*.fcs)
# Summarise analysis-eval over tuning tubes: one line per tube, pass/fail per the criteria.
import json, re, subprocess, sys, glob, os
from concurrent.futures import ThreadPoolExecutor
EVAL = os.environ.get("EVAL", "build/tests/analysis/analysis-eval")
files = sys.argv[1:] or sorted(glob.glob("/tmp/tune/*.fcs"))
def run(f):
    out = subprocess.run([EVAL, "--threads", "1", f], capture_output=True, text=True).stdout
    t = json.load(open(f[:-4] + ".truth.json"))
    m = re.search(r"MRD: measured (\d+) / (\d+) = ([\d.]+)% \((\w+)\)", out)
    res = {"f": os.path.basename(f), "out": out}
    if not m: res["line"] = "ERROR " + out[-300:]; res["ok"] = res["strict"] = False; return res
    blasts, den, pct, status = int(m[1]), int(m[2]), float(m[3]), m[4]
    anomaly = t["qc"]["flow_anomaly"] is not None
    tp = t["qc"]["mrd_percent_outside_anomaly"] if anomaly else t["mrd_percent"]
    tb = t["blast_events"]
    ok = True; why = []
    if tb == 0:
        if status != "not_detected": ok = False; why.append("called")
    else:
        tol = 0.4 if tb <= 60 else 0.2
        if abs(pct - tp) > tol * tp: ok = False; why.append("mrd")
    a = {}
    for mk in ("CD19", "CD22"):
        mm = re.search(mk + r": ([\d.]+)% pos.*\| truth (-?[\d.]+)", out)
        if mm: a[mk] = (float(mm[1]), float(mm[2]))
        if mm and float(mm[2]) >= 0 and tb >= 50 and abs(float(mm[1]) - float(mm[2])) > 2: ok = False; why.append(mk)
    v = re.search(r"verdict (\w+) .*\| truth (\w+)", out)
    # Spec: indeterminate when measured blasts < LOQ; in the exact-LOQ scenario that is the right answer
    # whenever the measured count (within its 40% tolerance) falls below 50.
    if v and v[1] != v[2] and not (tb <= 60 and blasts < 50 and v[1] == "indeterminate"): ok = False; why.append("verdict")
    res["ok"] = ok
    # The accuracy tests are stricter: the verdict must be the truth's, so an exact-LOQ tube
    # needs >= 50 events counted.
    res["strict"] = ok and not (v and v[1] != v[2])
    if ok and not res["strict"]: why.append("(strict: verdict)")
    res["line"] = "%-40s %s MRD %.5f (%d) truth %.5f (%d) %s %s %s" % (res["f"], "PASS" if ok else "FAIL", pct, blasts, tp, tb,
        " ".join("%s %.1f/%.1f" % (k, x[0], x[1]) for k, x in a.items()), (v[1] + "/" + v[2]) if v else "", ",".join(why))
    return res
with ThreadPoolExecutor(2) as ex:
    rs = list(ex.map(run, files))
for r in rs: print(r["line"])
print("PASS %d / %d (strict, as the accuracy tests judge: %d)" % (sum(r["ok"] for r in rs), len(rs), sum(r["strict"] for r in rs)))
if os.environ.get("DUMP"):
    os.makedirs(os.environ["DUMP"], exist_ok=True)
    for r in rs: open(os.path.join(os.environ["DUMP"], r["f"] + ".txt"), "w").write(r["out"])
