#!/usr/bin/env python3
"""Train crack-detector v3: a small fully convolutional network over the half-scale grey frame.

    python3 train_v3.py [--run /work/model-runs/v3] [--pairs 1200] [--steps 6000] [--resume]
                        [--data-only] [--seed 3] [--frame-pairs N --init CKPT] [--keep]
                        [--hard-share 0.25 --mine-every 550 --ignore-near] [--arch wide|s2d|s2dg] [--subset 40] [--varied] [--glyphs] [--curls] [--refract]
                        [--source evalgen3]
                        [--also-data OTHER_RUN ...] [--scale-jitter 0.4] [--invert 0.25]

Data: `generate.make_frame(seed, j, wide=True)` rendered as counterfactual twins (scene j without
and with a crack), JPEG-encoded at quality 30-95 with PIL, decoded and area-resized to 960x540
exactly as preprocess.py (and the agent) do, stored as uint8 in RUN/data (memory-mapped, resumable:
a pair is generated once and flagged done). The crack mask comes from the twins' difference before
JPEG (grey, area-resized, > 4 grey levels), max-pooled to the network's 8x8 output cells.
--varied renders the pairs with `make_frame(..., varied=True)` (generate.py --varied: evalgen-like
surfaces, screens, walk-style anti-aliased cracks and glass nuisances); its store records that. --glyphs adds thin-stroked
screen content over the screen (segment digits, key grids, chart grids, outlined icons: generate.glyph_screen); --curls
adds curled hairs and arc scratches on the glass of both twins (generate.curled_lines; with --source, over the
generator's screen quad: glass_curls); --refract draws most cracks as refraction, the content along them shifted
(generate.refracted_crack).
--source evalgen|evalgen3|evalgen5|...|evalgen8|evalgen10|evalgen11|evalgen12 draws the twins from a generator written apart from
generate.py instead (evalgen.py and evalgen3.py, written for evaluation; evalgen5.py to evalgen8.py, written from one
brief for training twins, evalgen10.py, evalgen11.py and evalgen12.py each from another; check_twins.py): each frame at its own size, JPEG quality and crack kinds, with its
phone's and screen's corners stored beside the pairs.
--also-data RUN adds another run's finished store (e.g. more pairs of another seed) after the run's own
pairs, so that a longer run grows its data without regenerating what exists (check_also_data.py).

Network (--arch v3, the default): stride-2 3x3 stem, five depthwise-separable blocks (strides 2, 1, 2,
1, 1; dilations 1, 1, 1, 2, 4), a 1x1 head: one crack logit per 8x8 input cell. --arch wide: plain 3x3
convolutions from a full-resolution first layer and a context branch at 1/16 (WideNet), 10x the
parameters at 3.3x the FLOPs. --arch s2d (the package since 2026-12-02, see S2dNet): a 4x4 stride-4 stem that
reaches every pixel without a full-resolution activation, 4.8x v3's parameters at 1.9x its FLOPs. --arch s2dg
(S2dGrownNet) adds two residual branches to s2d that start at zero, so that --init can continue an s2d package with more
capacity. The frame's logit is the maximum over space (see export_v3.py; the package since the seventh session gates the
map with train_screen.py's screen localiser first). Training uses --crop sized crops of both twins at the same place (half of
them centred on crack cells): per-cell binary cross-entropy against the mask, plus cross-entropy of
the crop's maximum against "the crop holds crack cells" (the frame decision the agent will see).
--hard-share places that share of the crops on the ok twin's highest-scoring cells, mined over whole
frames with the current network every --mine-every steps (the frame's maximum is where false rejects
come from); --ignore-near drops the dense loss of crack-free cells next to a crack. --scale-jitter and --invert are crop
augmentations (other scales; flipped grey levels); --bg-share pastes the phone onto random textures (see texture).
--frame-pairs N trains on whole frames instead (N twin pairs per step; see frame_losses), usually
after crops with --init, so that the maximum over all cells is what the loss sees.
--init takes checkpoints (several are averaged) or a package directory: models/crack-detector/v3 continues the committed
package, read back from its model.onnx with its folded BatchNorm layers frozen (package_checkpoint, freeze_batchnorm).

Checkpoints: RUN/last.pt every --ckpt-minutes and at the end of each epoch (--epoch-steps steps);
--resume continues from it (model, optimiser, schedule, step, random state). CUDA when available.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import argparse
import collections
import datetime
import functools
import importlib
import io
import json
import math
import multiprocessing as mp
import sys
import time

import numpy as np
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evalgen  # noqa: E402
import evalgen3  # noqa: E402
import generate  # noqa: E402
import preprocess  # noqa: E402
from train import resize_area_fast  # noqa: E402

W, H = 960, 540
# evalgen5.py to evalgen8.py and evalgen10.py to evalgen12.py were written apart for training twins: twins(seed, i) -> ok, cracked, quality, meta
TWIN_SOURCES = ("evalgen5", "evalgen6", "evalgen7", "evalgen8", "evalgen10", "evalgen11", "evalgen12")
SOURCES = ("generate", "evalgen", "evalgen3") + TWIN_SOURCES
CELL = 8
GW, GH = W // CELL, -(-H // CELL)  # 120 x 68 output cells (the last row covers 4 input rows)
T0 = time.time()


def log(msg):
    print("[%s +%6.0fs] %s" % (datetime.datetime.now().strftime("%H:%M:%S"), time.time() - T0, msg), flush=True)


def luma(rgb):
    """ITU-R 601 luma as PIL's convert('L') computes it, float64."""
    r = rgb.astype(np.int64)
    return ((r[..., 0] * 19595 + r[..., 1] * 38470 + r[..., 2] * 7471 + 32768) >> 16).astype(np.float64)


def jpeg_bytes(img, quality):
    """RGB frame -> its JPEG file's bytes at `quality`, as the line camera would send it."""
    buf = io.BytesIO()
    Image.fromarray(img, "RGB").save(buf, format="JPEG", quality=quality)
    return buf.getvalue()


def preprocess_jpeg(data):
    """JPEG file bytes -> what the model sees: decoded and resized like preprocess.py (0..255)."""
    return resize_area_fast(preprocess.decode_gray(io.BytesIO(data), W, H), W, H)


def encode_and_preprocess(img, quality):
    """RGB frame -> what the model sees: JPEG at `quality`, then preprocess_jpeg."""
    return preprocess_jpeg(jpeg_bytes(img, quality))


def cell_mask(diff):
    """Pixel mask (H x W bool) -> output-cell mask (GH x GW uint8): a cell is positive if any pixel is."""
    m = np.zeros((GH * CELL, GW * CELL), bool)
    m[:H, :W] = diff
    return m.reshape(GH, CELL, GW, CELL).any(axis=(1, 3)).astype(np.uint8)


def source_twins(source, seed, j):
    """Twin j of another generator than generate.py: (ok RGB, cracked RGB, JPEG quality, kind index, crack width, lit,
    (phone corners, screen corners) in frame pixels). Each generator's own JPEG quality for its frame."""
    if source in TWIN_SOURCES:
        gen = importlib.import_module(source)
        ok, cr, q, meta = gen.twins(seed, j)
        quads = meta["phone"], meta["screen_quad"]
        return ok, cr, q, gen.KINDS.index(meta["kind"]), meta["crack_width"], meta["screen"] == "lit", quads
    if source == "evalgen":
        (ok, cr), meta, quads = evalgen.make_eval_frame(seed, j, twins=True)
        q = int(np.random.default_rng([seed, j, 102]).integers(40, 96))
        return ok, cr, q, evalgen.KINDS.index(meta["kind"]), meta["crack_width"], meta["screen"] == "lit", quads
    (ok, q, _, quads), (cr, _, row, _) = evalgen3.scenes(seed, j, (False, True))
    return ok, cr, q, evalgen3.KINDS.index(row[1]), row[2], row[3] == "lit", quads


