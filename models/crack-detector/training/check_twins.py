#!/usr/bin/env python3
"""Checks the twins that train_v3.py --source draws from evalgen.py, evalgen3.py, evalgen5.py to evalgen8.py, evalgen10.py to evalgen12.py.

    python3 check_twins.py        (numpy + PIL, no torch; about half a minute on one core)

Twin mode must not move the frames the calibration and test sets were measured on, so the first frames of
`evalgen.py --seed 12` (test-indep) and `evalgen3.py --seed 31` (test-3) keep the SHA-256 digests of the set files.
A twin pair is one scene: the twin that carries the frame's own label is that frame (evalgen.py: a cracked frame only,
as its crack draws from the frame's one random stream), the two differ on the phone only (by more than the 4 grey levels
of the crack mask; evalgen3.py cracks the whole front glass, bezel included), and the crack's cells make a mask.
evalgen5.py to evalgen8.py, evalgen10.py to evalgen12.py were written for training twins (`twins(seed, i)`): there a frame of `render` is its label's
twin, encoded at the twin's quality. visibility.py measures twins' cracks: its ratio is checked on a line of
known contrast and on one faint pair. One line per check; exit status 1 if any fails.
"""
import hashlib
import importlib
import json
import os
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evalgen  # noqa: E402
import evalgen3  # noqa: E402
import train_v3  # noqa: E402
import visibility  # noqa: E402
from checklist import Checklist  # noqa: E402

# (generator, seed, index) -> (label, SHA-256 of the JPEG the generator's command writes)
FRAMES = {
    ("evalgen", 12, 0): ("ok", "72fcf73b1762f519c6c584dab8167962a699393cd4df2cb480e00426941a9182"),
    ("evalgen", 12, 1): ("cracked", "67ed7d8e3e91a572cd03570d775d151bcb0f90abe3dc480beb2fae7a01145d51"),
    ("evalgen3", 31, 1): ("cracked", "4e6267e8e880c6e08bdbd80b09b3144df048409147936e5293064ccb54158f2d"),
    ("evalgen3", 31, 2): ("ok", "7b9e48fef13409186ece763320019db685ee915d4613d115843788315c075995"),
}


# (generator, seed, index): frames of the training twins' own seeds
TWIN_FRAMES = [("evalgen5", 501, 0), ("evalgen5", 501, 1), ("evalgen6", 601, 0), ("evalgen6", 601, 1), ("evalgen7", 701, 0),
               ("evalgen7", 701, 1), ("evalgen8", 801, 0), ("evalgen8", 801, 1), ("evalgen10", 1001, 0),
               ("evalgen10", 1001, 1), ("evalgen11", 1101, 0), ("evalgen11", 1101, 1),
               ("evalgen12", 1201, 0), ("evalgen12", 1201, 1)]


def own_frame(source, seed, i):
    """The frame as the generator's command draws it: (JPEG bytes, label, RGB)."""
    if source == "evalgen":
        _, jpg, label, _ = evalgen._job((seed, i))
        return jpg, label, evalgen.make_eval_frame(seed, i)[0]
    jpg, row = evalgen3.render_frame(seed, i)
    return jpg, row[0], evalgen3.scene(seed, i)[0]


def main():
    check = Checklist()
    for (source, seed, i), (label, digest) in FRAMES.items():
        jpg, own_label, own = own_frame(source, seed, i)
        check("%s --seed %d frame %d is the set's %s frame, byte for byte" % (source, seed, i, label),
              own_label == label and hashlib.sha256(jpg).hexdigest() == digest)
        ok, cr, q, kind, width, lit, (phone, _) = train_v3.source_twins(source, seed, i)
        if label == "cracked" or source == "evalgen3":
            check("%s %d/%d: the %s twin is the frame itself" % (source, seed, i, label),
                  np.array_equal(cr if label == "cracked" else ok, own))
        check_pair(check, source, seed, i, ok, cr, phone, kind, width)
    for source, seed, i in TWIN_FRAMES:
        gen = importlib.import_module(source)
        jpg, label, _ = gen.render(seed, i)
        ok, cr, q, kind, width, lit, (phone, _) = train_v3.source_twins(source, seed, i)
        check("%s %d/%d: the %s frame is its twin at the twin's quality" % (source, seed, i, label),
              jpg == train_v3.jpeg_bytes(cr if label == "cracked" else ok, q))
        check_pair(check, source, seed, i, ok, cr, phone, kind, width)
    check_curls(check)
    check_visibility(check)
    return check.exit_status()


