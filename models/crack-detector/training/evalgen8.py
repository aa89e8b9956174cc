#!/usr/bin/env python3
"""evalgen8 -- a vector-graphics synthetic frame generator for the screen-crack detector (training twins).

Style: everything on the device is drawn as polygons, strokes and gradients (PIL ImageDraw) on a supersampled
canonical canvas of the device (2-4x the frame resolution), warped by a true plane homography (any in-plane
rotation, sometimes a steep tilt that foreshortens the screen) onto a supersampled canvas of the device's bounding
box, and box-downsampled.  A camera stage follows (clean and sharp in half the frames; defocus, noise, colour shift,
vignetting, motion and heavy JPEG in the rest).

Counterfactual twins: the scene is rendered once; the crack (its own random stream) is applied to a crop of the
canonical glass, only the affected tiles of the warp and the affected window of the camera are recomputed (the
camera is made of local operations, so a padded window reproduces the full-frame result exactly), so the two twins
share everything (noise included) and differ only inside the device quad.  A visibility floor raises the contrast
of a crack that the camera would otherwise wipe out (measured at the detector's 540-line scale).

Cracks (KINDS) are planar graphs of fracture lines grown from impact points; a later line stops where it meets an
earlier one (T-junction); webs have ray/ring cells filled as shards of slightly different brightness; lines refract
the screen content (a band shifted by 1-2 px) and glint or darken depending on what lies under them.

meta (twins): kind, crack_width (nominal px at 1080p), screen ('lit'/'dark'), nuisances (list, from NUISANCES),
width, height, phone (4x2 tl,tr,br,bl of the device outline), screen_quad (4x2), plus device, surface, content,
camera ('clean'/'degraded'), ss, tilt, crack_gain, crack_max_dY, crack_n5_540, crack_strength, crack_attempts,
crack_kind_drawn.  render() adds quality; an ok frame has kind 'none' and crack_width 0.

Random streams: np.random.default_rng([seed, i, k]), one k per concern (label, layout, surface, device, content,
nuisances, light, camera, camera noise, crack, JPEG quality, overlays).

Only numpy and Pillow.  CLI:  python3 evalgen8.py --out DIR --count N --seed S [--workers 2]
Extra:  --selftest (checks + timing),  --sheet DIR (contact sheets).
"""
import argparse
import functools
import io
import math
import os
import sys
import time

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from frameset import write_set
from planar import homography, project

KINDS = ['hairline', 'impact_web', 'corner_break', 'edge_break', 'multi_impact',
         'shatter_patch', 'branching_run', 'bezel_crossing']
KIND_P = [0.22, 0.15, 0.12, 0.11, 0.10, 0.09, 0.12, 0.09]

NUISANCES = ['hinge_line', 'protector_edge', 'protector_lift', 'cable', 'earphone_wire', 'price_sticker',
             'pen_line', 'fingerprints', 'hair', 'scratches', 'edge_glare', 'camera_reflection',
             'operator_reflection', 'moire', 'ui_lines', 'glare']

SURFACES = ['ribbed_belt', 'roller_bed', 'wooden_pallet', 'printed_cardboard', 'esd_foam']
CONTENTS = ['photo', 'game', 'black_text', 'boot_logo', 'test_bars', 'ereader', 'terminal',
            'icon_grid', 'aod_clock', 'app_list']

SIZES = [(1280, 720), (1024, 768), (800, 600), (640, 480), (1440, 1080), (1600, 900), (1366, 768),
         (1280, 960)]

FONT_DIR = '/usr/share/fonts/truetype/dejavu/'
WORDS = ('the of and glass screen light line frame panel signal over under into with from this that over '
         'morning river window stone paper orange quiet station north winter garden letter music silver '
         'market bridge number simple yellow forest harbor camera system update battery network travel '
         'story people little between across after before always never often until while where which '
         'data value order ready empty green blue shadow copper motion field pixel touch cloud').split()

# random streams (one per concern)
K_LABEL, K_LAYOUT, K_SURF, K_DEV, K_CONTENT, K_NUIS, K_LIGHT, K_CAM, K_NOISE, K_CRACK, K_QUAL, K_OVER = range(12)


def _rng(seed, i, k):
    return np.random.default_rng([int(seed), int(i), int(k)])


@functools.lru_cache(maxsize=256)
def _font(name, size):
    size = int(max(5, min(500, round(size))))
    try:
        return ImageFont.truetype(FONT_DIR + name, size)
    except OSError:
        return ImageFont.load_default()


def _u8(a):
    return np.clip(a + 0.5, 0, 255).astype(np.uint8)


def _col(c, k=1.0, add=0.0):
    return tuple(int(max(0, min(255, round(v * k + add)))) for v in c)


def _pil_coeffs(M):
    M = M / M[2, 2]
    return (M[0, 0], M[0, 1], M[0, 2], M[1, 0], M[1, 1], M[1, 2], M[2, 0], M[2, 1])


def _bezier(p0, p1, p2, p3, n):
    t = np.linspace(0, 1, max(2, int(n)))[:, None]
    return ((1 - t) ** 3) * p0 + 3 * ((1 - t) ** 2) * t * p1 + 3 * (1 - t) * t * t * p2 + (t ** 3) * p3


def _noise2d(rng, h, w, cell, octaves=1):
    """smooth noise in [-1, 1]-ish, float32 (h, w)."""
    out = np.zeros((h, w), np.float32)
    amp, tot = 1.0, 0.0
    for _ in range(octaves):
        gh, gw = max(2, int(h / cell) + 2), max(2, int(w / cell) + 2)
        g = rng.uniform(-1, 1, (gh, gw)).astype(np.float32)
        out += amp * np.asarray(Image.fromarray(g, 'F').resize((w, h), Image.BICUBIC))
        tot += amp
        amp *= 0.5
        cell = max(2.0, cell / 2.0)
    return out / tot


def _noise1d(rng, n, cell):
    m = max(2, int(n / cell) + 2)
    g = rng.uniform(-1, 1, m)
    return np.interp(np.arange(n) / cell, np.arange(m), g).astype(np.float32)


# ----------------------------------------------------------------------------------------------------------------
# surfaces (generated at half resolution, upsampled)
# ----------------------------------------------------------------------------------------------------------------
def _surface(rng, W, H):
    """returns (H, W, 3) uint8 surface and its kind.  Built as a luminance field at 1/2 or 1/3 resolution
    (1-D profiles across the belt + smooth 2-D modulation), coloured through a palette, then upsampled."""
    kind = SURFACES[int(rng.integers(len(SURFACES)))]
    f = 3 if (H > 800 and kind != 'esd_foam') else 2
    w2, h2 = -(-W // f), -(-H // f)
    sc = H / 1080.0 / f                        # low-res px per 1080p px
    ang = (0.0 if rng.random() < 0.75 else math.pi / 2) + rng.normal(0, 0.025)
    ca, sa = math.cos(ang), math.sin(ang)
    yy, xx = np.ogrid[0:h2, 0:w2]
    xx = xx.astype(np.float32)
    yy = yy.astype(np.float32)
    v = -xx * sa + yy * ca                      # across the belt
    vmin = float(min(0.0, -w2 * sa, h2 * ca, -w2 * sa + h2 * ca)) - 2
    vmax = float(max(0.0, -w2 * sa, h2 * ca, -w2 * sa + h2 * ca)) + 2
    NP = 4096
    vt = np.linspace(vmin, vmax, NP)            # 1-D profile table across the belt
    vi = ((v - vmin) * ((NP - 1) / (vmax - vmin))).astype(np.int32)
    kbox = max(1, int(round((NP - 1) / (vmax - vmin))))

    def aa(prof):                                # box-filter a profile table over one low-res pixel
        prof = np.asarray(prof, np.float32)
        return np.convolve(np.pad(prof, kbox, mode='edge'), np.ones(kbox, np.float32) / kbox, 'same')[kbox:-kbox]
    if kind == 'ribbed_belt':
        base = np.array([(38, 40, 43), (28, 40, 32), (34, 38, 55), (70, 70, 72), (24, 24, 24),
                         (60, 52, 45)][rng.integers(6)], np.float32) * rng.uniform(0.8, 1.35)
        P = rng.uniform(10, 26) * sc
        fr = rng.uniform(0.45, 0.75)
        ph = (vt / P) % 1.0
        t = np.clip(ph / fr, 0, 1)
        prof = np.where(ph < fr, 0.55 + 0.45 * np.sqrt(np.abs(np.sin(np.pi * t))), 0.35)
        prof = prof + np.exp(-((t - 0.3) / 0.09) ** 2) * (ph < fr) * rng.uniform(0.15, 0.5)
        prof = aa(prof * (1 + 0.06 * _noise1d(rng, NP, 40)))
        L = prof[vi] * (1.0 + 0.10 * _noise2d(rng, h2, w2, 60 * sc, 2))
        dust = rng.random((h2, w2), dtype=np.float32) < 0.0015
        L = L + dust * np.float32(rng.uniform(0.3, 0.9))
    elif kind == 'roller_bed':
        base = np.array([(150, 155, 160), (95, 98, 104), (60, 110, 70), (40, 40, 42), (170, 160, 140)]
                        [rng.integers(5)], np.float32)
        P = rng.uniform(45, 120) * sc
        gap = rng.uniform(0.07, 0.2)
        ph = (vt / P) % 1.0
        t = np.clip(ph / (1 - gap), 0, 1)
        cyl = np.abs(np.sin(np.pi * t)) ** 0.7
        t0 = rng.uniform(0.2, 0.45)
        spec = np.exp(-((t - t0) / rng.uniform(0.03, 0.08)) ** 2) * rng.uniform(0.3, 0.9)
        prof = aa(np.where(ph < 1 - gap, 0.25 + 0.75 * cyl + spec, 0.08))
        L = prof[vi] * (1.0 + 0.05 * _noise2d(rng, h2, w2, 40 * sc))
    elif kind == 'wooden_pallet':
        pw = rng.uniform(90, 220) * sc
        g = rng.uniform(8, 34) * sc
        per = pw + g
        k = np.floor(vt / per)
        within = vt - k * per
        tone = rng.uniform(0.72, 1.15, 64)[(k.astype(np.int64) % 64)]
        gp = rng.uniform(4, 9) * sc
        n2 = _noise2d(rng, h2, w2, 70 * sc, 2)
        grain_phase = (2 * np.pi * vt / gp).astype(np.float32)
        grain = np.sin(grain_phase[vi] + 7.0 * n2)
        e = 2.5 * sc + 0.5
        edge = np.exp(-(within / e) ** 2) + np.exp(-((pw - within) / e) ** 2)
        inpl = aa((within < pw).astype(np.float32))[vi]
        plank = (tone * (1 - 0.25 * edge)).astype(np.float32)[vi]
        L = inpl * plank * (0.86 + 0.07 * grain + 0.06 * n2) + (1 - inpl) * np.float32(0.22)
        base = np.array([(182, 140, 96), (160, 128, 92), (196, 170, 130), (140, 110, 80)][rng.integers(4)],
                        np.float32)
    elif kind == 'printed_cardboard':
        base = np.array([(176, 136, 96), (160, 122, 84), (190, 160, 120), (205, 198, 188)][rng.integers(4)],
                        np.float32)
        u = xx * ca + yy * sa
        corr = 1.0 + rng.uniform(0.01, 0.035) * np.sin(u * np.float32(2 * np.pi / (rng.uniform(9, 14) * sc)))
        L = (1.0 + 0.05 * _noise2d(rng, h2, w2, 30 * sc, 3)) * corr
    else:  # esd_foam: hexagonal dimples, shaded by a light direction
        base = np.array([(34, 34, 36), (56, 56, 60), (190, 118, 128), (70, 80, 96), (24, 24, 26)]
                        [rng.integers(5)], np.float32)
        s = rng.uniform(22, 44) * sc
        R = s * rng.uniform(0.28, 0.4)
        la = rng.uniform(0, 6.3)
        lx, ly = math.cos(la), math.sin(la)
        u = xx * ca + yy * sa
        best = None
        for ox, oy in ((0.0, 0.0), (0.5, 0.5)):
            du = u - (np.round(u / s - ox) + ox) * s
            dv = v - (np.round(v / (s * 1.732) - oy) + oy) * (s * 1.732)
            d2 = du * du + dv * dv
            if best is None:
                best, bdu, bdv = d2, du, dv
            else:
                m = d2 < best
                best = np.where(m, d2, best)
                bdu = np.where(m, du, bdu)
                bdv = np.where(m, dv, bdv)
        dn = np.sqrt(best) / R
        inside = np.clip((1 - dn) * R + 0.5, 0, 1)                  # anti-aliased dimple mask
        slope = (bdu * lx + bdv * ly) / R / np.sqrt(np.clip(1.05 - dn * dn, 0.05, 1))
        L = 1.0 + inside * (-0.22 + 0.3 * np.clip(slope, -1.5, 1.5)) + 0.1 * np.exp(-((dn - 1) * R / 1.2) ** 2)
        L = L * (1.0 + 0.06 * _noise2d(rng, h2, w2, 8 * sc))
    gx, gy = rng.normal(0, 0.12, 2)
    illum = (1.0 + gx * (xx / w2 - 0.5)) + gy * (yy / h2 - 0.5)
    L = L * illum + rng.standard_normal((h2, w2), dtype=np.float32) * np.float32(rng.uniform(0.008, 0.03))
    idx = np.clip(L * 400.0, 0, 1023).astype(np.uint16)
    pal = _u8(np.arange(1024, dtype=np.float32)[:, None] / 400.0 * base[None, :])
    im = Image.fromarray(pal[idx])
    if kind == 'printed_cardboard':
        _cardboard_print(rng, im, sc)
    im = im.resize((W, H), Image.BILINEAR, box=(0, 0, W / f, H / f))
    return np.asarray(im).copy(), kind


def _cardboard_print(rng, im, sc):
    d = ImageDraw.Draw(im, 'RGBA')
    w, h = im.size
    ink = [(40, 30, 25), (30, 40, 90), (120, 30, 30), (20, 20, 20)][rng.integers(4)]
    for _ in range(rng.integers(1, 4)):
        txt = ['FRAGILE', 'THIS SIDE UP', 'HANDLE WITH CARE', 'KEEP DRY', 'MADE IN', 'RETURNS',
               'LOT 4471-B', '12 x UNITS'][rng.integers(8)]
        f = _font('DejaVuSans-Bold.ttf', rng.uniform(24, 90) * sc)
        d.text((rng.uniform(-0.2, 0.9) * w, rng.uniform(-0.1, 0.9) * h), txt, font=f,
               fill=ink + (int(rng.uniform(140, 230)),))
    for _ in range(rng.integers(0, 3)):      # arrows
        cx, cy, s = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(25, 70) * sc
        pts = [(cx - s * 0.2, cy + s), (cx + s * 0.2, cy + s), (cx + s * 0.2, cy), (cx + s * 0.5, cy),
               (cx, cy - s * 0.7), (cx - s * 0.5, cy), (cx - s * 0.2, cy)]
        d.polygon(pts, fill=ink + (200,))
    if rng.random() < 0.6:                   # packing tape band
        y = rng.uniform(0, h)
        th = rng.uniform(40, 90) * sc
        ang = rng.normal(0, 0.03)
        x0, x1 = -10, w + 10
        pts = [(x0, y), (x1, y + (x1 - x0) * ang), (x1, y + th + (x1 - x0) * ang), (x0, y + th)]
        d.polygon(pts, fill=(235, 225, 200, 70))
        d.line(pts[:2], fill=(250, 245, 230, 150), width=1)
        d.line(pts[2:], fill=(90, 70, 50, 110), width=1)
    if rng.random() < 0.4:                   # recycle / logo circle
        cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(20, 60) * sc
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=ink + (200,), width=max(1, int(r / 8)))


# ----------------------------------------------------------------------------------------------------------------
# screen content (vector drawn, in screen pixels of the canonical canvas)
# ----------------------------------------------------------------------------------------------------------------
def _vgrad(w, h, c0, c1, horizontal=False):
    n = w if horizontal else h
    t = np.linspace(0, 1, max(2, n), dtype=np.float32)[:, None]
    g = np.asarray(c0, np.float32) * (1 - t) + np.asarray(c1, np.float32) * t
    g = _u8(g)
    if horizontal:
        return Image.fromarray(np.broadcast_to(g[None, :, :], (h, w, 3)).copy())
    return Image.fromarray(np.broadcast_to(g[:, None, :], (h, w, 3)).copy())


def _rect(d, x0, y0, x1, y1, **kw):
    if x1 < x0:
        x0, x1 = x1, x0
    if y1 < y0:
        y0, y1 = y1, y0
    d.rectangle((x0, y0, x1, y1), **kw)


def _rrect(d, x0, y0, x1, y1, r, **kw):
    if x1 < x0:
        x0, x1 = x1, x0
    if y1 < y0:
        y0, y1 = y1, y0
    r = max(0, min(r, (x1 - x0) / 2 - 0.5, (y1 - y0) / 2 - 0.5))
    if r < 1:
        d.rectangle((x0, y0, x1, y1), **kw)
    else:
        d.rounded_rectangle((x0, y0, x1, y1), radius=r, **kw)


def _words(rng, n):
    return ' '.join(WORDS[j] for j in rng.integers(0, len(WORDS), n))


def _status_bar(rng, d, w, dp, fg, bg=None):
    h = 24 * dp
    if bg is not None:
        _rect(d, 0, 0, w, h, fill=bg)
    f = _font('DejaVuSans.ttf', 12 * dp)
    d.text((16 * dp, 5 * dp), '%d:%02d' % (rng.integers(1, 13), rng.integers(0, 60)), font=f, fill=fg)
    bx = w - 38 * dp
    lw = max(1, int(round(dp)))
    _rect(d, bx, 8 * dp, bx + 20 * dp, 17 * dp, outline=fg, width=lw)
    _rect(d, bx + 2 * dp, 10 * dp, bx + 2 * dp + 16 * dp * rng.uniform(0.1, 1), 15 * dp, fill=fg)
    for k in range(4):
        x = w - 70 * dp + k * 5 * dp
        _rect(d, x, 18 * dp - (k + 1) * 2.5 * dp, x + 3 * dp, 18 * dp, fill=fg)
    return h


