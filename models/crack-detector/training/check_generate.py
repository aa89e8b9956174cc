#!/usr/bin/env python3
"""Checks that generate.py's existing commands still write the same bytes, and that --varied twins are twins.

    python3 check_generate.py        (numpy + PIL, no torch; about a minute on one core)

The model card promises that a command writes the same frames whatever options were added later: the
v1/v2 test set (seed 777), the samples (seed 4242), the v3 calibration and test sets (--wide, seeds 601
and 778) and train_v3.py's training pairs (seed 3) were measured on those bytes. The SHA-256 digests
below were taken before --varied existed (the frame digests equal those of the files in
models/crack-detector/samples and in the v3 runs' sets). Prints one line per check; exit status 1 if any fails.
"""
import hashlib
import json
import os
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate  # noqa: E402
import train_v3  # noqa: E402

# (seed, index, wide) -> SHA-256 of the JPEG bytes `generate.py --seed seed [--wide]` writes for frame index
FRAMES = {
    (777, 0, False): "e26b4a60a77b2735cdcfed20438e38155f29ad6ff26754828b7a68f7d43ab7a0",
    (777, 1, False): "752b755f47ab93fe0d15ee8f2d6e27d0cfb5752baf78820de7f02d6ef4e3fc62",
    (777, 17, False): "fd1341b86ac8652a71c9e2d39b624f70a81543c1bfbb18a6d1192dfd07d58f43",
    (4242, 3, False): "4abd52d16be473c6a047d1cf10a71f3daf992566771fdf84fb34d301f630e356",
    (778, 0, True): "ca5c75ffe013e34c88e53f00314add775494cb03ed60bbbe99849a69653be242",
    (778, 1, True): "b04a39adbc3a76f8f489d1fa30875ee7dc9dd59a6c2cfee35e9d396557898765",
    (778, 5, True): "a4d8495a98d8e01cdaa315df3f4f02ce6b611580c419a31b92b9f01492bb9371",
    (601, 2, True): "25c5d576acb1bc57621e91f98150d85294eab7fb266c5b8c05e0399586aa994e",
}
# train_v3.pair_job(train_v3.PairJob(3, j)): SHA-256 of ok twin, cracked twin and cell mask bytes + repr(info)
PAIRS = {
    0: "9500d131afd5de0907d24b474bcba178a3dc30103bcf949a1bd516a6b380f2bb",
    1: "c402fae0360bcdfe4ec25d9abe023b1940c583d4605a4bf0281399419f1c505d",
}


def pair_digest(j, varied=False):
    r = train_v3.pair_job(train_v3.PairJob(3, j, varied=varied))
    return hashlib.sha256(b"".join(x.tobytes() for x in r[1:4]) + repr(r[4]).encode()).hexdigest()


def main():
    failed = []

    def check(ok, what):
        print("%s  %s" % ("ok  " if ok else "FAIL", what))
        if not ok:
            failed.append(what)

    for (seed, i, wide), want in FRAMES.items():
        data, _, _ = generate.encode_frame(seed, i, wide=wide)
        check(hashlib.sha256(data).hexdigest() == want, "generate.py --seed %d%s, frame %d unchanged" % (seed, " --wide" if wide else "", i))
    for j, want in PAIRS.items():
        check(pair_digest(j) == want, "train_v3.py training pair %d (seed 3, without --varied) unchanged" % j)
    # --varied: a different scene from --wide, and the twins differ only where the crack is drawn
    for j in (0, 1, 2):
        ok_v, _, _ = generate.make_frame(5, j, force_label="ok", varied=True)
        cr_v, _, meta = generate.make_frame(5, j, force_label="cracked", varied=True)
        ok_w, _, _ = generate.make_frame(5, j, force_label="ok", wide=True)
        check(ok_v.shape != ok_w.shape or bool((ok_v != ok_w).any()), "--varied changes scene %d" % j)
        changed = (ok_v != cr_v).any(axis=2)
        check(0 < changed.mean() < 0.1, "--varied twins %d differ only at the crack (%.2f %% of pixels, %s crack)" % (
            j, 100 * changed.mean(), meta.get("crack_style", meta["kind"])))
    # glyphs and curls: the same phone and surroundings as --varied, drawn over the screen or glass only (their own
    # streams), crack alike
    for mode in ("glyphs", "curls"):
        drawn = 0
        for j in (0, 1, 2, 3):
            ok_g, _, meta_g = generate.make_frame(5, j, force_label="ok", **{mode: True})
            ok_v, _, meta_v = generate.make_frame(5, j, force_label="ok", varied=True)
            cr_g, _, _ = generate.make_frame(5, j, force_label="cracked", **{mode: True})
            changed = (ok_g != ok_v).any(axis=2)
            drawn += bool(changed.any())
            check(meta_g["screen_quad"] == meta_v["screen_quad"] and changed.mean() < 0.5,
                  "%s keep scene %d's phone where it was (%.2f %% of pixels changed)" % (mode, j, 100 * changed.mean()))
            crack = (ok_g != cr_g).any(axis=2)
            check(0 < crack.mean() < 0.1, "%s twins %d differ only at the crack (%.2f %% of pixels)" % (mode, j, 100 * crack.mean()))
        check(drawn >= 2, "%s draw on %d of scenes 0-3" % (mode, drawn))
    check_refract(check)
    if failed:
        print("%d check(s) failed" % len(failed))
        sys.exit(1)


def check_refract(check):
    """--refract: the ok twin is --varied's, and most cracks shift the content within the glass instead of a line."""
    refracted = 0
    for j in range(6):
        ok_r, _, _ = generate.make_frame(5, j, force_label="ok", refract=True)
        ok_v, _, _ = generate.make_frame(5, j, force_label="ok", varied=True)
        cr_r, _, meta = generate.make_frame(5, j, force_label="cracked", refract=True)
        glass = Image.new("L", (ok_r.shape[1], ok_r.shape[0]), 0)
        ImageDraw.Draw(glass).polygon([tuple(p) for p in meta["screen_quad"]], fill=1, outline=1)
        near = np.asarray(glass.filter(ImageFilter.MaxFilter(15)), bool)  # slack for the blur and the JPEG blocks
        crack = (np.abs(ok_r.astype(np.int16) - cr_r).max(axis=2) > 8)
        refracted += meta["crack_style"].startswith("refract-")
        check(np.array_equal(ok_r, ok_v) and 0 < crack.mean() < 0.1 and not (crack & ~near).any(),
              "--refract scene %d: --varied's ok twin, a %s crack on the glass only (%.2f %% of pixels)" % (
                  j, meta["crack_style"], 100 * crack.mean()))
    check(refracted >= 3, "--refract draws %d of the 6 cracks as refraction" % refracted)
    with tempfile.TemporaryDirectory() as tmp:
        train_v3.PairStore(os.path.join(tmp, "r"), 2, 57, refract=True)
        spec = json.load(open(os.path.join(tmp, "r", "data", "spec.json")))
        check(spec.get("refract") is True and spec.get("varied") is True
              and train_v3.store_command(os.path.join(tmp, "r")).endswith("--seed 57 --refract --data-only"),
              "a --refract store records it, and its command writes it again")


if __name__ == "__main__":
    main()
