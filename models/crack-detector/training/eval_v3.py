#!/usr/bin/env python3
"""Figures of a crack detector on a folder of frames, at a package's decision bands.

    python3 eval_v3.py --frames DIR --scores SCORES.csv --model models/crack-detector/v3 [--json OUT]

DIR holds labels.csv and meta.csv as generate.py or evalgen.py write them. SCORES.csv is the
agent's `infer` output (columns file, p_cracked) or export_v3.py's (same columns). Reports accuracy,
precision, recall, automatic share and automatic error at the manifest's thresholds, recall per
crack kind, per nominal width (1080p scale), on 1 px cracks in 1080p frames, per screen lit/dark and
frame size, and false rejects on ok frames that carry nuisances (scratches, dust, fingerprints,
glare; evalgen.py records them; generate.py frames all may carry them).
"""
import argparse
import csv
import json
import os

import numpy as np


def load_rows(frames):
    rows = list(csv.DictReader(open(os.path.join(frames, "meta.csv"))))
    for r in rows:
        r["y"] = 1 if r["label"] == "cracked" else 0
    return rows


def decisions(p_cracked, t_ok, t_cr):
    """(prediction, automatic?) per frame, as the agent decides with a two-label softmax."""
    p = np.asarray(p_cracked, np.float64)
    pred = (p > 0.5).astype(int)  # ties go to the first label (ok), like the agent's argmax
    conf = np.where(pred == 1, p, 1 - p)
    auto = conf >= np.where(pred == 1, t_cr, t_ok)
    return pred, auto


def auc(pos, neg):
    """P(a positive outranks a negative), ties counted half (Mann-Whitney)."""
    pos, neg = np.asarray(pos, np.float64)[:, None], np.asarray(neg, np.float64)[None, :]
    return float((pos > neg).mean() + 0.5 * (pos == neg).mean())


def _rate(mask, hit):
    n = int(mask.sum())
    return {"n": n, "rate": round(float(hit[mask].mean()), 4) if n else None}


def report(p_cracked, rows, t_ok, t_cr):
    y = np.array([r["y"] for r in rows])
    pred, auto = decisions(p_cracked, t_ok, t_cr)
    correct = pred == y
    tp, fp, fn = int(((pred == 1) & (y == 1)).sum()), int(((pred == 1) & (y == 0)).sum()), int(((pred == 0) & (y == 1)).sum())
    n_auto = int(auto.sum())
    col = {k: np.array([r.get(k, "") for r in rows]) for k in ("kind", "crack_width", "screen", "width", "height", "nuisances")}
    crk = y == 1
    hit = pred == 1
    out = {
        "frames": len(rows),
        "auc": round(auc(np.asarray(p_cracked)[y == 1], np.asarray(p_cracked)[y == 0]), 4) if 0 < y.sum() < len(y) else None,
        "accuracy": round(float(correct.mean()), 4),
        "precision": round(tp / max(1, tp + fp), 4),
        "recall": round(tp / max(1, tp + fn), 4),
        "falseRejectRate": round(fp / max(1, int((y == 0).sum())), 4),
        "autoShare": round(n_auto / len(rows), 4),
        "autoError": round(int((auto & ~correct).sum()) / n_auto, 4) if n_auto else None,
        "autoErrors": int((auto & ~correct).sum()),
        "recallByKind": {k: _rate(crk & (col["kind"] == k), hit) for k in sorted(set(col["kind"][crk]))},
        "recallByWidth": {w: _rate(crk & (col["crack_width"] == w), hit) for w in sorted(set(col["crack_width"][crk]))},
        "recall1pxAt1080p": _rate(crk & (col["crack_width"] == "1") & (col["height"] == "1080"), hit),
        "accuracyByScreen": {s: _rate(col["screen"] == s, correct) for s in sorted(set(col["screen"]))},
        "accuracyBySize": {"%sx%s" % wh: _rate((col["width"] == wh[0]) & (col["height"] == wh[1]), correct)
                           for wh in sorted(set(zip(col["width"], col["height"])), key=lambda t: (int(t[1]), int(t[0])))},
    }
    ok_n = (y == 0) & (col["nuisances"] != "")
    if ok_n.any():
        out["falseRejectsOkWithNuisances"] = _rate(ok_n, hit)
    return out


def save_failures(frames, rows, p_cracked, t_ok, t_cr, out, count):
    """The `count` most confident wrong frames (misses and false rejects alike), 640 px wide JPEGs, for the model card."""
    from PIL import Image, ImageDraw
    y = np.array([r["y"] for r in rows])
    pred, auto = decisions(p_cracked, t_ok, t_cr)
    p = np.asarray(p_cracked)
    conf = np.where(pred == 1, p, 1 - p)
    wrong = np.flatnonzero(pred != y)
    os.makedirs(out, exist_ok=True)
    names = []
    for i in wrong[np.argsort(-conf[wrong])][:count]:
        r = rows[i]
        im = Image.open(os.path.join(frames, r["file"])).convert("RGB")
        im = im.resize((640, round(640 * im.height / im.width)), Image.BILINEAR)
        ImageDraw.Draw(im).text((6, 6), "%s %s: p(cracked) %.3f %s" % (r["file"], r.get("kind", ""), p[i], "auto" if auto[i] else "escalated"),
                                fill=(255, 255, 0))
        name = "%s_%s" % (os.path.basename(os.path.normpath(frames)), r["file"])
        im.save(os.path.join(out, name), quality=80)
        names.append(name)
    return names


def read_scores(path):
    return {r["file"]: float(r["p_cracked"]) for r in csv.DictReader(open(path)) if r.get("p_cracked", "") != ""}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--frames", required=True)
    ap.add_argument("--scores", required=True)
    ap.add_argument("--model", required=True, help="package folder (its manifest's decision thresholds are used)")
    ap.add_argument("--json")
    ap.add_argument("--failures", help="write the most confident wrong frames here (with --failure-count)")
    ap.add_argument("--failure-count", type=int, default=4)
    a = ap.parse_args()
    th = json.load(open(os.path.join(a.model, "manifest.json")))["decision"]["thresholds"]
    rows = load_rows(a.frames)
    scores = read_scores(a.scores)
    missing = [r["file"] for r in rows if r["file"] not in scores]
    if missing:
        raise SystemExit("%d frames have no score (first: %s)" % (len(missing), missing[0]))
    res = report([scores[r["file"]] for r in rows], rows, th["ok"], th["cracked"])
    if a.failures:
        res["failureImages"] = save_failures(a.frames, rows, [scores[r["file"]] for r in rows], th["ok"], th["cracked"], a.failures, a.failure_count)
    text = json.dumps(res, indent=1)
    if a.json:
        with open(a.json, "w") as f:
            f.write(text + "\n")
    print(text)


if __name__ == "__main__":
    main()