def _c_photo(rng, w, h, dp):
    letter = rng.random() < 0.3
    ph = int(h * rng.uniform(0.28, 0.4)) if letter else h
    hw, hh = max(8, w), max(8, ph)
    sky0 = rng.uniform(30, 200, 3)
    sky1 = np.clip(sky0 + rng.uniform(-40, 120, 3), 0, 255)
    im = _vgrad(hw, hh, sky0, sky1)
    d = ImageDraw.Draw(im, 'RGBA')
    mode = rng.integers(3)
    if mode == 0:   # landscape: sun, mountains, water
        sx, sy, sr = rng.uniform(0.1, 0.9) * hw, rng.uniform(0.1, 0.45) * hh, rng.uniform(0.04, 0.1) * hw
        for k in range(5, 0, -1):
            r = sr * (1 + 0.5 * k)
            d.ellipse((sx - r, sy - r, sx + r, sy + r), fill=(255, 240, 200, 18))
        d.ellipse((sx - sr, sy - sr, sx + sr, sy + sr), fill=(255, 250, 225, 255))
        for layer in range(rng.integers(2, 5)):
            y0 = hh * (0.35 + 0.12 * layer + rng.uniform(-0.05, 0.05))
            xs = np.linspace(-2, hw + 2, 24)
            ys = y0 + np.cumsum(rng.normal(0, hh * 0.03, 24))
            c = _col(rng.uniform(30, 140, 3), 1.0 - 0.18 * layer)
            d.polygon(list(zip(xs, ys)) + [(hw + 2, hh + 2), (-2, hh + 2)], fill=c)
        if rng.random() < 0.5:
            wy = hh * rng.uniform(0.7, 0.85)
            d.rectangle((0, wy, hw, hh), fill=_col(sky1, 0.6) + (200,))
            for k in range(8):
                y = wy + (hh - wy) * rng.random()
                d.line((rng.uniform(0, hw), y, rng.uniform(0, hw), y), fill=(255, 255, 255, 60), width=1)
    elif mode == 1:  # city at dusk
        gy = hh * rng.uniform(0.6, 0.85)
        x = -5.0
        while x < hw:
            bw = rng.uniform(0.05, 0.14) * hw
            bh = rng.uniform(0.15, 0.6) * hh
            c = _col((rng.uniform(15, 60),) * 3)
            d.rectangle((x, gy - bh, x + bw, hh), fill=c)
            for _ in range(int(bw * bh / 240)):
                wx, wy = x + rng.uniform(0.1, 0.9) * bw, gy - bh + rng.uniform(0.05, 0.95) * bh
                d.rectangle((wx, wy, wx + 3, wy + 4), fill=(255, 220, 140, int(rng.uniform(60, 255))))
            x += bw + rng.uniform(0, 4)
    else:            # bokeh / portrait-ish blobs
        for _ in range(rng.integers(8, 25)):
            cx, cy, r = rng.uniform(0, hw), rng.uniform(0, hh), rng.uniform(0.03, 0.2) * hw
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=_col(rng.uniform(60, 255, 3)) + (int(rng.uniform(30, 120)),))
        cx, cy = hw * rng.uniform(0.3, 0.7), hh * rng.uniform(0.35, 0.6)
        rw, rh = hw * 0.18, hh * 0.16
        skin = _col((rng.uniform(120, 230), rng.uniform(90, 180), rng.uniform(70, 150)))
        d.ellipse((cx - rw * 1.9, cy + rh * 0.9, cx + rw * 1.9, cy + rh * 4), fill=_col(rng.uniform(20, 120, 3)))
        d.ellipse((cx - rw, cy - rh, cx + rw, cy + rh), fill=skin)
    if im.size != (w, ph):
        im = im.resize((w, ph), Image.BILINEAR)
    if letter:
        out = Image.new('RGB', (w, h), (0, 0, 0))
        out.paste(im, (0, (h - ph) // 2))
        im = out
    return im, []


def _c_game(rng, w, h, dp):
    land = rng.random() < 0.5
    W_, H_ = (h, w) if land else (w, h)
    dp_ = min(W_, H_) / 360.0
    tags = ['ui_lines']
    if rng.random() < 0.55:      # platformer
        im = _vgrad(W_, H_, rng.uniform(60, 140, 3), rng.uniform(150, 255, 3))
        d = ImageDraw.Draw(im, 'RGBA')
        for _ in range(rng.integers(2, 6)):
            cx, cy, r = rng.uniform(0, W_), rng.uniform(0, H_ * 0.4), rng.uniform(15, 40) * dp_
            for k in range(3):
                d.ellipse((cx - r + k * r * 0.6, cy - r * 0.5, cx + r * 0.4 + k * r * 0.6, cy + r * 0.4),
                          fill=(255, 255, 255, 230))
        ts = rng.uniform(16, 32) * dp_
        gy = H_ - ts * rng.integers(2, 4)
        tile = _col(rng.uniform(80, 200, 3))
        for x in np.arange(0, W_ + ts, ts):
            for y in np.arange(gy, H_ + ts, ts):
                d.rectangle((x, y, x + ts - 1, y + ts - 1), fill=tile, outline=_col(tile, 0.6), width=max(1, int(dp_)))
        for _ in range(rng.integers(2, 6)):
            px, py, n = rng.uniform(0, W_), rng.uniform(0.3, 0.75) * H_, rng.integers(2, 6)
            for k in range(n):
                d.rectangle((px + k * ts, py, px + (k + 1) * ts - 1, py + ts - 1), fill=_col(tile, 1.1),
                            outline=_col(tile, 0.5), width=max(1, int(dp_)))
        for _ in range(rng.integers(3, 12)):
            cx, cy, r = rng.uniform(0, W_), rng.uniform(0.2, 0.8) * H_, 5 * dp_
            d.ellipse((cx - r, cy - r, cx + r, cy + r), fill=(250, 210, 40), outline=(160, 110, 0))
        cx, cy = rng.uniform(0.2, 0.8) * W_, gy - 24 * dp_
        d.rectangle((cx, cy, cx + 14 * dp_, gy - 1), fill=_col(rng.uniform(0, 255, 3)))
        d.ellipse((cx, cy - 12 * dp_, cx + 14 * dp_, cy + 2 * dp_), fill=(240, 200, 160))
    else:                        # match-3 board
        im = _vgrad(W_, H_, rng.uniform(20, 90, 3), rng.uniform(60, 160, 3))
        d = ImageDraw.Draw(im, 'RGBA')
        n = int(rng.integers(6, 10))
        cs = min(W_, H_ * 0.7) * 0.92 / n
        x0, y0 = (W_ - cs * n) / 2, H_ * 0.22
        _rrect(d, x0 - 6 * dp_, y0 - 6 * dp_, x0 + cs * n + 6 * dp_, y0 + cs * n + 6 * dp_, 10 * dp_,
               fill=(0, 0, 0, 90), outline=(255, 255, 255, 160), width=max(1, int(dp_)))
        cols = [(230, 50, 50), (50, 180, 60), (60, 110, 240), (250, 210, 40), (180, 70, 220), (250, 140, 30)]
        for a in range(n):
            for b in range(n):
                c = cols[rng.integers(len(cols))]
                gx, gy_, m = x0 + a * cs, y0 + b * cs, cs * 0.15
                if rng.random() < 0.5:
                    d.ellipse((gx + m, gy_ + m, gx + cs - m, gy_ + cs - m), fill=c)
                else:
                    d.polygon([(gx + cs / 2, gy_ + m), (gx + cs - m, gy_ + cs / 2), (gx + cs / 2, gy_ + cs - m),
                               (gx + m, gy_ + cs / 2)], fill=c)
                d.ellipse((gx + cs * 0.3, gy_ + cs * 0.25, gx + cs * 0.45, gy_ + cs * 0.4), fill=(255, 255, 255, 150))
    d.text((10 * dp_, 8 * dp_), 'SCORE %06d' % rng.integers(0, 999999), font=_font('DejaVuSansMono-Bold.ttf', 14 * dp_),
           fill=(255, 255, 255))
    for k in range(3):
        cx = W_ - (20 + 18 * k) * dp_
        d.ellipse((cx - 6 * dp_, 10 * dp_, cx + 6 * dp_, 22 * dp_), fill=(230, 40, 60))
    if land:
        im = im.transpose(Image.ROTATE_90 if rng.random() < 0.5 else Image.ROTATE_270)
    return im, tags


def _c_black_text(rng, w, h, dp):
    im = Image.new('RGB', (w, h), _col((rng.uniform(0, 6),) * 3))
    d = ImageDraw.Draw(im)
    txt = ['No SIM card', 'Charging 47%', 'Hello', 'Swipe up to unlock', 'Press power to restart',
           'Emergency calls only', 'Connect to charger', 'Starting...', 'Updating 12%', 'Battery low',
           'Factory test mode', 'Insert SIM'][rng.integers(12)]
    f = _font(['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansMono.ttf'][rng.integers(3)], rng.uniform(13, 28) * dp)
    tw = f.getlength(txt)
    y = h * rng.choice([0.5, rng.uniform(0.2, 0.85)])
    x = (w - tw) / 2 if rng.random() < 0.8 else 16 * dp
    d.text((x, y), txt, font=f, fill=_col((rng.uniform(200, 255),) * 3))
    return im, []


def _c_boot_logo(rng, w, h, dp):
    im = Image.new('RGB', (w, h), (0, 0, 0))
    d = ImageDraw.Draw(im)
    cx, cy = w / 2, h * rng.uniform(0.42, 0.5)
    col = _col((255, 255, 255)) if rng.random() < 0.6 else _col(rng.uniform(80, 255, 3))
    mode = rng.integers(3)
    if mode == 0:
        r = rng.uniform(30, 55) * dp
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=col, width=max(1, int(r * 0.18)))
        d.polygon([(cx - r * 0.3, cy - r * 0.4), (cx + r * 0.45, cy), (cx - r * 0.3, cy + r * 0.4)], fill=col)
    elif mode == 1:
        txt = ['NOVA', 'ORBIT', 'KELP', 'AURA', 'ZENTO', 'LUMEN'][rng.integers(6)]
        f = _font('DejaVuSans-Bold.ttf', rng.uniform(34, 60) * dp)
        d.text((cx - f.getlength(txt) / 2, cy - 30 * dp), txt, font=f, fill=col)
    else:
        r = rng.uniform(25, 45) * dp
        for k in range(4):
            a = k * math.pi / 2 + 0.3
            d.ellipse((cx + math.cos(a) * r * 0.55 - r * 0.45, cy + math.sin(a) * r * 0.55 - r * 0.45,
                       cx + math.cos(a) * r * 0.55 + r * 0.45, cy + math.sin(a) * r * 0.55 + r * 0.45),
                      fill=_col(rng.uniform(60, 255, 3)))
    if rng.random() < 0.5:
        bw, by = w * 0.4, h * 0.78
        lw = max(1, int(dp))
        _rrect(d, cx - bw / 2, by, cx + bw / 2, by + 5 * dp, 3 * dp, outline=(200, 200, 200), width=lw)
        _rrect(d, cx - bw / 2, by, cx - bw / 2 + bw * rng.uniform(0.05, 1), by + 5 * dp, 3 * dp, fill=(230, 230, 230))
    if rng.random() < 0.5:
        f = _font('DejaVuSans.ttf', 10 * dp)
        t = 'powered by ' + ['android', 'linux', 'harmony', 'nova os'][rng.integers(4)]
        d.text((cx - f.getlength(t) / 2, h * 0.9), t, font=f, fill=(150, 150, 150))
    return im, []


def _c_test_bars(rng, w, h, dp):
    mode = rng.integers(4)
    im = Image.new('RGB', (w, h), (0, 0, 0))
    d = ImageDraw.Draw(im)
    tags = []
    if mode == 0:       # SMPTE-like bars
        lv = rng.uniform(180, 240)
        cols = [(lv, lv, lv), (lv, lv, 0), (0, lv, lv), (0, lv, 0), (lv, 0, lv), (lv, 0, 0), (0, 0, lv)]
        n = len(cols)
        for k, c in enumerate(cols):
            _rect(d, k * w / n, 0, (k + 1) * w / n, h * 0.67, fill=_col(c))
        for k, c in enumerate(reversed(cols)):
            _rect(d, k * w / n, h * 0.67, (k + 1) * w / n, h * 0.75, fill=_col(c, 0.5 if k % 2 else 1.0))
        for k, c in enumerate([(0, 33, 76), (255, 255, 255), (50, 0, 106), (19, 19, 19), (0, 0, 0), (38, 38, 38)]):
            _rect(d, k * w / 6, h * 0.75, (k + 1) * w / 6, h, fill=c)
    elif mode == 1:     # grey step wedge + colour ramps
        n = int(rng.integers(6, 16))
        for k in range(n):
            _rect(d, 0, k * h / n / 2, w, (k + 1) * h / n / 2, fill=_col((255 * k / (n - 1),) * 3))
        for j, c in enumerate([(1, 0, 0), (0, 1, 0), (0, 0, 1)]):
            g = _vgrad(w, int(h / 6), (0, 0, 0), tuple(255 * x for x in c), horizontal=True)
            im.paste(g, (0, int(h / 2 + j * h / 6)))
    elif mode == 2:     # crosshatch grid (thin lines)
        tags.append('ui_lines')
        step = rng.uniform(20, 45) * dp
        lw = max(1, int(round(dp * rng.uniform(0.6, 1.5))))
        c = _col((rng.uniform(180, 255),) * 3)
        for x in np.arange(step / 2, w, step):
            d.line((x, 0, x, h), fill=c, width=lw)
        for y in np.arange(step / 2, h, step):
            d.line((0, y, w, y), fill=c, width=lw)
        d.ellipse((w / 2 - w * 0.4, h / 2 - w * 0.4, w / 2 + w * 0.4, h / 2 + w * 0.4), outline=c, width=lw)
    else:               # solid colour (dead-pixel test) with label
        c = [(255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 0, 255), (128, 128, 128)][rng.integers(5)]
        im = Image.new('RGB', (w, h), _col(c, rng.uniform(0.75, 1.0)))
        d = ImageDraw.Draw(im)
        d.text((12 * dp, 12 * dp), 'LCD TEST %d/5' % rng.integers(1, 6), font=_font('DejaVuSans.ttf', 12 * dp),
               fill=(0, 0, 0) if sum(c) > 300 else (255, 255, 255))
    return im, tags


def _c_ereader(rng, w, h, dp):
    paper = _col((rng.uniform(225, 248), rng.uniform(222, 245), rng.uniform(210, 240)))
    im = Image.new('RGB', (w, h), paper)
    d = ImageDraw.Draw(im)
    ink = _col((rng.uniform(20, 70),) * 3)
    fs = rng.uniform(9, 13) * dp
    f = _font(['DejaVuSerif.ttf', 'DejaVuSans.ttf', 'DejaVuSerifCondensed.ttf'][rng.integers(3)], fs)
    m = rng.uniform(14, 28) * dp
    y = m + 10 * dp
    if rng.random() < 0.5:
        fb = _font('DejaVuSerif-Bold.ttf', fs * 1.6)
        d.text((m, y), 'Chapter %d' % rng.integers(1, 30), font=fb, fill=ink)
        y += fs * 3
    cw = fs * 0.52
    nchar = max(8, int((w - 2 * m) / cw))
    lh = fs * rng.uniform(1.35, 1.7)
    while y < h - m - 2 * lh:
        line = _words(rng, 14)[:nchar]
        if rng.random() < 0.08:
            line = line[:int(nchar * rng.uniform(0.2, 0.7))]
            y_add = lh * 1.6
        else:
            y_add = lh
        d.text((m, y), line, font=f, fill=ink)
        y += y_add
    fsm = _font('DejaVuSans.ttf', fs * 0.8)
    d.text((w / 2 - 10 * dp, h - m), '%d' % rng.integers(1, 400), font=fsm, fill=ink)
    if rng.random() < 0.5:
        _rect(d, m, h - m * 0.5, w - m, h - m * 0.5 + max(1, dp * 0.8), fill=_col(ink, 1.8))
        return im, ['ui_lines']
    return im, []


def _c_terminal(rng, w, h, dp):
    bg = [(0, 0, 0), (12, 12, 20), (20, 22, 30), (0, 20, 0), (40, 0, 40)][rng.integers(5)]
    im = Image.new('RGB', (w, h), bg)
    d = ImageDraw.Draw(im)
    fs = rng.uniform(8, 12) * dp
    f = _font('DejaVuSansMono.ttf', fs)
    fg = [(200, 200, 200), (80, 250, 80), (240, 240, 240), (255, 190, 60)][rng.integers(4)]
    y = 28 * dp
    cw = fs * 0.61
    nchar = max(6, int((w - 12 * dp) / cw))
    while y < h - 2 * fs:
        r = rng.random()
        if r < 0.25:
            line, c = 'user@box:~$ ' + ['ls -la', 'make -j8', 'cat log.txt', 'ping 10.0.0.1', 'top',
                                        'git status', 'dmesg | tail'][rng.integers(7)], (120, 220, 255)
        elif r < 0.35:
            line, c = '[%8.3f] ' % rng.uniform(0, 999) + _words(rng, 6), (255, 120, 120)
        else:
            line, c = ' '.join('%s%s' % (WORDS[j][:6], rng.choice(['.c', '.py', '', '.log', '/']))
                               for j in rng.integers(0, len(WORDS), 8)), fg
        d.text((6 * dp, y), line[:nchar], font=f, fill=c)
        y += fs * 1.25
    _rect(d, 6 * dp, y, 6 * dp + cw, y + fs, fill=fg)
    return im, []


def _icon(rng, d, x, y, s, dp):
    c0 = _col(rng.uniform(30, 255, 3))
    _rrect(d, x, y, x + s, y + s, s * 0.23, fill=c0)
    g = rng.integers(4)
    m = s * 0.28
    fg = (255, 255, 255) if sum(c0) < 500 else (40, 40, 40)
    if g == 0:
        d.ellipse((x + m, y + m, x + s - m, y + s - m), fill=fg)
    elif g == 1:
        _rect(d, x + m, y + m * 1.2, x + s - m, y + s - m * 1.2, outline=fg, width=max(1, int(s * 0.07)))
    elif g == 2:
        d.polygon([(x + s / 2, y + m), (x + s - m, y + s - m), (x + m, y + s - m)], fill=fg)
    else:
        f = _font('DejaVuSans-Bold.ttf', s * 0.45)
        d.text((x + s * 0.3, y + s * 0.2), 'ABCDEFGHKMPRSTWZ'[rng.integers(16)], font=f, fill=fg)


def _c_icon_grid(rng, w, h, dp):
    gw, gh = max(4, w // 8), max(4, h // 8)
    wall = (np.asarray(_vgrad(gw, gh, rng.uniform(0, 255, 3), rng.uniform(0, 255, 3))).astype(np.float32) +
            40 * _noise2d(rng, gh, gw, 4)[..., None])
    im = Image.fromarray(_u8(wall)).resize((w, h), Image.BICUBIC)
    d = ImageDraw.Draw(im, 'RGBA')
    _status_bar(rng, d, w, dp, (255, 255, 255))
    cols = int(rng.integers(4, 6)) if w < h * 0.9 else int(rng.integers(6, 9))
    s = w / cols * rng.uniform(0.55, 0.7)
    pitch_x = w / cols
    pitch_y = s * rng.uniform(1.45, 1.7)
    rows = int((h * 0.72 - 40 * dp) / pitch_y)
    fl = _font('DejaVuSans.ttf', max(5, s * 0.17))
    for r in range(max(1, rows)):
        for c in range(cols):
            x = c * pitch_x + (pitch_x - s) / 2
            y = 40 * dp + r * pitch_y
            if rng.random() < 0.9:
                _icon(rng, d, x, y, s, dp)
                lab = WORDS[rng.integers(len(WORDS))][:8].capitalize()
                d.text((x + s / 2 - fl.getlength(lab) / 2, y + s * 1.05), lab, font=fl, fill=(255, 255, 255))
    dy = h - s * 1.6
    _rrect(d, 8 * dp, dy, w - 8 * dp, h - 8 * dp, 20 * dp, fill=(255, 255, 255, 60))
    for c in range(4):
        _icon(rng, d, w * (0.125 + 0.25 * c) - s / 2, dy + (h - 8 * dp - dy - s) / 2, s, dp)
    for k in range(int(rng.integers(2, 5))):
        cx = w / 2 + (k - 1.5) * 10 * dp
        d.ellipse((cx - 2.5 * dp, dy - 12 * dp, cx + 2.5 * dp, dy - 7 * dp), fill=(255, 255, 255, 200 if k == 0 else 110))
    return im, ['ui_lines'] if rng.random() < 0.3 else []


def _c_aod(rng, w, h, dp):
    im = Image.new('RGB', (w, h), (0, 0, 0))
    d = ImageDraw.Draw(im)
    lv = _col((rng.uniform(120, 235),) * 3) if rng.random() < 0.7 else _col(rng.uniform(60, 230, 3))
    t = '%d:%02d' % (rng.integers(1, 13), rng.integers(0, 60))
    f = _font(['DejaVuSans-ExtraLight.ttf', 'DejaVuSans.ttf', 'DejaVuSansCondensed.ttf'][rng.integers(3)],
              rng.uniform(56, 96) * dp)
    y = h * rng.uniform(0.15, 0.35)
    x = (w - f.getlength(t)) / 2 if rng.random() < 0.7 else 24 * dp
    d.text((x, y), t, font=f, fill=lv)
    f2 = _font('DejaVuSans.ttf', 13 * dp)
    ds = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'][rng.integers(7)] + ', %d May' % rng.integers(1, 31)
    d.text(((w - f2.getlength(ds)) / 2 if x > 30 * dp else x, y + f.size * 1.2), ds, font=f2, fill=_col(lv, 0.8))
    for k in range(int(rng.integers(0, 5))):
        cx = w / 2 + (k - 2) * 18 * dp
        d.ellipse((cx - 5 * dp, y + f.size * 1.2 + 30 * dp, cx + 5 * dp, y + f.size * 1.2 + 40 * dp), outline=_col(lv, 0.7),
                  width=max(1, int(dp)))
    if rng.random() < 0.4:
        cx, cy, r = w / 2, h * 0.85, 16 * dp
        d.ellipse((cx - r, cy - r, cx + r, cy + r), outline=(90, 90, 90), width=max(1, int(dp)))
    return im, []


def _c_app_list(rng, w, h, dp):
    darkm = rng.random() < 0.35
    bg = _col((rng.uniform(18, 35),) * 3) if darkm else _col((rng.uniform(238, 255),) * 3)
    fg = (230, 230, 230) if darkm else (25, 25, 30)
    sub = (150, 150, 150) if darkm else (110, 110, 115)
    sep = _col(bg, 1.0, 28 if darkm else -30)
    accent = _col(rng.uniform(0, 255, 3))
    im = Image.new('RGB', (w, h), bg)
    d = ImageDraw.Draw(im)
    bar = accent if rng.random() < 0.5 else None
    sb = _status_bar(rng, d, w, dp, (255, 255, 255) if (bar or darkm) else fg, bar)
    ab = 52 * dp
    if bar:
        _rect(d, 0, sb, w, sb + ab, fill=bar)
    ft = _font('DejaVuSans-Bold.ttf', 18 * dp)
    d.text((16 * dp, sb + 14 * dp), ['Settings', 'Messages', 'Contacts', 'Files', 'Orders', 'Inbox'][rng.integers(6)],
           font=ft, fill=(255, 255, 255) if bar else fg)
    y = sb + ab + 6 * dp
    lw = max(1, int(round(dp * rng.uniform(0.5, 1.2))))
    if rng.random() < 0.6:
        _rrect(d, 12 * dp, y, w - 12 * dp, y + 36 * dp, 18 * dp, outline=sep if rng.random() < 0.5 else sub, width=lw)
        d.text((30 * dp, y + 10 * dp), 'Search', font=_font('DejaVuSans.ttf', 13 * dp), fill=sub)
        y += 46 * dp
    f1 = _font('DejaVuSans.ttf', 15 * dp)
    f2 = _font('DejaVuSans.ttf', 12 * dp)
    rowh = rng.uniform(56, 72) * dp
    avatar = rng.random() < 0.7
    while y + rowh < h - 60 * dp:
        x = 16 * dp
        if avatar:
            r = 18 * dp
            d.ellipse((x, y + rowh / 2 - r, x + 2 * r, y + rowh / 2 + r), fill=_col(rng.uniform(60, 230, 3)))
            x += 2 * r + 14 * dp
        d.text((x, y + rowh * 0.18), _words(rng, 3).capitalize(), font=f1, fill=fg)
        d.text((x, y + rowh * 0.55), _words(rng, 5)[:int(w / (7 * dp))], font=f2, fill=sub)
        if rng.random() < 0.25:     # toggle
            tx = w - 60 * dp
            on = rng.random() < 0.5
            _rrect(d, tx, y + rowh / 2 - 10 * dp, tx + 38 * dp, y + rowh / 2 + 10 * dp, 10 * dp,
                   fill=accent if on else sep)
            cx = tx + (28 if on else 10) * dp
            d.ellipse((cx - 8 * dp, y + rowh / 2 - 8 * dp, cx + 8 * dp, y + rowh / 2 + 8 * dp), fill=(255, 255, 255))
        elif rng.random() < 0.2:    # outlined button
            _rrect(d, w - 86 * dp, y + rowh / 2 - 14 * dp, w - 14 * dp, y + rowh / 2 + 14 * dp, 6 * dp,
                   outline=accent, width=lw)
        y += rowh
        _rect(d, x if rng.random() < 0.6 else 0, y - lw, w, y, fill=sep)
    _rect(d, 0, h - 56 * dp, w, h - 56 * dp + lw, fill=sep)
    for k in range(4):
        cx = w * (0.125 + 0.25 * k)
        d.ellipse((cx - 9 * dp, h - 40 * dp, cx + 9 * dp, h - 22 * dp), outline=accent if k == 0 else sub, width=lw + 1)
    if rng.random() < 0.4:
        r = 26 * dp
        d.ellipse((w - 20 * dp - 2 * r, h - 70 * dp - 2 * r, w - 20 * dp, h - 70 * dp), fill=accent)
    return im, ['ui_lines']


_CONTENT_FN = {'photo': _c_photo, 'game': _c_game, 'black_text': _c_black_text, 'boot_logo': _c_boot_logo,
               'test_bars': _c_test_bars, 'ereader': _c_ereader, 'terminal': _c_terminal,
               'icon_grid': _c_icon_grid, 'aod_clock': _c_aod, 'app_list': _c_app_list}


def _content(rng, w, h, kind):
    """draw screen content at (w, h) px, capped in area for speed (then upscaled)."""
    cap = 1.7e6
    f = min(1.0, math.sqrt(cap / max(1.0, w * h)))
    cw, ch = max(16, int(round(w * f))), max(16, int(round(h * f)))
    dp = min(cw, ch) / (360.0 if max(cw, ch) > 1.6 * min(cw, ch) else 560.0)
    im, tags = _CONTENT_FN[kind](rng, cw, ch, dp)
    if im.size != (cw, ch):
        im = im.resize((cw, ch), Image.BILINEAR)
    if (cw, ch) != (w, h):
        im = im.resize((w, h), Image.BICUBIC)
    return im, tags


# ----------------------------------------------------------------------------------------------------------------
# device: spec, pose, vector drawing on the canonical (supersampled, upright) canvas
# ----------------------------------------------------------------------------------------------------------------
METALS = [((182, 186, 192), (236, 238, 242)), ((74, 76, 82), (150, 152, 160)), ((196, 172, 138), (245, 228, 200)),
          ((62, 82, 120), (150, 170, 210)), ((28, 28, 30), (90, 90, 95)), ((214, 214, 210), (250, 250, 248)),
          ((140, 32, 36), (230, 120, 120)), ((110, 130, 110), (190, 210, 190)), ((150, 120, 160), (220, 200, 230))]


def _device_spec(rng):
    u = rng.uniform
    r = rng.random()
    if r < 0.68:
        typ, wmm, asp, rad = 'phone', u(64, 78), u(1.95, 2.25), u(6, 12)
    elif r < 0.82:
        typ, wmm, asp, rad = 'tablet', u(118, 150), u(1.3, 1.6), u(5, 11)
    elif r < 0.91:
        typ, wmm, asp, rad = 'fold_book', u(118, 135), u(1.12, 1.3), u(4, 8)
    else:
        typ, wmm, asp, rad = 'fold_flip', u(68, 76), u(2.25, 2.45), u(6, 10)
    classic = typ in ('phone', 'tablet') and rng.random() < 0.25
    m = METALS[rng.integers(len(METALS))]
    sp = dict(type=typ, w=wmm, h=wmm * asp, rad=rad, classic=classic,
              rim=u(0.6, 1.8) if typ != 'tablet' else u(0.8, 2.2),
              two_tone=rng.random() < 0.4, metal=m[0], chamfer=m[1],
              second=METALS[rng.integers(len(METALS))][0])
    if classic:
        side = u(2.5, 5.0) if typ == 'phone' else u(6, 12)
        sp.update(side=side, top=u(9, 15), bottom=u(9, 16), camera='bezel', home=rng.random() < 0.8,
                  bezel=_col((u(225, 242),) * 3) if rng.random() < 0.35 else _col((u(6, 20),) * 3), srad=u(0, 1.2))
    else:
        side = u(1.0, 2.6) if typ != 'tablet' else u(4, 9)
        sp.update(side=side, top=side + u(0, 2.0), bottom=side + u(0, 2.5),
                  camera=['punch', 'punch', 'notch', 'none'][rng.integers(4)], home=False,
                  bezel=_col((u(5, 16),) * 3), srad=max(0.5, rad - sp['rim'] - side) * u(0.7, 1.0))
    sp['panel_off'] = u(-4, 5)
    return sp


def _pose(rng, wmm, hmm, W, H):
    """device outline corners in frame px (tl, tr, br, bl): in-plane rotation, tilt, pinhole projection."""
    theta = rng.uniform(0, 2 * math.pi)
    if rng.random() < 0.35:
        theta = rng.integers(4) * math.pi / 2 + rng.normal(0, 0.12)
    steep = rng.random() < 0.18
    phi = rng.uniform(0.45, 0.9) if steep else abs(rng.normal(0, 0.07))
    psi = rng.uniform(0, 2 * math.pi)
    P = np.array([[-wmm / 2, -hmm / 2, 0], [wmm / 2, -hmm / 2, 0], [wmm / 2, hmm / 2, 0], [-wmm / 2, hmm / 2, 0]])
    c, s = math.cos(theta), math.sin(theta)
    Rz = np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]])
    k = np.array([math.cos(psi), math.sin(psi), 0.0])
    K = np.array([[0, -k[2], k[1]], [k[2], 0, -k[0]], [-k[1], k[0], 0]])
    Rt = np.eye(3) + math.sin(phi) * K + (1 - math.cos(phi)) * (K @ K)
    P = P @ Rz.T @ Rt.T
    D = rng.uniform(2.5, 6.0) * max(wmm, hmm)
    proj = P[:, :2] * (D / (D - P[:, 2]))[:, None]
    lo, hi = proj.min(0), proj.max(0)
    bw, bh = hi - lo
    f = rng.uniform(0.25, 0.8)
    sc = f * H / bh
    sc = min(sc, 0.96 * W / bw, 0.96 * H / bh)
    proj = (proj - (lo + hi) / 2) * sc
    hw, hh = bw * sc / 2, bh * sc / 2
    mx, my = 0.01 * W, 0.01 * H
    cx = rng.uniform(hw + mx, max(hw + mx + 1e-3, W - hw - mx))
    cy = rng.uniform(hh + my, max(hh + my + 1e-3, H - hh - my))
    return proj + [cx, cy], dict(theta=theta, tilt=phi, steep=steep)


