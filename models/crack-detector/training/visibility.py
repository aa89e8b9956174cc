#!/usr/bin/env python3
"""How far a twin generator's cracks stand out of the screen's own fine texture: at the frame's full-resolution decode,
and in the 960x540 frame that v3's first stage sees (train_v3.preprocess_jpeg, the agent's decode).

    python3 visibility.py evalgen12 evalgen10 [--pairs 30] [--seed 9001]      (numpy + PIL; about half a minute a generator)

Per twin pair, both twins JPEG-encoded at the pair's quality and decoded: the crack's contrast (90th percentile of
|cracked - ok| over the pixels the crack changed by more than 8 grey levels before encoding) over the ok twin's fine
texture around it (standard deviation of the ok frame minus its 5x5 mean, over the crack's bounding box widened by 16
pixels). Prints the median ratio at both scales and the share of pairs under 2 (a crack about as strong as the
texture beside it). Any source of `train_v3.py --source` but generate.py, whose twins come from its store.
"""
import argparse
import io
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import preprocess  # noqa: E402
import train_v3  # noqa: E402

CHANGED = 8  # grey levels of luma a pixel must change by to count as the crack's
MARGIN = 16  # pixels around the crack's bounding box that measure the texture


def fine_texture(img):
    """img minus its 5x5 box mean (edges replicated)."""
    k = 5
    c = np.cumsum(np.cumsum(np.pad(img.astype(np.float64), k // 2 + 1, mode="edge"), 0), 1)
    mean = (c[k:, k:] - c[:-k, k:] - c[k:, :-k] + c[:-k, :-k])[:img.shape[0], :img.shape[1]] / (k * k)
    return img - mean


def ratio(ok, cracked, mask):
    """The crack's contrast over the ok frame's fine texture around it; None if the crack covers under 5 pixels."""
    if mask.sum() < 5:
        return None
    ys, xs = np.nonzero(mask)
    y0, y1 = max(0, ys.min() - MARGIN), ys.max() + MARGIN + 1
    x0, x1 = max(0, xs.min() - MARGIN), xs.max() + MARGIN + 1
    contrast = np.percentile(np.abs(cracked - ok)[mask], 90)
    return contrast / (fine_texture(ok)[y0:y1, x0:x1].std() + 1.0)


def pair_ratios(source, seed, j):
    """(full-resolution ratio, first-stage ratio) of twin pair j."""
    ok, cr, q = train_v3.source_twins(source, seed, j)[:3]
    changed = np.abs(train_v3.luma(cr) - train_v3.luma(ok)) > CHANGED
    h, w = changed.shape
    full, seen = [], []
    for img in (ok, cr):
        data = train_v3.jpeg_bytes(img, q)
        full.append(preprocess.decode_gray(io.BytesIO(data), w, h).astype(np.float64))
        seen.append(train_v3.preprocess_jpeg(data).astype(np.float64))
    # a first-stage pixel is the crack's if a quarter of its area is
    seen_mask = train_v3.resize_area_fast(changed.astype(np.float64), train_v3.W, train_v3.H) > 0.25
    return ratio(*full, changed), ratio(*seen, seen_mask)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("sources", nargs="+", choices=[s for s in train_v3.SOURCES if s != "generate"], metavar="SOURCE")
    ap.add_argument("--pairs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=9001)
    a = ap.parse_args()
    if a.pairs < 1:
        ap.error("--pairs %d: 1 or more" % a.pairs)
    for source in a.sources:
        got = [r for r in (pair_ratios(source, a.seed, j) for j in range(a.pairs)) if None not in r]
        if not got:
            print("%-10s no pair with a crack of 5 pixels or more" % source)
            continue
        full, seen = np.array(got).T
        print("%-10s %d pairs  crack contrast / texture: full resolution median %.2f (under 2: %.0f %%), first stage's "
              "960x540 median %.2f (under 2: %.0f %%)" % (source, len(full), np.median(full), 100 * (full < 2).mean(),
                                                            np.median(seen), 100 * (seen < 2).mean()), flush=True)


if __name__ == "__main__":
    main()
