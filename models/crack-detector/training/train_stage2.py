#!/usr/bin/env python3
"""A second look at the crack map's candidates: a patch classifier over the K most crack-like cells of a v3 first stage.

    python3 train_stage2.py --run RUN --first models/crack-detector/v3 --data STORE_RUN ... [--mine-pairs 500] [--k 6]
                            [--width 32] [--steps 8000] [--bf16] [--resume] [--keep] [--sets SET ...]
    python3 train_stage2.py --run RUN --first CRACK_CKPT ... --first-screen SCREEN_CKPT ...|PACKAGE --data STORE_RUN ...
    python3 train_stage2.py --run RUN --first models/crack-detector/v3 --init models/crack-detector/v3 --line DATASET ...
                            [--data STORE_RUN ...] [--line-frames 16] --lr 2e-4 --steps 1500

The first stage is a v3 package's gated crack network, or the crack network's and the screen localiser's checkpoints
(each averaged, as export_v3.py --checkpoint and --screen average them): the recipe then needs no export before this one.

The v3 package scores every 8x8 cell and takes the maximum; screen content, hairs and scratches outscore faint cracks
(HISTORY.md). This script trains a second network that sees only what the first one finds most crack-like:
1. mine: for the first --mine-pairs pairs of each --data store, both twins, the first stage's gated crack map, its --k
   highest local maxima (5x5 cells, as train_v3.mine_hard) and a PATCH x PATCH patch of the half-scale frame around each;
   label 1 on the twin's crack mask, 0 two or more cells away from it, none beside it (RUN/cands-NAME.npz, once per store);
2. cracks: for the store's other pairs, --per-pair random crack cells of the cracked twin (label 1) and the ok twin's patch
   at the same cell (label 0: the same content without the crack) (RUN/cracks-NAME.npz); the mined positives get their ok
   twin's patch as a negative too;
3. train: CROP x CROP crops of the patches (flips, quarter turns, exposure and noise), half positives, binary
   cross-entropy, on CUDA when torch finds one; checkpoints RUN/last.pt, --keep RUN/stepN.pt, --resume.
The frame score is then max over the candidates of (first-stage logit + --weight x second-stage logit): cascade(), which
export_v3.py --stage2 packages as one ONNX graph (TopK and a gather of the patches: no agent change).

--init continues a second stage: a package's (read back from model.onnx) or checkpoints (averaged); its k, width and
weight come with it and its BatchNorm layers keep their statistics (eval mode), so that it starts where it stood.
--line adds frames labelled per frame only, as the line's inspectors label escalated cases (`fleet-server dataset
export`: DIR/labels.csv, columns file and label, ok or defect; a generator's folder, ok or cracked, reads the same): each
frame's --k candidates are mined once (RUN/line-N-NAME.npz) and --line-frames of them a step, half defects, are scored
as the cascade scores the frame (max over its candidates) and trained by binary cross-entropy on that frame logit,
scaled by a logistic fit of the init's frame logits on those frames (line_calibration; the export calibrates again).
With --data as well, each step also trains --batch patches of the stores, so that their generators are not forgotten.
With --sets, each checkpoint is scored on those frame sets and the AUCs logged.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import argparse
import csv
import json
import re
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import eval_v3  # noqa: E402
import preprocess  # noqa: E402
import train_v3  # noqa: E402

CELL = train_v3.CELL
PATCH, CROP = 96, 88  # mined patches keep a margin for the crops' shifts
PEAK = 5  # local maxima over 5x5 cells, as train_v3.mine_hard
log = train_v3.log


def first_stage(torch, nn, F, first, screen=None):
    """The crack network of `first` (a v3 package folder, read back from its model.onnx, or checkpoints, averaged) gated
    by the screen localiser of `screen` (checkpoints, averaged) or else of the package, eval mode."""
    import train_screen
    st, _ = train_v3.load_checkpoints(torch, first)
    net, _ = train_v3.build_net(nn, st["args"].get("arch", "v3"))
    net.load_state_dict(st["net"])
    return train_screen.gated(nn, F, net, train_screen.load(torch, nn, F, screen or first)[0]).eval()


def make(nn, width):
    """Seven 3x3 convolutions (three of stride 2) of width w, 2w, 4w; max and mean over space; a linear logit. Each patch
    is put on one contrast scale first ((x - mean) / (std + 5 grey levels)), as the first stage's local contrast does."""
    import torch

    def cbr(a, b, s=1):
        return [nn.Conv2d(a, b, 3, s, 1, bias=False), nn.BatchNorm2d(b), nn.ReLU(inplace=True)]

    w = width

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.f = nn.Sequential(*(cbr(1, w, 2) + cbr(w, w) + cbr(w, 2 * w, 2) + cbr(2 * w, 2 * w) + cbr(2 * w, 4 * w, 2)
                                     + cbr(4 * w, 4 * w) + cbr(4 * w, 4 * w)))
            self.head = nn.Linear(8 * w, 1)

        def forward(self, x):  # x: grey levels 0..255
            d = x - x.mean(dim=(1, 2, 3), keepdim=True)
            f = self.f(d / ((d * d).mean(dim=(1, 2, 3), keepdim=True).sqrt() + 5.0))
            return self.head(torch.cat([f.amax(dim=(2, 3)), f.mean(dim=(2, 3))], 1))[:, 0]

    return Net()