def _side_frames(Tw, Th, R):
    # (origin, along, inward, length, outward normal angle)  for top, right, bottom, left
    return [((R, 0.0), (1, 0), (0, 1), Tw - 2 * R, -math.pi / 2),
            ((Tw, R), (0, 1), (-1, 0), Th - 2 * R, 0.0),
            ((Tw - R, Th), (-1, 0), (0, -1), Tw - 2 * R, math.pi / 2),
            ((0.0, Th - R), (0, -1), (1, 0), Th - 2 * R, math.pi)]


def _device_geom(sp, pc, Tw, Th):
    R = sp['rad'] * pc
    rim = max(1.5, sp['rim'] * pc)
    g = (rim, rim, Tw - 1 - rim, Th - 1 - rim, max(0.0, R - rim))
    s = (rim + sp['side'] * pc, rim + sp['top'] * pc, Tw - 1 - rim - sp['side'] * pc, Th - 1 - rim - sp['bottom'] * pc,
         sp['srad'] * pc)
    sw, sh = max(16, int(round(s[2] - s[0]))), max(16, int(round(s[3] - s[1])))
    return R, rim, g, s, sw, sh


def _draw_device(sp, rng, pc, Tw, Th, la, content_im):
    """vector drawing of the device front.  Returns dict with the PIL image and geometry (canonical px)."""
    img = Image.new('RGB', (Tw, Th), sp['metal'])
    d = ImageDraw.Draw(img, 'RGBA')
    R, rim, g, s, sw, sh = _device_geom(sp, pc, Tw, Th)
    metal = np.array(sp['metal'], float)
    # rim: per-side gradient strips (light from angle la), bright specular lines on the sides facing the light
    for (o, al, inw, ln, nang) in _side_frames(Tw, Th, R):
        facing = math.cos(nang - la)
        k0 = 0.62 + 0.38 * facing
        n = 10
        ks = k0 * (1 + 0.22 * np.sin(np.linspace(0, math.pi, n + 1) * rng.uniform(0.5, 2) + rng.uniform(0, 6)))
        for j in range(n):
            a0, a1 = ln * j / n - 1, ln * (j + 1) / n + 1
            dep = rim * 1.4
            pts = [(o[0] + al[0] * a0, o[1] + al[1] * a0), (o[0] + al[0] * a1, o[1] + al[1] * a1),
                   (o[0] + al[0] * a1 + inw[0] * dep, o[1] + al[1] * a1 + inw[1] * dep),
                   (o[0] + al[0] * a0 + inw[0] * dep, o[1] + al[1] * a0 + inw[1] * dep)]
            d.polygon(pts, fill=_col(metal, ks[j]))
        if facing > 0.2 or rng.random() < 0.25:
            t0, t1 = sorted(rng.uniform(0, 1, 2))
            t1 = max(t1, t0 + 0.15)
            dep = rim * rng.uniform(0.2, 0.5)
            lw = max(1, int(round(rim * rng.uniform(0.12, 0.3))))
            a0, a1 = ln * t0, ln * min(1.0, t1)
            d.line([(o[0] + al[0] * a0 + inw[0] * dep, o[1] + al[1] * a0 + inw[1] * dep),
                    (o[0] + al[0] * a1 + inw[0] * dep, o[1] + al[1] * a1 + inw[1] * dep)],
                   fill=(255, 255, 255, int(120 + 135 * max(0.0, facing))), width=lw)
    ring = sp['chamfer'] if sp['two_tone'] else _col(metal, 0.35)
    inset = rim * (0.5 if sp['two_tone'] else 0.86)
    _rrect(d, inset, inset, Tw - 1 - inset, Th - 1 - inset, R - inset, fill=ring)
    if sp['two_tone'] and rng.random() < 0.5:     # second tone: outer band of another colour
        d.rounded_rectangle((0, 0, Tw - 1, Th - 1), radius=R, outline=sp['second'] + (255,),
                            width=max(1, int(rim * 0.25)))
    # front glass with bezel
    _rrect(d, g[0], g[1], g[2], g[3], g[4], fill=sp['bezel'])
    _rrect(d, g[0], g[1], g[2], g[3], g[4], outline=_col(sp['bezel'], 1.0, 30) + (90,), width=1)
    panel = _col(sp['bezel'], 1.0, sp['panel_off']) if sum(sp['bezel']) < 200 else _col((8, 8, 10), 1.0, sp['panel_off'])
    if content_im is None:
        _rrect(d, s[0], s[1], s[0] + sw, s[1] + sh, s[4], fill=panel)
    else:
        m = Image.new('L', (sw, sh), 0)
        _rrect(ImageDraw.Draw(m), 0, 0, sw - 1, sh - 1, s[4], fill=255)
        img.paste(content_im, (int(round(s[0])), int(round(s[1]))), m)
    dark_fg = content_im is None
    cx = Tw / 2
    cam = sp['camera']
    lw1 = max(1, int(round(0.12 * pc)))
    if cam == 'punch':
        r = rng.uniform(1.3, 2.1) * pc
        px = cx if rng.random() < 0.7 else s[0] + rng.uniform(4, 7) * pc
        py = s[1] + rng.uniform(2.2, 4.0) * pc
        d.ellipse((px - r, py - r, px + r, py + r), fill=(2, 2, 3))
        d.ellipse((px - r * 0.8, py - r * 0.8, px + r * 0.8, py + r * 0.8), outline=(45, 45, 50), width=lw1)
        d.ellipse((px - r * 0.45, py - r * 0.45, px + r * 0.45, py + r * 0.45), fill=(16, 18, 30))
        d.ellipse((px - r * 0.25, py - r * 0.35, px - r * 0.05, py - r * 0.15), fill=(150, 150, 170, 180))
    elif cam == 'notch':
        nw, nh = rng.uniform(24, 34) * pc, rng.uniform(4, 6) * pc
        _rrect(d, cx - nw / 2, s[1] - 2, cx + nw / 2, s[1] + nh, nh * 0.45, fill=sp['bezel'])
        r = 1.2 * pc
        d.ellipse((cx + nw * 0.25 - r, s[1] + nh * 0.45 - r, cx + nw * 0.25 + r, s[1] + nh * 0.45 + r), fill=(14, 16, 26))
    # earpiece slot (thin line-like feature) and classic bezel parts
    ew, eh = rng.uniform(8, 13) * pc, rng.uniform(0.5, 1.2) * pc
    ey = (g[1] + s[1]) / 2 if (sp['classic'] or cam == 'none') else g[1] + max(1.0, 0.35 * pc)
    if cam == 'notch':
        ey = s[1] + 0.8 * pc
    slot = _col(sp['bezel'], 1.0, 35) if sum(sp['bezel']) < 200 else (70, 70, 72)
    _rrect(d, cx - ew / 2, ey - eh / 2, cx + ew / 2, ey + eh / 2, eh / 2, fill=slot)
    if sp['classic'] or cam == 'none':
        r = rng.uniform(1.0, 1.8) * pc
        qx = cx - ew / 2 - rng.uniform(4, 9) * pc
        d.ellipse((qx - r, ey - r, qx + r, ey + r), fill=(12, 14, 22), outline=(60, 60, 66), width=lw1)
        r2 = 0.6 * pc
        d.ellipse((cx + ew / 2 + 4 * pc - r2, ey - r2, cx + ew / 2 + 4 * pc + r2, ey + r2), fill=_col(sp['bezel'], 0.8))
    if sp['home']:
        r = rng.uniform(4.5, 6.0) * pc
        hy = (s[3] + g[3]) / 2
        hc = _col(sp['bezel'], 1.0, 25) if sum(sp['bezel']) < 200 else _col(sp['bezel'], 0.85)
        d.ellipse((cx - r, hy - r, cx + r, hy + r), outline=hc, width=max(1, int(0.3 * pc)))
        if rng.random() < 0.5:
            q = r * 0.35
            _rrect(d, cx - q, hy - q, cx + q, hy + q, q * 0.3, outline=hc, width=lw1)
    if sp['type'].startswith('fold'):        # rim notches at the hinge
        if sp['type'] == 'fold_book':
            for y in (0, Th - 1 - rim):
                _rect(d, cx - 0.4 * pc, y, cx + 0.4 * pc, y + rim, fill=(20, 20, 22))
        else:
            for x in (0, Tw - 1 - rim):
                _rect(d, x, Th / 2 - 0.4 * pc, x + rim, Th / 2 + 0.4 * pc, fill=(20, 20, 22))
    alpha = Image.new('L', (Tw, Th), 0)
    ImageDraw.Draw(alpha).rounded_rectangle((0, 0, Tw - 1, Th - 1), radius=R, fill=255)
    return dict(img=img, alpha=alpha, glass=g, screen=(s[0], s[1], s[0] + sw, s[1] + sh, s[4]), R=R, rim=rim,
                dark_fg=dark_fg)


