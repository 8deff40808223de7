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
#   misspill ERROR SEED OUT FILE...  compensation that does not fit: the events as acquired with a
#                                  spillover whose off-diagonal terms are the file's times factors
#                                  drawn log-uniformly from [1/ERROR, ERROR], while the file keeps
#                                  stating its own (a single-stain control set a few months old)
#   unstain MARKER OUT FILE...     the marker's name in $PnS replaced by one of the same length
#                                  that names nothing (a panel without that stain)
#   notime OUT FILE...             the time channel renamed (no time QC)
#   gain FACTOR SEED OUT FILE...   another lab's settings: each marker's signal (in compensated
#                                  space, so the file's spillover stays right) and the forward and
#                                  side scatter each times a factor drawn log-uniformly from
#                                  [1/FACTOR, FACTOR] per file (brighter or dimmer fluorochromes,
#                                  other detector voltages); a factor over 1 is held where the
#                                  channel's 99.9th percentile reaches 80% of $PnR (no factor
#                                  over 1 on a channel already that high), as a lab keeps its
#                                  cells on scale
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


def float_events(raw, kw, f):
    if kw.get("$DATATYPE") != "F":
        sys.exit(f"{f}: only $DATATYPE F is supported")
    ds, de = int(kw["$BEGINDATA"]), int(kw["$ENDDATA"])
    if ds == 0:
        ds, de = int(raw[26:34]), int(raw[34:42])
    n_par, n_ev = int(kw["$PAR"]), int(kw["$TOT"])
    dtype = "<f4" if kw["$BYTEORD"].startswith("1,2") else ">f4"
    # float32, as stored: the noise verb's arithmetic stays in it (its sets' bytes unchanged)
    x = np.frombuffer(bytes(raw[ds:de + 1]), dtype=dtype).reshape(n_ev, n_par).copy()
    return x, ds, de, dtype


def noise(sigma, seed, out, files):
    for f in files:
        raw, ts, te, kw = read(f)
        x, ds, de, dtype = float_events(raw, kw, f)
        n_ev = x.shape[0]
        rng = np.random.default_rng(seed)
        for p in range(x.shape[1]):
            name = kw.get("$P%dN" % (p + 1), "").upper()
            if re.match(r"^(FSC|SSC|FS |SS |TIME)", name):
                continue
            x[:, p] *= np.exp(rng.normal(0, sigma, n_ev)).astype(np.float32)
        raw[ds:de + 1] = x.astype(dtype).tobytes()
        write(raw, f, out)


def spillover(kw, names, f):
    # (event-matrix columns of the spillover's channels, spillover matrix)
    spill = kw.get("$SPILLOVER") or kw.get("SPILL") or kw.get("SPILLOVER")
    if spill is None:
        sys.exit(f"{f}: no spillover keyword")
    parts = spill.split(",")
    n = int(parts[0])
    idx = [names.index(c) for c in parts[1:1 + n]]
    return idx, np.array(parts[1 + n:1 + n + n * n], dtype=float).reshape(n, n)


def file_rng(seed, f):
    # A per-file stream, so that each tube of a set gets its own draw.
    return np.random.default_rng([seed, sum(os.path.basename(f).encode())])


def rewrite_spilled(files, out, seed, change):
    # Each file's events as float64 with the spillover's columns, changed in place by
    # change(x, kw, names, idx, s, rng) and written back in the file's own type.
    for f in files:
        raw, ts, te, kw = read(f)
        x, ds, de, dtype = float_events(raw, kw, f)
        x = x.astype(np.float64)
        names = [kw.get("$P%dN" % (p + 1), "") for p in range(x.shape[1])]
        idx, s = spillover(kw, names, f)
        change(x, kw, names, idx, s, file_rng(seed, f))
        raw[ds:de + 1] = x.astype(dtype).tobytes()
        write(raw, f, out)


def gain(factor, seed, out, files):
    def change(x, kw, names, idx, s, rng):
        draw = lambda: float(np.exp(rng.uniform(-np.log(factor), np.log(factor))))
        ranges = np.array([float(kw["$P%dR" % (p + 1)]) for p in range(x.shape[1])])
        # A lab sets its voltages so that the cells stay on scale: a factor over 1 goes no
        # further than to put the channel's 99.9th percentile at 80% of its range (bright
        # T cells' CD45 is 10% of the events; beyond the range, compensation of the truncated
        # values would spread into every channel that CD45 spills into).
        on_scale = lambda k, values, top: min(k, max(1.0, 0.8 * top / max(np.quantile(values, 0.999), 1e-9)))
        comp = x[:, idx] @ np.linalg.inv(s)
        g = np.array([on_scale(draw(), comp[:, i], ranges[idx[i]]) for i in range(len(idx))])
        x[:, idx] = (comp * g) @ s
        for group in (r"^(FSC|FS )", r"^(SSC|SS )"):
            cols = [p for p, name in enumerate(names) if re.match(group, name.upper())]
            k = draw()
            for p in cols:
                k = on_scale(k, x[:, p], ranges[p])
            x[:, cols] *= k
    rewrite_spilled(files, out, seed, change)


def misspill(error, seed, out, files):
    def change(x, kw, names, idx, s, rng):
        actual = s * np.exp(rng.uniform(-np.log(error), np.log(error), s.shape))
        np.fill_diagonal(actual, 1.0)
        x[:, idx] = (x[:, idx] @ np.linalg.inv(s)) @ actual
    rewrite_spilled(files, out, seed, change)


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
    seeded = {"noise": noise, "gain": gain, "misspill": misspill}  # VERB AMOUNT SEED OUT FILE...
    if verb in seeded and len(argv) >= 5:
        os.makedirs(argv[3], exist_ok=True)
        seeded[verb](float(argv[1]), int(argv[2]), argv[3], argv[4:])
    elif verb == "unstain" and len(argv) >= 4:
        os.makedirs(argv[2], exist_ok=True)
        unstain(argv[1], argv[2], argv[3:])
    elif verb == "notime":
        os.makedirs(argv[1], exist_ok=True)
        notime(argv[1], argv[2:])
    else:
        sys.exit("usage: perturb-set.py noise SIGMA SEED OUT FILE... | gain FACTOR SEED OUT FILE... | misspill ERROR SEED OUT FILE... | unstain MARKER OUT FILE... | notime OUT FILE...")


if __name__ == "__main__":
    main(sys.argv[1:])