def glass_curls(twins, screen, seed, j):
    """--curls for another generator's twins: generate.curled_lines drawn alike over the screen quad (frame pixels) of
    both, from the stream [seed, j, 19] as make_frame draws them, clipped to the glass."""
    h, w = twins[0].shape[:2]
    quad = np.asarray(screen, np.float64)
    x0, y0 = np.floor(np.clip(quad.min(0), 0, [w - 1, h - 1])).astype(int)
    x1, y1 = np.ceil(np.clip(quad.max(0), [x0 + 1, y0 + 1], [w, h])).astype(int)
    dark, light = generate.curled_lines(np.random.default_rng([int(seed), int(j), 19]), x1 - x0, y1 - y0,
                                        (0, 0, x1 - x0, y1 - y0), h / 1080.0)
    glass = Image.new("L", (x1 - x0, y1 - y0), 0)
    ImageDraw.Draw(glass).polygon([(x - x0, y - y0) for x, y in quad], fill=255)
    glass = np.asarray(glass, np.float32) / 255.0
    out = []
    for t in twins:
        t = t.copy()
        img = generate.lay_curls(t[y0:y1, x0:x1].astype(np.float32), dark * glass, light * glass)
        t[y0:y1, x0:x1] = np.clip(np.rint(img), 0, 255).astype(np.uint8)
        out.append(t)
    return out


# A pair of a store to draw (pair_job's argument), by name: a new mode cannot move the others' places.
PairJob = collections.namedtuple("PairJob", "seed j varied glyphs curls source refract",
                                 defaults=(False, False, False, "generate", False))


def pair_job(job):
    seed, j, varied, glyphs, curls, source, refract = job
    quads = None
    if source == "generate":
        modes = dict(wide=True, varied=varied, glyphs=glyphs, curls=curls, refract=refract)
        ok, _, _ = generate.make_frame(seed, j, force_label="ok", **modes)
        cr, _, meta = generate.make_frame(seed, j, force_label="cracked", **modes)
        q = int(np.random.default_rng([seed, j, 2]).integers(30, 96))
        kind, width, lit = generate.KINDS.index(meta["kind"]), meta["crack_width"], meta["screen"] == "lit"
    else:
        ok, cr, q, kind, width, lit, quads = source_twins(source, seed, j)
        if curls:
            ok, cr = glass_curls((ok, cr), quads[1], seed, j)
    x_ok = encode_and_preprocess(ok, q)
    x_cr = encode_and_preprocess(cr, q)
    h0, w0 = ok.shape[:2]
    if quads is not None:
        quads = np.array(quads, np.float32) * np.array([W / w0, H / h0], np.float32)
    d = np.abs(resize_area_fast(luma(cr), W, H) - resize_area_fast(luma(ok), W, H)) > 4.0
    info = (kind, int(width), 1 if lit else 0, w0, h0)
    return j, np.rint(x_ok).astype(np.uint8), np.rint(x_cr).astype(np.uint8), cell_mask(d), info, quads


class PairStore:
    """RUN/data: x [P, 2, H, W] uint8 (ok, cracked twin), mask [P, GH, GW] uint8, info [P, 5] int32, done [P]."""

    def __init__(self, root, pairs, seed, varied=False, glyphs=False, source="generate", curls=False, refract=False):
        self.root = os.path.join(root, "data")
        os.makedirs(self.root, exist_ok=True)
        spec = {"pairs": pairs, "seed": seed, "size": [W, H], "cell": CELL}
        varied = (varied or glyphs or curls or refract) and source == "generate"  # generate.py's modes all draw its --varied scenes
        if varied:  # only when set, so that older stores still match
            spec["varied"] = True
        if glyphs:
            spec["glyphs"] = True
        if curls:
            spec["curls"] = True
        if refract:
            spec["refract"] = True
        if source != "generate":
            spec["source"] = source
        spec_path = os.path.join(self.root, "spec.json")
        if os.path.exists(spec_path):
            old = json.load(open(spec_path))
            if old != spec:
                raise SystemExit("%s holds data for %s, not %s: use another --run" % (self.root, old, spec))
        else:
            json.dump(spec, open(spec_path, "w"))
        mode = "r+" if os.path.exists(os.path.join(self.root, "x.u8")) else "w+"
        self.x = np.memmap(os.path.join(self.root, "x.u8"), np.uint8, mode, shape=(pairs, 2, H, W))
        self.mask = np.memmap(os.path.join(self.root, "mask.u8"), np.uint8, mode, shape=(pairs, GH, GW))
        self.info = np.memmap(os.path.join(self.root, "info.i32"), np.int32, mode, shape=(pairs, 5))
        self.done_path = os.path.join(self.root, "done.npy")
        self.done = np.load(self.done_path) if os.path.exists(self.done_path) else np.zeros(pairs, bool)
        self.pairs, self.seed, self.varied, self.glyphs, self.curls, self.source = pairs, seed, varied, glyphs, curls, source
        self.refract = refract

    def _flush(self):
        self.x.flush()
        self.mask.flush()
        self.info.flush()
        np.save(self.done_path + ".tmp.npy", self.done)
        os.replace(self.done_path + ".tmp.npy", self.done_path)

    def fill(self, workers):
        todo = [PairJob(self.seed, j, varied=self.varied, glyphs=self.glyphs, curls=self.curls, source=self.source, refract=self.refract)
                for j in range(self.pairs) if not self.done[j]]
        if not todo:
            log("data: %d pairs cached in %s" % (self.pairs, self.root))
            return
        log("data: generating %d of %d pairs (%s, seed %d, %d processes)" % (len(todo), self.pairs, self.source, self.seed, workers))
        # the other generators' corners come with their twins; generate.py's are drawn apart (Quads.fill)
        quads = Quads(self) if self.source != "generate" else None
        t = time.time()
        with mp.get_context("fork").Pool(workers) as pool:
            for n, (j, a, b, m, info, q) in enumerate(pool.imap_unordered(pair_job, todo, chunksize=2)):
                self.x[j, 0], self.x[j, 1], self.mask[j], self.info[j] = a, b, m, info
                self.done[j] = True
                if quads is not None:
                    quads.q[j], quads.done[j] = q, True
                if (n + 1) % 50 == 0 or n + 1 == len(todo):
                    if quads is not None:  # before the pairs' done flags, so a done pair always has its corners
                        quads._flush()
                    self._flush()
                    log("  %d/%d pairs (%.2f s/pair wall)" % (n + 1, len(todo), (time.time() - t) / (n + 1)))


    @staticmethod
    def of_spec(run, spec):
        """The store of `run` that its spec.json describes."""
        return PairStore(run, spec["pairs"], spec["seed"], spec.get("varied", False), spec.get("glyphs", False),
                         spec.get("source", "generate"), spec.get("curls", False), spec.get("refract", False))

    @staticmethod
    def open_complete(run, flag="--also-data"):
        """Another run's finished store, as its spec.json describes it; `flag` (the option that named the run) begins the
        one-line refusal of a missing or unfinished store."""
        spec_path = os.path.join(run, "data", "spec.json")
        if not os.path.exists(spec_path):
            raise SystemExit("%s %s: no pair store there (%s is missing)" % (flag, run, spec_path))
        spec = json.load(open(spec_path))
        store = PairStore.of_spec(run, spec)
        if not store.done.all():
            raise SystemExit("%s %s: only %d of %d pairs are generated; finish it with train_v3.py --data-only first" % (
                flag, run, store.done.sum(), store.pairs))
        return store


class StackedRows:
    """Several arrays of the same row shape read as one: row r of the whole is row r - start of its part."""

    def __init__(self, parts, starts):
        self.parts, self.starts = parts, starts

    def __getitem__(self, key):
        rows, rest = (key[0], key[1:]) if isinstance(key, tuple) else (key, ())
        if np.ndim(rows) == 0:
            k = int(np.searchsorted(self.starts, rows, side="right")) - 1
            return self.parts[k][(int(rows) - self.starts[k],) + rest]
        return np.stack([np.asarray(self[(int(r),) + rest]) for r in rows])


class StoreUnion:
    """The run's own pairs followed by those of --also-data stores, indexed like one PairStore (x, mask, info, pairs)."""

    def __init__(self, stores):
        self.stores = stores
        self.starts = np.cumsum([0] + [s.pairs for s in stores])[:-1]
        self.pairs = int(sum(s.pairs for s in stores))
        self.x, self.mask, self.info = (StackedRows([getattr(s, f) for s in stores], self.starts) for f in ("x", "mask", "info"))

    def done(self):
        """Which pairs are generated now (the run's own store may still be filling, see --train-while-generating)."""
        return np.concatenate([np.load(s.done_path) if os.path.exists(s.done_path) else s.done for s in self.stores])


# ----------------------------------------------------------------------------- phone outlines and other surfaces
def quads_job(args):
    seed, j, varied = args
    (w0, h0), phone, screen = generate.scene_quads(seed, j, wide=True, varied=varied)
    return j, np.array([phone, screen], np.float32) * np.array([W / w0, H / h0], np.float32)


