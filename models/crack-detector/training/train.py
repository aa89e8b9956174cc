#!/usr/bin/env python3
"""Train a crack-detector version and write its package (manifest.json + model.onnx).

    python3 train.py --version v1|v2 --out models/crack-detector/<version>
                     [--train-count N --val-count M --epochs E --seed S]

Data: frames from generate.make_frame (train seed S as counterfactual pairs: scene j rendered
without and with a crack; validation seed S+500, ordinary frames), each JPEG-encoded at a random
quality (40-95) with PIL and decoded through preprocess.py exactly like the agent does.
Loss: cross-entropy + a training-only crack-location head (1x1 conv on the last feature map,
targets from the twins' difference); the head is not exported.
Preprocessed frames (both input sizes) are cached in /tmp/crackdet-cache so v1, v2 and reruns
share them. Test: the 400 JPEG files `generate.py --count 400 --seed 777` writes, read from disk.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "1")

import argparse
import copy
import csv
import datetime
import hashlib
import io
import json
import math
import multiprocessing as mp
import sys
import time

import numpy as np
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate  # noqa: E402
import preprocess  # noqa: E402

SIZES = {"v1": (224, 224), "v2": (640, 360)}
ALL_SIZES = [(224, 224), (640, 360)]
CACHE = "/tmp/crackdet-cache"
TEST_DIR = "/tmp/crackdet-test777"
TEST_SEED, TEST_COUNT = 777, 400
T0 = time.time()


def log(msg):
    print("[%s +%6.0fs] %s" % (datetime.datetime.now().strftime("%H:%M:%S"), time.time() - T0, msg), flush=True)


def code_hash():
    h = hashlib.sha256()
    for f in ("generate.py", "preprocess.py"):
        with open(os.path.join(HERE, f), "rb") as fh:
            h.update(fh.read())
    return h.hexdigest()[:12]


# ----------------------------------------------------------------------------- data
def _area_axis(a, n_out, axis):
    """Exact fractional box filter along one axis via the integral (cumulative sum), float64.
    Mathematically identical to preprocess.area_matrix (differences ~1e-10), much faster."""
    n_in = a.shape[axis]
    c = np.concatenate([np.zeros_like(np.take(a, [0], axis=axis)), np.cumsum(a, axis=axis)], axis=axis)
    t = np.arange(n_out + 1, dtype=np.float64) * n_in / n_out
    k = np.minimum(np.floor(t).astype(np.int64), n_in - 1)
    f = t - k
    shape = [1] * a.ndim
    shape[axis] = n_out + 1
    F = np.take(c, k, axis=axis) + f.reshape(shape) * (np.take(c, k + 1, axis=axis) - np.take(c, k, axis=axis))
    d = np.diff(F, axis=axis)
    return d / (n_in / n_out)


def resize_area_fast(gray, width, height):
    g = gray.astype(np.float64)
    return _area_axis(_area_axis(g, height, 0), width, 1).astype(np.float32)


def _train_job(args):
    slot, seed, i, force = args
    img, label, meta = generate.make_frame(seed, i, force_label=force)
    q = int(np.random.default_rng([seed, i, 2]).integers(40, 96))
    buf = io.BytesIO()
    Image.fromarray(img, "RGB").save(buf, format="JPEG", quality=q)
    data = buf.getvalue()
    outs = []
    for (w, h) in ALL_SIZES:
        g = preprocess.decode_gray(io.BytesIO(data), w, h)
        outs.append(resize_area_fast(g, w, h).astype(np.float16))
    y = 1 if label == "cracked" else 0
    return slot, outs, y, int(meta["crack_width"]), meta["kind"]


def build_split(name, seed, count, paired=False):
    """Returns dict size -> float16 array [count, H, W] (0..255), labels, widths, kinds (cached).
    paired: frames 2j and 2j+1 are scene j of the seed without / with a crack (same JPEG quality)."""
    os.makedirs(CACHE, exist_ok=True)
    key = "%s_s%d_n%d%s_%s" % (name, seed, count, "p" if paired else "", code_hash())
    paths = {s: os.path.join(CACHE, "%s_%dx%d.npy" % (key, s[0], s[1])) for s in ALL_SIZES}
    mpath = os.path.join(CACHE, key + "_meta.npz")
    if all(os.path.exists(p) for p in paths.values()) and os.path.exists(mpath):
        log("%s: loading cached %d frames (%s)" % (name, count, key))
        m = np.load(mpath)
        return {s: np.load(p, mmap_mode="r") for s, p in paths.items()}, m["y"], m["w"], m["k"]
    log("%s: generating %d frames with seed %d (2 processes)" % (name, count, seed))
    arrs = {s: np.zeros((count, s[1], s[0]), np.float16) for s in ALL_SIZES}
    y = np.zeros(count, np.int64)
    w = np.zeros(count, np.int64)
    k = np.empty(count, dtype="<U8")
    t = time.time()
    with mp.get_context("fork").Pool(2) as pool:
        for n, (i, outs, yi, wi, ki) in enumerate(pool.imap_unordered(_train_job, [(i, seed, i // 2, ("ok", "cracked")[i % 2]) if paired else (i, seed, i, None) for i in range(count)], chunksize=8)):
            for s, o in zip(ALL_SIZES, outs):
                arrs[s][i] = o
            y[i], w[i], k[i] = yi, wi, ki
            if (n + 1) % 500 == 0 or n + 1 == count:
                log("  %s %d/%d frames (%.1f ms/frame wall)" % (name, n + 1, count, 1000 * (time.time() - t) / (n + 1)))
    for s, p in paths.items():
        np.save(p + ".tmp.npy", arrs[s])
        os.replace(p + ".tmp.npy", p)
    np.savez(mpath, y=y, w=w, k=k)
    return arrs, y, w, k


def ensure_test_set():
    """Write the test folder exactly as `generate.py --out X --count 400 --seed 777` does."""
    stamp = os.path.join(TEST_DIR, ".stamp")
    h = code_hash()
    if os.path.exists(stamp) and open(stamp).read() == h:
        return
    log("test: generate.py --out %s --count %d --seed %d" % (TEST_DIR, TEST_COUNT, TEST_SEED))
    generate.main(["--out", TEST_DIR, "--count", str(TEST_COUNT), "--seed", str(TEST_SEED), "--workers", "2"])
    with open(stamp, "w") as f:
        f.write(h)


def load_test(width, height):
    ensure_test_set()
    rows = list(csv.DictReader(open(os.path.join(TEST_DIR, "meta.csv"))))
    labels = {r["file"]: r["label"] for r in csv.DictReader(open(os.path.join(TEST_DIR, "labels.csv")))}
    X = np.zeros((len(rows), 1, height, width), np.float32)
    for n, r in enumerate(rows):
        X[n] = preprocess.preprocess_file(os.path.join(TEST_DIR, r["file"]), width, height)[0]
    y = np.array([1 if labels[r["file"]] == "cracked" else 0 for r in rows])
    w = np.array([int(r["crack_width"]) for r in rows])
    k = np.array([r["kind"] for r in rows])
    return X, y, w, k


# ----------------------------------------------------------------------------- model
def build_model(torch, nn, chans=(16, 16, 32, 64, 64), strides=(2, 2, 2, 2, 1)):
    class CrackNet(nn.Module):
        def __init__(self):
            super().__init__()
            layers, cin = [], 1
            for c, s in zip(chans, strides):
                layers += [nn.Conv2d(cin, c, 3, s, 1, bias=False), nn.BatchNorm2d(c), nn.ReLU(inplace=True)]
                cin = c
            self.features = nn.Sequential(*layers)
            self.drop = nn.Dropout(0.1)
            self.fc = nn.Linear(2 * cin, 2)

        def forward(self, x):
            f = self.features(x)
            g = torch.cat([f.amax(dim=(2, 3)), f.mean(dim=(2, 3))], dim=1)
            return self.fc(self.drop(g))

    arch = "conv3x3-BN-ReLU x%d, channels %s, strides %s, global max+avg pool concat, linear(%d->2)" % (
        len(chans), list(chans), list(strides), 2 * chans[-1])
    return CrackNet(), arch


def count_mflops(torch, model, w, h):
    """2 x multiply-accumulates of the conv and linear layers per image."""
    macs = [0]

    def hook(m, i, o):
        if isinstance(m, torch.nn.Conv2d):
            macs[0] += o.shape[2] * o.shape[3] * m.out_channels * m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
        elif isinstance(m, torch.nn.Linear):
            macs[0] += m.in_features * m.out_features
    hs = [m.register_forward_hook(hook) for m in model.modules()]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, 1, h, w))
    for x in hs:
        x.remove()
    return 2 * macs[0] / 1e6


# ----------------------------------------------------------------------------- thresholds / stats
def error_bound(errors, n, confidence):
    """One-sided Clopper-Pearson upper bound, at `confidence`, of an error rate seen as `errors` wrong in `n`."""
    if errors >= n:
        return 1.0
    log_c = [math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1) for k in range(errors + 1)]

    def cdf(q):  # P(at most `errors` wrong in n | error rate q)
        return sum(math.exp(c + k * math.log(q) + (n - k) * math.log1p(-q)) for k, c in enumerate(log_c))
    lo, hi = 0.0, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if cdf(mid) > 1 - confidence else (lo, mid)
    return hi


def min_decisions(errors, max_err, confidence):
    """The fewest automatic decisions with `errors` wrong whose error bound at `confidence` is at most max_err."""
    lo, hi = errors + 1, max(2 * errors + 2, 64)
    while error_bound(errors, hi, confidence) > max_err:
        lo, hi = hi, 2 * hi
    while lo < hi:
        mid = (lo + hi) // 2
        lo, hi = (lo, mid) if error_bound(errors, mid, confidence) <= max_err else (mid + 1, hi)
    return lo


def choose_thresholds(p, y, max_err=0.005, confidence=0.0):
    """Per-label confidence thresholds that decide the most calibration frames automatically with at most max_err of
    those decisions wrong: counted on these frames (confidence 0), or bounded at `confidence` (Clopper-Pearson), so
    that a handful of lucky frames cannot open a band. (1.0, 1.0) when no band qualifies."""
    pred = p.argmax(1)
    conf = p.max(1)
    best = None
    cands = {}
    for c in (0, 1):
        cc = np.sort(conf[pred == c])
        cands[c] = np.concatenate([[0.0], cc, [1.0]])
    # for each candidate per class: automatic count and error count
    stats = {}
    for c in (0, 1):
        sel = pred == c
        cs, wrong = conf[sel], (y[sel] != c)
        t = cands[c]
        stats[c] = (np.array([(cs >= v).sum() for v in t]), np.array([((cs >= v) & wrong).sum() for v in t]))
    a0, e0 = stats[0]
    a1, e1 = stats[1]
    A = a0[:, None] + a1[None, :]
    E = e0[:, None] + e1[None, :]
    if confidence:
        # need[e]: the decisions e errors call for; it grows with e, so stop once it passes the frames there are
        need = [min_decisions(0, max_err, confidence)]
        while need[-1] <= len(y) and len(need) <= E.max():
            need.append(min_decisions(len(need), max_err, confidence))
        need = np.array(need)
        ok = (E < len(need)) & (A >= need[np.minimum(E, len(need) - 1)])
    else:
        ok = E <= max_err * A
    score = np.where(ok, A, -1)
    i, j = np.unravel_index(np.argmax(score), score.shape)
    if score[i, j] <= 0:
        return 1.0, 1.0
    return float(cands[0][i]), float(cands[1][j])


def auto_metrics(p, y, t_ok, t_cr):
    pred = p.argmax(1)
    conf = p.max(1)
    auto = conf >= np.where(pred == 0, t_ok, t_cr)
    n = int(auto.sum())
    err = int((auto & (pred != y)).sum())
    return n / len(y), (err / n if n else 0.0), n, err


def hist(values, edges):
    v = np.clip(values, edges[0], edges[-1])
    counts, _ = np.histogram(v, bins=edges)
    return {"edges": [round(float(e), 6) for e in edges], "counts": [int(c) for c in counts]}


def reference_statistics(resized, conf):
    """resized: [N, H, W] 0..255 (after step 2). Returns the manifest's referenceStatistics."""
    r = np.asarray(resized, np.float32)
    bright = r.mean(axis=(1, 2))
    contrast = r.std(axis=(1, 2))
    lap = 4 * r[:, 1:-1, 1:-1] - r[:, :-2, 1:-1] - r[:, 2:, 1:-1] - r[:, 1:-1, :-2] - r[:, 1:-1, 2:]
    sharp = np.abs(lap).mean(axis=(1, 2))
    return {
        "brightness": hist(bright, np.arange(0, 257, 16)),
        "contrast": hist(contrast, np.arange(0, 129, 8)),
        "sharpness": hist(sharp, np.arange(0, 33, 2)),
        "confidence": hist(conf, np.linspace(0.5, 1.0, 11)),
    }