def check_curls(check):
    """--curls with --source: curled hairs and arc scratches drawn alike into both twins, on the screen's glass only."""
    drawn = 0
    for source, seed, i in TWIN_FRAMES:
        ok, cr, _, _, _, _, (_, screen) = train_v3.source_twins(source, seed, i)
        c_ok, c_cr = train_v3.glass_curls((ok, cr), screen, seed, i)
        moved = np.abs(c_ok.astype(np.int16) - ok).max(axis=2) > 0
        crack = np.abs(ok.astype(np.int16) - cr).max(axis=2) > 0
        glass = Image.new("L", (ok.shape[1], ok.shape[0]), 0)
        ImageDraw.Draw(glass).polygon([tuple(p) for p in screen], fill=1, outline=1)
        near = np.asarray(glass.filter(ImageFilter.MaxFilter(3)), bool)  # a pixel of slack at the polygon's edge
        check("%s %d/%d --curls: lines on the glass only (%d pixels), alike in both twins where they were alike" % (
            source, seed, i, moved.sum()), not (moved & ~near).any() and np.array_equal(c_ok[~crack], c_cr[~crack]))
        drawn += moved.sum() > 40
    check("--curls draws on %d of the %d twin scenes" % (drawn, len(TWIN_FRAMES)), drawn >= 2)
    with tempfile.TemporaryDirectory() as tmp:
        store = train_v3.PairStore(os.path.join(tmp, "c"), 2, 501, source="evalgen5", curls=True)
        spec = json.load(open(os.path.join(tmp, "c", "data", "spec.json")))
        check("a --source store with --curls records both, and its command writes it again",
              spec.get("curls") is True and spec.get("source") == "evalgen5" and "varied" not in spec and not store.varied
              and train_v3.store_command(os.path.join(tmp, "c")).endswith("--seed 501 --curls --source evalgen5 --data-only"))


def check_visibility(check):
    """visibility.py's ratio on a line of known contrast over noise of known spread, and on one faint pair."""
    ok = 128 + np.random.default_rng(0).normal(0, 4, (200, 200))
    line = np.zeros(ok.shape, bool)
    line[100, 50:150] = True
    r = visibility.ratio(ok, ok + 40 * line, line)
    check("visibility.py: a 1 px line 40 grey levels over noise of 4 stands at %.2f (40 / (3.9 + 1) = 8.1)" % r, 7.9 < r < 8.4)
    few = np.zeros(ok.shape, bool)
    few[0, :4] = True
    check("visibility.py: a crack of 4 pixels is not measured", visibility.ratio(ok, ok + 40 * few, few) is None)
    full, seen = visibility.pair_ratios("evalgen12", 9001, 1)
    check("visibility.py: evalgen12 9001/1 stands at %.2f at full resolution, %.2f in the first stage's 960x540" % (full, seen),
          1.5 < full < 2.1 and 0.8 < seen < 1.2)


def check_pair(check, source, seed, i, ok, cr, phone, kind, width):
    """The twins differ on the phone only, and their stored pair has crack cells, kind, width and corners."""
    diff = np.abs(ok.astype(np.int16) - cr.astype(np.int16)).max(axis=2) > 4
    body = Image.new("L", (ok.shape[1], ok.shape[0]), 0)
    ImageDraw.Draw(body).polygon([tuple(p) for p in phone], fill=1, outline=1)
    check("%s %d/%d: the twins differ, on the phone only (%d pixels)" % (source, seed, i, diff.sum()),
          diff.any() and not (diff & ~np.asarray(body, bool)).any())
    _, x_ok, x_cr, mask, info, quads = train_v3.pair_job(train_v3.PairJob(seed, i, source=source))
    check("%s %d/%d: the stored pair has crack cells (%d), its kind and width, and corners in the 960x540 frame" % (
        source, seed, i, mask.sum()),
          mask.sum() > 0 and info[0] == kind and info[1] == width >= 1 and quads.shape == (2, 4, 2)
          and (quads >= -1).all() and (quads[..., 0] <= train_v3.W + 1).all() and (quads[..., 1] <= train_v3.H + 1).all())


if __name__ == "__main__":
    sys.exit(main())