class Quads:
    """RUN/data/quads.f32 [P, 2, 4, 2]: the phone's and the screen's corners in the 960x540 frame, and which are done."""

    def __init__(self, store):
        self.store = store
        path = os.path.join(store.root, "quads.f32")
        self.q = np.memmap(path, np.float32, "r+" if os.path.exists(path) else "w+", shape=(store.pairs, 2, 4, 2))
        self.done_path = os.path.join(store.root, "quads-done.npy")
        self.done = np.load(self.done_path) if os.path.exists(self.done_path) else np.zeros(store.pairs, bool)

    def _flush(self):
        self.q.flush()
        np.save(self.done_path + ".tmp.npy", self.done)
        os.replace(self.done_path + ".tmp.npy", self.done_path)

    def fill(self, workers):
        todo = [(self.store.seed, j, self.store.varied) for j in range(self.store.pairs) if not self.done[j]]
        if not todo:
            return self
        if self.store.source != "generate":
            raise SystemExit("%s: %d pairs lack their corners; generate the store again" % (self.store.root, len(todo)))
        log("quads: %d of %d pairs in %s" % (len(todo), self.store.pairs, self.store.root))
        with mp.get_context("fork").Pool(workers) as pool:
            for n, (j, q) in enumerate(pool.imap_unordered(quads_job, todo, chunksize=8)):
                self.q[j], self.done[j] = q, True
                if (n + 1) % 200 == 0 or n + 1 == len(todo):
                    self._flush()
                    log("  %d/%d" % (n + 1, len(todo)))
        return self


def polygon_mask(quad, ss=1):
    """Which pixels of a (GH * CELL * ss) x (W * ss) raster a quad in 960x540 frame coordinates covers (0 or 1, float32),
    as PIL fills polygons: the pixels on its outline too, so a cover is at most one raster pixel wider along each edge."""
    img = Image.new("L", (W * ss, GH * CELL * ss), 0)
    ImageDraw.Draw(img).polygon([(float(x) * ss, float(y) * ss) for x, y in quad], fill=1)
    return np.asarray(img, np.float32)


def texture(rs, h=H, w=W):
    """A random h x w surface (float32 0..255) of a kind the generator never draws under a phone."""
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    kind = rs.integers(0, 5)
    if kind == 0:  # one to three gratings
        t = np.zeros((h, w), np.float32)
        for _ in range(int(rs.integers(1, 4))):
            a, p = rs.uniform(0, math.pi), rs.uniform(3, 60)
            t += np.sin((xx * math.cos(a) + yy * math.sin(a)) * 2 * math.pi / p + rs.uniform(0, 6.3))
        t /= np.abs(t).max() + 1e-6
    elif kind == 1:  # a lattice of dots or holes, square or staggered, at any angle
        a, p = rs.uniform(0, math.pi), rs.uniform(4, 40)
        u, v = (xx * math.cos(a) + yy * math.sin(a)) / p, (-xx * math.sin(a) + yy * math.cos(a)) / p
        if rs.random() < 0.5:
            u = u + 0.5 * (np.floor(v) % 2)
        d = np.hypot(u - np.round(u), v - np.round(v))
        t = np.where(d < rs.uniform(0.15, 0.42), 1.0, -1.0).astype(np.float32) * (1 if rs.random() < 0.5 else -1)
    elif kind == 2:  # a grid of thin lines (tiles, a cutting mat, a wire mesh)
        a, p, lw = rs.uniform(0, math.pi), rs.uniform(8, 120), rs.uniform(0.5, 4)
        u, v = xx * math.cos(a) + yy * math.sin(a), -xx * math.sin(a) + yy * math.cos(a)
        line = (np.abs((u + p / 2) % p - p / 2) < lw) | (np.abs((v + p / 2) % p - p / 2) < lw)
        t = np.where(line, 1.0, -1.0).astype(np.float32) * (1 if rs.random() < 0.5 else -1)
    elif kind == 3:  # blotches and grain at a random scale
        g = rs.standard_normal((max(2, int(h / rs.uniform(4, 120))), max(2, int(w / rs.uniform(4, 120))))).astype(np.float32)
        t = np.asarray(Image.fromarray(g).resize((w, h), Image.BICUBIC), np.float32)
        t = t / (np.abs(t).max() + 1e-6) + 0.3 * rs.standard_normal((h, w)).astype(np.float32)
    else:  # printed marks: random strokes, boxes and glyph-like ticks on a plain sheet
        img = Image.new("L", (w, h), 0)
        d = ImageDraw.Draw(img)
        for _ in range(max(3, int(rs.integers(20, 200) * h * w / (H * W)))):  # as dense on a crop as on a frame
            x, y, s = rs.uniform(0, w), rs.uniform(0, h), rs.uniform(3, 40)
            if rs.random() < 0.5:
                d.line([(x, y), (x + rs.uniform(-s, s), y + rs.uniform(-s, s))], fill=255, width=int(rs.integers(1, 4)))
            else:
                d.rectangle([x, y, x + s, y + s * rs.uniform(0.3, 1.5)], outline=255, width=int(rs.integers(1, 3)))
        t = np.asarray(img, np.float32) / 127.5 - 1.0
    mean, amp = rs.uniform(20, 235), rs.uniform(5, 70)
    noise = rs.uniform(0, 6) * rs.standard_normal((h, w), dtype=np.float32)  # the frame's sensor noise is under the phone only
    return np.clip(mean + amp * t * (1 - 0.5 * rs.random() * yy / h) + noise, 0, 255)


# ----------------------------------------------------------------------------- model
ARCHS = ("v3", "wide", "s2d", "s2dg", "s2dn", "s2db", "s2db3")