def metrics(p, y, w, t_ok, t_cr):
    pred = p.argmax(1)
    tp = int(((pred == 1) & (y == 1)).sum())
    fp = int(((pred == 1) & (y == 0)).sum())
    fn = int(((pred == 0) & (y == 1)).sum())
    thin = (y == 1) & (w == 1)
    share, err, _, _ = auto_metrics(p, y, t_ok, t_cr)
    return {
        "accuracy": round(float((pred == y).mean()), 4),
        "precision": round(tp / max(1, tp + fp), 4),
        "recall": round(tp / max(1, tp + fn), 4),
        "recallThin": round(float((pred[thin] == 1).mean()) if thin.any() else 0.0, 4),
        "autoShare": round(share, 4),
        "autoError": round(err, 4),
    }


# ----------------------------------------------------------------------------- main
def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--version", choices=sorted(SIZES), required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--train-count", type=int, default=6000)
    ap.add_argument("--val-count", type=int, default=1000)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--rank-weight", type=float, default=0.0)
    ap.add_argument("--aux-weight", type=float, default=1.0)
    a = ap.parse_args()
    W, H = SIZES[a.version]
    assert a.seed != TEST_SEED and a.seed + 500 != TEST_SEED
    np.random.seed(a.seed)

    assert a.train_count % 2 == 0 and a.batch % 2 == 0
    Xtr_all, ytr, wtr, ktr = build_split("train", a.seed, a.train_count, paired=True)
    Xva_all, yva, wva, kva = build_split("val", a.seed + 500, a.val_count)
    ensure_test_set()

    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(2)
    torch.manual_seed(a.seed)
    Xtr = np.asarray(Xtr_all[(W, H)])
    Xva = np.asarray(Xva_all[(W, H)])
    log("data: train %s (%.1f%% cracked), val %s" % (Xtr.shape, 100 * ytr.mean(), Xva.shape))

    model, arch = build_model(torch, nn)
    mflops = count_mflops(torch, model, W, H)
    nparams = sum(p.numel() for p in model.parameters())
    log("model: %s | %d params | %.1f MFLOPs/image at %dx%d" % (arch, nparams, mflops, W, H))

    def to_input(xb):
        x = torch.from_numpy(np.asarray(xb, np.float32))[:, None]
        return (x * (1.0 / 255.0) - preprocess.MEAN) / preprocess.STD

    def predict_logits(X, bs=64):
        model.eval()
        out = []
        with torch.no_grad():
            for s in range(0, len(X), bs):
                xb = X[s:s + bs]
                xb = to_input(xb) if xb.ndim == 3 else torch.from_numpy(xb)
                out.append(model(xb).numpy())
        return np.concatenate(out)

    aux = nn.Conv2d(model.fc.in_features // 2, 1, 1)  # training-only crack-location head
    opt = torch.optim.AdamW(list(model.parameters()) + list(aux.parameters()), lr=a.lr, weight_decay=1e-3)
    steps_per_epoch = math.ceil(len(Xtr) / a.batch)
    total = steps_per_epoch * a.epochs
    warm = min(200, total // 10)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * (s - warm) / max(1, total - warm))))
    g = torch.Generator().manual_seed(a.seed)
    yt = torch.from_numpy(ytr)
    best = (1e9, None, -1)
    t_train = time.time()
    for ep in range(a.epochs):
        model.train()
        # batches of whole counterfactual pairs (scene without / with crack)
        pp = torch.randperm(len(Xtr) // 2, generator=g).numpy()
        perm = np.stack([2 * pp, 2 * pp + 1], 1).ravel()
        tl, tc, tn = 0.0, 0, 0
        te = time.time()
        for st in range(steps_per_epoch):
            idx = np.sort(perm[st * a.batch:(st + 1) * a.batch])
            xr = torch.from_numpy(np.asarray(Xtr[idx], np.float32))[:, None]
            yb = yt[idx]
            # flips of the input tensor keep the preprocessing contract (same flip for both twins)
            fh = (torch.rand(len(idx) // 2, generator=g) < 0.5).repeat_interleave(2)
            fv = (torch.rand(len(idx) // 2, generator=g) < 0.5).repeat_interleave(2)
            xr = torch.where(fh[:, None, None, None], xr.flip(3), xr)
            xr = torch.where(fv[:, None, None, None], xr.flip(2), xr)
            x = (xr * (1.0 / 255.0) - preprocess.MEAN) / preprocess.STD
            f = model.features(x)
            out = model.fc(model.drop(torch.cat([f.amax(dim=(2, 3)), f.mean(dim=(2, 3))], dim=1)))
            loss = F.cross_entropy(out, yb)
            # training-only dense supervision from the counterfactual twins (even slot = ok scene,
            # odd slot = same scene with a crack): feature cells where the twins differ hold crack
            # pixels. A 1x1 conv on the last feature map learns to find them; it is not exported.
            d = (xr[1::2] - xr[0::2]).abs()
            tgt = (F.adaptive_max_pool2d(d, f.shape[2:]) > 6).float()
            tgt = torch.stack([torch.zeros_like(tgt), tgt], 1).reshape(-1, 1, *f.shape[2:])
            loss = loss + a.aux_weight * F.binary_cross_entropy_with_logits(aux(f), tgt, pos_weight=torch.tensor(5.0))
            if a.rank_weight:
                z = out[:, 1] - out[:, 0]
                loss = loss + a.rank_weight * F.softplus(1.0 - (z[1::2] - z[0::2])).mean()
            opt.zero_grad()
            loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 2.0)
            opt.step()
            sched.step()
            tl += float(loss) * len(idx)
            tc += int((out.argmax(1) == yb).sum())
            tn += len(idx)
            if (st + 1) % 50 == 0:
                log("  ep %d step %d/%d loss %.4f acc %.3f (%.2fs/step)" % (ep + 1, st + 1, steps_per_epoch, tl / tn, tc / tn, (time.time() - te) / (st + 1)))
        lv = predict_logits(Xva)
        vloss = float(F.cross_entropy(torch.from_numpy(lv), torch.from_numpy(yva)))
        vacc = float((lv.argmax(1) == yva).mean())
        thin = (yva == 1) & (wva == 1)
        log("epoch %d/%d train loss %.4f acc %.4f | val loss %.4f acc %.4f thin-recall %.3f | %.0fs" % (
            ep + 1, a.epochs, tl / tn, tc / tn, vloss, vacc, float((lv.argmax(1)[thin] == 1).mean()), time.time() - te))
        if vloss < best[0]:
            best = (vloss, copy.deepcopy(model.state_dict()), ep + 1)
    train_s = time.time() - t_train
    model.load_state_dict(best[1])
    log("best epoch %d (val loss %.4f); training took %.0fs" % (best[2], best[0], train_s))

    # temperature calibration on validation, folded into the final linear layer
    lv = predict_logits(Xva)
    lt, yv = torch.from_numpy(lv), torch.from_numpy(yva)
    temps = np.linspace(0.4, 4.0, 73)
    nll = [float(F.cross_entropy(lt / T, yv)) for T in temps]
    T = float(temps[int(np.argmin(nll))])
    with torch.no_grad():
        model.fc.weight /= T
        model.fc.bias /= T
    lv = predict_logits(Xva)
    pv = torch.softmax(torch.from_numpy(lv), 1).numpy()
    t_ok, t_cr = choose_thresholds(pv, yva)
    # round up to 6 decimals (never looser than chosen); these exact values go to the manifest
    t_ok, t_cr = math.ceil(t_ok * 1e6) / 1e6, math.ceil(t_cr * 1e6) / 1e6
    vs, ve, _, _ = auto_metrics(pv, yva, t_ok, t_cr)
    log("temperature %.2f; thresholds ok>=%.4f cracked>=%.4f (val auto share %.3f, error %.4f)" % (T, t_ok, t_cr, vs, ve))
    ref = reference_statistics(Xva, pv.max(1))

    # test: the JPEG files generate.py writes (seed 777), decoded by preprocess.py from disk
    Xte, yte, wte, kte = load_test(W, H)
    lte = predict_logits(Xte)
    pte = torch.softmax(torch.from_numpy(lte), 1).numpy()
    m = metrics(pte, yte, wte, t_ok, t_cr)
    log("TEST (seed 777, 400 frames): %s" % json.dumps(m))
    pred = pte.argmax(1)
    for kind in generate.KINDS:
        s = kte == kind
        if s.any():
            log("  recall %-8s %.3f (n=%d)" % (kind, float((pred[s] == 1).mean()), int(s.sum())))
    for cw in (1, 2, 3):
        s = (yte == 1) & (wte == cw)
        if s.any():
            log("  recall width %dpx %.3f (n=%d)" % (cw, float((pred[s] == 1).mean()), int(s.sum())))
    log("  false-positive rate on ok %.3f" % float((pred[yte == 0] == 1).mean()))

    # export
    os.makedirs(a.out, exist_ok=True)
    onnx_path = os.path.join(a.out, "model.onnx")
    model.eval()
    torch.onnx.export(model, torch.zeros(1, 1, H, W), onnx_path, input_names=["image"], output_names=["logits"],
                      dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}}, opset_version=13, do_constant_folding=True)
    import onnx
    om = onnx.load(onnx_path)
    onnx.checker.check_model(om)
    sha = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    cmd = "python3 models/crack-detector/training/train.py " + " ".join(sys.argv[1:])
    manifest = {
        "schemaVersion": 1,
        "name": "crack-detector",
        "version": a.version,
        "description": "Classifies a whole line-camera frame of a phone on the conveyor as ok or cracked screen (%s, %dx%d grey input)." % (a.version, W, H),
        "createdAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "input": {"name": "image", "elementType": "float32", "layout": "NCHW", "width": W, "height": H, "channels": 1,
                  "colorSpace": "gray", "scale": 1.0 / 255.0, "mean": [preprocess.MEAN], "std": [preprocess.STD]},
        "output": {"name": "logits", "elementType": "float32", "kind": "logits", "labels": ["ok", "cracked"]},
        "decision": {"thresholds": {"ok": t_ok, "cracked": t_cr}},
        "referenceStatistics": ref,
        "sha256": sha,
        "training": {
            "command": cmd, "seed": a.seed, "trainFrames": int(a.train_count), "valFrames": int(a.val_count),
            "epochs": int(a.epochs), "bestEpoch": int(best[2]), "temperature": round(T, 3),
            "architecture": arch, "params": int(nparams), "mflops": round(mflops, 1),
            "trainSeconds": round(train_s), "totalSeconds": round(time.time() - T0),
            "testSet": "generate.py --count 400 --seed 777", "metrics": m,
        },
    }
    with open(os.path.join(a.out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    log("wrote %s (%d bytes onnx, sha256 %s)" % (a.out, os.path.getsize(onnx_path), sha))
    log("METRICS %s %s" % (a.version, json.dumps(m)))


if __name__ == "__main__":
    main()
