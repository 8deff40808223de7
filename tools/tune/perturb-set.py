#!/usr/bin/env python3
# Developer tool: robustness variants of generated tubes, for evaluation only (never tuned on).
# The analyser will meet instruments and panels that the generator does not make; these
# variants move one thing at a time and keep the truth files, so eval-tuning-set.py can score
# them as they are.
#
#   noise SIGMA SEED OUT FILE...   each fluorescence value times exp(N(0, SIGMA)), independent
#                                  per event and detector (more detector noise, hence more
#                                  spillover spreading after compensation, than the generator's
#                                  photon model: about 1-3% CV on bright signals); scatter and
#                                  time untouched
#   unstain MARKER OUT FILE...     the marker's name in $PnS replaced by one of the same length
#                                  that names nothing (a panel without that stain)
#   notime OUT FILE...             the time channel renamed (no time QC)
#
# FCS 3.x files written by mrdflow-synth only ($DATATYPE F, one data segment); the TEXT segment
# keeps its length, so every offset stays valid.
import os, re, shutil, sys

import numpy as np


def read(path):
    raw = bytearray(open(path, "rb").read())
    ts, te = int(raw[10:18]), int(raw[18:26])
    text = bytes(raw[ts:te + 1])
    parts = text[1:].decode("latin1").split(text[:1].decode("latin1"))
    kw = {parts[i].upper(): parts[i + 1] for i in range(0, len(parts) - 1, 2)}
    return raw, ts, te, kw


def write(raw, src, out):
    dst = os.path.join(out, os.path.basename(src))
    open(dst, "wb").write(raw)
    for ext in (".truth.json", ".labels"):
        if os.path.exists(src[:-4] + ext):
            shutil.copy(src[:-4] + ext, dst[:-4] + ext)


def replace_in_text(raw, ts, te, pattern, repl):
    text = bytes(raw[ts:te + 1])
    new = re.sub(pattern, repl, text)
    assert len(new) == len(text), "replacement must keep the TEXT length"
    raw[ts:te + 1] = new


def noise(sigma, seed, out, files):
    for f in files:
        raw, ts, te, kw = read(f)
        if kw.get("$DATATYPE") != "F":
            sys.exit(f"{f}: only $DATATYPE F is supported")
        ds, de = int(kw["$BEGINDATA"]), int(kw["$ENDDATA"])
        if ds == 0:
            ds, de = int(raw[26:34]), int(raw[34:42])
        n_par, n_ev = int(kw["$PAR"]), int(kw["$TOT"])
        dtype = "<f4" if kw["$BYTEORD"].startswith("1,2") else ">f4"
        x = np.frombuffer(bytes(raw[ds:de + 1]), dtype=dtype).reshape(n_ev, n_par).copy()
        rng = np.random.default_rng(seed)
        for p in range(n_par):
            name = kw.get("$P%dN" % (p + 1), "").upper()
            if re.match(r"^(FSC|SSC|FS |SS |TIME)", name):
                continue
            x[:, p] *= np.exp(rng.normal(0, sigma, n_ev)).astype(np.float32)
        raw[ds:de + 1] = x.astype(dtype).tobytes()
        write(raw, f, out)


def unstain(marker, out, files):
    repl = ("ZZ" + marker[2:]) if marker.upper().startswith("CD") else "Z" * len(marker)
    for f in files:
        raw, ts, te, _ = read(f)
        replace_in_text(raw, ts, te, rb"(?<![A-Za-z0-9])" + marker.encode() + rb"(?![0-9])", repl.encode())
        write(raw, f, out)


def notime(out, files):
    for f in files:
        raw, ts, te, _ = read(f)
        sep = re.escape(bytes(raw[ts:ts + 1]))
        replace_in_text(raw, ts, te, sep + rb"(Time|TIME)" + sep, lambda m: m[0].replace(b"i", b"z").replace(b"I", b"Z"))
        write(raw, f, out)


def main(argv):
    if len(argv) < 3:
        sys.exit(__doc__ if __doc__ else "usage: see the header of this file")
    verb = argv[0]
    if verb == "noise" and len(argv) >= 5:
        out = argv[3]
        os.makedirs(out, exist_ok=True)
        noise(float(argv[1]), int(argv[2]), out, argv[4:])
    elif verb == "unstain" and len(argv) >= 4:
        os.makedirs(argv[2], exist_ok=True)
        unstain(argv[1], argv[2], argv[3:])
    elif verb == "notime":
        os.makedirs(argv[1], exist_ok=True)
        notime(argv[1], argv[2:])
    else:
        sys.exit("usage: perturb-set.py noise SIGMA SEED OUT FILE... | unstain MARKER OUT FILE... | notime OUT FILE...")


if __name__ == "__main__":
    main(sys.argv[1:])