def separable(nn, cin, cout, stride=1, dil=1):
    """A depthwise-separable block: 3x3 depthwise + BN + ReLU, then 1x1 pointwise + BN + ReLU (v3 and s2d)."""
    return [nn.Conv2d(cin, cin, 3, stride, dil, dilation=dil, groups=cin, bias=False), nn.BatchNorm2d(cin), nn.ReLU(inplace=True),
            nn.Conv2d(cin, cout, 1, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]


def is_package(path):
    """Whether `path` is a package directory (manifest.json + model.onnx) rather than a checkpoint file."""
    return os.path.isfile(os.path.join(path, "model.onnx")) and os.path.isfile(os.path.join(path, "manifest.json"))


def package_checkpoint(torch, path, part="crack"):
    """A package's network as a checkpoint: its crack network, or with part="screen" its screen localiser, with
    part="stage2" its second stage (train_stage2.py), read back from model.onnx (onnx_weights.unfold), so that a run can
    start from a committed package when the run that made it is gone.
    Its BatchNorm layers are folded ("unfolded": True): train() freezes them (freeze_batchnorm)."""
    import torch.nn as nn
    import torch.nn.functional as F
    import onnx_weights
    import train_screen
    import train_stage2
    training = json.load(open(os.path.join(path, "manifest.json")))["training"]
    described = training.get("architecture", "")
    arch = next((k for k in ARCHS if described.startswith(build_net(nn, k)[1])), None)
    if arch is None:
        raise SystemExit("%s: its manifest names no network train_v3.py builds" % path)
    crack = build_net(nn, arch)[0]
    screen = train_screen.ScreenNet.make(nn, F) if "screen gate" in described else None
    stage2 = train_stage2.package_args(described)
    parts = {"crack": crack, "screen": screen, "stage2": stage2 and train_stage2.make(nn, stage2["width"])}
    if parts[part] is None:
        raise SystemExit("%s has no %s" % (path, {"screen": "screen localiser", "stage2": "second stage"}[part]))
    holder = nn.Module()
    holder.net = train_screen.gated(nn, F, crack, screen) if screen is not None else crack
    if stage2:
        holder.net = train_stage2.cascade(torch, nn, F, holder.net, parts["stage2"], stage2["k"], stage2["weight"])
    onnx_weights.unfold(torch, holder, os.path.join(path, "model.onnx"))
    return {"net": parts[part].state_dict(), "step": training.get("steps", 0), "unfolded": True,
            "args": dict({"arch": "stage2" if part == "stage2" else arch, "package": path, "command": training.get("command", "")},
                         **(stage2 or {})), "trainSeconds": training.get("trainSeconds", 0)}


def freeze_batchnorm(torch, net, skip=()):
    """Keeps every BatchNorm of net in eval mode, whatever net.train() says: a package's folded BatchNorm layers
    (package_checkpoint) hold statistics 0 and 1, which training mode's batch statistics would replace. Statistics
    re-estimated on training crops rank the calibration frames worse than the package's own (see HISTORY.md).
    Those under the child modules named in `skip` (branches a grown network adds: grown_branches) keep training."""

    class Frozen(torch.nn.BatchNorm2d):
        def train(self, mode=True):
            return super().train(False)

    for name, m in net.named_modules():
        if isinstance(m, torch.nn.BatchNorm2d) and name.split(".")[0] not in skip:
            m.__class__ = Frozen
            m.eval()


def load_checkpoints(torch, paths, part="crack"):
    """The checkpoint at paths[0], or the weight-by-weight mean of several (BatchNorm statistics included): neighbouring
    checkpoints of one run average to a network steadier than any one of them. Returns the last one's state with that
    network, and a tag naming the steps ("step2000", or "avg1500-3000x7" for seven averaged). A package directory stands
    for its network (package_checkpoint; `part` says which)."""
    sts = [package_checkpoint(torch, p, part) if is_package(p) else torch.load(p, map_location="cpu") for p in paths]
    if len(sts) > 1 and any(s.get("unfolded") for s in sts):
        raise SystemExit("a package's network cannot be averaged with other checkpoints: its BatchNorm layers are folded")
    archs = {s["args"].get("arch", "v3") for s in sts}
    if len(archs) > 1:
        raise SystemExit("checkpoints of different networks (%s) cannot be averaged" % ", ".join(sorted(archs)))
    st, steps = dict(sts[-1]), [s["step"] for s in sts]
    if len(sts) == 1:
        return st, "package-" + os.path.basename(os.path.normpath(paths[0])) if st.get("unfolded") else "step%d" % steps[0]
    st["net"] = {k: sum(s["net"][k] for s in sts) / len(sts) if v.dtype.is_floating_point else v for k, v in st["net"].items()}
    return st, "avg%d-%dx%d" % (min(steps), max(steps), len(steps))


def build_net(nn, arch="v3"):
    """Input [N, 1, H, W] -> crack logits [N, 1, ceil(H/8), W/8]; `arch` one of ARCHS (the committed package is "s2d")."""
    if arch == "wide":
        return WideNet.make(nn), WideNet.DESCRIPTION
    if arch == "s2d":
        return S2dNet.make(nn), S2dNet.DESCRIPTION
    if arch == "s2dg":
        return S2dGrownNet.make(nn), S2dGrownNet.DESCRIPTION
    if arch == "s2dn":
        return S2dNormNet.make(nn), S2dNormNet.DESCRIPTION
    if arch in S2dBlockNormNet.BLOCKS:
        k = S2dBlockNormNet.BLOCKS[arch]
        return S2dBlockNormNet.make(nn, k), S2dBlockNormNet.description(k)
    if arch != "v3":
        raise SystemExit("unknown --arch %r (known: %s)" % (arch, ", ".join(ARCHS)))

    ds = functools.partial(separable, nn)
    layers = [nn.Conv2d(1, 16, 3, 2, 1, bias=False), nn.BatchNorm2d(16), nn.ReLU(inplace=True)]
    layers += ds(16, 32, 2) + ds(32, 32) + ds(32, 64, 2) + ds(64, 64, 1, 2) + ds(64, 64, 1, 4)
    layers += [nn.Conv2d(64, 1, 1)]
    arch = ("conv3x3/2 1->16, depthwise-separable blocks 16->32/2, 32->32, 32->64/2, 64->64 (dil 2), "
            "64->64 (dil 4), 1x1 head: a crack logit per 8x8 cell; frame logit = spatial max")
    return nn.Sequential(*layers), arch


class WideNet:
    """--arch wide: plain 3x3 convolutions from the full-resolution pixel up, and a context branch at 1/16.

    A 1 px crack at 1080p is half a pixel at 960x540: the first convolution and its non-linearity run at every
    input pixel (stride 1; v3's stem strides 2). The local branch (RF 17 px) ends at the 8x8
    cells; the context branch (1/16, dilation 2, RF 97 px) tells a crack from the scratch, glyph or bezel edge
    that both twins carry. The two meet in a 1x1 layer per cell; the context's 1x1 runs at 1/16 before a
    nearest 2x upsampling (the same as upsampling first, at a quarter of the cost).
    """
    DESCRIPTION = ("plain conv3x3+BN+ReLU 1->8 (stride 1, full resolution), 8->12/2, 12->24/2, 24->48/2 (local, 8x8 cells); "
                   "context 48->96/2, 96->96 (dil 2) at 1/16; 1x1 local 48->32 + upsampled 1x1 context 96->32, ReLU, "
                   "1x1 head: a crack logit per 8x8 cell; frame logit = spatial max")

    @staticmethod
    def make(nn):
        def cbr(cin, cout, stride=1, dil=1):
            return [nn.Conv2d(cin, cout, 3, stride, dil, dilation=dil, bias=False), nn.BatchNorm2d(cout), nn.ReLU(inplace=True)]

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.local = nn.Sequential(*(cbr(1, 8) + cbr(8, 12, 2) + cbr(12, 24, 2) + cbr(24, 48, 2)))
                self.context = nn.Sequential(*(cbr(48, 96, 2) + cbr(96, 96, 1, 2)))
                self.mix_local = nn.Conv2d(48, 32, 1)
                self.mix_context = nn.Sequential(nn.Conv2d(96, 32, 1, bias=False), nn.Upsample(scale_factor=2, mode="nearest"))
                self.head = nn.Sequential(nn.ReLU(inplace=True), nn.Conv2d(32, 1, 1))

            def forward(self, x):
                f = self.local(x)
                c = self.mix_context(self.context(f))
                return self.head(self.mix_local(f) + c[:, :, :f.shape[2], :f.shape[3]])

        return Net()


class S2dNet:
    """--arch s2d: every input pixel reaches a learned layer, with no full-resolution activation.

    The stem is a 4x4 stride-4 convolution (a space-to-depth of each 4x4 block followed by a 1x1 layer, 16 -> 32
    channels), so a 1 px crack is never skipped by a stride and the largest activation is 32 channels at 1/4
    (WideNet's 8 channels at full resolution made it 12x slower than v3 in the agent). Depthwise-separable blocks
    at 1/4 and 1/8 (dilations 2 and 4), and a context branch at 1/16 added back per 8x8 cell, as in WideNet.
    """
    DESCRIPTION = ("conv4x4/4 1->32 (space-to-depth stem), depthwise-separable 32->32, 32->64/2, 64->64, 64->96 (dil 2), "
                   "96->96 (dil 4) at 1/8; context 96->128/2, 128->128 (dil 2) at 1/16, 1x1 128->96 upsampled and added; "
                   "1x1 head: a crack logit per 8x8 cell; frame logit = spatial max")

    @staticmethod
    def make(nn):
        return S2dNet.module_class(nn)()

    @staticmethod
    def module_class(nn):
        """The network's class (S2dNormNet extends it)."""
        ds = functools.partial(separable, nn)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.local = nn.Sequential(nn.Conv2d(1, 32, 4, 4, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
                                           *(ds(32, 32) + ds(32, 64, 2) + ds(64, 64) + ds(64, 96, 1, 2) + ds(96, 96, 1, 4)))
                self.context = nn.Sequential(*(ds(96, 128, 2) + ds(128, 128, 1, 2)),
                                             nn.Conv2d(128, 96, 1, bias=False), nn.Upsample(scale_factor=2, mode="nearest"))
                self.head = nn.Sequential(nn.ReLU(inplace=True), nn.Conv2d(96, 1, 1))

            def forward(self, x):
                return self.decide(self.local(x))

            def decide(self, f):
                """Crack logits from the local features at 1/8 (S2dBlockNormNet computes those its own way)."""
                return self.head(f + self.context(f)[:, :, :f.shape[2], :f.shape[3]])

        return Net


class S2dGrownNet:
    """--arch s2dg: S2dNet grown in place, so that a run can continue an s2d package with more capacity (the network
    underfits its own training pairs, see HISTORY.md) without starting again on two cores.

    It holds S2dNet's layers under their names, and two residual branches added at 1/8 before the context branch: a
    second space-to-depth stem (32 more channels of 4x4 pixel blocks, down to 64 at 1/8) and two more separable blocks
    over the local features. Each branch ends in a 1x1 convolution that starts at zero, so the grown network first
    computes exactly what the s2d network it starts from does (GROWN_FROM; grown_branches, load_grown). Modules are declared in the
    order forward() runs them: onnx_weights.unfold matches the export's folded convolutions in that order.
    """
    DESCRIPTION = ("s2d grown: conv4x4/4 1->32 (space-to-depth stem), depthwise-separable 32->32, 32->64/2, 64->64, "
                   "64->96 (dil 2), 96->96 (dil 4) at 1/8; plus a residual second stem conv4x4/4 1->32, 32->32, 32->64/2, "
                   "1x1 64->96, and residual blocks 96->96, 96->96 (dil 2), 1x1 96->96; context 96->128/2, 128->128 (dil 2) "
                   "at 1/16, 1x1 128->96 upsampled and added; 1x1 head: a crack logit per 8x8 cell; frame logit = spatial max")
    GROWN_FROM = "s2d"
    BRANCHES = ("fine", "deep")

    @staticmethod
    def make(nn):
        ds = functools.partial(separable, nn)
        base = S2dNet.make(nn)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.local = base.local
                self.fine = nn.Sequential(nn.Conv2d(1, 32, 4, 4, bias=False), nn.BatchNorm2d(32), nn.ReLU(inplace=True),
                                          *(ds(32, 32) + ds(32, 64, 2)), nn.Conv2d(64, 96, 1, bias=False))
                self.deep = nn.Sequential(*(ds(96, 96) + ds(96, 96, 1, 2)), nn.Conv2d(96, 96, 1, bias=False))
                self.context = base.context
                self.head = base.head
                for branch in (self.fine, self.deep):
                    nn.init.zeros_(branch[-1].weight)

            def forward(self, x):
                f = self.local(x)
                f = f + self.fine(x)[:, :, :f.shape[2], :f.shape[3]]
                f = f + self.deep(f)
                return self.head(f + self.context(f)[:, :, :f.shape[2], :f.shape[3]])

        return Net()


class S2dNormNet:
    """--arch s2dn: S2dNet over the frame's local contrast instead of its grey levels.

    Each generator, camera and light draws cracks at its own contrast against the screen under them (HISTORY.md, thirteenth session:
    10 to 30 grey levels at 1 px), and a network over raw grey levels ranks a clear crack on one style below
    a faint scratch on another. Dividing each pixel's offset from its local mean by the local standard deviation (a
    WINDOW x WINDOW box, floored at EPS grey levels so that a flat screen's sensor noise is not blown up) puts the
    styles on one scale before any learned layer. Separable AveragePool and element-wise ops in the ONNX graph.
    """
    WINDOW = 17
    EPS = 5.0 / (255 * 0.25)  # 5 grey levels in the input's units ((pixel/255 - 0.5) / 0.25)
    DESCRIPTION = ("local contrast (x - mean) / sqrt(var + 5 grey levels^2) over 17x17 boxes, then " + S2dNet.DESCRIPTION)

    @staticmethod
    def make(nn):
        k, eps = S2dNormNet.WINDOW, S2dNormNet.EPS

        class Net(S2dNet.module_class(nn)):  # S2dNet's layers under their names, so its checkpoints' keys fit
            def __init__(self):
                super().__init__()
                self.rows = nn.AvgPool2d((1, k), 1, (0, k // 2), count_include_pad=False)
                self.cols = nn.AvgPool2d((k, 1), 1, (k // 2, 0), count_include_pad=False)

            def box(self, x):
                return self.cols(self.rows(x))

            def forward(self, x):
                d = x - self.box(x)
                return super().forward(d / (self.box(d * d) + eps * eps).sqrt())

        return Net()


class S2dBlockNormNet:
    """--arch s2db: S2dNormNet's local contrast taken per 4x4 block, so that it costs next to nothing in ONNX Runtime.

    S2dNormNet's four 17-tap poolings over the 960x540 frame take about a quarter of ONNX Runtime's time (HISTORY.md, thirteenth session). Here the mean and the
    deviation are those of the k x k blocks of 4x4 pixels around each block (k = 5 for s2db: 20x20 pixels; 3 for s2db3: 12x12), constant
    over the block. The stem is a 4x4 stride-4 convolution, so stem((x - m) / s) = (stem(x) - m * sum(stem weights)) / s: the contrast is
    applied at 1/4 resolution, and nothing but the stem touches every pixel. Its layers are S2dNet's under their names, so it
    can start from an s2dn checkpoint (the local contrast it approximates), an s2d one, or one of the other block size.
    """
    BLOCKS = {"s2db": 5, "s2db3": 3}
    STARTS_FROM = ("s2dn", "s2d", "s2db", "s2db3")

    @staticmethod
    def description(k):
        return ("block local contrast (x - mean) / sqrt(var + 5 grey levels^2), mean and variance over the %dx%d blocks of 4x4 "
                "pixels around each block, applied after the stem's convolution; then " % (k, k) + S2dNet.DESCRIPTION)

    @staticmethod
    def make(nn, k):
        eps = S2dNormNet.EPS

        class Net(S2dNet.module_class(nn)):  # S2dNet's layers under their names, so s2dn and s2d checkpoints fit
            def __init__(self):
                super().__init__()
                self.block = nn.AvgPool2d(4, 4)
                self.box = nn.AvgPool2d(k, 1, k // 2, count_include_pad=False)

            def forward(self, x):
                stem = self.local[0]
                mean = self.box(self.block(x))
                var = (self.box(self.block(x * x)) - mean * mean).clamp(min=0)
                c = (stem(x) - mean * stem.weight.sum(dim=(1, 2, 3)).view(1, -1, 1, 1)) / (var + eps * eps).sqrt()
                return self.decide(self.local[1:](c))

        return Net()


def grown_branches(arch, from_arch):
    """The module names of the branches that a network of `arch` adds to a checkpoint's network of `from_arch`: none when
    they are the same or hold the same layers (S2dBlockNormNet.STARTS_FROM); S2dGrownNet's when it grows from
    S2dGrownNet.GROWN_FROM. Any other pair is refused."""
    if from_arch == arch or arch in S2dBlockNormNet.BLOCKS and from_arch in S2dBlockNormNet.STARTS_FROM:
        return ()
    if arch != "s2dg" or from_arch != S2dGrownNet.GROWN_FROM:
        raise SystemExit("--arch %s cannot start from a network of --arch %s" % (arch, from_arch))
    return S2dGrownNet.BRANCHES


def load_grown(net, state, branches):
    """Loads a checkpoint's network into net; with `branches` (grown_branches) it fills the inherited layers only, and the
    new branches keep their zero start."""
    missing, unexpected = net.load_state_dict(state, strict=not branches)
    if unexpected or any(k.split(".")[0] not in branches for k in missing):
        raise SystemExit("the checkpoint does not fit the network it should grow into")


def count_mflops(torch, net, w, h):
    """2 x multiply-accumulates of the convolutions per image (a cascade's second stage runs on a batch of patches)."""
    macs = [0]

    def hook(m, i, o):
        macs[0] += o.shape[0] * o.shape[2] * o.shape[3] * m.out_channels * m.in_channels * m.kernel_size[0] * m.kernel_size[1] // m.groups
    hs = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, torch.nn.Conv2d)]
    net.eval()
    with torch.no_grad():
        net(torch.zeros(1, 1, h, w))
    for x in hs:
        x.remove()
    return 2 * macs[0] / 1e6


def warm_cosine(torch, opt, steps, warm):
    """The learning rate's schedule: a linear warm-up over `warm` steps, then a cosine down to 0 at `steps`."""
    return torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: (s + 1) / warm if s < warm else 0.5 * (1 + math.cos(math.pi * min(1.0, (s - warm) / max(1, steps - warm)))))


def resume_checkpoint(torch, a, net, opt, sched, rs, dev):
    """(step, train seconds) of RUN/last.pt when --resume finds it (net, optimiser, schedule and random state restored),
    else (0, 0.0); a checkpoint there without --resume is an error, not overwritten."""
    ckpt = os.path.join(a.run, "last.pt")
    if a.resume and os.path.exists(ckpt):
        st = torch.load(ckpt, map_location=dev)
        net.load_state_dict(st["net"])
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
        rs.bit_generator.state = st["rs"]
        log("resumed from %s at step %d" % (ckpt, st["step"]))
        return st["step"], st["trainSeconds"]
    if os.path.exists(ckpt):
        raise SystemExit("%s exists: pass --resume to continue it, or use another --run" % ckpt)
    return 0, 0.0


def save_checkpoint(torch, a, net, opt, sched, rs, step, train_s, args):
    """RUN/last.pt, written whole or not at all, and with --keep a copy of the network as RUN/stepN.pt."""
    ckpt = os.path.join(a.run, "last.pt")
    st = {"net": net.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step,
          "rs": rs.bit_generator.state, "args": args, "trainSeconds": train_s}
    torch.save(st, ckpt + ".tmp")
    os.replace(ckpt + ".tmp", ckpt)
    if a.keep:
        torch.save({"net": net.state_dict(), "step": step, "args": args, "trainSeconds": train_s},
                   os.path.join(a.run, "step%d.pt" % step))


def normalise(torch, xr):
    return (xr * (1.0 / 255.0) - preprocess.MEAN) / preprocess.STD


# ----------------------------------------------------------------------------- training
def rescale_tile(tile, t, crop):
    """Twin tiles [2, S, S] and their cell targets [S/8, S/8] resized to crop x crop and crop/8 cells.

    Pixels by area (shrinking) or bilinear (enlarging) interpolation; a target cell is positive when any source cell it
    overlaps is, so a crack thinned by shrinking keeps its label.
    """
    from PIL import Image
    side, c = tile.shape[1], crop // CELL
    how = Image.BOX if side > crop else Image.BILINEAR
    out = np.stack([np.asarray(Image.fromarray(x, "F").resize((crop, crop), how)) for x in tile])
    edges = np.arange(c + 1) * (side // CELL) / c
    lo, hi = np.floor(edges[:-1]).astype(int), np.maximum(np.ceil(edges[1:]).astype(int), np.floor(edges[:-1]).astype(int) + 1)
    rows = np.stack([t[a:b].max(0) for a, b in zip(lo, hi)])
    return out, np.stack([rows[:, a:b].max(1) for a, b in zip(lo, hi)], 1)


def crop_cell(rs, pos, hard, hard_share, screen, screen_share):
    """The cell (y, x) a crop must hold, or None for a crop anywhere: a crack cell (`pos`) half of the time, else with
    `hard_share` (of all crops) one of the pair's mined cells, else with `screen_share` a random point of the screen
    (corners `screen`, bilinear in them: a point inside)."""
    if len(pos) and rs.random() < 0.5:
        return pos[rs.integers(len(pos))]
    if hard is not None and rs.random() < hard_share / (0.5 if len(pos) else 1.0):
        return hard[rs.integers(len(hard))]
    if screen_share and rs.random() < screen_share:
        u, v = rs.random(2)
        q = np.asarray(screen, np.float64)
        x, y = (1 - v) * ((1 - u) * q[0] + u * q[1]) + v * ((1 - u) * q[3] + u * q[2])
        return int(np.clip(y, 0, H - 1)) // CELL, int(np.clip(x, 0, W - 1)) // CELL
    return None


def sample_batch(store, rs, pairs, crop, hard=None, hard_share=0.0, scale_jitter=0.0, invert=0.0, quads=None, bg_share=0.0,
                 crack_gain=0.0, screen_share=0.0):
    """Crops of both twins at the same place: (x [2B, 1, crop, crop] float 0..255, cell targets [2B, 1, c, c]).

    Half of the crops are placed on a crack cell; with `hard` (mined cells per pair, see mine_hard) a
    `hard_share` of all crops is placed on one of the ok twin's highest-scoring cells instead, so that
    the crop's maximum term meets the scratches, glyphs and edges that decide the whole frame's maximum.
    `scale_jitter` j takes each crop from a square of crop * s pixels, log s uniform in +-log(1 + j), resized
    to crop (phones, frames and cracks of other sizes than the generator draws); `invert` is the share of
    crops whose grey levels are flipped (a crack that darkens a lit screen brightens a dark one); `bg_share` is the share of
    crops whose pixels off the phone (quads: Quads of every pair) become a random texture in both twins. `crack_gain` g
    scales the cracked twin's difference from its ok twin by s, log s uniform in +-log(1 + g): the same crack drawn
    fainter or plainer, as other generators and cameras draw it. `screen_share` is the share of the crops not placed on a
    crack or a mined cell that are placed on a random point of the screen (quads) rather than anywhere in the frame, so that
    the screen's own nuisances meet the loss more often than the belt around the phone.
    None draws a random number when it is 0, so runs without them repeat exactly.
    """
    c = crop // CELL
    size = crop
    xs = np.zeros((2 * len(pairs), 1, crop, crop), np.float32)
    ts = np.zeros((2 * len(pairs), 1, c, c), np.float32)
    for n, j in enumerate(pairs):
        if scale_jitter:
            size = int(np.clip(np.rint(crop * np.exp(rs.uniform(-1, 1) * np.log1p(scale_jitter)) / CELL), 4, GH)) * CELL
            c = size // CELL
        m = np.asarray(store.mask[j])
        pos = np.argwhere(m)
        cell = crop_cell(rs, pos, hard[j] if hard is not None else None, hard_share, quads[j, 1] if screen_share else None,
                         screen_share)
        if cell is None:
            gy, gx = int(rs.integers(0, GH - c + 1)), int(rs.integers(0, GW - c + 1))
        else:  # a crop that holds the cell somewhere
            gy = int(np.clip(cell[0] - rs.integers(0, c), 0, GH - c))
            gx = int(np.clip(cell[1] - rs.integers(0, c), 0, GW - c))
        y0, x0 = gy * CELL, gx * CELL
        tile = np.zeros((2, size, size), np.float32)
        src = np.asarray(store.x[j, :, y0:min(H, y0 + size), x0:x0 + size], np.float32)
        tile[:, :src.shape[1]] = src
        t = m[gy:gy + c, gx:gx + c].astype(np.float32)
        if crack_gain:
            s = float(np.exp(rs.uniform(-1, 1) * np.log1p(crack_gain)))
            tile[1] = np.clip(tile[0] + s * (tile[1] - tile[0]), 0, 255)
        if bg_share and rs.random() < bg_share:
            on = np.zeros((size, size), np.float32)
            part = polygon_mask(quads[j, 0])[y0:y0 + size, x0:x0 + size]
            on[:part.shape[0], :part.shape[1]] = part
            tile = on * tile + (1 - on) * texture(rs, size, size)
        if size != crop:
            tile, t = rescale_tile(tile, t, crop)
        if invert and rs.random() < invert:
            tile = 255.0 - tile
        if rs.random() < 0.5:
            tile, t = tile[:, :, ::-1], t[:, ::-1]
        if rs.random() < 0.5:
            tile, t = tile[:, ::-1], t[::-1]
        if rs.random() < 0.5:  # a different exposure of the same scene (both twins alike)
            g = float(np.exp(rs.normal(0, 0.25)))
            tile = np.clip((tile - 128) * g + 128 + rs.normal(0, 12), 0, 255)
        xs[2 * n:2 * n + 2, 0] = tile
        ts[2 * n + 1, 0] = t
    return xs, ts


def sample_frames(store, rs, pairs):
    """Whole frames of both twins: (x [2P, 1, H, W] float 0..255, cell targets [2P, 1, GH, GW]), flips and exposure jitter."""
    xs = np.asarray(store.x[np.sort(pairs)], np.float32).reshape(-1, 1, H, W)
    ts = np.zeros((len(pairs), 2, GH, GW), np.float32)
    ts[:, 1] = np.asarray(store.mask[np.sort(pairs)], np.float32)
    ts = ts.reshape(-1, 1, GH, GW)
    for n in range(len(pairs)):
        tw, tt = xs[2 * n:2 * n + 2], ts[2 * n:2 * n + 2]
        if rs.random() < 0.5:
            tw, tt = tw[..., ::-1], tt[..., ::-1]
        if rs.random() < 0.5:  # flip the first 67 cell rows only: the last one covers 4 input rows, flipping it would shift the grid
            top = (GH - 1) * CELL
            tw = np.concatenate([tw[..., :top, :][..., ::-1, :], tw[..., top:, :]], axis=-2)
            tt = np.concatenate([tt[..., :GH - 1, :][..., ::-1, :], tt[..., GH - 1:, :]], axis=-2)
        if rs.random() < 0.5:
            g = float(np.exp(rs.normal(0, 0.25)))
            tw = np.clip((tw - 128) * g + 128 + rs.normal(0, 12), 0, 255)
        xs[2 * n:2 * n + 2], ts[2 * n:2 * n + 2] = tw, tt
    return xs, ts


def mine_hard(torch, F, net, store, pairs, k, dev):
    """The k highest-scoring cells of each pair's ok twin (whole frame, eval mode), at least 3 cells apart: [P, k, 2] (gy, gx)."""
    out = np.zeros((store.pairs, k, 2), np.int64)
    was = net.training
    net.eval()
    with torch.no_grad():
        for s in range(0, len(pairs), 8):
            js = pairs[s:s + 8]
            x = torch.from_numpy(np.asarray(store.x[js, 0], np.float32)[:, None]).to(dev)
            z = net(normalise(torch, x).contiguous(memory_format=torch.channels_last))
            peak = z.masked_fill(z < F.max_pool2d(z, 5, 1, 2), -1e4).flatten(1)  # local maxima only
            top = peak.topk(k, dim=1).indices.cpu().numpy()
            out[js, :, 0], out[js, :, 1] = top // GW, top % GW
    net.train(was)
    return out


def frame_losses(F, z, t, pos_w, k):
    """Losses on whole frames, where the agent's decision is the maximum over all cells.

    dense: per-cell BCE against the mask. hard: BCE of each frame's k highest-scoring negative cells
    (cells next to a crack excluded: the receptive field straddles it), which is where false rejects
    come from. frame: BCE of the ok twin's maximum against 0 and of the best crack cell against 1.
    """
    dense = F.binary_cross_entropy_with_logits(z, t, pos_weight=pos_w)
    near = F.max_pool2d(t, 3, 1, 1) > 0
    zneg = z.masked_fill(near, -1e4).flatten(1)
    hard = F.softplus(zneg.topk(k, dim=1).values).mean()
    has = t.flatten(1).amax(1) > 0
    zpos = z.masked_fill(t == 0, -1e4).flatten(1).amax(1)
    frame = torch_where_mean(F.softplus(-zpos), has) + torch_where_mean(F.softplus(z.flatten(1).amax(1)), ~has)
    return dense, hard, frame


def subset_pairs(pairs, subset):
    """The pairs a run trains on: all of them, or `subset` of them spread evenly (every pairs // subset-th)."""
    return np.arange(pairs) if not subset else np.arange(0, pairs, pairs // subset)[:subset]


def train_pairs(args):
    """How many pairs a checkpoint with these args trained on: its run's own and those of its --also-data runs."""
    return args["pairs"] + sum(json.load(open(os.path.join(r, "data", "spec.json")))["pairs"] for r in args.get("also_data") or [])


def torch_where_mean(v, sel):
    return (v * sel).sum() / sel.sum().clamp(min=1)


def train(a):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    store = PairStore(a.run, a.pairs, a.seed, a.varied, a.glyphs, a.source, a.curls, a.refract)
    if not a.train_while_generating:
        store.fill(a.workers)
    if a.data_only:
        return
    store = StoreUnion([store] + [PairStore.open_complete(r) for r in a.also_data or []])
    quads = np.concatenate([np.asarray(Quads(s).fill(a.workers).q) for s in store.stores]) if a.bg_share or a.screen_share else None
    torch.manual_seed(a.seed)
    net, arch = build_net(nn, a.arch)
    log("model: %s | %d params | %.0f MFLOPs at %dx%d | device %s" % (
        arch, sum(p.numel() for p in net.parameters()), count_mflops(torch, net, W, H), W, H, dev))
    # channels-last runs the depthwise convolutions about 3x faster on CPU (oneDNN)
    net.to(dev).to(memory_format=torch.channels_last)
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = warm_cosine(torch, opt, a.steps, min(300, a.steps // 10))
    ckpt = os.path.join(a.run, "last.pt")
    step = 0
    rs = np.random.default_rng([a.seed, 99])
    mined, mined_at = None, -1
    if a.init:
        init = load_checkpoints(torch, a.init)[0]
        branches = grown_branches(a.arch, init["args"].get("arch", "v3"))
        if is_package(a.init[-1]):  # a resumed run of such a network keeps them frozen too
            freeze_batchnorm(torch, net, branches)
            log("the package's folded BatchNorm layers train as fixed affine layers (statistics frozen)")
        if not (a.resume and os.path.exists(ckpt)):
            load_grown(net, init["net"], branches)
            grown = ", new branches %s from zero" % ", ".join(branches) if branches else ""
            log("initialised the network from %s%s" % (" + ".join(a.init), grown))
    if a.resume and os.path.exists(ckpt):
        st = torch.load(ckpt, map_location=dev)
        net.load_state_dict(st["net"])
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
        step = st["step"]
        rs.bit_generator.state = st["rs"]
        mined, mined_at = st.get("hard"), st.get("minedAt", -1)
        log("resumed from %s at step %d" % (ckpt, step))
    elif os.path.exists(ckpt):
        raise SystemExit("%s exists: pass --resume to continue it, or use another --run" % ckpt)

    def save(tag):
        st = {"net": net.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "step": step,
              "rs": rs.bit_generator.state, "hard": mined, "minedAt": mined_at, "arch": arch, "args": vars(a), "trainSeconds": train_s}
        torch.save(st, ckpt + ".tmp")
        os.replace(ckpt + ".tmp", ckpt)
        log("checkpoint %s (step %d, %s)" % (ckpt, step, tag))

    prev = 0.0
    if step:
        prev = torch.load(ckpt, map_location="cpu").get("trainSeconds", 0.0)
    t_start, t_ckpt = time.time(), time.time()
    train_s = prev
    net.train()
    run_l, run_mil, run_n = 0.0, 0.0, 0
    pos_w = torch.tensor(a.pos_weight, device=dev)
    # --subset N: every (pairs/N)-th pair only, e.g. to see whether a network can fit its training pairs at all
    ready = subset_pairs(store.pairs, a.subset)
    refreshed = -1
    while step < a.steps:
        if a.train_while_generating and step // 50 != refreshed:
            refreshed = step // 50
            ready = np.intersect1d(np.flatnonzero(store.done()), subset_pairs(store.pairs, a.subset))
            if not len(ready):
                raise SystemExit("no pairs generated yet in %s" % os.path.join(a.run, "data"))
        if a.hard_share and step % a.mine_every == 0 and mined_at != step:
            mined_at = step
            t_m = time.time()
            mined = mine_hard(torch, F, net, store, ready, a.mine_cells, dev)
            log("mined the top %d cells of %d ok twins at step %d (%.0f s)" % (a.mine_cells, len(ready), step, time.time() - t_m))
        if a.frame_pairs:
            xs, ts = sample_frames(store, rs, ready[rs.choice(len(ready), a.frame_pairs, replace=False)])
        else:
            xs, ts = sample_batch(store, rs, ready[rs.integers(0, len(ready), a.batch // 2)], a.crop, mined, a.hard_share,
                                  a.scale_jitter, a.invert, quads, a.bg_share, a.crack_gain, a.screen_share)
        x = normalise(torch, torch.from_numpy(xs).to(dev)).contiguous(memory_format=torch.channels_last)
        t = torch.from_numpy(ts).to(dev)
        z = net(x)
        if a.frame_pairs:
            dense, hard, mil = frame_losses(F, z, t, pos_w, a.hard_cells)
            loss = dense + a.hard_weight * hard + a.mil_weight * mil
        else:
            # --ignore-near: a crack-free cell beside a crack cell of the cracked twin sees the crack through its
            # receptive field; only the frame's maximum matters, so it is not asked to stay low (weight 0)
            wt = None
            if a.ignore_near:
                wt = 1.0 - ((F.max_pool2d(t, 3, 1, 1) > 0) & (t == 0)).float()
            dense = F.binary_cross_entropy_with_logits(z, t, weight=wt, pos_weight=pos_w)
            zmax = z.amax(dim=(1, 2, 3))
            ymax = t.amax(dim=(1, 2, 3))
            mil = F.binary_cross_entropy_with_logits(zmax, ymax)
            loss = dense + a.mil_weight * mil
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 2.0)
        opt.step()
        sched.step()
        step += 1
        run_l += float(dense)
        run_mil += float(mil)
        run_n += 1
        train_s = prev + time.time() - t_start
        if step % 25 == 0:
            log("step %d/%d dense %.4f mil %.4f lr %.2e (%.2fs/step, %d pairs)" % (
                step, a.steps, run_l / run_n, run_mil / run_n, sched.get_last_lr()[0], train_s / max(1, step), len(ready)))
            run_l, run_mil, run_n = 0.0, 0.0, 0
        if step % a.epoch_steps == 0 or step == a.steps:
            save("epoch %d" % (step // a.epoch_steps))
            if a.keep:
                torch.save({"net": net.state_dict(), "step": step, "arch": arch, "args": vars(a), "trainSeconds": train_s},
                           os.path.join(a.run, "step%d.pt" % step))
            t_ckpt = time.time()
        elif time.time() - t_ckpt > 60 * a.ckpt_minutes:
            save("timed")
            t_ckpt = time.time()
    log("training done: %d steps, %.0f s" % (step, train_s))


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="/work/model-runs/v3")
    ap.add_argument("--pairs", type=int, default=1200)
    ap.add_argument("--seed", type=int, default=3)
    ap.add_argument("--steps", type=int, default=6000)
    ap.add_argument("--epoch-steps", type=int, default=500)
    ap.add_argument("--batch", type=int, default=24, help="crops per step (half ok twins, half cracked twins)")
    ap.add_argument("--crop", type=int, default=128, help="crop side in input pixels (a multiple of 8)")
    ap.add_argument("--scale-jitter", type=float, default=0.0,
                    help="crops: take each from a square up to (1 + j) times larger or smaller, resized to --crop (0 = off)")
    ap.add_argument("--invert", type=float, default=0.0, help="crops: this share has its grey levels flipped (0 = off)")
    ap.add_argument("--crack-gain", type=float, default=0.0, help="crops: the crack (cracked twin minus ok twin) scaled by s, "
                    "log s uniform in +-log(1 + G) (0 = off)")
    ap.add_argument("--bg-share", type=float, default=0.0, help="crops: this share has everything off the phone replaced by a "
                    "random texture (see texture; the phone outlines are written beside the pair stores once); 0 = off")
    ap.add_argument("--screen-share", type=float, default=0.0, help="crops: this share of those not placed on a crack (or a mined "
                    "cell) is placed on the screen rather than anywhere in the frame (0 = off)")
    ap.add_argument("--source", default="generate", choices=SOURCES,
                    help="twins from this generator: generate.py (the default) or one written apart "
                         "(evalgen.py, evalgen3.py, evalgen5.py to evalgen8.py, evalgen10.py to evalgen12.py)")
    ap.add_argument("--varied", action="store_true", help="pairs from generate.py --varied (evalgen-like variety, v6)")
    ap.add_argument("--glyphs", action="store_true", help="--varied pairs with thin-stroked screen content drawn over the screen "
                    "(segment digits, key grids, chart grids, outlined icons: generate.glyph_screen)")
    ap.add_argument("--also-data", action="append", metavar="RUN",
                    help="also train on the finished pair store of this other run (repeatable), e.g. more pairs of another seed")
    ap.add_argument("--curls", action="store_true", help="curled hairs and arc scratches on the glass of both twins "
                    "(generate.curled_lines; implies --varied for generate.py, any --source takes it too)")
    ap.add_argument("--refract", action="store_true", help="most cracked twins with the crack drawn as refraction, the content "
                    "along it shifted by a pixel or two (generate.refracted_crack; implies --varied, generate.py only)")
    ap.add_argument("--arch", default="v3", choices=ARCHS, help="v3: the first v3 packages' network (the default); wide: see "
                    "WideNet; s2d: the committed package's, see S2dNet; s2dg: s2d grown by two zero-start branches (S2dGrownNet); s2dn: s2d over the local contrast (S2dNormNet); "
                    "s2db: s2dn's contrast per 4x4 block over 5x5 blocks, applied after the stem (S2dBlockNormNet); s2db3: the same over 3x3 blocks")
    ap.add_argument("--subset", type=int, default=0, help="train on this many of the pairs, spread evenly (0 = all)")
    ap.add_argument("--frame-pairs", type=int, default=0,
                    help="train on whole 960x540 frames, this many twin pairs per step, instead of crops (0)")
    ap.add_argument("--hard-cells", type=int, default=16, help="whole frames: the k top-scoring negative cells per frame")
    ap.add_argument("--hard-weight", type=float, default=1.0)
    ap.add_argument("--hard-share", type=float, default=0.0,
                    help="crops: this share of all crops is placed on a mined hard negative (the ok twin's top cells); 0 = off")
    ap.add_argument("--mine-every", type=int, default=500, help="re-mine the hard negatives with the current network every N steps")
    ap.add_argument("--mine-cells", type=int, default=8, help="hard negatives kept per ok twin")
    ap.add_argument("--ignore-near", action="store_true",
                    help="crops: crack-free cells next to a crack cell get no dense loss on the cracked twin")
    ap.add_argument("--init", nargs="+", help="start from the network of this checkpoint, or of several averaged, or of a "
                    "package directory such as models/crack-detector/v3 (a new optimiser and schedule)")
    ap.add_argument("--keep", action="store_true", help="also keep RUN/stepN.pt at every --epoch-steps (to choose on calibration sets)")
    ap.add_argument("--lr", type=float, default=3e-3)
    ap.add_argument("--pos-weight", type=float, default=3.0)
    ap.add_argument("--mil-weight", type=float, default=0.5)
    ap.add_argument("--ckpt-minutes", type=float, default=4.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--data-only", action="store_true")
    ap.add_argument("--train-while-generating", action="store_true",
                    help="sample only pairs already generated (another process running --data-only fills the rest); not bit-reproducible")
    return ap


def store_command(run):
    """The train_v3.py --data-only command that writes the pair store of `run` (an --also-data run), from its spec.json."""
    spec = json.load(open(os.path.join(run, "data", "spec.json")))
    kind = "".join(" --" + m for m in ("glyphs", "curls", "refract") if spec.get(m)) or (" --varied" if spec.get("varied") else "")
    source = " --source %s" % spec["source"] if "source" in spec else ""
    return "python3 models/crack-detector/training/train_v3.py --run %s --pairs %d --seed %d%s%s --data-only" % (
        run, spec["pairs"], spec["seed"], kind, source)


def command(args, ap=None, script="train_v3.py"):
    """The command line that reproduces a checkpoint's `args` (its non-default options): train_v3.py's, or with its
    argument parser another script's (train_screen.py)."""
    ap = ap or parser()
    out = ["python3 models/crack-detector/training/" + script]
    for act in ap._actions:
        if act.dest in ("help", "resume") or act.dest not in args or args[act.dest] == act.default:
            continue
        flag = act.option_strings[-1]
        values = args[act.dest] if isinstance(args[act.dest], list) else [args[act.dest]]
        if act.nargs == "+":
            out.append("%s %s" % (flag, " ".join(values)))
        else:
            out.extend(flag if act.nargs == 0 else "%s %s" % (flag, v) for v in values)
    return " ".join(out)


def main():
    ap = parser()
    a = ap.parse_args()
    if a.scale_jitter < 0:
        ap.error("--scale-jitter %g: must be 0 (off) or more" % a.scale_jitter)
    if a.crack_gain < 0:
        ap.error("--crack-gain %g: must be 0 (off) or more" % a.crack_gain)
    if not 0 <= a.invert <= 1:
        ap.error("--invert %g: a share, from 0 to 1" % a.invert)
    for name, share in (("--bg-share", a.bg_share), ("--screen-share", a.screen_share)):
        if not 0 <= share <= 1:
            ap.error("%s %g: a share, from 0 to 1" % (name, share))
    if a.source != "generate" and (a.varied or a.glyphs or a.refract):
        ap.error("--varied, --glyphs and --refract are modes of generate.py; --source %s has none" % a.source)
    for bad, msg in ((a.seed in (777, 1), "--seed %d: kept for the v1/v2 test set (777) and training frames (1)" % a.seed),
                     (a.batch % 2, "--batch %d: an even number (half ok twins, half cracked)" % a.batch),
                     (a.crop % CELL, "--crop %d: a multiple of %d" % (a.crop, CELL)),
                     (not 0 <= a.hard_share <= 0.5, "--hard-share %g: a share, from 0 to 0.5" % a.hard_share),
                     (not 0 <= a.subset <= a.pairs, "--subset %d: from 0 to --pairs" % a.subset)):
        if bad:
            ap.error(msg)
    os.makedirs(a.run, exist_ok=True)
    train(a)


if __name__ == "__main__":
    main()
