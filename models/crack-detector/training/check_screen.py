#!/usr/bin/env python3
"""Checks the screen localiser's labels (train_screen.py): the corners generate.scene_quads gives are those of the
frame make_frame draws, the stored quads are scaled to the 960x540 frame, and the cell targets cover what they should.

    python3 check_screen.py        (numpy and PIL, no torch; renders two frames, a few seconds)

One line per check; exit status 1 if any fails.
"""
import os
import sys
import tempfile

import numpy as np
from PIL import Image, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import generate  # noqa: E402
import train_screen  # noqa: E402
import train_v3  # noqa: E402
from checklist import Checklist  # noqa: E402


def inside(poly, pts):
    """Whether every point lies within the polygon (drawn at 4x, so a corner on an edge counts)."""
    xs, ys = zip(*poly)
    x0, y0 = min(xs) - 2, min(ys) - 2
    img = Image.new("L", (int((max(xs) - x0 + 4) * 4), int((max(ys) - y0 + 4) * 4)), 0)
    ImageDraw.Draw(img).polygon([((x - x0) * 4, (y - y0) * 4) for x, y in poly], fill=1)
    m = np.asarray(img)
    return all(m[min(m.shape[0] - 1, int((y - y0) * 4)), min(m.shape[1] - 1, int((x - x0) * 4))] for x, y in pts)


def main():
    check = Checklist()

    for j in (0, 1):
        img, _, meta = generate.make_frame(5, j, force_label="ok", wide=True, varied=True)
        size, phone, screen = generate.scene_quads(5, j, varied=True)
        check("scene %d: scene_quads gives the frame's size and corners without drawing the frame" % j,
              size == (img.shape[1], img.shape[0]) and phone == meta["phone_quad"] and screen == meta["screen_quad"])
        check("scene %d: the screen lies within the phone" % j, inside(phone, screen))

    # A 20 x 16 px screen: cells (rows 2-3, columns 5-6) whole and column 7 half.
    quad = [(40, 16), (60, 16), (60, 32), (40, 32)]
    t = train_screen.screen_cells(quad)
    want = np.zeros((train_v3.GH, train_v3.GW), np.float32)
    want[2:4, 5:7] = 1
    want[2:4, 7] = 0.5
    check("screen_cells: the share of each 8x8 cell the screen covers, to one raster pixel (1/16 of a cell) along an edge",
          t.shape == want.shape and np.abs(t - want).max() <= 1 / 16 + 1e-6 and np.allclose(t[want > 0], want[want > 0], atol=1 / 16 + 1e-6))

    with tempfile.TemporaryDirectory() as tmp:
        store = train_v3.PairStore(tmp, 2, 5, varied=True)
        quads = train_v3.Quads(store).fill(1)
        (w0, h0), phone, screen = generate.scene_quads(5, 1, varied=True)
        scale = np.array([train_v3.W / w0, train_v3.H / h0])
        check("Quads.fill stores pair 1's phone and screen in 960x540 coordinates",
              np.allclose(quads.q[1], np.array([phone, screen]) * scale, atol=1e-3))
        again = train_v3.Quads(store)
        check("the stored quads and their done flags read back", again.done.all() and np.array_equal(again.q, quads.q))

    # --screen-share: with no crack cell and share 1, every crop holds a cell of the screen; with share 0 none is chosen
    rs = np.random.default_rng(3)
    cells = [train_v3.crop_cell(rs, np.zeros((0, 2), int), None, 0.0, quad, 1.0) for _ in range(200)]
    check("crop_cell: --screen-share 1 places every crop without a crack on a cell of the screen (%d of 200)" % sum(
        2 <= y <= 3 and 5 <= x <= 7 for y, x in cells), all(2 <= y <= 3 and 5 <= x <= 7 for y, x in cells))
    check("crop_cell: --screen-share 0 leaves such crops anywhere",
          train_v3.crop_cell(rs, np.zeros((0, 2), int), None, 0.0, quad, 0.0) is None)

    rs = np.random.default_rng(4)
    tex = [train_v3.texture(rs) for _ in range(10)]
    check("backgrounds: ten textures, each within 0..255 and not flat",
          all(t.shape == (train_v3.H, train_v3.W) and t.min() >= 0 and t.max() <= 255 and t.std() > 1 for t in tex))
    return check.exit_status()


if __name__ == "__main__":
    sys.exit(main())