# ----------------------------------------------------------------------------------------------------------------
# glass-level nuisances (label independent).  Drawn before the crack: protector, scratches, pen, edge glare,
# fingerprints, hinge crease.  After the crack: reflections / glare map and price stickers.
# ----------------------------------------------------------------------------------------------------------------
def _rand_curve(rng, p0, p1, wig, n):
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    dv = p1 - p0
    nv = np.array([-dv[1], dv[0]])
    c1 = p0 + dv / 3 + nv * rng.normal(0, wig)
    c2 = p0 + 2 * dv / 3 + nv * rng.normal(0, wig)
    return _bezier(p0, c1, c2, p1, n)


def _glass_draw_nuisances(rng, dev, pc, lit, la):
    img = dev['img']
    d = ImageDraw.Draw(img, 'RGBA')
    gx0, gy0, gx1, gy1, gr = dev['glass']
    gw, gh = gx1 - gx0, gy1 - gy0
    names = []
    if rng.random() < 0.3:                        # screen protector edge (+ lifted corner, bubbles)
        ins = rng.uniform(0.3, 2.2) * pc
        x0, y0, x1, y1 = gx0 + ins, gy0 + ins, gx1 - ins, gy1 - ins
        pr = max(0.0, gr - ins * rng.uniform(0.3, 1.0))
        lw = max(1, int(round(rng.uniform(0.06, 0.16) * pc)))
        d.rounded_rectangle((x0, y0, x1, y1), radius=pr, fill=(255, 255, 255, int(rng.uniform(0, 8))))
        d.rounded_rectangle((x0, y0, x1, y1), radius=pr, outline=(255, 255, 255, int(rng.uniform(35, 120))), width=lw)
        d.rounded_rectangle((x0 + lw, y0 + lw, x1 - lw, y1 - lw), radius=max(0, pr - lw),
                            outline=(0, 0, 0, int(rng.uniform(20, 70))), width=1)
        names.append('protector_edge')
        if rng.random() < 0.5:
            cx_, cy_ = [(x0, y0), (x1, y0), (x1, y1), (x0, y1)][rng.integers(4)]
            sx = 1 if cx_ == x0 else -1
            sy = 1 if cy_ == y0 else -1
            a, b = rng.uniform(6, 22) * pc, rng.uniform(6, 22) * pc
            A = np.array([cx_ + sx * a, cy_])
            B = np.array([cx_, cy_ + sy * b])
            C = np.array([cx_ + sx * a * 0.45, cy_ + sy * b * 0.45]) + rng.normal(0, 0.1, 2) * pc * 4
            t = np.linspace(0, 1, 24)[:, None]
            curve = (1 - t) ** 2 * A + 2 * (1 - t) * t * C + t * t * B
            poly = [tuple(p) for p in curve] + [(cx_, cy_)]
            d.polygon(poly, fill=(235, 240, 255, int(rng.uniform(18, 60))))
            d.line([tuple(p) for p in curve], fill=(245, 248, 255, int(rng.uniform(90, 200))),
                   width=max(1, int(round(0.12 * pc))), joint='curve')
            names.append('protector_lift')
        for _ in range(int(rng.integers(0, 3))):
            bx, by, br = rng.uniform(x0, x1), rng.uniform(y0, y1), rng.uniform(1.0, 4.0) * pc
            d.ellipse((bx - br, by - br * 0.7, bx + br, by + br * 0.7), outline=(255, 255, 255, 60), width=1)
    if rng.random() < 0.3:                        # long fine scratches, sometimes a parallel cluster
        for _ in range(int(rng.integers(1, 4))):
            p0 = np.array([rng.uniform(gx0, gx1), rng.uniform(gy0, gy1)])
            ang = rng.uniform(0, math.pi)
            ln = rng.uniform(0.2, 0.7) * math.hypot(gw, gh)
            p1 = p0 + ln * np.array([math.cos(ang), math.sin(ang)])
            p1 = np.clip(p1, [gx0 + 2, gy0 + 2], [gx1 - 2, gy1 - 2])
            nv = np.array([-math.sin(ang), math.cos(ang)])
            for k in range(int(rng.integers(1, 5))):
                off = nv * k * rng.uniform(0.3, 1.5) * pc
                pts = _rand_curve(rng, p0 + off, p1 + off + rng.normal(0, 1, 2) * pc, 0.03, 12)
                d.line([tuple(p) for p in pts], fill=(235, 235, 240, int(rng.uniform(18, 75))), width=1)
        names.append('scratches')
    if rng.random() < 0.14:                       # pen / marker lines, inspection circles
        ink = [(20, 30, 140), (15, 15, 15), (170, 20, 25), (10, 110, 40)][rng.integers(4)]
        lw = max(1, int(round(rng.uniform(0.25, 0.8) * pc)))
        a = int(rng.uniform(150, 235))
        for _ in range(int(rng.integers(1, 3))):
            if rng.random() < 0.35:
                cx_, cy_, r = rng.uniform(gx0, gx1), rng.uniform(gy0, gy1), rng.uniform(4, 14) * pc
                d.ellipse((cx_ - r, cy_ - r * rng.uniform(0.6, 1), cx_ + r, cy_ + r), outline=ink + (a,), width=lw)
            else:
                p0 = np.array([rng.uniform(gx0, gx1), rng.uniform(gy0, gy1)])
                p1 = p0 + rng.normal(0, 1, 2) * rng.uniform(10, 50) * pc
                pts = _rand_curve(rng, p0, p1, 0.25, 30)
                d.line([tuple(p) for p in pts], fill=ink + (a,), width=lw, joint='curve')
        names.append('pen_line')
    if rng.random() < 0.35:                       # glare line from the aluminium edge, on the glass
        side = int(rng.integers(4))
        ins = rng.uniform(0.2, 2.0) * pc
        t0, t1 = sorted(rng.uniform(0.05, 0.95, 2))
        t1 = max(t1, t0 + 0.2)
        if side in (0, 2):
            y = gy0 + ins if side == 0 else gy1 - ins
            p0, p1 = (gx0 + gw * t0, y), (gx0 + gw * min(t1, 0.98), y)
        else:
            x = gx0 + ins if side == 3 else gx1 - ins
            p0, p1 = (x, gy0 + gh * t0), (x, gy0 + gh * min(t1, 0.98))
        lw = max(1, int(round(rng.uniform(0.1, 0.45) * pc)))
        amax = rng.uniform(90, 230)
        n = 8
        for j in range(n):
            q0 = (p0[0] + (p1[0] - p0[0]) * j / n, p0[1] + (p1[1] - p0[1]) * j / n)
            q1 = (p0[0] + (p1[0] - p0[0]) * (j + 1) / n, p0[1] + (p1[1] - p0[1]) * (j + 1) / n)
            d.line([q0, q1], fill=(255, 255, 255, int(amax * math.sin(math.pi * (j + 0.5) / n))), width=lw)
        names.append('edge_glare')
    return names


def _fingerprint_patch(rng, size):
    s = max(8, int(size))
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32)
    xx = (xx - s / 2) / (s / 2)
    yy = (yy - s / 2) / (s / 2)
    a = rng.uniform(0, math.pi)
    xr = xx * math.cos(a) + yy * math.sin(a)
    yr = -xx * math.sin(a) + yy * math.cos(a)
    r = np.sqrt((xr / 0.75) ** 2 + (yr / 1.0) ** 2)
    warp = _noise2d(rng, s, s, s / 4)
    ridges = 0.5 + 0.5 * np.cos(2 * np.pi * (r * rng.uniform(9, 15) + 0.8 * warp))
    env = np.clip(1.2 - r ** 3, 0, 1) * np.clip(0.6 + _noise2d(rng, s, s, s / 3), 0, 1)
    return (ridges * env).astype(np.float32)


def _glass_numpy_nuisances(rng, Tu, dev, sp, pc, lit):
    """hinge crease and fingerprints, on local float regions of the uint8 canonical image Tu (in place)."""
    names = []
    gx0, gy0, gx1, gy1, gr = [int(round(v)) for v in dev['glass']]
    Th, Tw = Tu.shape[:2]
    if sp['type'].startswith('fold'):            # hinge crease: a straight band across the whole glass
        hw = max(3, int(rng.uniform(2.0, 5.0) * pc))
        amp = rng.uniform(6, 22) * (1.0 if not lit else 0.7)
        t = np.linspace(-1, 1, 2 * hw + 1, dtype=np.float32)
        prof = amp * np.sin(np.pi * t) * np.exp(-2 * t * t)
        prof[hw - 1:hw + 2] += rng.uniform(-10, 12)
        mult = 1 + 0.06 * np.cos(np.pi * t / 2) * rng.uniform(-1, 1)
        if sp['type'] == 'fold_book':
            c = Tw // 2
            sl = Tu[gy0:gy1, c - hw:c + hw + 1].astype(np.float32)
            Tu[gy0:gy1, c - hw:c + hw + 1] = _u8(sl * mult[None, :, None] + prof[None, :, None])
        else:
            c = Th // 2
            sl = Tu[c - hw:c + hw + 1, gx0:gx1].astype(np.float32)
            Tu[c - hw:c + hw + 1, gx0:gx1] = _u8(sl * mult[:, None, None] + prof[:, None, None])
        names.append('hinge_line')
    if rng.random() < 0.3:                       # fingerprints / grease
        for _ in range(int(rng.integers(1, 4))):
            s = int(rng.uniform(12, 22) * pc)
            if s >= min(gx1 - gx0, gy1 - gy0) - 4:
                continue
            fp = _fingerprint_patch(rng, s)
            x0 = int(rng.uniform(gx0, gx1 - s))
            y0 = int(rng.uniform(gy0, gy1 - s))
            amp = rng.uniform(6, 22) if not lit else rng.uniform(3, 9)
            reg = Tu[y0:y0 + s, x0:x0 + s].astype(np.float32)
            Tu[y0:y0 + s, x0:x0 + s] = _u8(reg + (amp * fp)[..., None] * (1 - reg / 320.0))
        if 'fingerprints' not in names:
            names.append('fingerprints')
    return names