def cascade(torch, nn, F, first, second, k, weight):
    """One module: the first stage's map, its k highest local maxima, a CROP x CROP patch of the input around each
    (edges replicated), the second stage's logit per patch; output [N, 1, 1, k] = logit + weight * second logit, so that
    export_v3.py's spatial max and calibration apply unchanged. `weight` stays settable (export_v3.py --stage2-weight auto
    sets it from parts())."""

    class Cascade(nn.Module):
        def __init__(self):
            super().__init__()
            self.first, self.second, self.weight = first, second, weight

        def forward(self, x):
            return self.with_map(x)[0]

        def with_map(self, x):
            """forward's output and the first stage's map that the candidates come from (export_v3.py exports both)."""
            z = self.first(x)
            v, s = self.scored(x, z)
            return (v + self.weight * s).view(v.shape[0], 1, 1, k), z

        def parts(self, x):
            """The candidates' map logits and patch logits, [N, k] each."""
            return self.scored(x, self.first(x))

        def scored(self, x, z):
            """parts() given the first stage's map z of x."""
            n, gw = z.shape[0], z.shape[3]
            v, i = z.masked_fill(z < F.max_pool2d(z, PEAK, 1, PEAK // 2), -1e4).flatten(1).topk(k, dim=1)
            h = CROP // 2
            raw = F.pad(x * (preprocess.STD * 255.0) + preprocess.MEAN * 255.0, (h, h, h, h), mode="replicate")
            r = torch.arange(CROP, device=x.device)
            # cell (gy, gx) is centred on input pixel (8 gy + 4, 8 gx + 4): padded rows and columns from there on
            cy = torch.div(i, gw, rounding_mode="trunc") * CELL + CELL // 2  # i >= 0: ONNX's integer Div
            cx = i % gw * CELL + CELL // 2
            idx = (cy[:, :, None, None] + r[None, None, :, None]) * raw.shape[3] + cx[:, :, None, None] + r[None, None, None, :]
            p = torch.gather(raw.flatten(1), 1, idx.flatten(1)).view(n * k, 1, CROP, CROP)
            return v, self.second(p).view(n, k)

    return Cascade()


def spread_weight(v, s):
    """The patch logit's weight that gives the patch logits the spread of the map logits over the same candidates (ratio
    of standard deviations, 3 significant digits). For two second stages whose ratios were 1.1 and 2.3 the weights that ranked
    the frame sets best lay near them (HISTORY.md, twenty-sixth and twenty-seventh sessions)."""
    return float("%.3g" % (np.std(v) / np.std(s)))


def candidates(torch, F, first, frames, k):
    """[N, k, 3] (gy, gx, first-stage logit) of each frame's k highest local maxima, and [N, k, PATCH, PATCH] uint8 patches;
    frames [N, H, W] 0..255."""
    import auc_v3
    z = torch.from_numpy(auc_v3.crack_maps(torch, first, frames))[:, None]
    v, i = z.masked_fill(z < F.max_pool2d(z, PEAK, 1, PEAK // 2), -1e4).flatten(1).topk(k, dim=1)
    gy, gx = (i // z.shape[3]).numpy(), (i % z.shape[3]).numpy()
    return np.stack([gy, gx, v.numpy()], -1), np.stack([patches(f, np.stack([a, b], 1)) for f, a, b in zip(frames, gy, gx)])


def patches(frame, cells):
    """PATCH x PATCH patches of one frame [H, W] around cells [n, 2] (gy, gx), edges replicated, uint8 (rounded)."""
    pad = PATCH // 2
    f = np.pad(np.clip(np.rint(np.asarray(frame, np.float32)), 0, 255).astype(np.uint8), pad, mode="edge")
    return np.stack([f[gy * CELL + CELL // 2:gy * CELL + CELL // 2 + PATCH, gx * CELL + CELL // 2:gx * CELL + CELL // 2 + PATCH]
                     for gy, gx in cells])


def mine(torch, F, first, store, pairs, k):
    """Candidates of pairs 0..pairs-1, both twins: patches [M, PATCH, PATCH], labels [M] (1, 0, -1 beside a crack), and the
    ok twin's patches at the positives."""
    out_p, out_l, out_t = [], [], []
    for s in range(0, pairs, 8):
        js = list(range(s, min(pairs, s + 8)))
        ok = np.asarray(store.x[js, 0], np.float32)
        for twin in (0, 1):
            c, p = candidates(torch, F, first, np.asarray(store.x[js, twin], np.float32), k)
            lab = np.zeros(c.shape[:2], np.int8)
            if twin:
                for a, j in enumerate(js):
                    m = np.asarray(store.mask[j]).astype(bool)
                    near = F.max_pool2d(torch.from_numpy(m[None, None].astype(np.float32)), 5, 1, 2)[0, 0].numpy() > 0
                    cells = c[a, :, :2].astype(int)
                    lab[a] = np.where(m[cells[:, 0], cells[:, 1]], 1, np.where(near[cells[:, 0], cells[:, 1]], -1, 0))
                    if (lab[a] == 1).any():
                        out_t.append(patches(ok[a], cells[lab[a] == 1]))
            out_p.append(p.reshape(-1, PATCH, PATCH))
            out_l.append(lab.reshape(-1))
    return np.concatenate(out_p), np.concatenate(out_l), np.concatenate(out_t) if out_t else np.zeros((0, PATCH, PATCH), np.uint8)


def crack_cells(store, first_pair, per, rs):
    """`per` random crack cells of each cracked twin from pair first_pair on: (cracked patches, ok twins' patches)."""
    pos, neg = [], []
    for j in range(first_pair, store.pairs):
        cells = np.argwhere(np.asarray(store.mask[j]))
        if len(cells):
            pick = cells[rs.choice(len(cells), min(per, len(cells)), replace=False)]
            pos.append(patches(store.x[j, 1], pick))
            neg.append(patches(store.x[j, 0], pick))
    none = [np.zeros((0, PATCH, PATCH), np.uint8)]
    return np.concatenate(pos or none), np.concatenate(neg or none)


def prepare(torch, F, a, first):
    """The patches and labels of every store (mined once into RUN, then read back)."""
    xs, ys = [], []
    for n, run in enumerate(a.data):
        path = os.path.join(a.run, "patches-%d-%s.npz" % (n, os.path.basename(os.path.normpath(run))))
        if not os.path.exists(path):
            store = train_v3.PairStore.open_complete(run, "--data")
            if store.pairs <= a.mine_pairs:
                raise SystemExit("--data %s: %d pairs, not more than --mine-pairs %d" % (run, store.pairs, a.mine_pairs))
            t = time.time()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
                p, lab, tw = mine(torch, F, first, store, a.mine_pairs, a.k)
            cp, cn = crack_cells(store, a.mine_pairs, a.per_pair, np.random.default_rng([a.seed, n]))
            np.savez(path + ".tmp.npz", x=np.concatenate([p[lab >= 0], tw, cp, cn]),
                     y=np.concatenate([lab[lab >= 0], np.zeros(len(tw)), np.ones(len(cp)), np.zeros(len(cn))]).astype(np.float32))
            os.replace(path + ".tmp.npz", path)
            log("mined %s: %d candidates (%d on a crack), %d crack cells (%.0f s)" % (
                run, int((lab >= 0).sum()), int((lab == 1).sum()), len(cp), time.time() - t))
        d = np.load(path)
        xs.append(d["x"])
        ys.append(d["y"])
    return np.concatenate(xs), np.concatenate(ys)


LINE_LABELS = {"ok": 0, "defect": 1, "cracked": 1}


def read_line(d):
    """Paths and labels (1 a defect) of a frame-labelled folder: DIR/labels.csv, columns file and label; ValueError saying
    what is wrong with it."""
    try:
        with open(os.path.join(d, "labels.csv"), newline="") as f:
            rows = list(csv.DictReader(f))
    except (OSError, UnicodeDecodeError, csv.Error) as e:
        raise ValueError("--line %s: labels.csv cannot be read (%s)" % (d, e))
    if not rows or not {"file", "label"} <= set(rows[0]):
        raise ValueError("--line %s: labels.csv needs the columns file and label and at least one row" % d)
    bad = next((r for r in rows if r["label"] not in LINE_LABELS), None)
    if bad:
        raise ValueError("--line %s: %s is labelled '%s', not one of %s" % (d, bad["file"], bad["label"], ", ".join(LINE_LABELS)))
    return [os.path.join(d, r["file"]) for r in rows], np.array([LINE_LABELS[r["label"]] for r in rows], np.float32)


def mine_line(torch, F, first, files, labels, k):
    """The k candidates of each frame that decodes (the contract's preprocessing): patches [N, k, PATCH, PATCH] uint8,
    their map logits [N, k], labels [N]; and the files that could not be read as images (left out)."""
    import export_v3
    keep, bad, frames, P, V = [], [], [], [], []

    def flush():
        c, p = candidates(torch, F, first, np.stack(frames), k)
        P.append(p)
        V.append(c[:, :, 2].astype(np.float32))
        frames.clear()

    for i, f in enumerate(files):
        try:
            frames.append(export_v3.frame_tensor(f))
        except (OSError, ValueError):  # missing, truncated or not an image
            bad.append(f)
            continue
        keep.append(i)
        if len(frames) == 8:
            flush()
    if frames:
        flush()
    if not keep:
        return None, None, None, bad
    return np.concatenate(P), np.concatenate(V), labels[keep], bad


def prepare_line(torch, F, a, first):
    """Patches, map logits and labels of every --line folder's frames (mined once into RUN, then read back)."""
    out = []
    for n, d in enumerate(a.line):
        path = os.path.join(a.run, "line-%d-%s.npz" % (n, os.path.basename(os.path.normpath(d))))
        if not os.path.exists(path):
            t = time.time()
            with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.bf16):
                p, v, y, bad = mine_line(torch, F, first, *read_line(d), a.k)
            if p is None:
                raise SystemExit("--line %s: none of its %d frames reads as an image (first: %s)" % (d, len(bad), bad[0]))
            np.savez(path + ".tmp.npz", p=p, v=v, y=y)
            os.replace(path + ".tmp.npz", path)
            log("mined --line %s: %d frames, %d of them defects%s (%.0f s)" % (d, len(y), int(y.sum()), "; %d unreadable left "
                "out (first: %s)" % (len(bad), bad[0]) if bad else "", time.time() - t))
        z = np.load(path)
        out.append((z["p"], z["v"], z["y"]))
    return [np.concatenate(t) for t in zip(*out)]


def line_calibration(torch, net, p, v, y, weight):
    """(a, b): the logistic fit of the labels on the frame logits that `net` gives these frames' candidates (Newton's
    method, a little ridge so that separable frames stay finite), so that the frame loss starts from the init's scale."""
    o = (PATCH - CROP) // 2
    with torch.no_grad():
        s = np.concatenate([net(torch.from_numpy(p[i:i + 64, :, o:o + CROP, o:o + CROP].reshape(-1, 1, CROP, CROP)
                                                 .astype(np.float32))).view(-1, p.shape[1]).numpy() for i in range(0, len(p), 64)])
    z = (v + weight * s).max(1).astype(np.float64)
    X, w = np.stack([z, np.ones_like(z)], 1), np.zeros(2)
    for _ in range(50):
        q = 1 / (1 + np.exp(-np.clip(X @ w, -30, 30)))
        w -= np.linalg.solve(X.T @ (X * (q * (1 - q))[:, None]) + 1e-3 * np.eye(2), X.T @ (q - y) + 1e-3 * w)
    return float(w[0]), float(w[1])


def augment(torch, rs, p):
    """CROP x CROP crops at one random offset, flips, quarter turns, exposure and sensor noise: [B, 1, CROP, CROP] 0..255."""
    oy, ox = rs.integers(0, PATCH - CROP + 1, 2)
    out = np.empty((len(p), CROP, CROP), np.float32)
    for n in range(len(p)):
        t = p[n, oy:oy + CROP, ox:ox + CROP].astype(np.float32)
        if rs.random() < 0.5:
            t = t[:, ::-1]
        t = np.rot90(t, rs.integers(4))
        t = (t - 128) * float(np.exp(rs.normal(0, 0.3))) + 128 + rs.normal(0, 15)
        if rs.random() < 0.5:
            t = t + rs.normal(0, rs.uniform(0, 6), t.shape)
        out[n] = t
    return torch.from_numpy(np.clip(out, 0, 255))[:, None]


def score_sets(torch, nn, F, first, second, sets, k, weight):
    """AUC of the first stage alone and of the cascade on each frame set."""
    import export_v3
    model = cascade(torch, nn, F, first, second, k, weight).eval()
    dev = next(second.parameters()).device
    res = {}
    with torch.no_grad():
        for d in sets:
            y = np.array([r["y"] for r in eval_v3.load_rows(d)])
            x = export_v3.set_tensors(d)
            z1, z2 = [], []
            for s in range(0, len(x), 4):
                t = torch.from_numpy(preprocess.normalise(np.asarray(x[s:s + 4], np.float32)))[:, None].to(dev)
                z1.append(first(t).amax(dim=(1, 2, 3)).cpu().numpy())
                z2.append(model(t).amax(dim=(1, 2, 3)).cpu().numpy())
            z1, z2 = np.concatenate(z1), np.concatenate(z2)
            res[os.path.basename(d)] = (eval_v3.auc(z1[y == 1], z1[y == 0]), eval_v3.auc(z2[y == 1], z2[y == 0]))
    return res


def initial(torch, nn, a):
    """--init's second stage (its k, width and weight taken over into `a`, its BatchNorm statistics kept), or None."""
    if not a.init:
        return None
    net, st, tag = load(torch, nn, a.init)
    ap = parser()
    for name in ("k", "width", "weight"):
        if getattr(a, name) not in (ap.get_default(name), st["args"][name]):
            raise SystemExit("--%s %g: the --init second stage has %g" % (name, getattr(a, name), st["args"][name]))
        setattr(a, name, st["args"][name])
    train_v3.freeze_batchnorm(torch, net)
    log("second stage from %s (%s): k %d, width %d, weight %g" % (" ".join(a.init), tag, a.k, a.width, a.weight))
    return net


def train(a):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    os.makedirs(a.run, exist_ok=True)
    init = initial(torch, nn, a)  # before mining: its k is the candidates' count
    first = first_stage(torch, nn, F, a.first, a.first_screen).to(memory_format=torch.channels_last)
    x, y, line = None, None, None
    if a.data:
        x, y = prepare(torch, F, a, first)
        pos, neg = np.flatnonzero(y == 1), np.flatnonzero(y == 0)
        log("patches: %d positives, %d negatives" % (len(pos), len(neg)))
        if not len(pos) or not len(neg):
            raise SystemExit("the stores gave %d positive and %d negative patches: both are needed" % (len(pos), len(neg)))
    if a.line:
        line = prepare_line(torch, F, a, first)
        lpos, lneg = np.flatnonzero(line[2] == 1), np.flatnonzero(line[2] == 0)
        if not len(lpos) or not len(lneg):
            raise SystemExit("--line gave %d defect and %d ok frames: both are needed" % (len(lpos), len(lneg)))
        if x is None:  # measured in the thirty-fourth session: test-8 0.684 against 0.776, test-6 0.637 against 0.696
            log("warning: --line without --data: the stores' generators are forgotten, so the package will be for this line "
                "only; name the stores with --data to keep them")
    torch.manual_seed(a.seed)  # right before a new network is made: its weights depend on the seed alone
    net = init if init is not None else make(nn, a.width)
    args = dict(vars(a), arch="stage2")
    if line is not None:
        args["line_calibration"] = ca, cb = line_calibration(torch, net.eval(), *line, a.weight)
        log("line frames: %d defects, %d ok; the init's frame logit calibrated as %.3f z %+.3f" % (len(lpos), len(lneg), ca, cb))
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    net = net.to(dev).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = train_v3.warm_cosine(torch, opt, a.steps, min(200, a.steps // 10))
    rs = np.random.default_rng([a.seed, 97])
    step, train_s = train_v3.resume_checkpoint(torch, a, net, opt, sched, rs, dev)
    first = first.to(dev)

    net.train()
    t0, run_l, run_n = time.time() - train_s, np.zeros(2), 0
    nb = a.batch if x is not None else 0
    while step < a.steps:
        batches = []
        if x is not None:
            idx = np.concatenate([rs.choice(pos, a.batch // 2), rs.choice(neg, a.batch // 2)])
            batches.append(augment(torch, rs, x[idx]))
        if line is not None:
            fi = np.concatenate([rs.choice(lpos, a.line_frames // 2), rs.choice(lneg, a.line_frames // 2)])
            batches.append(augment(torch, rs, line[0][fi].reshape(-1, PATCH, PATCH)))
        xb = torch.cat(batches).to(dev).contiguous(memory_format=torch.channels_last)
        with torch.autocast(dev.type, dtype=torch.bfloat16, enabled=a.bf16):
            z = net(xb).float()
        losses = torch.zeros(2, device=dev)
        if x is not None:
            losses[0] = F.binary_cross_entropy_with_logits(z[:nb], torch.from_numpy(y[idx]).to(dev))
        if line is not None:  # the frame logit as the cascade takes it: the best of the frame's candidates
            zf = (torch.from_numpy(line[1][fi]).to(dev) + a.weight * z[nb:].view(-1, a.k)).amax(1)
            losses[1] = F.binary_cross_entropy_with_logits(ca * zf + cb, torch.from_numpy(line[2][fi]).to(dev))
        loss = losses.sum()
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        train_s = time.time() - t0
        run_l, run_n = run_l + losses.detach().cpu().numpy(), run_n + 1
        if step % 100 == 0:
            log("step %d/%d %s lr %.2e (%.2fs/step)" % (step, a.steps, " ".join(
                "%s %.4f" % (name, l / run_n) for name, l, on in zip(("bce", "frame bce"), run_l, (x is not None, line is not None))
                if on), sched.get_last_lr()[0], train_s / step))
            run_l, run_n = np.zeros(2), 0
        if step % a.epoch_steps == 0 or step == a.steps:
            train_v3.save_checkpoint(torch, a, net, opt, sched, rs, step, train_s, args)
            if a.sets:
                net.eval()
                res = score_sets(torch, nn, F, first, net, a.sets, a.k, a.weight)
                net.train()
                log("step %d AUC first stage -> cascade: %s" % (step, ", ".join(
                    "%s %.3f -> %.3f" % (n, u, v) for n, (u, v) in sorted(res.items()))))
    log("training done: %d steps, %.0f s" % (step, train_s))


def load(torch, nn, paths):
    """The second stage of one checkpoint, or the weight mean of several (train_v3.load_checkpoints), eval mode, its state
    and its tag."""
    st, tag = train_v3.load_checkpoints(torch, paths, part="stage2")
    net = make(nn, st["args"]["width"])
    net.load_state_dict(st["net"])
    return net.eval(), st, tag


def of_package(torch, nn, F, package, first):
    """`first` (the package's gated crack network) followed by the package's second stage when it has one."""
    args = package_args(json.load(open(os.path.join(package, "manifest.json")))["training"].get("architecture", ""))
    if args is None:
        return first
    return cascade(torch, nn, F, first, load(torch, nn, [package])[0], args["k"], args["weight"]).eval()


def description(args):
    """The second stage in the manifest's architecture; package_args reads k, width and weight back from it."""
    return ("second stage over the top %d local maxima (5x5 cells) of the gated map: %dx%d patches, per-patch contrast, "
            "3x3 convolutions of width %d (three of stride 2), max and mean over space, a linear logit; frame logit = max of "
            "map logit + %g x patch logit" % (args["k"], CROP, CROP, args["width"], args["weight"]))


def package_args(described):
    """k, width and weight of the second stage a manifest's architecture describes (description), or None."""
    m = re.search(r"second stage over the top (\d+) .* of width (\d+) .* map logit \+ ([0-9.]+(?:e[+-]\d+)?) x patch logit", described)
    return {"k": int(m.group(1)), "width": int(m.group(2)), "weight": float(m.group(3))} if m else None


def command(args):
    """The train_stage2.py command line that reproduces a checkpoint's `args`."""
    return train_v3.command({k: v for k, v in args.items() if k != "arch"}, parser(), "train_stage2.py")


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True)
    ap.add_argument("--first", nargs="+", required=True, metavar="PACKAGE_OR_CKPT", help="the first stage: a v3 package folder "
                    "(its gated crack network), or train_v3.py checkpoints of the crack network (averaged; with --first-screen)")
    ap.add_argument("--first-screen", nargs="+", metavar="CKPT", help="train_screen.py checkpoints (averaged), or a v3 package "
                    "folder (its screen localiser), that gate --first's checkpoints")
    ap.add_argument("--data", nargs="+", default=[], metavar="STORE_RUN", help="train_v3.py runs whose finished pair stores "
                    "give the patches")
    ap.add_argument("--init", nargs="+", metavar="PACKAGE_OR_CKPT", help="continue this second stage: a v3 package's, or "
                    "train_stage2.py checkpoints (averaged); k, width and weight come from it")
    ap.add_argument("--line", nargs="+", default=[], metavar="DIR", help="folders of frames labelled per frame (labels.csv: "
                    "file,label with ok, defect or cracked), e.g. fleet-server's dataset export; needs --init")
    ap.add_argument("--line-frames", type=int, default=16, help="--line frames per step, half of them defects")
    ap.add_argument("--mine-pairs", type=int, default=500, help="pairs of each store whose candidates are mined; the rest give "
                    "random crack cells")
    ap.add_argument("--per-pair", type=int, default=3, help="random crack cells per pair after --mine-pairs")
    ap.add_argument("--k", type=int, default=6, help="candidates per frame")
    ap.add_argument("--width", type=int, default=32)
    ap.add_argument("--weight", type=float, default=1.0, help="of the patch logit, added to the map logit of its cell")
    ap.add_argument("--steps", type=int, default=8000)
    ap.add_argument("--epoch-steps", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=64, help="patches per step, half of them positives")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--bf16", action="store_true", help="the forward passes of mining and training in bfloat16 (autocast; "
                    "on CPUs with AVX-512 BF16 mining about 2x and a training step about 1.5x faster); weights, loss and the "
                    "optimiser stay float32")
    ap.add_argument("--sets", nargs="+", default=[], metavar="SET", help="frame sets (export_v3.py's RUN/sets/NAME): the first "
                    "stage's and the cascade's AUC on each at every --epoch-steps")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--resume", action="store_true")
    return ap


def main():
    ap = parser()
    a = ap.parse_args()
    package = len(a.first) == 1 and train_v3.is_package(a.first[0])
    # a package's screen localiser gates other crack checkpoints as its own checkpoints would (train_screen.load reads it)
    for path in ([] if package else a.first) + [p for p in a.first_screen or [] if not train_v3.is_package(p)]:
        if not os.path.isfile(path):
            ap.error("%s: neither a package folder (manifest.json and model.onnx) nor a checkpoint file" % path)
    if package and a.first_screen:
        ap.error("--first-screen: the package %s has its own screen localiser" % a.first[0])
    if not package and not a.first_screen:
        ap.error("--first names checkpoints: --first-screen must name the screen localiser's")
    if not a.data and not a.line:
        ap.error("--data or --line: the second stage needs pair stores, frames labelled per frame, or both")
    if a.line and not a.init:
        ap.error("--line fine-tunes a second stage: name it with --init (a package folder or checkpoints)")
    for path in a.init or []:
        if not (train_v3.is_package(path) or os.path.isfile(path)):
            ap.error("--init %s: neither a package folder (manifest.json and model.onnx) nor a checkpoint file" % path)
    for d in a.line:
        if not os.path.isfile(os.path.join(d, "labels.csv")):
            ap.error("--line %s: no labels.csv there (as fleet-server's dataset export writes it)" % d)
        try:
            read_line(d)
        except ValueError as e:
            ap.error(str(e))
    if a.line_frames < 2 or a.line_frames % 2:
        ap.error("--line-frames %d: an even number, 2 or more (half defects, half ok)" % a.line_frames)
    for run in a.data:
        if not os.path.exists(os.path.join(run, "data", "spec.json")):
            ap.error("--data %s: no pair store there (%s is missing)" % (run, os.path.join(run, "data", "spec.json")))
    for name in ("k", "width", "steps", "epoch_steps", "batch", "mine_pairs", "per_pair"):
        if getattr(a, name) < (2 if name == "batch" else 1):
            ap.error("--%s %d: too small" % (name.replace("_", "-"), getattr(a, name)))
    train(a)


if __name__ == "__main__":
    main()