def _reflection_map(rng, dev, Tw, Th, pc, lit):
    """screen-blend map G (glare, environment, camera and operator reflections), float32 at 1/4 canonical size."""
    gw, gh = max(8, Tw // 4), max(8, Th // 4)
    yy, xx = np.ogrid[0:gh, 0:gw]
    X = (xx.astype(np.float32) + 0.5) * (Tw / gw) / pc      # mm
    Y = (yy.astype(np.float32) + 0.5) * (Th / gh) / pc
    wmm, hmm = Tw / pc, Th / pc
    names = []
    dark = not lit
    a = rng.uniform(0, 2 * math.pi)
    ramp = (X * math.cos(a) + Y * math.sin(a)) / max(wmm, hmm)
    G = (rng.uniform(0.05, 0.26) if dark else rng.uniform(0.01, 0.06)) * (0.6 + 0.5 * ramp)
    if rng.random() < 0.55:                      # ceiling light box
        cx, cy = rng.uniform(0, wmm), rng.uniform(0, hmm)
        bw, bh = rng.uniform(10, 60), rng.uniform(5, 40)
        b = rng.uniform(0, math.pi)
        u = (X - cx) * math.cos(b) + (Y - cy) * math.sin(b)
        v = -(X - cx) * math.sin(b) + (Y - cy) * math.cos(b)
        soft = rng.uniform(0.5, 6)
        box = np.clip(0.5 - (np.abs(u) - bw / 2) / soft, 0, 1) * np.clip(0.5 - (np.abs(v) - bh / 2) / soft, 0, 1)
        G = G + box * (rng.uniform(0.08, 0.4) if dark else rng.uniform(0.03, 0.15))
    if rng.random() < 0.4:                       # glare band
        cx, cy = rng.uniform(0, wmm), rng.uniform(0, hmm)
        b = rng.uniform(0, math.pi)
        u = (X - cx) * math.cos(b) + (Y - cy) * math.sin(b)
        v = -(X - cx) * math.sin(b) + (Y - cy) * math.cos(b)
        wid, ln = rng.uniform(3, 25), rng.uniform(30, 160)
        G = G + rng.uniform(0.25, 0.85) * np.exp(-(v / wid) ** 2 - (u / ln) ** 2)
        names.append('glare')
    if rng.random() < (0.3 if dark else 0.1):    # reflection of the camera: dark lens in a lighter housing
        cx, cy = rng.uniform(0.15, 0.85) * wmm, rng.uniform(0.15, 0.85) * hmm
        rr = np.sqrt((X - cx) ** 2 + (Y - cy) ** 2)
        r1 = rng.uniform(2, 7)
        r2 = r1 * rng.uniform(1.5, 3.0)
        sharp = rng.uniform(0.3, 1.2)
        house = np.clip((r2 - rr) / sharp, 0, 1)
        lens = np.clip((r1 - rr) / sharp, 0, 1)
        G = G + house * rng.uniform(0.05, 0.25)
        G = G * (1 - 0.9 * lens)
        G = G + np.exp(-((rr - r1 * 0.55) / 0.5) ** 2) * rng.uniform(0.02, 0.12)
        names.append('camera_reflection')
    if rng.random() < (0.3 if dark else 0.12):   # operator reflection: head + shoulders silhouette
        cx, cy = rng.uniform(0.2, 0.8) * wmm, rng.uniform(0.2, 0.8) * hmm
        hr = rng.uniform(0.25, 0.6) * min(wmm, hmm)
        b = rng.uniform(0, 2 * math.pi)
        u = (X - cx) * math.cos(b) + (Y - cy) * math.sin(b)
        v = -(X - cx) * math.sin(b) + (Y - cy) * math.cos(b)
        head = np.clip((1 - np.sqrt((u / hr) ** 2 + (v / (hr * 1.25)) ** 2)) * 4, 0, 1)
        body = np.clip((1 - np.sqrt((u / (hr * 2.6)) ** 2 + ((v - hr * 2.6) / (hr * 1.5)) ** 2)) * 4, 0, 1)
        sil = np.maximum(head, body)
        if rng.random() < 0.6:
            G = G * (1 - rng.uniform(0.4, 0.85) * sil)
        else:
            G = G + sil * rng.uniform(0.04, 0.15)
        names.append('operator_reflection')
    m = Image.new('L', (gw, gh), 0)
    x0, y0, x1, y1, r = dev['glass']
    fx, fy = gw / Tw, gh / Th
    _rrect(ImageDraw.Draw(m), x0 * fx, y0 * fy, x1 * fx, y1 * fy, r * fx, fill=255)
    G = np.clip(G, 0, 0.95).astype(np.float32) * (np.asarray(m, np.float32) / 255.0)
    return G, names


def _stickers(rng, dev, pc):
    out = []
    if rng.random() >= 0.14:
        return out, []
    gx0, gy0, gx1, gy1, gr = dev['glass']
    for _ in range(int(rng.integers(1, 3))):
        sw, sh = rng.uniform(14, 30) * pc, rng.uniform(8, 15) * pc
        if sw > (gx1 - gx0) * 0.7 or sh > (gy1 - gy0) * 0.7:
            continue
        col = [(250, 250, 245), (250, 225, 60), (250, 140, 40), (120, 240, 120), (255, 255, 255)][rng.integers(5)]
        im = Image.new('RGBA', (int(sw), int(sh)), col + (255,))
        d = ImageDraw.Draw(im)
        f = _font('DejaVuSans-Bold.ttf', sh * 0.32)
        d.text((sw * 0.08, sh * 0.08), ['$ %d.99' % rng.integers(19, 899), 'EUR %d,00' % rng.integers(19, 899),
                                         'SALE', 'GRADE B', 'REF 22%d' % rng.integers(100, 999)][rng.integers(5)],
               font=f, fill=(20, 20, 20))
        if rng.random() < 0.7:
            x = sw * 0.08
            while x < sw * 0.92:
                bw = max(1.0, rng.uniform(0.1, 0.45) * pc)
                d.rectangle((x, sh * 0.55, x + bw - 1, sh * 0.9), fill=(10, 10, 10))
                x += bw + max(1.0, rng.uniform(0.1, 0.4) * pc)
        im = im.rotate(rng.normal(0, 12), resample=Image.BICUBIC, expand=True)
        if im.size[0] >= gx1 - gx0 - 6 or im.size[1] >= gy1 - gy0 - 6:
            continue
        a = im.getchannel('A').point(lambda v, k=rng.uniform(0.85, 1.0): int(v * k))
        x0 = int(rng.uniform(gx0 + 2, gx1 - 2 - im.size[0]))
        y0 = int(rng.uniform(gy0 + 2, gy1 - 2 - im.size[1]))
        out.append((x0, y0, im.convert('RGB'), a))
    return out, (['price_sticker'] if out else [])


def _post_canon(img, x0, y0, post):
    """glass surface effects above the crack on a uint8 PIL region with origin (x0, y0): screen blend with the
    reflection/glare map, price stickers, then premultiplied by the device outline.  Returns uint8 array."""
    w, h = img.size
    box = (x0, y0, x0 + w, y0 + h)
    from PIL import ImageChops
    img = ImageChops.screen(img, post['Gimg'].crop(box) if (w, h) != post['Gimg'].size else post['Gimg'])
    for (sx, sy, rgb, a) in post['stickers']:
        if sx < x0 + w and sy < y0 + h and sx + rgb.size[0] > x0 and sy + rgb.size[1] > y0:
            img.paste(rgb, (sx - x0, sy - y0), a)
    al = post['alpha_img'].crop(box) if (w, h) != post['alpha_img'].size else post['alpha_img']
    img = Image.composite(img, Image.new('RGB', (w, h), (0, 0, 0)), al)
    return np.asarray(img)


# ----------------------------------------------------------------------------------------------------------------
# cracks: a planar graph of fracture lines grown from impact points; a later crack stops where it meets an earlier
# one (T-junction).  Webs give ray/ring cells (shards of slightly different brightness).
# ----------------------------------------------------------------------------------------------------------------
class _CrackNet:
    def __init__(self, rng, glass, pc):
        self.rng = rng
        self.g = glass
        self.pc = pc
        self.segs = np.zeros((0, 4))
        self.lines = []          # (pts (n,2), width factor, intensity, refract)
        self.cells = []          # (polygon pts, delta)
        self.chips = []          # polygon pts

    def inside(self, p, e=1.0):
        x0, y0, x1, y1, r = self.g
        r = max(r, 0.0)
        qx = min(max(p[0], x0 + r), x1 - r)
        qy = min(max(p[1], y0 + r), y1 - r)
        if not (x0 + e <= p[0] <= x1 - e and y0 + e <= p[1] <= y1 - e):
            return False
        return math.hypot(p[0] - qx, p[1] - qy) <= max(0.0, r - e) or (r <= e)

    def _hit(self, p, q):
        S = self.segs
        if not len(S):
            return None
        r = q - p
        s = S[:, 2:] - S[:, :2]
        den = r[0] * s[:, 1] - r[1] * s[:, 0]
        qp = S[:, :2] - p
        with np.errstate(divide='ignore', invalid='ignore'):
            t = (qp[:, 0] * s[:, 1] - qp[:, 1] * s[:, 0]) / den
            u = (qp[:, 0] * r[1] - qp[:, 1] * r[0]) / den
        ok = (np.abs(den) > 1e-9) & (t > 1e-4) & (t <= 1) & (u >= -1e-6) & (u <= 1 + 1e-6)
        if ok.any():
            return float(t[ok].min())
        return None

    def add(self, pts, wf=1.0, inten=1.0, refract=True):
        pts = np.asarray(pts, float)
        if len(pts) < 2:
            return
        self.lines.append((pts, wf, inten, refract))
        self.segs = np.vstack([self.segs, np.c_[pts[:-1], pts[1:]]])

    def grow(self, p, ang, length, step, wobble, wf=1.0, inten=1.0, kink=0.04, stop=True, curl=0.0, add=True,
             free=0.0):
        rng = self.rng
        p = np.asarray(p, float)
        if not self.inside(p):
            return np.zeros((0, 2))
        pts = [p]
        cur = p
        n = max(1, int(length / step))
        for k in range(n):
            if k * step >= free:
                ang += rng.normal(0, wobble) + curl
                if rng.random() < kink:
                    ang += rng.normal(0, 0.45)
            else:
                ang += rng.normal(0, wobble * 0.2)
            q = cur + step * rng.uniform(0.6, 1.4) * np.array([math.cos(ang), math.sin(ang)])
            if not self.inside(q):
                lo, hi = 0.0, 1.0
                for _ in range(10):
                    mid = (lo + hi) / 2
                    if self.inside(cur + (q - cur) * mid):
                        lo = mid
                    else:
                        hi = mid
                q = cur + (q - cur) * lo
                t = self._hit(cur, q) if stop else None
                if t is not None:
                    q = cur + (q - cur) * t
                pts.append(q)
                break
            t = self._hit(cur, q) if (stop and k * step >= free) else None
            if t is not None:
                pts.append(cur + (q - cur) * t)
                break
            pts.append(q)
            cur = q
        pts = np.array(pts)
        if add:
            self.add(pts, wf, inten)
        return pts

    @staticmethod
    def at_radius(pts, c, rr):
        d = np.hypot(pts[:, 0] - c[0], pts[:, 1] - c[1])
        k = np.nonzero(d >= rr)[0]
        if not len(k) or k[0] == 0:
            return None
        k = k[0]
        t = (rr - d[k - 1]) / max(1e-9, d[k] - d[k - 1])
        return pts[k - 1] + (pts[k] - pts[k - 1]) * t

    def web(self, c, n_rays, a0, a1, r_core, max_len, rings, p_ring, step, wobble, cells=0.0, full=True,
            wf_ring=0.8, long_p=0.3, ray_min=0.25):
        rng = self.rng
        c = np.asarray(c, float)
        span = a1 - a0
        angs = a0 + span * (np.arange(n_rays) + 0.5 + rng.uniform(-0.3, 0.3, n_rays)) / n_rays
        rays = []
        for a in angs:
            ln = max_len * (rng.uniform(1.2, 2.5) if rng.random() < long_p else rng.uniform(ray_min, 1.0))
            p = c + r_core * rng.uniform(0.7, 1.3) * np.array([math.cos(a), math.sin(a)])
            free = min(ln, max(rings) if len(rings) else 0.0, 12 * self.pc) * rng.uniform(0.6, 1.0)
            rays.append(self.grow(p, a, ln, step, wobble, 1.0, rng.uniform(0.7, 1.0), kink=0.03, free=free))
        arcs = {}
        npair = n_rays if full else n_rays - 1
        for k, rr in enumerate(rings):
            for i in range(npair):
                j = (i + 1) % n_rays
                if len(rays[i]) < 2 or len(rays[j]) < 2 or rng.random() > p_ring:
                    continue
                A = self.at_radius(rays[i], c, rr * rng.uniform(0.9, 1.1))
                B = self.at_radius(rays[j], c, rr * rng.uniform(0.9, 1.1))
                if A is None or B is None:
                    continue
                aa = math.atan2(A[1] - c[1], A[0] - c[0])
                ab = math.atan2(B[1] - c[1], B[0] - c[0])
                da = (ab - aa) % (2 * math.pi)
                if da > math.pi * 1.2:
                    continue
                m = max(3, int(rr * da / step) + 2)
                ts = np.linspace(0, 1, m)
                ra = np.hypot(*(A - c))
                rb = np.hypot(*(B - c))
                rad = ra + (rb - ra) * ts + rr * rng.uniform(-0.1, 0.08) * np.sin(np.pi * ts)
                rad[1:-1] += rng.normal(0, rr * 0.015 + 0.3, m - 2)
                an = aa + da * ts
                pts = np.c_[c[0] + rad * np.cos(an), c[1] + rad * np.sin(an)]
                pts[0], pts[-1] = A, B
                if all(self.inside(p) for p in pts[1:-1]):
                    self.add(pts, wf_ring, rng.uniform(0.5, 0.95))
                    arcs[(k, i)] = pts
        if cells > 0:
            for i in range(npair):
                inner = None
                for k in range(len(rings)):
                    outer = arcs.get((k, i))
                    if outer is not None and rng.random() < 0.85:
                        if inner is None:
                            poly = np.vstack([c[None], outer])
                        else:
                            poly = np.vstack([inner, outer[::-1]])
                        self.cells.append((poly, rng.normal(0, cells)))
                    inner = outer
        return rays

    def chip(self, c, r):
        rng = self.rng
        n = int(rng.integers(5, 10))
        an = np.sort(rng.uniform(0, 2 * math.pi, n))
        rad = r * rng.uniform(0.5, 1.2, n)
        pts = np.c_[c[0] + rad * np.cos(an), c[1] + rad * np.sin(an)]
        self.chips.append(pts)


def _edge_point(rng, g, inset):
    x0, y0, x1, y1, r = g
    side = int(rng.integers(4))
    m = r + inset + 2
    if side == 0:
        return np.array([rng.uniform(x0 + m, x1 - m), y0 + inset]), math.pi / 2
    if side == 1:
        return np.array([x1 - inset, rng.uniform(y0 + m, y1 - m)]), math.pi
    if side == 2:
        return np.array([rng.uniform(x0 + m, x1 - m), y1 - inset]), -math.pi / 2
    return np.array([x0 + inset, rng.uniform(y0 + m, y1 - m)]), 0.0


def _build_crack(rng, kind, dev, pc, inset=0.0):
    """geometry of the crack (canonical px), inside the glass shrunk by inset.  Returns a _CrackNet."""
    g0 = dev['glass']
    g = (g0[0] + inset, g0[1] + inset, g0[2] - inset, g0[3] - inset, max(0.0, g0[4] - inset))
    x0, y0, x1, y1, r = g
    gw, gh = x1 - x0, y1 - y0
    diag = math.hypot(gw, gh)
    net = _CrackNet(rng, g, pc)
    step = pc * rng.uniform(1.5, 3.5)
    mm = pc

    def interior(m=0.12):
        return np.array([rng.uniform(x0 + gw * m, x1 - gw * m), rng.uniform(y0 + gh * m, y1 - gh * m)])

    if kind == 'hairline':
        if rng.random() < 0.6:
            p, a = _edge_point(rng, g, 1.5)
            a += rng.normal(0, 0.5)
            net.grow(p, a, diag * rng.uniform(0.5, 1.3), step * 1.5, rng.uniform(0.01, 0.05), kink=0.015)
        else:
            p = interior(0.2)
            a = rng.uniform(0, 2 * math.pi)
            net.grow(p, a, diag * rng.uniform(0.25, 0.7), step * 1.5, rng.uniform(0.01, 0.05), kink=0.015)
            net.grow(p, a + math.pi + rng.normal(0, 0.2), diag * rng.uniform(0.2, 0.6), step * 1.5,
                     rng.uniform(0.01, 0.05), kink=0.015)
        if rng.random() < 0.3:
            L = net.lines[0][0]
            q = L[rng.integers(len(L) // 3, max(len(L) // 3 + 1, 2 * len(L) // 3))]
            a = math.atan2(*(L[-1] - L[0])[::-1]) + rng.choice([-1, 1]) * rng.uniform(0.3, 0.9)
            net.grow(q, a, diag * rng.uniform(0.05, 0.3), step, 0.04, wf=0.9, inten=0.8)
    elif kind in ('impact_web', 'shatter_patch'):
        c = interior(0.15)
        if kind == 'impact_web':
            net.web(c, int(rng.integers(5, 14)), 0, 2 * math.pi, rng.uniform(0.4, 1.5) * mm,
                    rng.uniform(15, 70) * mm, sorted(rng.uniform(2.5, 22, int(rng.integers(1, 5))) * mm),
                    rng.uniform(0.35, 0.9), step, rng.uniform(0.03, 0.1), cells=rng.uniform(0.0, 0.06))
            if rng.random() < 0.6:
                net.chip(c, rng.uniform(0.6, 2.0) * mm)
        else:
            R = rng.uniform(12, 36) * mm
            nr = int(rng.integers(3, 7))
            rings = list(np.geomspace(1.6 * mm, R, nr) * rng.uniform(0.85, 1.15, nr))
            net.web(c, int(rng.integers(12, 24)), 0, 2 * math.pi, rng.uniform(0.3, 1.0) * mm, R * 1.1,
                    sorted(rings), rng.uniform(0.75, 0.98), step * 0.6, rng.uniform(0.02, 0.06),
                    cells=rng.uniform(0.05, 0.14), long_p=0.0, ray_min=0.8)
            for _ in range(int(rng.integers(1, 6))):
                a = rng.uniform(0, 2 * math.pi)
                net.grow(c + R * 1.05 * np.array([math.cos(a), math.sin(a)]), a, rng.uniform(15, 80) * mm, step, 0.06)
            net.chip(c, rng.uniform(0.8, 2.5) * mm)
    elif kind == 'corner_break':
        k = int(rng.integers(4))
        o = rng.uniform(0.6, 4.0) * mm
        rr = max(r, 0.0) * 0.3
        cxs = [x0 + o + rr, x1 - o - rr, x1 - o - rr, x0 + o + rr]
        cys = [y0 + o + rr, y0 + o + rr, y1 - o - rr, y1 - o - rr]
        c = np.array([cxs[k], cys[k]])
        base = [0.0, math.pi / 2, math.pi, 1.5 * math.pi][k]
        net.web(c, int(rng.integers(3, 9)), base - 0.35, base + math.pi / 2 + 0.35, rng.uniform(0.3, 1.2) * mm,
                rng.uniform(15, 80) * mm, sorted(rng.uniform(2, 14, int(rng.integers(1, 4))) * mm),
                rng.uniform(0.4, 0.9), step, rng.uniform(0.04, 0.1), cells=rng.uniform(0.0, 0.08), full=False)
        net.chip(c, rng.uniform(0.6, 2.2) * mm)
    elif kind == 'edge_break':
        p, a = _edge_point(rng, g, 1.5)
        for _ in range(int(rng.integers(2, 5))):
            net.grow(p, a + rng.uniform(-1.2, 1.2), rng.uniform(3, 15) * mm, step * 0.6, 0.08)
        main = net.grow(p, a + rng.normal(0, 0.35), diag * rng.uniform(0.25, 0.8), step, rng.uniform(0.03, 0.08))
        for _ in range(int(rng.integers(1, 6))):
            if len(main) < 3:
                break
            q = main[rng.integers(1, len(main) - 1)]
            d = main[-1] - main[0]
            aa = math.atan2(d[1], d[0]) + rng.choice([-1, 1]) * rng.uniform(0.4, 1.2)
            net.grow(q, aa, diag * rng.uniform(0.05, 0.4), step, 0.07, wf=0.85, inten=0.85)
        net.chip(p, rng.uniform(0.5, 1.8) * mm)
    elif kind == 'multi_impact':
        cs = [interior(0.12) for _ in range(int(rng.integers(2, 4)))]
        for c in cs:
            net.web(c, int(rng.integers(4, 9)), 0, 2 * math.pi, rng.uniform(0.3, 1.0) * mm,
                    rng.uniform(8, 40) * mm, sorted(rng.uniform(2, 12, int(rng.integers(0, 3))) * mm),
                    rng.uniform(0.3, 0.8), step, rng.uniform(0.04, 0.1), cells=rng.uniform(0.0, 0.05))
            if rng.random() < 0.5:
                net.chip(c, rng.uniform(0.5, 1.5) * mm)
        for _ in range(int(rng.integers(1, 4))):
            a, b = cs[rng.integers(len(cs))], cs[rng.integers(len(cs))]
            d = b - a if np.any(b != a) else rng.normal(0, 1, 2)
            ang = math.atan2(d[1], d[0]) + rng.normal(0, 0.3)
            net.grow(a + 3 * mm * np.array([math.cos(ang), math.sin(ang)]), ang, diag * 0.8, step, 0.05)
    elif kind == 'branching_run':
        p, a = _edge_point(rng, g, 1.0) if rng.random() < 0.6 else (interior(0.2), rng.uniform(0, 6.3))
        main = net.grow(p, a + rng.normal(0, 0.4), diag * rng.uniform(0.5, 1.2), step, rng.uniform(0.03, 0.09),
                        kink=0.06)
        todo = [main]
        for depth in range(2):
            nxt = []
            for L in todo:
                for _ in range(int(rng.integers(1, 4))):
                    if len(L) < 3:
                        break
                    q = L[rng.integers(1, len(L) - 1)]
                    d = L[-1] - L[0]
                    aa = math.atan2(d[1], d[0]) + rng.choice([-1, 1]) * rng.uniform(0.35, 1.1)
                    nxt.append(net.grow(q, aa, diag * rng.uniform(0.05, 0.35) / (depth + 1), step, 0.07,
                                        wf=0.85, inten=rng.uniform(0.6, 1.0)))
            todo = nxt
    else:   # bezel_crossing: starts on the bezel glass, crosses the screen, often over the opposite bezel
        sx0, sy0, sx1, sy1, _ = dev['screen']
        side = int(rng.integers(4))
        if side == 0:
            p, a = np.array([rng.uniform(sx0, sx1), (y0 + sy0) / 2]), math.pi / 2
        elif side == 1:
            p, a = np.array([(x1 + sx1) / 2, rng.uniform(sy0, sy1)]), math.pi
        elif side == 2:
            p, a = np.array([rng.uniform(sx0, sx1), (y1 + sy1) / 2]), -math.pi / 2
        else:
            p, a = np.array([(x0 + sx0) / 2, rng.uniform(sy0, sy1)]), 0.0
        ctr = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        for _ in range(20):
            if net.inside(p, 2.0):
                break
            p = p + (ctr - p) * 0.08
        net.grow(p, a + math.pi + rng.normal(0, 0.4), diag, step, 0.04)      # towards the glass edge
        main = net.grow(p, a + rng.normal(0, 0.45), diag * rng.uniform(0.4, 1.3), step, rng.uniform(0.02, 0.07))
        for _ in range(int(rng.integers(0, 3))):
            if len(main) < 3:
                break
            q = main[rng.integers(1, len(main) - 1)]
            net.grow(q, a + rng.choice([-1, 1]) * rng.uniform(0.5, 1.2), diag * rng.uniform(0.05, 0.3), step, 0.06,
                     wf=0.85)
    return net


def _render_crack(rng, net, Tu, dev, cp, safe_inset):
    """apply the crack to a crop of the canonical glass (sparse: only pixels touched by a mask are computed).
    Returns (x0, y0, x1, y1, crop uint8) or None."""
    Th, Tw = Tu.shape[:2]
    allp = [L[0] for L in net.lines] + [c[0] for c in net.cells] + net.chips
    if not allp:
        return None
    P = np.vstack(allp)
    pad = int(cp['band'] + cp['shift'] + cp['wc'] * 2 + 6)
    x0 = max(0, int(P[:, 0].min()) - pad)
    y0 = max(0, int(P[:, 1].min()) - pad)
    x1 = min(Tw, int(P[:, 0].max()) + pad + 1)
    y1 = min(Th, int(P[:, 1].max()) + pad + 1)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    w, h = x1 - x0, y1 - y0
    off = np.array([x0, y0], float)
    ML = Image.new('L', (w, h), 0)
    dl = ImageDraw.Draw(ML)
    refr = cp['refract'] > 0
    if refr:
        MB = Image.new('L', (w, h), 0)
        db = ImageDraw.Draw(MB)
    for pts, wf, inten, rf in net.lines:
        q = [tuple(p) for p in (pts - off)]
        wc = cp['wc'] * wf
        wpx = max(1, int(round(wc)))
        dl.line(q, fill=max(1, int(255 * inten * min(1.0, wc / wpx))), width=wpx, joint='curve')
        if refr and rf:
            db.line(q, fill=255, width=max(2, int(round(cp['band'] * wf))), joint='curve')
    ml = np.asarray(ML)
    U = ml > 0
    if refr:
        mb = np.asarray(MB)
        U |= mb > 0
    if net.cells:
        MC = Image.new('L', (w, h), 128)
        dc = ImageDraw.Draw(MC)
        for poly, delta in net.cells:
            dc.polygon([tuple(p) for p in (poly - off)], fill=int(np.clip(128 + 127 * delta * 8, 1, 255)))
        mc = np.asarray(MC)
        U |= mc != 128
    if net.chips:
        MK = Image.new('L', (w, h), 0)
        dk = ImageDraw.Draw(MK)
        for poly in net.chips:
            dk.polygon([tuple(p) for p in (poly - off)], fill=int(255 * rng.uniform(0.45, 0.9)))
        mk = np.asarray(MK)
        U |= mk > 0
    safe = Image.new('L', (w, h), 0)
    gx0, gy0, gx1, gy1, gr = dev['glass']
    s = safe_inset
    _rrect(ImageDraw.Draw(safe), gx0 + s - x0, gy0 + s - y0, gx1 - s - x0, gy1 - s - y0, max(0.0, gr - s), fill=255)
    sm = np.asarray(safe)
    U &= sm > 0
    N = _noise2d(rng, h, w, max(6.0, cp['mod_cell']))
    ys, xs = np.nonzero(U)
    out = Tu[y0:y1, x0:x1].copy()
    if not len(ys):
        return x0, y0, x1, y1, out
    base = out[ys, xs].astype(np.float32)
    res = base.copy()
    if refr:
        b = mb[ys, xs].astype(np.float32) * (cp['refract'] / 255.0)
        sy = np.clip(ys + y0 + cp['dy'], 0, Th - 1)
        sx = np.clip(xs + x0 + cp['dx'], 0, Tw - 1)
        res += (Tu[sy, sx].astype(np.float32) - res) * b[:, None]
    if net.cells:
        S = (mc[ys, xs].astype(np.float32) - 128.0) / (127.0 * 8)
        res = res * (1 + 0.5 * S[:, None]) + (S * cp['Lenv'] * 0.6)[:, None]
    M = ml[ys, xs].astype(np.float32) / 255.0 * np.clip(0.6 + 0.7 * N[ys, xs], cp['mod_floor'], 1.0)
    res += M[:, None] * (cp['glint'] * cp['Lenv'] * cp['tint'][None, :] - cp['dark'] * res)
    if net.chips:
        K = mk[ys, xs].astype(np.float32)[:, None] / 255.0
        res += K * (rng.uniform(150, 235) - res)
    res = base + (res - base) * (sm[ys, xs].astype(np.float32)[:, None] / 255.0)
    out[ys, xs] = _u8(res)
    return x0, y0, x1, y1, out


# ----------------------------------------------------------------------------------------------------------------
# frame-level overlays (label independent): cables, earphone wires, hair.  Stored as sparse alpha patches.
# ----------------------------------------------------------------------------------------------------------------
def _walk(rng, p, ang, length, step, wob):
    n = max(2, int(length / step))
    da = np.cumsum(rng.normal(0, wob, n)) * 0.5 + np.cumsum(np.cumsum(rng.normal(0, wob * 0.15, n)))
    a = ang + np.clip(da, -2.5, 2.5)
    d = np.c_[np.cos(a), np.sin(a)] * step
    return np.vstack([p, p + np.cumsum(d, 0)])


def _wire_patch(W, H, pts, width, col, alpha, hl=None, end_blob=None, ss=2):
    lo = np.floor(pts.min(0) - width * 4 - 4).astype(int)
    hi = np.ceil(pts.max(0) + width * 4 + 4).astype(int)
    lo = np.maximum(lo, 0)
    hi = np.minimum(hi, [W, H])
    if hi[0] - lo[0] < 2 or hi[1] - lo[1] < 2:
        return None
    bw, bh = int(hi[0] - lo[0]), int(hi[1] - lo[1])
    A1 = Image.new('L', (bw * ss, bh * ss), 0)
    d1 = ImageDraw.Draw(A1)
    q = [tuple(p) for p in (pts - lo) * ss]
    wpx = max(1, int(round(width * ss)))
    d1.line(q, fill=int(255 * min(1.0, width * ss / wpx)), width=wpx, joint='curve')
    if end_blob is not None:
        (ex, ey), er = end_blob
        ex, ey, er = (ex - lo[0]) * ss, (ey - lo[1]) * ss, er * ss
        d1.ellipse((ex - er, ey - er * 0.8, ex + er, ey + er * 0.8), fill=255)
    a1 = np.asarray(A1.reduce(ss), np.float32) / 255.0
    ys, xs = np.nonzero(a1 > 0.004)
    if not len(ys):
        return None
    a = a1[ys, xs]
    rgb = np.broadcast_to(np.asarray(col, np.float32), (len(ys), 3)).copy()
    if hl is not None:
        (ox, oy), hcol, hw = hl
        A2 = Image.new('L', (bw * ss, bh * ss), 0)
        q2 = [tuple(p) for p in (pts - lo + [ox, oy]) * ss]
        ImageDraw.Draw(A2).line(q2, fill=255, width=max(1, int(round(hw * ss))), joint='curve')
        a2 = np.asarray(A2.reduce(ss), np.float32)[ys, xs] / 255.0
        h = np.clip(a2 / np.maximum(a, 1e-3), 0, 1)[:, None]
        rgb = rgb * (1 - h) + np.asarray(hcol, np.float32) * h
    return (ys + lo[1], xs + lo[0], rgb, a * alpha)


def _shadow_patch(W, H, pts, width, off, blur, strength):
    f = 2
    lo = np.floor(pts.min(0) + off - width * 2 - blur * 3 - 4).astype(int)
    hi = np.ceil(pts.max(0) + off + width * 2 + blur * 3 + 4).astype(int)
    lo = np.maximum(lo, 0) // 2 * 2
    hi = np.minimum(hi, [W, H])
    bw, bh = int(hi[0] - lo[0]), int(hi[1] - lo[1])
    if bw < 4 or bh < 4:
        return None
    im = Image.new('L', ((bw + 1) // f, (bh + 1) // f), 0)
    q = [tuple(p) for p in (pts + off - lo) / f]
    ImageDraw.Draw(im).line(q, fill=255, width=max(1, int(round(width * 1.2 / f))), joint='curve')
    im = im.filter(ImageFilter.GaussianBlur(max(0.5, blur / f)))
    a = np.asarray(im.resize((bw, bh), Image.BILINEAR), np.float32) / 255.0
    ys, xs = np.nonzero(a > 0.01)
    if not len(ys):
        return None
    return (ys + lo[1], xs + lo[0], np.zeros((len(ys), 3), np.float32), a[ys, xs] * strength)


def _overlays(rng, W, H, phone, la):
    sc = H / 1080.0
    patches, names = [], []
    sh_off = np.array([math.cos(la), math.sin(la)]) * -1

    def through():
        if rng.random() < 0.7:
            w = rng.dirichlet([1, 1, 1, 1])
            return w @ phone
        return np.array([rng.uniform(0, W), rng.uniform(0, H)])

    if rng.random() < 0.2:                       # charging / data cable with plug
        T = through()
        a = rng.uniform(0, 2 * math.pi)
        wd = rng.uniform(6, 14) * sc
        p1 = _walk(rng, T, a, rng.uniform(0.3, 1.0) * W, 6 * sc + 2, 0.03)
        p2 = _walk(rng, T, a + math.pi, rng.uniform(0.1, 0.6) * W, 6 * sc + 2, 0.03)
        pts = np.vstack([p2[::-1], p1[1:]])
        col = [(20, 20, 22), (235, 235, 232), (120, 120, 125), (40, 60, 140), (200, 60, 50)][rng.integers(5)]
        hlc = _col(col, 1.0, rng.uniform(40, 90))
        nrm = np.array([-math.sin(la), math.cos(la)]) * wd * 0.22
        shp = _shadow_patch(W, H, pts, wd, sh_off * wd * rng.uniform(0.4, 1.2), wd * 0.6, rng.uniform(0.2, 0.45))
        if shp is not None:
            patches.append(shp)
        end = None
        if 0 < pts[-1][0] < W and 0 < pts[-1][1] < H:
            end = (tuple(pts[-1]), wd * 1.6)
        wp = _wire_patch(W, H, pts, wd, col, 1.0, hl=((nrm[0], nrm[1]), hlc, wd * 0.25), end_blob=end)
        if wp is not None:
            patches.append(wp)
            names.append('cable')
    if rng.random() < 0.15:                      # earphone wire (thin, often white), an earbud at the end
        T = through()
        a = rng.uniform(0, 2 * math.pi)
        wd = rng.uniform(1.8, 4.0) * sc
        pts = np.vstack([_walk(rng, T, a + math.pi, rng.uniform(0.05, 0.4) * W, 4 * sc + 1, 0.06)[::-1],
                         _walk(rng, T, a, rng.uniform(0.1, 0.5) * W, 4 * sc + 1, 0.06)[1:]])
        col = [(235, 235, 235), (25, 25, 25), (200, 200, 205)][rng.integers(3)]
        end = (tuple(pts[-1]), rng.uniform(7, 12) * sc) if rng.random() < 0.6 else None
        shp = _shadow_patch(W, H, pts, wd, sh_off * wd, wd, rng.uniform(0.15, 0.35))
        if shp is not None:
            patches.append(shp)
        nrm = np.array([-math.sin(la), math.cos(la)]) * wd * 0.2
        wp = _wire_patch(W, H, pts, wd, col, 1.0, hl=((nrm[0], nrm[1]), _col(col, 1.0, 60), wd * 0.3), end_blob=end)
        if wp is not None:
            patches.append(wp)
            names.append('earphone_wire')
    if rng.random() < 0.2:                       # hair
        for _ in range(int(rng.integers(1, 3))):
            T = through()
            a = rng.uniform(0, 2 * math.pi)
            ln = rng.uniform(0.08, 0.4) * H
            pts = np.vstack([_walk(rng, T, a + math.pi, ln * 0.5, 3 * sc + 1, 0.09)[::-1],
                             _walk(rng, T, a, ln * 0.5, 3 * sc + 1, 0.09)[1:]])
            col = [(20, 16, 12), (60, 40, 25), (170, 140, 100), (200, 200, 200), (35, 35, 35)][rng.integers(5)]
            wp = _wire_patch(W, H, pts, rng.uniform(0.6, 1.6) * sc, col, rng.uniform(0.5, 0.95))
            if wp is not None:
                patches.append(wp)
        names.append('hair')
    return patches, names


def _apply_patches(img, patches, x0, y0):
    """alpha-blend sparse patches into the uint8 region img (origin x0, y0), in place."""
    h, w = img.shape[:2]
    for ys, xs, rgb, a in patches:
        m = (ys >= y0) & (ys < y0 + h) & (xs >= x0) & (xs < x0 + w)
        if not m.any():
            continue
        yy, xx = ys[m] - y0, xs[m] - x0
        cur = img[yy, xx].astype(np.float32)
        img[yy, xx] = _u8(cur + (rgb[m] - cur) * a[m][:, None])


# ----------------------------------------------------------------------------------------------------------------
# camera stage
# ----------------------------------------------------------------------------------------------------------------
def _camera_params(rng, W, H):
    sc = H / 1080.0
    u = rng.uniform
    clean = rng.random() < 0.5
    c = dict(clean=clean, sigma=0.0, motion=0.0, axis=int(rng.integers(2)), cshift=False, chroma=0.0)
    if clean:
        r = rng.random()
        c['mode'] = 'none' if r < 0.45 else ('soft3' if r < 0.8 else 'sharp3')
        c['noise'] = u(0.6, 2.2)
        c['fpn'] = u(0, 0.5)
        gains = 1 + rng.normal(0, 0.03, 3)
        expo, gamma, lift, vig = u(0.9, 1.12), u(0.92, 1.08), u(0, 4), u(0, 0.12)
    else:
        sig = u(0.6, 2.6) * sc
        c['mode'] = 'half' if sig >= 0.9 else 'soft3'
        c['sigma'] = sig
        if c['mode'] == 'half':
            c['chroma'] = u(1.0, 4.0)
            if rng.random() < 0.3:
                c['motion'] = u(1.5, 5.0) * sc
        c['noise'] = u(2.5, 9.0)
        c['fpn'] = u(0.2, 1.2)
        gains = 1 + rng.normal(0, 0.1, 3)
        expo, gamma, lift, vig = u(0.55, 1.45), u(0.75, 1.3), u(0, 12), u(0.1, 0.45)
        c['cshift'] = rng.random() < 0.3
    x = np.arange(256, dtype=np.float64) / 255.0
    lut = []
    for ch in range(3):
        y = np.clip(x * expo * gains[ch], 0, 1) ** gamma
        lut += [int(v) for v in _u8(255.0 * (lift / 255.0 + y * (1 - lift / 255.0)))]
    c['lut'] = lut
    c['vig'] = vig
    c['vc'] = (u(0.35, 0.65) * W, u(0.35, 0.65) * H)
    if c['mode'] == 'soft3':
        k = u(1.5, 4.0)
        c['kernel'] = ImageFilter.Kernel((3, 3), [1, k, 1, k, k * k, k, 1, k, 1], (1 + k) ** 2)
    elif c['mode'] == 'sharp3':
        s = u(0.04, 0.12)
        c['kernel'] = ImageFilter.Kernel((3, 3), [-s] * 4 + [1 + 8 * s] + [-s] * 4, 1)
    sup = 1
    if c['mode'] == 'half':
        sup = 2 * (int(math.ceil(3.2 * sig / 2)) + 2) + 3 + int(math.ceil(c['motion'])) + 2
    c['support'] = sup + (1 if c['cshift'] else 0) + 1
    return c


@functools.lru_cache(maxsize=1)
def _gauss_lut():
    g = np.sort(np.random.default_rng(20240601).standard_normal(65536))
    g = (g - g.mean()) / g.std()
    return g.astype(np.float32)


def _gauss(rng, shape, sigma):
    """fast gaussian noise: 16 random bits per value through an inverse-CDF table (deterministic per stream)."""
    n = int(np.prod(shape))
    u16 = np.frombuffer(rng.bytes(2 * n), dtype=np.uint16).reshape(shape)
    return (_gauss_lut() * np.float32(sigma))[u16]


def _camera_noise(rng, W, H, cam):
    nl = _gauss(rng, (H, W), cam['noise'])
    nl += _gauss(rng, (W,), cam['fpn'])[None, :]          # column fixed-pattern noise of the line camera
    nz = {'l': nl}
    if cam['chroma'] > 0:
        nz['c'] = _gauss(rng, ((H + 1) // 2, (W + 1) // 2, 3), cam['chroma'])
    cx, cy = cam['vc']
    k = cam['vig']
    vx = np.exp(-k * 2.2 * ((np.arange(W, dtype=np.float32) + 0.5 - cx) / W) ** 2).astype(np.float32)
    vy = np.exp(-k * 2.2 * ((np.arange(H, dtype=np.float32) + 0.5 - cy) / H) ** 2).astype(np.float32)
    nz['vig'] = vy[:, None] * vx[None, :]
    return nz


def _camera(reg, x0, y0, cam, nz):
    """camera stage on a uint8 frame region (origin x0, y0; even-aligned).  Local ops only, so a padded
    window reproduces the full-frame result exactly in its interior."""
    h, w = reg.shape[:2]
    im = Image.fromarray(reg).point(cam['lut'])
    mode = cam['mode']
    if mode in ('soft3', 'sharp3'):
        im = im.filter(cam['kernel'])
    elif mode == 'half':
        sm = im.reduce(2).filter(ImageFilter.GaussianBlur(cam['sigma'] / 2))
        if cam['motion'] > 0 or 'c' in nz:
            a = np.asarray(sm, np.float32)
            if cam['motion'] > 0:
                n = max(2, int(round(cam['motion'] / 2)) + 1)
                acc = np.zeros_like(a)
                ax = cam['axis']
                L = a.shape[1 - ax]
                for k in range(n):
                    idx = np.clip(np.arange(L) + k - n // 2, 0, L - 1)
                    acc += a[:, idx] if ax == 0 else a[idx, :]
                a = acc / n
            if 'c' in nz:
                hh, ww = a.shape[:2]
                a = a + nz['c'][y0 // 2:y0 // 2 + hh, x0 // 2:x0 // 2 + ww]
            sm = Image.fromarray(_u8(a))
        im = sm.resize((w, h), Image.BILINEAR)
    f = np.asarray(im, dtype=np.float32)
    if not f.flags.writeable:
        f = f.copy()
    np.multiply(f, nz['vig'][y0:y0 + h, x0:x0 + w, None], out=f)
    np.add(f, nz['l'][y0:y0 + h, x0:x0 + w, None], out=f)
    if cam['cshift']:
        f[:, 1:, 0] = f[:, :-1, 0].copy()
        f[:, :-1, 2] = f[:, 1:, 2].copy()
    np.add(f, 0.5, out=f)
    np.clip(f, 0, 255, out=f)
    return f.astype(np.uint8)


def _luma(a):
    return a[..., 0] * np.float32(0.299) + a[..., 1] * np.float32(0.587) + a[..., 2] * np.float32(0.114)


# ----------------------------------------------------------------------------------------------------------------
# the scene, the twins
# ----------------------------------------------------------------------------------------------------------------
def _moire(rng, im):
    w, h = im.size
    gw, gh = max(4, w // 8), max(4, h // 8)
    yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
    a = rng.uniform(0, math.pi)
    per = rng.uniform(6, 30)
    ph = (xx * math.cos(a) + yy * math.sin(a)) / per * 2 * math.pi + 0.6 * _noise2d(rng, gh, gw, gw / 3)
    amp = rng.uniform(0.04, 0.14)
    m = np.stack([1 - amp * (0.5 + 0.5 * np.cos(ph + k * rng.uniform(0.2, 0.9))) for k in range(3)], -1)
    mod = Image.fromarray(_u8(m * 255)).resize((w, h), Image.BILINEAR)
    from PIL import ImageChops
    return ImageChops.multiply(im, mod)


def _scene(seed, i):
    """everything except the crack.  Returns a context dict."""
    R = lambda k: _rng(seed, i, k)
    rl = R(K_LAYOUT)
    if rl.random() < 0.4:
        W, H = 1920, 1080
    else:
        W, H = SIZES[int(rl.integers(len(SIZES)))]
    rdev = R(K_DEV)
    sp = _device_spec(rdev)
    corners, pose = _pose(rl, sp['w'], sp['h'], W, H)
    mmlen = np.array([sp['w'], sp['h'], sp['w'], sp['h']])
    flen = np.linalg.norm(np.roll(corners, -1, 0) - corners, axis=1)
    m = flen / mmlen                                  # frame px per mm along each edge
    Lf = flen.max()
    ss = 2 if Lf >= 420 else (3 if Lf >= 200 else 4)
    pc = ss * m.max()
    cap = 2.6e6
    if sp['w'] * sp['h'] * pc * pc > cap:
        pc = math.sqrt(cap / (sp['w'] * sp['h']))
    Tw, Th = int(round(sp['w'] * pc)), int(round(sp['h'] * pc))
    Hc2f = homography([(0, 0), (Tw, 0), (Tw, Th), (0, Th)], corners)
    # screen content
    rc = R(K_CONTENT)
    lit = rc.random() < 0.5
    rlight = R(K_LIGHT)
    la = rlight.uniform(0, 2 * math.pi)
    names = []
    content_im, ckind = None, 'off'
    _, _, _, s, sw, sh = _device_geom(sp, pc, Tw, Th)
    if lit:
        ckind = CONTENTS[int(rc.integers(len(CONTENTS)))]
        content_im, tags = _content(rc, sw, sh, ckind)
        names += tags
        b = rc.uniform(0.72, 1.0)
        content_im = content_im.point([int(v * b) for v in range(256)] * 3)
        if rc.random() < 0.2:
            content_im = _moire(rc, content_im)
            names.append('moire')
    dev = _draw_device(sp, rdev, pc, Tw, Th, la, content_im)
    rn = R(K_NUIS)
    names += _glass_draw_nuisances(rn, dev, pc, lit, la)
    Tu = np.asarray(dev['img']).copy()
    names += _glass_numpy_nuisances(rn, Tu, dev, sp, pc, lit)
    G, gn = _reflection_map(rlight, dev, Tw, Th, pc, lit)
    names += gn
    stickers, sn = _stickers(rn, dev, pc)
    names += sn
    tint = np.asarray(1 + rlight.normal(0, 0.05, 3), np.float32)
    Gimg = Image.fromarray(_u8(np.clip(G[..., None] * tint * 255.0, 0, 255))).resize((Tw, Th), Image.BILINEAR)
    post = dict(Gimg=Gimg, stickers=stickers, alpha_img=dev['alpha'])
    Tok = _post_canon(Image.fromarray(Tu), 0, 0, post)
    alpha = np.asarray(dev['alpha'])
    # surface + soft contact shadow (quarter resolution)
    F0, skind = _surface(R(K_SURF), W, H)
    bx0 = max(0, int(math.floor(corners[:, 0].min())) - 1)
    by0 = max(0, int(math.floor(corners[:, 1].min())) - 1)
    bx1 = min(W, int(math.ceil(corners[:, 0].max())) + 2)
    by1 = min(H, int(math.ceil(corners[:, 1].max())) + 2)
    sh_len = rlight.uniform(0.004, 0.02) * H
    sh_blur = rlight.uniform(0.006, 0.03) * H
    sh_str = rlight.uniform(0.15, 0.5)
    off = -np.array([math.cos(la), math.sin(la)]) * sh_len
    pad = int(sh_blur * 3 + sh_len + 8)
    qx0, qy0 = max(0, bx0 - pad) // 4, max(0, by0 - pad) // 4
    qx1, qy1 = min(W, bx1 + pad) // 4 + 1, min(H, by1 + pad) // 4 + 1
    poly_sh = Image.new('L', (qx1 - qx0, qy1 - qy0), 0)
    ImageDraw.Draw(poly_sh).polygon([tuple(p) for p in (corners + off) / 4 - [qx0, qy0]], fill=255)
    q = poly_sh.filter(ImageFilter.GaussianBlur(max(0.5, sh_blur / 4)))
    ex0, ey0 = qx0 * 4, qy0 * 4
    ex1, ey1 = min(W, qx1 * 4), min(H, qy1 * 4)
    qa = np.asarray(q.resize(((qx1 - qx0) * 4, (qy1 - qy0) * 4), Image.BILINEAR), np.float32)[:ey1 - ey0, :ex1 - ex0]
    reg = F0[ey0:ey1, ex0:ex1].astype(np.float32)
    F0[ey0:ey1, ex0:ex1] = _u8(reg * (1 - (sh_str / 255.0) * qa[..., None]))
    # warp the device (premultiplied RGBA) onto a supersampled canvas of its bbox, box-downsample, composite
    cw, ch = (bx1 - bx0) * ss, (by1 - by0) * ss
    S = np.array([[ss, 0, -bx0 * ss], [0, ss, -by0 * ss], [0, 0, 1.0]])
    Minv = np.linalg.inv(S @ Hc2f)
    TokA = np.dstack([Tok, alpha])
    qc = (np.asarray(corners, float) - [bx0, by0]) * ss
    wp, _, _ = _warp_tiles(Image.fromarray(TokA, 'RGBa'), (cw, ch), Minv, qc, ss)   # premultiplied: linear warp
    wp8 = np.asarray(wp)
    wa = wp8.astype(np.float32)
    reg = F0[by0:by1, bx0:bx1].astype(np.float32)
    reg *= 1 - wa[..., 3:4] / 255.0
    reg += wa[..., :3]
    F0[by0:by1, bx0:bx1] = _u8(reg)
    patches, on = _overlays(R(K_OVER), W, H, corners, la)
    names += on
    F1 = F0.copy()
    _apply_patches(F1, patches, 0, 0)
    cam = _camera_params(R(K_CAM), W, H)
    rq = R(K_QUAL)
    if cam['clean']:
        quality = int(rq.integers(72, 96))
    else:
        quality = int(rq.integers(35, 46)) if rq.random() < 0.4 else int(rq.integers(45, 71))
    nz = _camera_noise(R(K_NOISE), W, H, cam)
    ok = _camera(F1, 0, 0, cam, nz)
    screen_q = project(Hc2f, [(s[0], s[1]), (s[0] + sw, s[1]), (s[0] + sw, s[1] + sh), (s[0], s[1] + sh)])
    seen = []
    for n in names:
        if n not in seen:
            seen.append(n)
    return dict(W=W, H=H, sp=sp, pose=pose, corners=corners, ss=ss, pc=pc, Tw=Tw, Th=Th, Hc2f=Hc2f, m=m,
                lit=lit, ckind=ckind, dev=dev, Tu=Tu, post=post, TokA=TokA, wp8=wp8, Minv=Minv, qc=qc, F0=F0, F1=F1,
                patches=patches, cam=cam, nz=nz, ok=ok, quality=quality, skind=skind, names=seen,
                screen_q=screen_q, bbox=(bx0, by0, bx1, by1))


def _warp_tiles(src, csize, Minv, q, ss, region=None, tile=64, need=None, init=None):
    """perspective warp of the premultiplied canonical RGBa `src` onto the ss canvas (size csize) tile by tile,
    skipping tiles that the device quad q (canvas coords) does not touch, each tile box-downsampled by ss.
    region (canvas coords) restricts the tiles; the tile grid and coefficients are the same for every call, so
    two sources warp to pixel-identical results wherever they agree.  need(tx, ty, tw, th) may veto a tile (it
    then keeps the content of init).  Returns (RGBa image, gx0, gy0)."""
    cw, ch = csize
    t = tile * ss
    rx0, ry0, rx1, ry1 = region if region is not None else (0, 0, cw, ch)
    gx0, gy0 = max(0, rx0 // t * t), max(0, ry0 // t * t)
    gx1, gy1 = min(cw, -(-rx1 // t) * t), min(ch, -(-ry1 // t) * t)
    size = (max(1, (gx1 - gx0) // ss), max(1, (gy1 - gy0) // ss))
    out = init(gx0, gy0, size) if init is not None else Image.new('RGBa', size, (0, 0, 0, 0))
    c = q.mean(0)
    edges = []
    for k in range(4):
        a, b = q[k], q[(k + 1) % 4]
        nvec = np.array([b[1] - a[1], -(b[0] - a[0])])
        nvec /= max(1e-9, np.hypot(*nvec))
        if np.dot(c - a, nvec) > 0:
            nvec = -nvec
        edges.append((a, nvec))
    qmin, qmax = q.min(0) - 2 * ss, q.max(0) + 2 * ss
    for ty in range(gy0, gy1, t):
        for tx in range(gx0, gx1, t):
            tw_, th_ = min(t, cw - tx), min(t, ch - ty)
            if tx + tw_ < qmin[0] or tx > qmax[0] or ty + th_ < qmin[1] or ty > qmax[1]:
                continue
            rect = np.array([[tx, ty], [tx + tw_, ty], [tx + tw_, ty + th_], [tx, ty + th_]], float)
            if any(np.all((rect - a) @ nvec > 2 * ss) for a, nvec in edges):
                continue
            if need is not None and not need(rect):
                continue
            T = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1.0]])
            part = src.transform((tw_, th_), Image.PERSPECTIVE, _pil_coeffs(Minv @ T), Image.BILINEAR)
            out.paste(part.reduce(ss), ((tx - gx0) // ss, (ty - gy0) // ss))
    return out, gx0, gy0


def _crack_params(rng, kind, ctx):
    H = ctx['H']
    w = 1 if rng.random() < (0.85 if kind == 'hairline' else 0.42) else (2 if rng.random() < 0.6 else 3)
    kc = ctx['pc'] / ctx['m'].mean()                # canonical px per frame px
    wc = w * (H / 1080.0) * kc
    lit = ctx['lit']
    strength = math.exp(rng.uniform(math.log(0.33), 0.0))
    if kind == 'shatter_patch':
        strength = max(strength, rng.uniform(0.55, 1.0))
    if kind == 'hairline':
        glint, dark = rng.uniform(0.08, 0.45), rng.uniform(0.15, 0.5)
    else:
        glint, dark = rng.uniform(0.3, 1.0), rng.uniform(0.15, 0.6)
    refract = (rng.uniform(0.6, 1.0) if rng.random() < (0.7 if lit else 0.25) else 0.0)
    shift = rng.uniform(0.6, 2.0) * kc * (H / 1080.0) ** 0.5
    a = rng.uniform(0, 2 * math.pi)
    dx, dy = int(round(shift * math.cos(a))), int(round(shift * math.sin(a)))
    if dx == 0 and dy == 0:
        dx = 1
    return dict(w=w, wc=wc, band=max(2.0, wc * rng.uniform(2.5, 5.0)), shift=abs(dx) + abs(dy), dx=dx, dy=dy,
                refract=refract, Lenv=rng.uniform(60, 160) if not lit else rng.uniform(40, 120),
                glint=glint * strength, dark=dark * strength, strength=strength,
                tint=np.asarray([1.0, 1.0, 1.0 + rng.uniform(0, 0.12)], np.float32),
                mod_cell=ctx['pc'] * rng.uniform(5, 25),
                mod_floor=rng.uniform(0.3, 0.7) if kind == 'hairline' else rng.uniform(0.1, 0.6))


def _visible(dY, H):
    mx = float(np.abs(dY).max()) if dY.size else 0.0
    r = 540.0 / H
    h, w = dY.shape
    small = np.asarray(Image.fromarray(dY.astype(np.float32), 'F').resize(
        (max(1, int(round(w * r))), max(1, int(round(h * r)))), Image.BOX))
    n4 = int((np.abs(small) >= 5).sum())
    return mx, n4


def _crack_twin(ctx, rk, kind, cp, safe_inset):
    """draw one crack instance on the glass, re-warp and re-camera its window, and raise its contrast until it
    is visible through the camera (floor).  Returns (cracked image, kind, gain, max dY, n5, attempts)."""
    W, H, ss, cam = ctx['W'], ctx['H'], ctx['ss'], ctx['cam']
    rc = None
    min_len = 6.0 * ctx['pc']                        # at least 6 mm of fracture line
    for attempt in range(6):
        net = _build_crack(rk, kind, ctx['dev'], ctx['pc'], safe_inset + 1.0)
        tot = sum(float(np.hypot(*np.diff(L[0], axis=0).T).sum()) for L in net.lines)
        if tot >= min_len or attempt == 5:
            rc = _render_crack(rk, net, ctx['Tu'], ctx['dev'], cp, safe_inset)
            if rc is not None:
                break
        if attempt >= 3:
            kind = 'hairline'
    if rc is None:                                   # degenerate glass: a straight line through the middle
        net = _CrackNet(rk, ctx['dev']['glass'], ctx['pc'])
        gx0, gy0, gx1, gy1, _ = ctx['dev']['glass']
        c = np.array([(gx0 + gx1) / 2, (gy0 + gy1) / 2])
        net.add(np.array([c - [0.3 * (gx1 - gx0), 0.2 * (gy1 - gy0)], c + [0.3 * (gx1 - gx0), 0.2 * (gy1 - gy0)]]))
        rc = _render_crack(rk, net, ctx['Tu'], ctx['dev'], cp, safe_inset)
    x0, y0, x1, y1, crop = rc
    crop_u8 = _post_canon(Image.fromarray(crop), x0, y0, ctx['post'])
    # re-warp only the tiles around the crack, with the very same tile grid/coefficients as the scene warp
    A_cr = ctx['TokA'].copy()
    A_cr[y0:y1, x0:x1, :3] = crop_u8
    bx0, by0, bx1, by1 = ctx['bbox']
    q = project(ctx['Hc2f'], [(x0 - 2, y0 - 2), (x1 + 2, y0 - 2), (x1 + 2, y1 + 2), (x0 - 2, y1 + 2)])
    cw, ch = (bx1 - bx0) * ss, (by1 - by0) * ss
    reg = (max(0, int(math.floor(q[:, 0].min() - bx0 - 2)) * ss), max(0, int(math.floor(q[:, 1].min() - by0 - 2)) * ss),
           min(cw, int(math.ceil(q[:, 0].max() - bx0 + 3)) * ss), min(ch, int(math.ceil(q[:, 1].max() - by0 + 3)) * ss))
    # tiles whose canonical footprint holds no changed pixel keep the scene's warp (blocks of 16 canonical px)
    B = 16
    chg = np.any(crop_u8 != ctx['TokA'][y0:y1, x0:x1, :3], axis=2)
    hb, wb = -(-chg.shape[0] // B), -(-chg.shape[1] // B)
    blk = np.zeros((hb * B, wb * B), bool)
    blk[:chg.shape[0], :chg.shape[1]] = chg
    blk = blk.reshape(hb, B, wb, B).any(axis=(1, 3))
    Minv = ctx['Minv']

    def need(rect):
        uv = project(Minv, rect)
        u0 = int(math.floor((uv[:, 0].min() - 3 - x0) / B))
        u1 = int(math.floor((uv[:, 0].max() + 3 - x0) / B)) + 1
        v0 = int(math.floor((uv[:, 1].min() - 3 - y0) / B))
        v1 = int(math.floor((uv[:, 1].max() + 3 - y0) / B)) + 1
        u0, v0, u1, v1 = max(0, u0), max(0, v0), min(wb, u1), min(hb, v1)
        return u1 > u0 and v1 > v0 and bool(blk[v0:v1, u0:u1].any())

    wp8 = ctx['wp8']

    def init(gx0, gy0, size):
        return Image.fromarray(np.ascontiguousarray(
            wp8[gy0 // ss:gy0 // ss + size[1], gx0 // ss:gx0 // ss + size[0]]), 'RGBa')

    wimg, gx0, gy0 = _warp_tiles(Image.fromarray(A_cr, 'RGBa'), (cw, ch), Minv, ctx['qc'], ss, region=reg,
                                 need=need, init=init)
    wcr = np.asarray(wimg, np.float32)
    wx0, wy0 = bx0 + gx0 // ss, by0 + gy0 // ss
    wx1, wy1 = wx0 + wcr.shape[1], wy0 + wcr.shape[0]
    wok = wp8[gy0 // ss:gy0 // ss + wcr.shape[0], gx0 // ss:gx0 // ss + wcr.shape[1]].astype(np.float32)
    delta = wcr[..., :3] - wok[..., :3]
    # camera windows: inner (where the twins may differ) and padded input
    sup = cam['support']
    ix0, iy0 = max(0, wx0 - sup), max(0, wy0 - sup)
    ix1, iy1 = min(W, wx1 + sup), min(H, wy1 + sup)
    px0, py0 = max(0, ix0 - sup - 4) // 2 * 2, max(0, iy0 - sup - 4) // 2 * 2
    px1, py1 = min(W, (ix1 + sup + 5) // 2 * 2), min(H, (iy1 + sup + 5) // 2 * 2)
    F0w = ctx['F0'][wy0:wy1, wx0:wx1].astype(np.float32)
    ok = ctx['ok']
    okY = _luma(ok[iy0:iy1, ix0:ix1].astype(np.float32))
    outside = ~_point_in_quad(iy1 - iy0, ix1 - ix0, np.asarray(ctx['corners']) - [ix0, iy0])
    gain, mx, n4 = 1.0, 0.0, 0
    for _ in range(5):
        Fw = _u8(F0w + gain * delta)
        _apply_patches(Fw, ctx['patches'], wx0, wy0)
        Fp = ctx['F1'][py0:py1, px0:px1].copy()
        Fp[wy0 - py0:wy1 - py0, wx0 - px0:wx1 - px0] = Fw
        out = _camera(Fp, px0, py0, cam, ctx['nz'])
        inner = out[iy0 - py0:iy1 - py0, ix0 - px0:ix1 - px0].copy()
        inner[outside] = ok[iy0:iy1, ix0:ix1][outside]       # the twins differ only inside the device quad
        dY = _luma(inner.astype(np.float32)) - okY
        mx, n4 = _visible(dY, H)
        if mx >= 10 and n4 >= 40:
            break
        gain *= 1.7
    cracked = ok.copy()
    cracked[iy0:iy1, ix0:ix1] = inner
    return cracked, kind, gain, mx, n4, attempt + 1


def twins(seed, i):
    """Frame i of seed as counterfactual twins: the same scene, surface, phone, screen content, nuisances,
    lighting, camera noise and blur on both; they differ only by the crack on the glass.
    Returns (ok, cracked, quality, meta) -- see the module doc for meta."""
    ctx = _scene(seed, i)
    W, H, ss, cam = ctx['W'], ctx['H'], ctx['ss'], ctx['cam']
    rk = _rng(seed, i, K_CRACK)
    kind = KINDS[int(rk.choice(len(KINDS), p=KIND_P))]
    cp = _crack_params(rk, kind, ctx)
    kc_max = ctx['pc'] / ctx['m'].min()
    reach = 1.5 + cam['sigma'] + cam['motion'] / 2 + (1 if cam['cshift'] else 0)   # frame px from the outline
    safe_inset = max(1.0, reach * kc_max - ctx['dev']['rim'])
    kind0 = kind
    for rep in range(4):               # still too faint at gain ~8 (hidden by glare, a sticker...): draw another,
        if rep == 3:                   # stronger one; last resort: a plain, clearly drawn hairline
            kind = 'hairline'
            cp = dict(cp, glint=1.0, dark=0.7, strength=1.0, mod_floor=0.8)
        elif rep > 0:
            cp = dict(cp, glint=min(1.0, cp['glint'] * 2), dark=min(0.8, cp['dark'] * 2),
                      mod_floor=max(cp['mod_floor'], 0.5), strength=min(1.0, cp['strength'] * 2))
        cracked, kind, gain, mx, n5, att = _crack_twin(ctx, rk, kind, cp, safe_inset)
        if mx >= 10 and n5 >= 40:
            break
    ok = ctx['ok']
    meta = dict(kind=kind, crack_width=int(cp['w']), screen='lit' if ctx['lit'] else 'dark',
                nuisances=list(ctx['names']), width=W, height=H,
                phone=np.asarray(ctx['corners'], float), screen_quad=np.asarray(ctx['screen_q'], float),
                device=ctx['sp']['type'], surface=ctx['skind'], content=ctx['ckind'],
                camera='clean' if cam['clean'] else 'degraded', ss=ss, tilt=float(ctx['pose']['tilt']),
                crack_gain=float(gain), crack_max_dY=float(mx), crack_n5_540=int(n5),
                crack_strength=float(cp['strength']), crack_attempts=att + 3 * rep, crack_kind_drawn=kind0)
    return ok, cracked, ctx['quality'], meta


def render(seed, i):
    """Frame i of the set.  Returns (jpeg_bytes, label, meta)."""
    ok, cracked, quality, meta = twins(seed, i)
    label = 'cracked' if _rng(seed, i, K_LABEL).random() < 0.5 else 'ok'
    img = cracked if label == 'cracked' else ok
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, 'JPEG', quality=int(quality))
    meta = dict(meta)
    meta['quality'] = int(quality)
    if label == 'ok':
        meta['kind'] = 'none'
        meta['crack_width'] = 0
    return buf.getvalue(), label, meta


# ----------------------------------------------------------------------------------------------------------------
# CLI, self-test, contact sheets
# ----------------------------------------------------------------------------------------------------------------
def _point_in_quad(Hh, Ww, quad):
    """boolean (Hh, Ww): pixel centres inside the convex quad."""
    yy = np.arange(Hh, dtype=np.float64)[:, None] + 0.5
    xx = np.arange(Ww, dtype=np.float64)[None, :] + 0.5
    inside = np.ones((Hh, Ww), bool)
    q = np.asarray(quad, float)
    c = q.mean(0)
    for k in range(4):
        a, b = q[k], q[(k + 1) % 4]
        s = np.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]))
        inside &= (((b[0] - a[0]) * s) * (yy - a[1]) - ((b[1] - a[1]) * s) * (xx - a[0])) >= 0
    return inside


def _selftest(n=30, seed=7):
    ok_all = True
    sizes = {}
    for i in range(n):
        ok, cr, q, meta = twins(seed, i)
        H, W = ok.shape[:2]
        sizes[(W, H)] = sizes.get((W, H), 0) + 1
        problems = []
        if ok.dtype != np.uint8 or cr.shape != ok.shape or ok.shape[2] != 3:
            problems.append('shape/dtype')
        for k in ('kind', 'crack_width', 'screen', 'nuisances', 'width', 'height', 'phone', 'screen_quad'):
            if k not in meta:
                problems.append('meta ' + k)
        if meta['kind'] not in KINDS or meta['crack_width'] < 1 or meta['screen'] not in ('lit', 'dark'):
            problems.append('meta values')
        if (meta['width'], meta['height']) != (W, H) or not (35 <= q <= 95):
            problems.append('size/quality')
        dY = np.abs(_luma(cr.astype(np.float32)) - _luma(ok.astype(np.float32)))
        if dY.max() <= 4:
            problems.append('diff<=4 (%.1f)' % dY.max())
        anyd = np.any(cr != ok, axis=2)
        inside = _point_in_quad(H, W, meta['phone'])
        outside = int((anyd & ~inside).sum())
        if outside:
            problems.append('%d px differ outside phone' % outside)
        ok2, cr2, q2, _ = twins(seed, i)
        if not (np.array_equal(ok, ok2) and np.array_equal(cr, cr2) and q == q2):
            problems.append('not deterministic')
        data, label, m3 = render(seed, i)
        ref = cr if label == 'cracked' else ok
        buf = io.BytesIO()
        Image.fromarray(ref).save(buf, 'JPEG', quality=int(q))
        if buf.getvalue() != data:
            problems.append('render != twins[label]')
        if label == 'ok' and (m3['kind'] != 'none' or m3['crack_width'] != 0):
            problems.append('ok meta')
        ph = np.asarray(meta['phone'])
        cover = (ph[:, 1].max() - ph[:, 1].min()) / H
        print('%3d %4dx%-4d q=%2d %-6s %-14s w=%d %-4s cover=%.2f gain=%.2f maxdY=%5.1f n5=%4d  %s %s' % (
            i, W, H, q, label, meta['kind'], meta['crack_width'], meta['screen'], cover, meta['crack_gain'],
            meta['crack_max_dY'], meta['crack_n5_540'], '+'.join(meta['nuisances']),
            ('PROBLEMS: ' + ', '.join(problems)) if problems else 'ok'))
        ok_all &= not problems
    print('sizes:', sizes)
    # timing at 1920x1080
    ts = []
    i, found = 0, 0
    while found < 10:
        rl = _rng(seed + 1, i, K_LAYOUT)
        if rl.random() < 0.4:
            t = time.perf_counter()
            twins(seed + 1, i)
            ts.append(time.perf_counter() - t)
            found += 1
        i += 1
    print('timing twins() 1920x1080: mean %.3f s  (min %.3f, max %.3f) over %d' % (np.mean(ts), min(ts), max(ts), len(ts)))
    print('SELFTEST', 'PASS' if ok_all else 'FAIL')
    return ok_all


def _sheet(outdir, seed=11, n_cr=12, n_ok=8):
    os.makedirs(outdir, exist_ok=True)
    tiles_cr, tiles_ok = [], []
    i = 0
    while len(tiles_cr) < n_cr or len(tiles_ok) < n_ok:
        label = 'cracked' if _rng(seed, i, K_LABEL).random() < 0.5 else 'ok'
        if (label == 'cracked' and len(tiles_cr) < n_cr) or (label == 'ok' and len(tiles_ok) < n_ok):
            ok, cr, q, meta = twins(seed, i)
            H, W = ok.shape[:2]
            img = cr if label == 'cracked' else ok
            buf = io.BytesIO()
            Image.fromarray(img).save(buf, 'JPEG', quality=q)
            jimg = Image.open(io.BytesIO(buf.getvalue())).convert('RGB')
            small = jimg.resize((640, 360), Image.BILINEAR)
            txt = '%d %dx%d q%d %s %s w%d %s g%.1f' % (i, W, H, q, label, meta['kind'] if label == 'cracked' else '',
                                                       meta['crack_width'], meta['screen'], meta['crack_gain'])
            d = ImageDraw.Draw(small)
            d.rectangle((0, 0, 640, 14), fill=(0, 0, 0))
            d.text((3, 1), txt, fill=(255, 255, 0), font=_font('DejaVuSans.ttf', 11))
            d.text((3, 344), '+'.join(meta['nuisances'])[:110], fill=(0, 255, 255), font=_font('DejaVuSans.ttf', 10))
            if label == 'cracked':
                dY = _luma(cr.astype(np.float32)) - _luma(ok.astype(np.float32))
                dimg = Image.fromarray(_u8(np.clip(128 + 4 * dY, 0, 255))).convert('RGB').resize((640, 360), Image.BILINEAR)
                a = np.abs(dY)
                k = 16
                hh, ww = a.shape[0] // k, a.shape[1] // k
                blk = a[:hh * k, :ww * k].reshape(hh, k, ww, k).mean(axis=(1, 3))
                by, bx = np.unravel_index(int(np.argmax(blk)), blk.shape)
                cy, cx = by * k + k // 2, bx * k + k // 2
                c0x, c0y = min(max(0, cx - 180), W - 360), min(max(0, cy - 180), H - 360)
                crop = jimg.crop((c0x, c0y, c0x + 360, c0y + 360))
                cok = Image.fromarray(ok).crop((c0x, c0y, c0x + 360, c0y + 360))
                tile = Image.new('RGB', (640 * 2 + 360 * 2, 360))
                tile.paste(small, (0, 0))
                tile.paste(dimg, (640, 0))
                tile.paste(crop, (1280, 0))
                tile.paste(cok, (1640, 0))
                tiles_cr.append(tile)
            else:
                tiles_ok.append(small)
        i += 1
    for name, tiles, cols, per in (('sheet_cracked', tiles_cr, 1, 4), ('sheet_ok', tiles_ok, 2, 8)):
        tw, th = tiles[0].size
        for part in range(0, len(tiles), per):
            chunk = tiles[part:part + per]
            rows = (len(chunk) + cols - 1) // cols
            sheet = Image.new('RGB', (tw * cols, th * rows), (40, 40, 40))
            for k, t in enumerate(chunk):
                sheet.paste(t, ((k % cols) * tw, (k // cols) * th))
            path = os.path.join(outdir, '%s_%d.png' % (name, part // per))
            sheet.save(path)
            print(path)


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write('evalgen8.py: error: %s\n' % message)
        sys.exit(2)


def main(argv=None):
    p = _Parser(description='evalgen8: vector-graphics synthetic crack twins')
    p.add_argument('--out')
    p.add_argument('--count', type=int)
    p.add_argument('--seed', type=int)
    p.add_argument('--workers', type=int, default=1)
    p.add_argument('--selftest', action='store_true')
    p.add_argument('--sheet')
    a = p.parse_args(argv)
    if a.selftest:
        sys.exit(0 if _selftest() else 1)
    if a.sheet:
        _sheet(a.sheet, seed=11 if a.seed is None else a.seed)
        return
    if not a.out:
        p.error('--out DIR is required')
    if a.count is None:
        p.error('--count N is required')
    if a.seed is None:
        p.error('--seed S is required')
    if a.count < 1:
        p.error('--count must be >= 1')
    if a.seed < 0:
        p.error('--seed must be >= 0')
    if not 1 <= a.workers <= 64:
        p.error('--workers must be between 1 and 64 (got %d)' % a.workers)
    try:
        write_set(render, a.out, a.count, a.seed, a.workers)
    except OSError as e:
        sys.stderr.write('evalgen8.py: error: cannot write to %s: %s\n' % (a.out, e.strerror or e))
        sys.exit(2)


if __name__ == '__main__':
    main()
