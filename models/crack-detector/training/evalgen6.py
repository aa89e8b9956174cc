#!/usr/bin/env python3
"""evalgen6 -- synthetic line-camera frames of phones / small tablets on a conveyor, as counterfactual twins.

Style of this generator (written independently of the other generators):
  * devices of many shapes: tall 19-21:9 phones with punch holes / notches / water drops and almost no bezel,
    older 16:9 phones with thick bezels, earpiece slots and home buttons, small 4:3 / 16:10 tablets, phones in
    protective cases with a thick rubber rim, phones tilted by a camera bump (slight perspective), soft shadows;
  * cracks are procedural fracture paths built in the glass's own millimetre coordinates by recursive midpoint
    displacement with branching, projected through the device homography and drawn super-sampled with a width,
    opacity and tone that vary along the path (intermittent glints, dark-on-lit / light-on-dark, both on one path);
    spider webs with rings and a crushed centre, long edge cracks, screen diagonals, 1 px hairlines, shattered
    corners with shards, small star chips; damaged display under the crack on lit screens (dead lines, ink bleed);
  * camera: defocus, low light with shot/read noise and high-ISO chroma grain, white-balance casts, gamma,
    vignetting, rolling-shutter skew, an in-camera JPEG stage with blocking, glare that washes out the screen;
  * hard negatives, drawn from their own streams on both twins: window-frame and ceiling-light reflections,
    cables, tape, hairs, straight and curved scratches, dust and lint, glass-edge glints and bezel lines, thin-line
    UI (tables, calendars, charts, QR codes, wireframes, maps, small text), display moire, stickers, fingerprint
    smudges, screen-protector edges;
  * surfaces: wooden benches, brushed steel plates with screws, fabric, foam trays with cut-outs, white plastic.

Twins: the scene (surface, phone, screen, light, nuisances, camera parameters and the sensor-noise draw) is built
once from its own streams; the crack (stream S_CRACK) is composited on a copy inside a 16-aligned box around it,
that box goes through the same local camera stage with the same noise, and only its interior inside the phone
outline is pasted into the ok frame. A visibility floor (median contrast along the crack's core above max(7,
noise) grey levels before the in-camera JPEG stage, and still visible after it) boosts too faint cracks and
re-places cracks hidden under tape or stickers.

Interface: KINDS, twins(seed, i), render(seed, i); CLI:
  python3 evalgen6.py --out DIR --count N --seed S [--workers 2]
  python3 evalgen6.py --selftest
Only numpy and Pillow are used.
"""
import argparse
import io
import math
import os
import sys
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from frameset import write_set
from planar import homography

try:
    _RS = Image.Resampling
    _TR = Image.Transform
except AttributeError:  # Pillow < 9.1
    _RS = Image
    _TR = Image

KINDS = ['hairline', 'spider_web', 'edge_crack', 'diagonal', 'corner_shatter', 'star_chip']
_KIND_P = [0.24, 0.17, 0.17, 0.14, 0.14, 0.14]

# every name that can appear in meta['nuisances']
NUISANCES = [
    # reflections / light on the glass
    'room_reflection', 'window_reflection', 'ceiling_light', 'glare', 'edge_glint',
    # things on the glass / phone
    'cable', 'tape', 'hair', 'scratch_straight', 'scratch_curved', 'dust', 'lint', 'sticker', 'fingerprint',
    'smudge', 'protector_edge',
    # device and display
    'case_rim', 'camera_bump_tilt', 'notch', 'punch_hole', 'home_button', 'bezel_slot', 'moire',
    'ui_text', 'ui_table', 'ui_calendar', 'ui_chart', 'ui_qr', 'ui_wireframe', 'ui_map', 'ui_list', 'ui_icons',
    'ui_keyboard', 'ui_photo', 'ui_lock',
    # camera
    'defocus', 'low_light', 'high_iso', 'wb_cast', 'gamma', 'rolling_shutter', 'jpeg_blocking', 'vignette',
]

FONT_DIR = '/usr/share/fonts/truetype/dejavu/'
_FONTS = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf', 'DejaVuSansCondensed.ttf', 'DejaVuSansMono.ttf',
          'DejaVuSerif.ttf', 'DejaVuSansCondensed-Bold.ttf']

# random streams, one per concern
S_LABEL, S_GEOM, S_SURF, S_SCREEN, S_NUIS, S_LIGHT, S_CAM, S_NOISE, S_CRACK, S_QUAL, S_DEVICE = range(11)

_SIZES = [(1280, 720), (1024, 768), (800, 600), (640, 480), (1440, 1080), (1600, 900), (1366, 768),
          (1280, 960), (1920, 1080)]
_ALPHA = 'etaoinshrdlucmfwypvbgkqjxzetaoinshrdl'


def _rng(seed, i, k):
    return np.random.default_rng([int(seed), int(i), int(k)])


@lru_cache(maxsize=512)
def _font(name, size):
    try:
        return ImageFont.truetype(FONT_DIR + name, int(size))
    except OSError:
        return ImageFont.load_default()


# ----------------------------------------------------------------------------------------------- geometry
def _ap(m, pts):
    pts = np.asarray(pts, float).reshape(-1, 2)
    q = pts @ m[:, :2].T + m[:, 2]
    return q[:, :2] / q[:, 2:3]


def _rrect(x0, y0, x1, y1, r, n=9):
    r = max(0.0, min(r, (x1 - x0) / 2 - 1e-6, (y1 - y0) / 2 - 1e-6))
    if r < 1e-3:
        return np.array([[x0, y0], [x1, y0], [x1, y1], [x0, y1]], float)
    out = []
    for cx, cy, a0 in ((x1 - r, y0 + r, -90), (x1 - r, y1 - r, 0), (x0 + r, y1 - r, 90), (x0 + r, y0 + r, 180)):
        a = np.radians(a0 + np.linspace(0, 90, n))
        out.append(np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1))
    return np.concatenate(out)


def _circle(cx, cy, r, n=28):
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    return np.stack([cx + r * np.cos(a), cy + r * np.sin(a)], 1)


def _inset(rect, d):
    x0, y0, x1, y1, r = rect
    return (x0 + d, y0 + d, x1 - d, y1 - d, max(0.0, r - d))


def _rr_pts(rect, n=9):
    return _rrect(rect[0], rect[1], rect[2], rect[3], rect[4], n)


def _sdf_rrect(p, rect):
    x0, y0, x1, y1, r = rect
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    hx, hy = (x1 - x0) / 2 - r, (y1 - y0) / 2 - r
    qx = np.abs(p[:, 0] - cx) - hx
    qy = np.abs(p[:, 1] - cy) - hy
    out = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0)) + np.minimum(np.maximum(qx, qy), 0)
    return out - r


def _tup(q):
    return [(float(a), float(b)) for a, b in q]


# ----------------------------------------------------------------------------------------------- noise helpers
def _smooth(r, h, w, cell):
    gh, gw = max(2, int(h / cell) + 3), max(2, int(w / cell) + 3)
    g = r.standard_normal((gh, gw)).astype(np.float32)
    return np.asarray(Image.fromarray(g).resize((w, h), _RS.BICUBIC), dtype=np.float32)


def _fbm(r, h, w, cell, octaves=3, gain=0.5):
    out = np.zeros((h, w), np.float32)
    a, t = 1.0, 0.0
    for _ in range(octaves):
        out += a * _smooth(r, h, w, max(1.5, cell))
        t += a * a
        a *= gain
        cell /= 2.0
    return out / np.float32(math.sqrt(t) * 0.8)


def _n1d(r, s, step):
    """smooth 1D noise (about N(0,1)) sampled at arc lengths s."""
    if len(s) == 0:
        return np.zeros(0)
    n = int(s[-1] / step) + 3
    return np.interp(s, np.arange(n) * step, r.standard_normal(n))


def _u8(x):
    y = np.add(x, 0.5, dtype=np.float32)
    np.maximum(y, 0, out=y)
    np.minimum(y, 255, out=y)
    return y.astype(np.uint8)


# ----------------------------------------------------------------------------------------------- device
_METALS = [(35, 36, 40), (58, 60, 64), (178, 180, 184), (198, 184, 160), (44, 58, 88), (210, 210, 214),
           (120, 122, 126), (90, 70, 80)]
_CASES = [(22, 22, 24), (34, 34, 38), (40, 44, 58), (120, 30, 36), (30, 60, 45), (150, 150, 155),
          (60, 50, 45), (200, 120, 40), (70, 70, 75)]


def _device(r):
    cls = str(r.choice(['tall', 'classic', 'tablet'], p=[0.55, 0.27, 0.18]))
    d = {'cls': cls, 'home': 'none', 'cut': 'none'}
    if cls == 'tall':
        asp = float(r.choice([2.0, 19 / 9, 19.5 / 9, 20 / 9, 20 / 9, 21 / 9]))
        dw = r.uniform(62, 72)
        thin = r.random() < 0.55
        bs = r.uniform(0.5, 1.3) if thin else r.uniform(1.3, 3.6)
        bt = bs + (r.uniform(0, 1.0) if thin else r.uniform(0.5, 4.5))
        bb = bs + (r.uniform(0, 1.5) if thin else r.uniform(0.5, 5.5))
        rg = r.uniform(6, 11)
        rd = max(1.5, rg - bs * 1.1)
        d['cut'] = str(r.choice(['punch_center', 'punch_left', 'notch', 'waterdrop', 'none'],
                                p=[.35, .15, .2, .2, .1]))
        bez = 'black'
    elif cls == 'classic':
        asp = 16 / 9
        dw = r.uniform(55, 68)
        bs = r.uniform(2.0, 5.0)
        bt = r.uniform(10, 18)
        bb = r.uniform(10, 18)
        rg = r.uniform(4, 9)
        rd = r.uniform(0, 0.6)
        bez = 'white' if r.random() < 0.3 else 'black'
        d['home'] = str(r.choice(['button', 'keys', 'none'], p=[.55, .25, .2]))
    else:
        asp = float(r.choice([4 / 3, 4 / 3, 16 / 10, 1.43]))
        dw = r.uniform(105, 150)
        bs = r.uniform(5, 13)
        bt = bs + r.uniform(0, 5)
        bb = bt if r.random() < 0.6 else bs
        rg = r.uniform(5, 12)
        rd = r.uniform(0, 2.5)
        bez = 'white' if r.random() < 0.25 else 'black'
    dh = dw * asp
    gw, gh = dw + 2 * bs, dh + bt + bb
    fr = r.uniform(0.4, 1.5)
    case = r.random() < 0.35
    tc = r.uniform(1.6, 4.5) if case else 0.0
    gx0, gy0 = -gw / 2, -gh / 2
    d.update(
        dw=dw, dh=dh, bs=bs, bt=bt, bb=bb, bez=bez, fr=fr, case=case, tc=tc,
        glass=(gx0, gy0, gx0 + gw, gy0 + gh, rg),
        disp=(gx0 + bs, gy0 + bt, gx0 + bs + dw, gy0 + bt + dh, rd),
        frame=(gx0 - fr, gy0 - fr, gx0 + gw + fr, gy0 + gh + fr, rg + fr),
        outline=(gx0 - fr - tc, gy0 - fr - tc, gx0 + gw + fr + tc, gy0 + gh + fr + tc,
                 rg + fr + tc * (1.15 if case else 1.0)),
        bump=r.random() < 0.3,
        metal=tuple(int(c) for c in np.clip(np.array(_METALS[r.integers(len(_METALS))]) * r.uniform(0.85, 1.1),
                                             0, 255)),
        case_col=tuple(int(c) for c in np.clip(np.array(_CASES[r.integers(len(_CASES))]) * r.uniform(0.8, 1.15),
                                                0, 255)),
        bez_col=(int(r.uniform(8, 22)),) * 3 if bez == 'black' else (int(r.uniform(212, 236)),) * 3,
        slot_w=r.uniform(8, 12), cam_dx=r.uniform(-14, 14), punch_r=r.uniform(1.2, 2.0),
    )
    d['ow'] = d['outline'][2] - d['outline'][0]
    d['oh'] = d['outline'][3] - d['outline'][1]
    return d


def _pose(r, W, H, dev):
    o = dev['outline']
    corners = np.array([[o[0], o[1]], [o[2], o[1]], [o[2], o[3]], [o[0], o[3]]], float)
    if r.random() < 0.4:
        th = r.integers(4) * np.pi / 2 + np.radians(r.normal(0, 6))
    else:
        th = r.uniform(0, 2 * np.pi)
    if dev['bump']:
        tilt = np.radians(r.uniform(2.5, 7.0))
        tax = r.normal(0, 0.15)  # about the device's short axis: camera end raised
    else:
        tilt = np.radians(r.uniform(0, 2.5))
        tax = r.uniform(0, np.pi)
    zc = r.uniform(280, 800)
    k = np.array([np.cos(tax), np.sin(tax), 0.0])
    v = np.concatenate([corners, np.zeros((4, 1))], 1)
    vr = v * np.cos(tilt) + np.cross(k, v) * np.sin(tilt) + np.outer(v @ k, k) * (1 - np.cos(tilt))
    if dev['bump'] and np.mean(vr[:2, 2]) < np.mean(vr[2:, 2]):
        vr[:, 2] *= -1  # top end (camera) up
    c, s = np.cos(th), np.sin(th)
    x = vr[:, 0] * c - vr[:, 1] * s
    y = vr[:, 0] * s + vr[:, 1] * c
    proj = np.stack([x * zc / (zc - vr[:, 2]), y * zc / (zc - vr[:, 2])], 1)
    h0 = homography(corners, proj)
    frac = r.uniform(0.25, 0.8)
    rs = 0.0
    if r.random() < 0.2:
        rs = r.uniform(0.015, 0.05) * (1 if r.random() < 0.5 else -1)
    sh = np.array([[1, rs, 0], [0, 1, 0], [0, 0, 1]], float)
    p = _ap(sh @ h0, corners)  # size from the outline's quad (its sharp corners)
    bw, bh = np.ptp(p[:, 0]), np.ptp(p[:, 1])
    sc = min(frac * H / bh, 0.92 * W / bw)
    m = sh @ np.diag([sc, sc, 1.0]) @ h0
    p = _ap(m, corners)
    mnx, mny = p.min(0)
    mxx, mxy = p.max(0)
    mx, my = 0.02 * W, 0.02 * H
    tx = r.uniform(mx - mnx, max(mx - mnx + 1e-3, W - mx - mxx))
    ty = r.uniform(my - mny, max(my - mny + 1e-3, H - my - mxy))
    m = np.array([[1, 0, tx], [0, 1, ty], [0, 0, 1]], float) @ m
    m /= m[2, 2]
    cen = _ap(m, [[0, 0], [1, 0], [0, 1]])
    ppm = 0.5 * (np.hypot(*(cen[1] - cen[0])) + np.hypot(*(cen[2] - cen[0])))
    return m, float(ppm), rs, float(tilt)


# ----------------------------------------------------------------------------------------------- surfaces
def _wood(r, h, w):
    ang = r.uniform(0, np.pi)
    c, s = np.float32(np.cos(ang)), np.float32(np.sin(ang))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    along = xx * c + yy * s
    across = -xx * s + yy * c
    pw = r.uniform(0.18, 0.55) * h
    q = across / np.float32(pw) + np.float32(r.uniform(0, 1))
    pid = np.floor(q)
    fq = q - pid
    warp = _fbm(r, h, w, h * 0.2, 3) * np.float32(r.uniform(3, 12)) + along * np.float32(r.uniform(-0.04, 0.04))
    per = r.uniform(3.0, 9.0)
    ring = 0.5 + 0.5 * np.sin((across + warp + pid * 37.0) * np.float32(2 * np.pi / per))
    ring = ring ** np.float32(r.uniform(1.5, 4.0))
    L = int(np.abs(across).max() + 4)
    n1 = np.convolve(r.standard_normal(2 * L + 8), np.ones(2) / 2, 'same').astype(np.float32)
    streak = n1[(across + L).astype(np.int32)]
    tint = (1 + 0.08 * r.standard_normal(64)).astype(np.float32)
    v = 0.80 + 0.16 * ring + 0.05 * streak + 0.04 * _fbm(r, h, w, h * 0.08, 2)
    v = v * tint[(pid.astype(np.int64)) % 64]
    sw = r.uniform(0.6, 2.0) / pw
    v = np.where((fq < sw) | (fq > 1 - sw), v * 0.45, v)
    base = np.array([(188, 146, 98), (112, 76, 46), (206, 172, 122), (150, 140, 126), (160, 110, 70)]
                    [r.integers(5)], np.float32) * np.float32(r.uniform(0.85, 1.1))
    return v[..., None] * base


def _steel(r, h, w):
    ang = r.uniform(0, np.pi)
    c, s = np.float32(np.cos(ang)), np.float32(np.sin(ang))
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    across = (-xx * s + yy * c) * 2.0
    along = xx * c + yy * s
    L = int(np.abs(across).max() + 4)
    n1 = r.standard_normal(2 * L + 8).astype(np.float32)
    n1 = 0.6 * n1 + 0.4 * np.convolve(n1, np.ones(9) / 3, 'same').astype(np.float32)
    v = 0.82 + 0.045 * n1[(across + L).astype(np.int32)] + 0.03 * _fbm(r, h, w, h * 0.3, 2)
    b0 = r.uniform(-0.3, 1.3) * w
    v += np.float32(r.uniform(0.05, 0.2)) * np.exp(-((along - b0) / np.float32(r.uniform(0.15, 0.5) * w)) ** 2)
    base = np.array([(160, 164, 170), (140, 142, 146), (175, 172, 166), (120, 126, 134)][r.integers(4)],
                    np.float32) * np.float32(r.uniform(0.8, 1.15))
    return v[..., None] * base


def _aniso(r, h, w, cy, cx):
    g = r.standard_normal((max(2, int(h / cy) + 3), max(2, int(w / cx) + 3))).astype(np.float32)
    return np.asarray(Image.fromarray(g).resize((w, h), _RS.BICUBIC), dtype=np.float32)


def _fabric_lowres(r, h, w):
    # wrinkles: elongated soft folds (in one of two directions) plus a fine fibre texture
    if r.random() < 0.5:
        fold = _aniso(r, h, w, h * 0.05, h * 0.5) + 0.5 * _aniso(r, h, w, h * 0.02, h * 0.2)
    else:
        fold = _aniso(r, h, w, h * 0.5, h * 0.05) + 0.5 * _aniso(r, h, w, h * 0.2, h * 0.02)
    v = 0.92 + np.float32(r.uniform(0.02, 0.05)) * fold + 0.012 * _smooth(r, h, w, 1.5) + \
        0.02 * _fbm(r, h, w, h * 0.5, 2)
    base = np.array([(52, 70, 110), (90, 90, 94), (40, 110, 70), (30, 30, 34), (150, 130, 110), (120, 40, 40),
                     (70, 90, 130)][r.integers(7)], np.float32) * np.float32(r.uniform(0.8, 1.2))
    return v[..., None] * base


def _foam_lowres(r, h, w):
    v = 0.92 + 0.04 * _fbm(r, h, w, h * 0.2, 2)
    pores = _smooth(r, h, w, 1.6)
    v = v - 0.10 * (pores > 1.2) - 0.05 * (pores > 0.8)
    base = np.array([(54, 54, 58), (28, 28, 30), (34, 52, 92), (70, 72, 66), (44, 40, 48)][r.integers(5)],
                    np.float32) * np.float32(r.uniform(0.85, 1.2))
    return v[..., None] * base


def _plastic_lowres(r, h, w):
    v = 0.95 + 0.03 * _fbm(r, h, w, h * 0.4, 2) + 0.006 * _smooth(r, h, w, 2)
    base = np.array([(226, 226, 222), (232, 230, 226), (214, 218, 222), (220, 216, 206)][r.integers(4)],
                    np.float32) * np.float32(r.uniform(0.92, 1.05))
    return v[..., None] * base


def _surface(r, W, H, m, dev):
    name = str(r.choice(['wood', 'steel', 'fabric', 'foam', 'plastic'], p=[.22, .22, .18, .2, .18]))
    h, w = (H + 1) // 2, (W + 1) // 2
    lowf = {'wood': _wood, 'steel': _steel, 'fabric': _fabric_lowres, 'foam': _foam_lowres,
            'plastic': _plastic_lowres}[name](r, h, w)
    # illumination: directional gradient plus soft unevenness
    ga = r.uniform(0, 2 * np.pi)
    yy = np.linspace(-0.5, 0.5, h, dtype=np.float32)[:, None]
    xx = np.linspace(-0.5, 0.5, w, dtype=np.float32)[None, :]
    light = 1 + np.float32(r.uniform(0.0, 0.35)) * (xx * np.float32(np.cos(ga)) + yy * np.float32(np.sin(ga)))
    light = light + 0.05 * _smooth(r, h, w, h * 0.5)
    light *= np.float32(r.uniform(0.75, 1.1))
    low = _u8(lowf * light[..., None])
    img = Image.fromarray(low).resize((W, H), _RS.BILINEAR)
    if name == 'fabric':
        a = np.asarray(img, np.float32)
        p = r.uniform(2.5, 6.0) * H / 1080 + 1.2
        ang = r.uniform(-0.4, 0.4)
        X = np.arange(W, dtype=np.float32)
        Y = np.arange(H, dtype=np.float32)
        u = (np.cos(ang) * X[None, :] + np.sin(ang) * Y[:, None]) * np.float32(2 * np.pi / p)
        v = (-np.sin(ang) * X[None, :] + np.cos(ang) * Y[:, None]) * np.float32(2 * np.pi / p)
        weave = 1 + np.float32(r.uniform(0.04, 0.12)) * np.cos(u) * np.cos(v) + np.float32(0.03) * np.cos(u + v)
        img = Image.fromarray(_u8(a * weave[..., None]))
    dr = ImageDraw.Draw(img)
    k = H / 1080
    if name == 'steel':
        nsc = r.integers(2, 7)
        for _ in range(nsc):
            cx, cy = r.uniform(0, W), r.uniform(0, H)
            rad = r.uniform(10, 22) * k
            b = np.asarray(img.getpixel((int(min(cx, W - 1)), int(min(cy, H - 1)))), float)
            dr.ellipse([cx - rad * 1.15, cy - rad * 1.15, cx + rad * 1.15, cy + rad * 1.15],
                       fill=tuple(int(x) for x in b * 0.55))
            dr.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=tuple(int(x) for x in np.clip(b * 1.1, 0, 255)))
            dr.ellipse([cx - rad * 0.75, cy - rad * 0.75, cx + rad * 0.6, cy + rad * 0.6],
                       fill=tuple(int(x) for x in np.clip(b * 1.22, 0, 255)))
            sl = r.integers(3)
            dk = tuple(int(x) for x in b * 0.3)
            a0 = r.uniform(0, np.pi)
            if sl == 0:
                dr.line([cx - rad * 0.8 * np.cos(a0), cy - rad * 0.8 * np.sin(a0), cx + rad * 0.8 * np.cos(a0),
                         cy + rad * 0.8 * np.sin(a0)], fill=dk, width=max(1, int(rad * 0.22)))
            elif sl == 1:
                for aa in (a0, a0 + np.pi / 2):
                    dr.line([cx - rad * 0.7 * np.cos(aa), cy - rad * 0.7 * np.sin(aa), cx + rad * 0.7 * np.cos(aa),
                             cy + rad * 0.7 * np.sin(aa)], fill=dk, width=max(1, int(rad * 0.2)))
            else:
                dr.polygon(_tup(_circle(cx, cy, rad * 0.45, 6)), fill=dk)
        if r.random() < 0.4:  # plate seam
            y0 = r.uniform(0.1, 0.9) * H
            sl = r.uniform(-0.3, 0.3)
            dr.line([0, y0, W, y0 + sl * W], fill=(30, 30, 32), width=max(1, int(3 * k)))
            dr.line([0, y0 + 3 * k, W, y0 + 3 * k + sl * W], fill=(200, 200, 205), width=1)
    elif name == 'plastic':
        for _ in range(r.integers(0, 6)):
            x0, y0 = r.uniform(0, W), r.uniform(0, H)
            a0 = r.uniform(0, 2 * np.pi)
            L = r.uniform(20, 120) * k
            t = np.linspace(0, 1, 12)
            bend = r.uniform(-0.3, 0.3)
            pts = np.stack([x0 + L * t * np.cos(a0 + bend * t), y0 + L * t * np.sin(a0 + bend * t)], 1)
            g = int(r.uniform(150, 200))
            dr.line(_tup(pts), fill=(g, g, g), width=1)
    elif name == 'foam':
        base = np.asarray(img.getpixel((W // 2, H // 2)), float)
        cut = tuple(int(x) for x in base * 0.55)
        edge = tuple(int(x) for x in np.clip(base * 1.35, 0, 255))
        # the phone's cut-out, and a few other empty cut-outs
        mg = r.uniform(1.5, 5.0)
        o = dev['outline']
        rect = (o[0] - mg, o[1] - mg, o[2] + mg, o[3] + mg, o[4] + mg)
        pc = _ap(m, _rr_pts(rect))
        dx, dy = r.uniform(-2, 2) * k, r.uniform(-2, 2) * k
        dr.polygon(_tup(pc + [dx, dy]), fill=edge)
        dr.polygon(_tup(pc), fill=cut)
        for _ in range(r.integers(0, 4)):
            cx, cy = r.uniform(0, W), r.uniform(0, H)
            ww, hh = r.uniform(20, 120) * k, r.uniform(20, 200) * k
            rect2 = (cx - ww / 2, cy - hh / 2, cx + ww / 2, cy + hh / 2, min(ww, hh) * r.uniform(0.1, 0.5))
            p2 = _rr_pts(rect2)
            dr.polygon(_tup(p2 + [dx, dy]), fill=edge)
            dr.polygon(_tup(p2), fill=cut)
    return np.asarray(img), name


# ----------------------------------------------------------------------------------------------- screen content
def _words(r, nchar):
    out, n = [], 0
    while n < nchar:
        k = int(r.integers(1, 10))
        wd = ''.join(_ALPHA[j] for j in r.integers(0, len(_ALPHA), k))
        if r.random() < 0.12:
            wd = wd.capitalize()
        if r.random() < 0.06:
            wd = str(r.integers(0, 2030))
        out.append(wd)
        n += k + 1
    return ' '.join(out)


def _mix(a, b, t):
    return tuple(int(x * (1 - t) + y * t) for x, y in zip(a, b))


def _text(dr, r, x, y, wmax, fs, col, bg, font=0):
    """one line of small text; greeked (bars) when too small to render."""
    if wmax <= 2:
        return
    if fs >= 6.5:
        f = _font(_FONTS[font], int(fs))
        nchar = max(1, int(wmax / (fs * 0.56)))
        dr.text((x, y), _words(r, nchar)[:nchar], font=f, fill=col)
    else:
        c2 = _mix(col, bg, 0.45)
        xx = x
        hh = max(1.0, fs * 0.55)
        while xx < x + wmax:
            ww = fs * 0.55 * r.integers(2, 9)
            dr.rectangle([xx, y + fs * 0.25, min(x + wmax, xx + ww), y + fs * 0.25 + hh], fill=c2)
            xx += ww + fs * 0.5


def _acc(r):
    return [(0, 122, 255), (52, 199, 89), (255, 59, 48), (255, 149, 0), (175, 82, 222), (0, 150, 136),
            (233, 30, 99), (63, 81, 181)][r.integers(8)]


def _content(r, cw, ch, mm, dev):
    kinds = ['text', 'table', 'calendar', 'chart', 'qr', 'wireframe', 'home', 'photo', 'map', 'list',
             'keyboard', 'lock']
    kind = str(r.choice(kinds, p=[.11, .1, .09, .1, .07, .07, .1, .07, .08, .08, .07, .06]))
    dark = r.random() < 0.4
    bg = (int(r.uniform(0, 30)),) * 3 if dark else (int(r.uniform(238, 255)),) * 3
    fg = (int(r.uniform(200, 240)),) * 3 if dark else (int(r.uniform(15, 60)),) * 3
    line_col = _mix(bg, fg, r.uniform(0.2, 0.45))
    acc = _acc(r)
    img = Image.new('RGB', (cw, ch), bg)
    dr = ImageDraw.Draw(img)
    sb = 3.6 * mm
    top = sb + r.uniform(1, 3) * mm
    bot = ch - (4 * mm if dev['cls'] == 'tall' else 1.5 * mm)
    mx = r.uniform(2.5, 5) * mm
    names = []
    fs = r.uniform(1.5, 2.3) * mm
    if kind == 'text':
        names.append('ui_text')
        y = top
        _text(dr, r, mx, y, cw - 2 * mx, fs * 1.6, fg, bg, 1)
        y += fs * 2.6
        while y < bot - fs:
            if r.random() < 0.12:
                hh = r.uniform(12, 30) * mm
                c1, c2 = _acc(r), _acc(r)
                dr.rectangle([mx, y, cw - mx, min(bot, y + hh)], fill=_mix(c1, bg, 0.4))
                dr.ellipse([mx + hh * 0.2, y + hh * 0.2, mx + hh, y + hh * 0.9], fill=_mix(c2, bg, 0.3))
                y += hh + fs
                continue
            for j in range(int(r.integers(2, 7))):
                if y > bot - fs:
                    break
                ww = (cw - 2 * mx) * (r.uniform(0.3, 0.9) if j == 0 and r.random() < 0.2 else 1.0)
                _text(dr, r, mx, y, ww, fs, fg, bg, 0)
                y += fs * 1.45
            y += fs * 0.9
    elif kind == 'table':
        names.append('ui_table')
        dr.rectangle([0, sb, cw, top + 5 * mm], fill=acc)
        _text(dr, r, mx, sb + 1.5 * mm, cw * 0.5, fs * 1.1, (255, 255, 255), acc, 1)
        y0 = top + 6 * mm
        rh = r.uniform(2.6, 4.5) * mm
        xs = [0.0, r.uniform(4, 7) * mm]
        while xs[-1] < cw:
            xs.append(xs[-1] + r.uniform(9, 22) * mm)
        ys = list(np.arange(y0, bot, rh))
        dr.rectangle([0, y0, cw, y0 + rh], fill=_mix(bg, fg, 0.08))
        dr.rectangle([0, y0, xs[1], bot], fill=_mix(bg, fg, 0.06))
        for yy in ys:
            for a, b in zip(xs[:-1], xs[1:]):
                if r.random() < 0.8:
                    _text(dr, r, a + 0.6 * mm, yy + rh * 0.15, min(b - a - 1.2 * mm, r.uniform(3, 12) * mm),
                          rh * 0.58, fg, bg, 3 if r.random() < 0.5 else 0)
        lw = 1 if r.random() < 0.8 else 2
        for yy in ys:
            dr.line([0, yy, cw, yy], fill=line_col, width=lw)
        for xx in xs:
            dr.line([xx, y0, xx, bot], fill=line_col, width=lw)
        j, k = r.integers(1, len(xs) - 1), r.integers(1, max(2, len(ys) - 1))
        dr.rectangle([xs[j], ys[min(k, len(ys) - 1)], xs[j + 1], ys[min(k, len(ys) - 1)] + rh], outline=acc,
                     width=max(1, int(0.4 * mm)))
    elif kind == 'calendar':
        names.append('ui_calendar')
        _text(dr, r, mx, top, cw * 0.6, fs * 1.8, fg, bg, 1)
        y0 = top + fs * 3.5
        if r.random() < 0.6:  # month grid
            rows = int(r.integers(5, 7))
            cwid = cw / 7
            rhh = (bot - y0 - fs * 2) / rows
            for c in range(7):
                _text(dr, r, c * cwid + 0.5 * mm, y0, cwid * 0.6, fs * 0.8, _mix(fg, bg, 0.3), bg, 0)
            y1 = y0 + fs * 1.8
            for rr in range(rows + 1):
                dr.line([0, y1 + rr * rhh, cw, y1 + rr * rhh], fill=line_col, width=1)
            for c in range(8):
                dr.line([c * cwid, y1, c * cwid, y1 + rows * rhh], fill=line_col, width=1)
            f = _font(_FONTS[0], max(6, int(fs)))
            dnum = 1
            today = r.integers(1, 28)
            for rr in range(rows):
                for c in range(7):
                    if dnum > 30:
                        break
                    x, y = c * cwid + 0.6 * mm, y1 + rr * rhh + 0.5 * mm
                    if dnum == today:
                        dr.ellipse([x - 0.4 * mm, y - 0.3 * mm, x + fs * 1.4, y + fs * 1.3], fill=acc)
                    if fs >= 6:
                        dr.text((x, y), str(dnum), font=f, fill=fg)
                    else:
                        dr.rectangle([x, y, x + fs, y + fs * 0.6], fill=_mix(fg, bg, 0.4))
                    if r.random() < 0.25:
                        ec = _acc(r)
                        dr.rectangle([c * cwid + 1, y + fs * 1.5, (c + 1) * cwid - 1, y + fs * 1.5 + rhh * 0.22],
                                     fill=_mix(ec, bg, 0.3))
                    dnum += 1
        else:  # week / day view with hour lines
            hh = r.uniform(5, 9) * mm
            x0 = r.uniform(7, 10) * mm
            y = y0
            while y < bot:
                dr.line([x0, y, cw, y], fill=line_col, width=1)
                _text(dr, r, 0.8 * mm, y - fs * 0.5, x0 - 1.5 * mm, fs * 0.8, _mix(fg, bg, 0.4), bg, 0)
                y += hh
            ncol = int(r.integers(1, 8))
            for c in range(ncol + 1):
                xx = x0 + c * (cw - x0) / ncol
                dr.line([xx, y0, xx, bot], fill=line_col, width=1)
            for _ in range(r.integers(2, 8)):
                c = r.integers(ncol)
                ya = y0 + r.uniform(0, 0.8) * (bot - y0)
                ec = _acc(r)
                xa = x0 + c * (cw - x0) / ncol + 2
                dr.rectangle([xa, ya, xa + (cw - x0) / ncol - 4, ya + r.uniform(1, 3) * hh], fill=_mix(ec, bg, 0.35))
                _text(dr, r, xa + 2, ya + 2, (cw - x0) / ncol - 8, fs * 0.8, (255, 255, 255), ec, 0)
    elif kind == 'chart':
        names.append('ui_chart')
        y = top
        nch = int(r.integers(1, 3))
        for ci in range(nch):
            _text(dr, r, mx, y, cw * 0.6, fs * 1.2, fg, bg, 1)
            ya, yb = y + fs * 2.5, y + (bot - top) / nch - fs * 2
            xa, xb = mx + 6 * mm, cw - mx
            ng = int(r.integers(4, 9))
            dashed = r.random() < 0.4
            for g in range(ng + 1):
                yy = ya + g * (yb - ya) / ng
                if dashed:
                    for xx in np.arange(xa, xb, 2 * mm):
                        dr.line([xx, yy, min(xb, xx + mm), yy], fill=line_col, width=1)
                else:
                    dr.line([xa, yy, xb, yy], fill=line_col, width=1)
                _text(dr, r, mx, yy - fs * 0.4, 5 * mm, fs * 0.75, _mix(fg, bg, 0.4), bg, 3)
            if r.random() < 0.5:
                for g in range(ng + 1):
                    xx = xa + g * (xb - xa) / ng
                    dr.line([xx, ya, xx, yb], fill=line_col, width=1)
            dr.line([xa, yb, xb, yb], fill=fg, width=max(1, int(0.25 * mm)))
            dr.line([xa, ya, xa, yb], fill=fg, width=max(1, int(0.25 * mm)))
            if r.random() < 0.35:
                nb = int(r.integers(5, 14))
                bwid = (xb - xa) / nb
                for b in range(nb):
                    hgt = r.uniform(0.1, 0.95) * (yb - ya)
                    dr.rectangle([xa + b * bwid + bwid * 0.2, yb - hgt, xa + (b + 0.8) * bwid, yb], fill=acc)
            else:
                for sidx in range(int(r.integers(1, 4))):
                    n = int(r.integers(12, 60))
                    vals = np.cumsum(r.standard_normal(n))
                    vals = (vals - vals.min()) / (np.ptp(vals) + 1e-6)
                    pts = np.stack([np.linspace(xa, xb, n), yb - (0.1 + 0.8 * vals) * (yb - ya)], 1)
                    dr.line(_tup(pts), fill=_acc(r) if sidx else acc, width=int(r.integers(1, 4)), joint='curve')
            y = yb + fs * 2
    elif kind == 'qr':
        names.append('ui_qr')
        card = _mix((255, 255, 255), bg, 0.0)
        dr.rounded_rectangle([mx * 0.6, top, cw - mx * 0.6, bot], radius=3 * mm, fill=card)
        _text(dr, r, mx * 1.5, top + 2 * mm, cw * 0.6, fs * 1.4, (20, 20, 20), card, 1)
        n = int(r.choice([21, 25, 29, 33, 37]))
        size = int(r.uniform(0.45, 0.75) * cw)
        mat = r.random((n, n)) < 0.5
        for (a, b) in ((0, 0), (0, n - 7), (n - 7, 0)):
            mat[a:a + 7, b:b + 7] = False
            mat[a, b:b + 7] = mat[a + 6, b:b + 7] = True
            mat[a:a + 7, b] = mat[a:a + 7, b + 6] = True
            mat[a + 2:a + 5, b + 2:b + 5] = True
        q = Image.fromarray(np.where(mat, 20, 255).astype(np.uint8)).resize((size, size), _RS.NEAREST)
        qy = int(top + 8 * mm)
        img.paste(q.convert('RGB'), (int((cw - size) / 2), qy))
        y = qy + size + 3 * mm
        for _ in range(int(r.integers(2, 6))):
            if y > bot - 8 * mm:
                break
            _text(dr, r, mx * 1.5, y, cw - 3 * mx, fs, (30, 30, 30), card, 0)
            y += fs * 1.6
        if r.random() < 0.6 and y < bot - 10 * mm:
            x = mx * 1.5
            while x < cw - mx * 1.5:
                ww = r.integers(1, 4) * max(1, 0.15 * mm)
                dr.rectangle([x, y + mm, x + ww - 1, y + 8 * mm], fill=(15, 15, 15))
                x += ww + r.integers(1, 4) * max(1, 0.15 * mm)
    elif kind == 'wireframe':
        names.append('ui_wireframe')
        bgw = [(18, 28, 52), (250, 250, 250), (8, 8, 8)][r.integers(3)]
        lc = [(120, 220, 255), (30, 30, 30), (230, 230, 230)][[(18, 28, 52), (250, 250, 250), (8, 8, 8)].index(bgw)]
        dr.rectangle([0, sb, cw, ch], fill=bgw)
        gs = r.uniform(4, 8) * mm
        gc = _mix(bgw, lc, 0.15)
        for xx in np.arange(0, cw, gs):
            dr.line([xx, sb, xx, ch], fill=gc, width=1)
        for yy in np.arange(sb, ch, gs):
            dr.line([0, yy, cw, yy], fill=gc, width=1)
        for _ in range(int(r.integers(2, 6))):
            cx, cy = r.uniform(0.15, 0.85) * cw, r.uniform(0.2, 0.85) * ch
            sz = r.uniform(0.1, 0.3) * cw
            v = np.array([[x, y, z] for x in (-1, 1) for y in (-1, 1) for z in (-1, 1)], float) * \
                r.uniform(0.5, 1.2, 3)
            a1, a2 = r.uniform(0, np.pi, 2)
            rz = np.array([[np.cos(a1), -np.sin(a1), 0], [np.sin(a1), np.cos(a1), 0], [0, 0, 1]])
            rx = np.array([[1, 0, 0], [0, np.cos(a2), -np.sin(a2)], [0, np.sin(a2), np.cos(a2)]])
            p = (v @ rz.T @ rx.T)[:, :2] * sz / 2 + [cx, cy]
            for a in range(8):
                for b in range(a + 1, 8):
                    if bin(a ^ b).count('1') == 1:
                        dr.line([tuple(p[a]), tuple(p[b])], fill=lc, width=1)
            if r.random() < 0.5:
                rr = sz * r.uniform(0.2, 0.5)
                dr.ellipse([cx - rr, cy - rr * 0.5, cx + rr, cy + rr * 0.5], outline=lc, width=1)
        for _ in range(int(r.integers(1, 4))):  # dimension lines
            y = r.uniform(0.2, 0.9) * ch
            xa, xb = sorted(r.uniform(0.05, 0.95, 2) * cw)
            dr.line([xa, y, xb, y], fill=lc, width=1)
            for xx, sgn in ((xa, 1), (xb, -1)):
                dr.line([xx, y, xx + sgn * mm, y - 0.5 * mm], fill=lc, width=1)
                dr.line([xx, y, xx + sgn * mm, y + 0.5 * mm], fill=lc, width=1)
                dr.line([xx, y - 2 * mm, xx, y + 2 * mm], fill=lc, width=1)
            _text(dr, r, (xa + xb) / 2 - 3 * mm, y - fs * 1.2, 6 * mm, fs * 0.8, lc, bgw, 3)
        bg = bgw
    elif kind in ('home', 'lock', 'photo'):
        lr = np.clip(r.uniform(0, 255, (4, 3, 3)) * r.uniform(0.3, 1.0), 0, 255).astype(np.uint8)
        wall = Image.fromarray(lr).resize((cw, ch), _RS.BICUBIC)
        img.paste(wall)
        dr = ImageDraw.Draw(img)
        if kind == 'photo':
            names.append('ui_photo')
            hy = r.uniform(0.3, 0.7) * ch
            dr.rectangle([0, hy, cw, ch], fill=_mix(tuple(int(x) for x in lr[3, 1]), (60, 80, 40), 0.5))
            for _ in range(int(r.integers(2, 7))):
                cx, cy, rr = r.uniform(0, cw), r.uniform(0, ch), r.uniform(0.05, 0.25) * cw
                dr.ellipse([cx - rr, cy - rr * r.uniform(0.4, 1.2), cx + rr, cy + rr], fill=tuple(
                    int(x) for x in r.uniform(20, 230, 3)))
            img = img.filter(ImageFilter.GaussianBlur(r.uniform(1, 4) * mm / 4))
            dr = ImageDraw.Draw(img)
            dr.rectangle([0, 0, cw, sb + 4 * mm], fill=(0, 0, 0))
            dr.rectangle([0, bot - 6 * mm, cw, ch], fill=(0, 0, 0))
            for j in range(5):
                x = cw * (j + 0.5) / 5
                dr.rectangle([x - 1.5 * mm, bot - 4 * mm, x + 1.5 * mm, bot - 1 * mm], outline=(230, 230, 230),
                             width=max(1, int(0.2 * mm)))
        elif kind == 'home':
            names.append('ui_icons')
            cols = int(r.choice([4, 4, 5])) if dev['cls'] != 'tablet' else int(r.integers(5, 8))
            isz = min(cw / cols * 0.62, 12 * mm)
            rows = int(r.integers(3, 7))
            for rr in range(rows):
                for c in range(cols):
                    if r.random() < 0.15:
                        continue
                    x = cw * (c + 0.5) / cols - isz / 2
                    y = top + 3 * mm + rr * (isz + 5.5 * mm)
                    if y + isz > bot - 18 * mm:
                        break
                    ic = _acc(r) if r.random() < 0.7 else tuple(int(v) for v in r.uniform(30, 250, 3))
                    dr.rounded_rectangle([x, y, x + isz, y + isz], radius=isz * 0.22, fill=ic)
                    g = r.integers(3)
                    if g == 0:
                        dr.ellipse([x + isz * .3, y + isz * .3, x + isz * .7, y + isz * .7], fill=(255, 255, 255))
                    elif g == 1:
                        dr.rectangle([x + isz * .25, y + isz * .45, x + isz * .75, y + isz * .55], fill=(255, 255, 255))
                    _text(dr, r, x - mm, y + isz + 0.6 * mm, isz + 2 * mm, 1.5 * mm, (240, 240, 240), ic, 0)
            dock = bot - 14 * mm
            dr.rounded_rectangle([2 * mm, dock, cw - 2 * mm, bot - 1 * mm], radius=4 * mm,
                                 fill=_mix(tuple(int(x) for x in lr[3, 1]), (255, 255, 255), 0.35))
            for c in range(4):
                x = cw * (c + 0.5) / 4 - isz / 2
                dr.rounded_rectangle([x, dock + 2 * mm, x + isz, dock + 2 * mm + isz], radius=isz * 0.22, fill=_acc(r))
        else:
            names.append('ui_lock')
            f = _font(_FONTS[int(r.choice([0, 1, 2]))], max(6, int(r.uniform(10, 17) * mm)))
            dr.text((cw * 0.5, top + 12 * mm), '%d:%02d' % (r.integers(0, 24), r.integers(0, 60)), font=f,
                    fill=(250, 250, 250), anchor='mm')
            _text(dr, r, cw * 0.3, top + 22 * mm, cw * 0.4, fs, (240, 240, 240), (0, 0, 0), 0)
            y = top + 30 * mm
            for _ in range(int(r.integers(0, 4))):
                hh = r.uniform(10, 16) * mm
                if y + hh > bot:
                    break
                dr.rounded_rectangle([3 * mm, y, cw - 3 * mm, y + hh], radius=3 * mm, fill=(235, 235, 240))
                _text(dr, r, 6 * mm, y + 2 * mm, cw * 0.6, fs, (20, 20, 20), (235, 235, 240), 1)
                _text(dr, r, 6 * mm, y + 2 * mm + fs * 1.5, cw - 12 * mm, fs * 0.9, (60, 60, 60), (235, 235, 240), 0)
                y += hh + 2 * mm
    elif kind == 'map':
        names.append('ui_map')
        mb = (236, 232, 224) if not dark else (36, 40, 48)
        dr.rectangle([0, 0, cw, ch], fill=mb)
        for _ in range(int(r.integers(1, 5))):
            cx, cy = r.uniform(0, cw), r.uniform(0, ch)
            p = _circle(cx, cy, r.uniform(5, 20) * mm, 7) + r.normal(0, 3 * mm, (7, 2))
            dr.polygon(_tup(p), fill=(200, 226, 190) if not dark else (40, 60, 45))
        if r.random() < 0.6:
            t = np.linspace(0, 1, 30)
            a = r.uniform(0, np.pi)
            p0 = np.array([cw / 2, ch / 2]) + r.normal(0, cw * 0.3, 2)
            d = np.array([np.cos(a), np.sin(a)])
            nrm = np.array([-d[1], d[0]])
            pts = p0 + np.outer((t - 0.5) * 2.5 * ch, d) + np.outer(np.sin(t * r.uniform(3, 8)) * 10 * mm, nrm)
            dr.line(_tup(pts), fill=(170, 210, 240) if not dark else (30, 50, 80), width=int(r.uniform(4, 10) * mm),
                    joint='curve')
        a = r.uniform(0, np.pi / 2)
        d1 = np.array([np.cos(a), np.sin(a)])
        d2 = np.array([-d1[1], d1[0]])
        diag = math.hypot(cw, ch)
        c0 = np.array([cw / 2, ch / 2])
        sc = (255, 255, 255) if not dark else (70, 76, 88)
        oc = (200, 200, 200) if not dark else (55, 60, 70)
        for dd, nn in ((d1, d2), (d2, d1)):
            off = -diag / 2
            while off < diag / 2:
                off += r.uniform(6, 18) * mm
                pa = c0 + nn * off - dd * diag
                pb = c0 + nn * off + dd * diag
                wd = r.uniform(0.7, 1.6) * mm
                major = r.random() < 0.15
                dr.line([tuple(pa), tuple(pb)], fill=oc, width=max(1, int(wd + 2)))
                dr.line([tuple(pa), tuple(pb)], fill=(250, 210, 110) if major else sc, width=max(1, int(wd)))
        for _ in range(int(r.integers(2, 8))):
            _text(dr, r, r.uniform(0, cw * 0.8), r.uniform(top, bot), r.uniform(6, 18) * mm, fs * 0.8,
                  (90, 90, 90) if not dark else (170, 170, 170), mb, 0)
        if r.random() < 0.6:
            pts = np.cumsum(r.normal(0, 6 * mm, (8, 2)), 0) + [cw / 2, ch / 2]
            dr.line(_tup(pts), fill=(40, 120, 250), width=max(2, int(1.3 * mm)), joint='curve')
            x, y = pts[-1]
            dr.ellipse([x - 2 * mm, y - 4 * mm, x + 2 * mm, y], fill=(230, 60, 50))
        dr.rectangle([2 * mm, sb + mm, cw - 2 * mm, sb + 8 * mm], fill=(255, 255, 255) if not dark else (50, 50, 56))
        bg = mb
    elif kind == 'list':
        names.append('ui_list')
        y = top
        _text(dr, r, mx, y, cw * 0.5, fs * 1.8, fg, bg, 1)
        y += fs * 3.5
        rh = r.uniform(7, 11) * mm
        while y < bot - rh:
            if r.random() < 0.15:
                y += 3 * mm
                _text(dr, r, mx, y, cw * 0.4, fs * 0.8, _mix(fg, bg, 0.45), bg, 0)
                y += fs * 1.6
                continue
            isz = rh * 0.55
            ic = _acc(r)
            dr.rounded_rectangle([mx, y + (rh - isz) / 2, mx + isz, y + (rh + isz) / 2], radius=isz * 0.25, fill=ic)
            _text(dr, r, mx + isz + 3 * mm, y + rh / 2 - fs * 0.6, cw * 0.45, fs, fg, bg, 0)
            if r.random() < 0.35:
                tx = cw - mx - 8 * mm
                on = r.random() < 0.5
                dr.rounded_rectangle([tx, y + rh / 2 - 2.2 * mm, tx + 8 * mm, y + rh / 2 + 2.2 * mm],
                                     radius=2.2 * mm, fill=(52, 199, 89) if on else _mix(bg, fg, 0.2))
                kx = tx + (5.8 if on else 2.2) * mm
                dr.ellipse([kx - 2 * mm, y + rh / 2 - 2 * mm, kx + 2 * mm, y + rh / 2 + 2 * mm], fill=(255, 255, 255))
            else:
                x = cw - mx - 1.5 * mm
                dr.line([x - mm, y + rh / 2 - mm, x, y + rh / 2, x - mm, y + rh / 2 + mm],
                        fill=_mix(fg, bg, 0.5), width=max(1, int(0.25 * mm)))
            y += rh
            dr.line([mx + isz + 3 * mm, y, cw, y], fill=line_col, width=1)
    elif kind == 'keyboard':
        names.append('ui_keyboard')
        kb = bot - r.uniform(0.36, 0.45) * (bot - top)
        y = top
        while y < kb - 10 * mm:
            right = r.random() < 0.5
            nl = int(r.integers(1, 4))
            bw = r.uniform(0.4, 0.75) * cw
            hh = nl * fs * 1.4 + 2 * mm
            x0 = cw - mx - bw if right else mx
            colb = acc if right else _mix(bg, fg, 0.12)
            colt = (255, 255, 255) if right else fg
            dr.rounded_rectangle([x0, y, x0 + bw, y + hh], radius=3 * mm, fill=colb)
            for j in range(nl):
                _text(dr, r, x0 + 2 * mm, y + mm + j * fs * 1.4, bw - 4 * mm, fs, colt, colb, 0)
            y += hh + 2 * mm
        kbg = _mix(bg, fg, 0.1)
        dr.rectangle([0, kb, cw, ch], fill=kbg)
        keyc = _mix(bg, (255, 255, 255), 0.5) if not dark else _mix(bg, fg, 0.25)
        rows = [10, 9, 9, 5]
        kh = (bot - kb - 4 * mm) / 4
        kwid = cw / 10
        f = _font(_FONTS[0], max(6, int(kh * 0.45)))
        for rr, n in enumerate(rows):
            off = (cw - n * kwid) / 2
            for c in range(n):
                x = off + c * kwid
                yy = kb + 2 * mm + rr * kh
                ww = kwid * (4 if (rr == 3 and c == 2) else 1)
                dr.rounded_rectangle([x + 0.5 * mm, yy + 0.6 * mm, x + ww - 0.5 * mm, yy + kh - 0.6 * mm],
                                     radius=1 * mm, fill=keyc)
                if kh * 0.45 >= 6:
                    dr.text((x + kwid / 2, yy + kh / 2), _ALPHA[(rr * 10 + c) % 26].upper(), font=f, fill=fg,
                            anchor='mm')
    # status bar
    sbc = (255, 255, 255) if (dark or kind in ('home', 'lock', 'photo', 'wireframe')) else (10, 10, 10)
    if sb * 0.5 >= 6:
        dr.text((mx, sb * 0.2), '%d:%02d' % (r.integers(0, 24), r.integers(0, 60)),
                font=_font(_FONTS[1], int(sb * 0.45)), fill=sbc)
    else:
        dr.rectangle([mx, sb * 0.35, mx + 3 * sb * 0.5, sb * 0.65], fill=sbc)
    bx = cw - mx - 2.8 * mm
    dr.rectangle([bx, sb * 0.35, bx + 2.4 * mm, sb * 0.7], outline=sbc, width=1)
    dr.rectangle([bx + 0.25 * mm, sb * 0.42, bx + r.uniform(0.5, 2.1) * mm, sb * 0.63], fill=sbc)
    for j in range(4):
        x = bx - 4 * mm + j * 0.6 * mm
        dr.rectangle([x, sb * (0.7 - 0.08 * (j + 1)), x + 0.35 * mm, sb * 0.7], fill=sbc)
    if dev['cls'] == 'tall':
        hc = _mix(sbc, bg, 0.1)
        dr.rounded_rectangle([cw * 0.33, ch - 2.2 * mm, cw * 0.67, ch - 1.1 * mm], radius=0.6 * mm, fill=hc)
    elif r.random() < 0.5 and dev['cls'] == 'classic' and dev['home'] == 'none':
        nb = ch - 5 * mm
        dr.rectangle([0, nb, cw, ch], fill=(0, 0, 0))
        for j, sh in enumerate(('tri', 'circ', 'sq')):
            x, y = cw * (j + 1) / 4, nb + 2.5 * mm
            if sh == 'tri':
                dr.polygon([(x + mm, y - mm), (x + mm, y + mm), (x - mm, y)], outline=(220, 220, 220))
            elif sh == 'circ':
                dr.ellipse([x - mm, y - mm, x + mm, y + mm], outline=(220, 220, 220))
            else:
                dr.rectangle([x - mm, y - mm, x + mm, y + mm], outline=(220, 220, 220))
    return img, kind, names


def _cutout(dr, dev, mm, cw, ch, col):
    cut = dev['cut']
    if cut.startswith('punch'):
        rad = dev['punch_r'] * mm
        cx = cw / 2 if cut == 'punch_center' else 5 * mm
        cy = 1.2 * mm + rad
        dr.ellipse([cx - rad, cy - rad, cx + rad, cy + rad], fill=col)
        dr.ellipse([cx - rad * .4, cy - rad * .4, cx + rad * .4, cy + rad * .4], fill=tuple(c + 10 for c in col))
        return 'punch_hole'
    if cut == 'notch':
        w = min(0.45 * cw, 30 * mm)
        dr.rounded_rectangle([cw / 2 - w / 2, -3 * mm, cw / 2 + w / 2, 5 * mm], radius=2.5 * mm, fill=col)
        return 'notch'
    if cut == 'waterdrop':
        dr.ellipse([cw / 2 - 3.5 * mm, -3 * mm, cw / 2 + 3.5 * mm, 3.4 * mm], fill=col)
        return 'notch'
    return None


# ----------------------------------------------------------------------------------------------- line layers
def _draw_path(draws, q, wss, vals, q_levels=12):
    """draw a polyline in super-sampled pixels; per-segment integer width and per-layer values (0..255).
    draws: list of ImageDraw; vals: list of per-vertex arrays (one per draw). Sub-pixel widths fade values."""
    n = len(q)
    if n < 2:
        return
    ws = 0.5 * (wss[1:] + wss[:-1])
    wi = np.maximum(1, np.round(ws)).astype(np.int64)
    cov = np.minimum(1.0, ws / wi)
    segv = [np.clip(0.5 * (v[1:] + v[:-1]) * cov, 0, 255) for v in vals]
    qv = [np.round(v / 255 * q_levels).astype(np.int64) for v in segv]
    key = wi.copy()
    for k in qv:
        key = key * (q_levels + 1) + k
    brk = np.nonzero(np.diff(key))[0] + 1
    starts = np.concatenate([[0], brk])
    ends = np.concatenate([brk, [len(key)]])
    for a, b in zip(starts, ends):
        if all(k[a] == 0 for k in qv):
            continue
        pts = [(float(x), float(y)) for x, y in q[a:b + 1]]
        w = int(wi[a])
        for dr, k in zip(draws, qv):
            fill = int(round(k[a] * 255 / q_levels))
            if w > 2:
                dr.line(pts, fill=fill, width=w, joint='curve')
            else:
                dr.line(pts, fill=fill, width=w)


def _ss_factor(H):
    return 2 if H >= 900 else (3 if H >= 700 else 4)


# ----------------------------------------------------------------------------------------------- cracks (glass mm)
def _frac(r, p0, p1, rough, step=0.35, bend=0.0, levels=None):
    p0 = np.asarray(p0, float)
    p1 = np.asarray(p1, float)
    d = p1 - p0
    L = math.hypot(*d) + 1e-9
    nrm = np.array([-d[1], d[0]]) / L
    pts = np.array([p0, (p0 + p1) / 2 + nrm * bend * L, p1])
    if levels is None:
        levels = max(1, int(math.ceil(math.log2(max(L / step, 2.0)))) - 1)
    for _ in range(levels):
        seg = pts[1:] - pts[:-1]
        sl = np.hypot(seg[:, 0], seg[:, 1]) + 1e-9
        nn = np.stack([-seg[:, 1], seg[:, 0]], 1) / sl[:, None]
        mids = (pts[1:] + pts[:-1]) / 2 + nn * (r.standard_normal(len(seg)) * rough * sl)[:, None]
        new = np.empty((len(pts) + len(mids), 2))
        new[0::2] = pts
        new[1::2] = mids
        pts = new
    return pts


def _clip_glass(pts, glass, inset=0.25):
    inside = _sdf_rrect(pts, glass) < -inset
    if not inside[0]:
        k = np.argmax(inside)
        if not inside[k]:
            return pts[:0]
        pts, inside = pts[k:], inside[k:]
    bad = np.nonzero(~inside)[0]
    return pts[:bad[0]] if len(bad) else pts


def _ray_len(p, d, glass):
    """distance from p along unit d to the glass boundary (coarse march)."""
    ts = np.linspace(0, 400, 801)
    q = p[None, :] + ts[:, None] * d[None, :]
    out = np.nonzero(_sdf_rrect(q, glass) > -0.3)[0]
    return ts[out[0]] if len(out) else 400.0


class _Crack:
    def __init__(self, r, dev, lit):
        self.r = r
        self.glass = dev['glass']
        self.paths = []
        self.shards = []
        self.lit = lit
        if lit:
            self.mode = str(r.choice(['auto', 'dark', 'mixed', 'light'], p=[.45, .3, .2, .05]))
        else:
            self.mode = str(r.choice(['auto', 'light', 'mixed'], p=[.4, .4, .2]))
        self.alpha = 0.1 + 0.7 * r.beta(1.3, 2.2)
        self.inter = r.random() < 0.45
        self.ithr = r.uniform(-0.6, 0.25)
        self.istep = r.uniform(1.5, 6.0)
        self.wvar = r.uniform(0.05, 0.35)
        self.tstep = r.uniform(3, 12)
        self.comp = r.random() < 0.5

    def add(self, pts, w0=1.0, w1=1.0, a0=1.0, a1=1.0, clip=True, comp=None):
        r = self.r
        if clip:
            pts = _clip_glass(pts, self.glass)
        if len(pts) < 2:
            return None
        seg = np.hypot(*np.diff(pts, axis=0).T)
        s = np.concatenate([[0], np.cumsum(seg)])
        u = s / (s[-1] + 1e-9)
        w = (w0 + (w1 - w0) * u) * np.clip(1 + self.wvar * _n1d(r, s, 4.0), 0.5, 1.8)
        if self.inter:
            vis = np.clip((_n1d(r, s, self.istep) - self.ithr) / 0.5 + 0.5, 0, 1)
        else:
            vis = np.clip(0.85 + 0.15 * _n1d(r, s, 5.0), 0.5, 1)
        a = self.alpha * (a0 + (a1 - a0) * u) * vis * np.clip(1 + 0.25 * _n1d(r, s, 3.0), 0.4, 1.4)
        if self.mode == 'dark':
            t = np.full(len(s), r.uniform(0, 0.12))
        elif self.mode == 'light':
            t = np.clip(r.uniform(0.7, 1.0) + 0.1 * _n1d(r, s, 5.0), 0, 1)
        elif self.mode == 'mixed':
            t = 1 / (1 + np.exp(-3 * _n1d(r, s, self.tstep)))
        else:
            t = np.full(len(s), -1.0)  # auto: decided from the underlying brightness
        p = dict(pts=pts, w=w, a=np.clip(a, 0, 1), t=t, comp=self.comp if comp is None else comp)
        self.paths.append(p)
        return p

    def branches(self, pts, n, rough, frac=(0.15, 0.5), depth=1, wscale=0.7):
        r = self.r
        if len(pts) < 8 or n <= 0:
            return
        seg = np.hypot(*np.diff(pts, axis=0).T)
        s = np.concatenate([[0], np.cumsum(seg)])
        L = s[-1]
        for _ in range(n):
            k = int(r.integers(len(pts) // 8, len(pts) - len(pts) // 8 - 1))
            k2 = min(len(pts) - 1, k + 3)
            tdir = pts[k2] - pts[max(0, k - 3)]
            tdir /= np.hypot(*tdir) + 1e-9
            ang = np.radians(r.uniform(20, 65)) * (1 if r.random() < 0.5 else -1)
            c, sn = np.cos(ang), np.sin(ang)
            d = np.array([c * tdir[0] - sn * tdir[1], sn * tdir[0] + c * tdir[1]])
            ln = r.uniform(*frac) * (L - s[k] + 0.3 * L)
            ch = _frac(r, pts[k], pts[k] + d * ln, rough, bend=r.uniform(-0.1, 0.1))
            p = self.add(ch, w0=wscale, w1=wscale * 0.5, a0=0.9, a1=0.5)
            if p is not None and depth > 1:
                self.branches(p['pts'], int(r.integers(0, 3)), rough, frac, depth - 1, wscale * 0.7)

    def shard_poly(self, poly, alpha, tone):
        if len(poly) >= 3:
            self.shards.append((np.asarray(poly, float), alpha, tone))


def _radial_star(cr, c, n, lens, rough, w0, crush, rings=0, ring_p=0.55):
    r = cr.r
    base = r.uniform(0, 2 * np.pi)
    angs = base + 2 * np.pi * np.arange(n) / n + r.normal(0, 0.35 * np.pi / n, n)
    rads = []
    for j, a in enumerate(angs):
        d = np.array([np.cos(a), np.sin(a)])
        L = lens[j]
        if L < 0.5:
            rads.append(None)
            continue
        pts = _frac(r, c, c + d * L, rough, bend=r.uniform(-0.08, 0.08))
        p = cr.add(pts, w0=w0, w1=max(0.5, w0 * 0.45), a0=1.0, a1=0.55)
        rads.append(p)
        if p is not None and L > 12 and r.random() < 0.5:
            cr.branches(p['pts'], int(r.integers(1, 3)), rough * 1.2, frac=(0.1, 0.35), depth=1, wscale=w0 * 0.5)
    # concentric ring pieces between neighbouring radials
    if rings:
        med = np.median([len(p['pts']) and np.hypot(*(p['pts'][-1] - c)) for p in rads if p is not None] or [5])
        radii = np.sort(r.uniform(crush * 1.5 + 1.5, max(crush * 1.5 + 2, 0.7 * med), rings))
        for rad in radii:
            for j in range(n):
                pa, pb = rads[j], rads[(j + 1) % n]
                if pa is None or pb is None or r.random() > ring_p:
                    continue
                qa = _point_at(pa['pts'], c, rad * r.uniform(0.85, 1.15))
                qb = _point_at(pb['pts'], c, rad * r.uniform(0.85, 1.15))
                if qa is None or qb is None:
                    continue
                cr.add(_frac(r, qa, qb, 0.18, bend=r.uniform(0.0, 0.12)), w0=w0 * 0.6, w1=w0 * 0.6, a0=0.8, a1=0.8)
    # crushed centre with small shards
    if crush > 0.2:
        k = int(r.integers(4, 8))
        pa = _circle(c[0], c[1], 1.0, k) - c
        ring = c + pa * (crush * r.uniform(0.5, 1.3, k))[:, None]
        for j in range(k):
            tri = [c + r.normal(0, crush * 0.15, 2), ring[j], ring[(j + 1) % k]]
            cr.shard_poly(tri, cr.alpha * r.uniform(0.05, 0.3), float(r.uniform(0, 1)))
            cr.add(_frac(r, c, ring[j], 0.2, levels=3), w0=w0 * 0.7, w1=w0 * 0.7, comp=False)
            cr.add(_frac(r, ring[j], ring[(j + 1) % k], 0.2, levels=3), w0=w0 * 0.6, w1=w0 * 0.6, comp=False)
    return rads


def _point_at(pts, c, rad):
    d = np.hypot(pts[:, 0] - c[0], pts[:, 1] - c[1])
    k = np.nonzero(d >= rad)[0]
    return pts[k[0]] if len(k) else None


def _edge_point(r, glass, side=None, inset=0.3):
    x0, y0, x1, y1, rg = glass
    if side is None:
        side = int(r.integers(4))
    if side in (0, 2):
        x = r.uniform(x0 + rg, x1 - rg)
        y = y0 + inset if side == 0 else y1 - inset
        n = np.array([0.0, 1.0 if side == 0 else -1.0])
    else:
        y = r.uniform(y0 + rg, y1 - rg)
        x = x0 + inset if side == 3 else x1 - inset
        n = np.array([1.0 if side == 3 else -1.0, 0.0])
    return np.array([x, y]), n


def _rot(v, a):
    c, s = np.cos(a), np.sin(a)
    return np.array([c * v[0] - s * v[1], s * v[0] + c * v[1]])


def _make_crack(r, dev, lit, kind=None, width=None):
    if kind is None:
        kind = str(r.choice(KINDS, p=_KIND_P))
        width = 1 if kind == 'hairline' else int(r.choice([1, 2, 3], p=[0.45, 0.35, 0.2]))
    cr = _Crack(r, dev, lit)
    g = dev['glass']
    x0, y0, x1, y1, rg = g
    gw, gh = x1 - x0, y1 - y0
    diag = math.hypot(gw, gh)
    if kind == 'hairline':
        cr.comp = r.random() < 0.25
        cr.alpha = 0.15 + 0.6 * r.beta(1.5, 2.0)
        if r.random() < 0.6:
            for _ in range(50):
                pa, _n = _edge_point(r, g)
                pb, _n = _edge_point(r, g)
                if np.hypot(*(pb - pa)) > 0.5 * min(gw, gh) + 0.2 * diag:
                    break
        else:
            pa = np.array([r.uniform(x0 + 3, x1 - 3), r.uniform(y0 + 3, y1 - 3)])
            to_c = np.array([(x0 + x1) / 2, (y0 + y1) / 2]) - pa
            a = math.atan2(to_c[1], to_c[0]) + r.uniform(-1.0, 1.0)  # run towards the inside of the glass
            pb = pa + np.array([np.cos(a), np.sin(a)]) * r.uniform(0.25, 0.6) * diag
        pts = _frac(r, pa, pb, r.uniform(0.006, 0.022), bend=r.uniform(-0.04, 0.04))
        p = cr.add(pts, w0=1.0, w1=r.uniform(0.7, 1.0))
        if p is not None and r.random() < 0.3:
            cr.branches(p['pts'], 1, 0.03, frac=(0.05, 0.2), wscale=0.8)
    elif kind == 'spider_web':
        m = min(8.0, min(gw, gh) * 0.2)
        cr.inter = r.random() < 0.25
        c = np.array([r.uniform(x0 + m, x1 - m), r.uniform(y0 + m, y1 - m)])
        n = int(r.integers(6, 15))
        angs_len = []
        for j in range(n):
            a = 2 * np.pi * j / n
            edge = _ray_len(c, np.array([np.cos(a), np.sin(a)]), g)
            angs_len.append(edge * (1.2 if r.random() < 0.4 else r.uniform(0.25, 0.9)))
        _radial_star(cr, c, n, angs_len, r.uniform(0.06, 0.14), r.uniform(1.2, 1.8), r.uniform(0.8, 4.0),
                     rings=int(r.integers(1, 4)))
    elif kind == 'edge_crack':
        pa, nrm = _edge_point(r, g)
        d = _rot(nrm, np.radians(r.uniform(-45, 45)))
        L = r.uniform(0.3, 0.95) * (gh if abs(nrm[1]) > 0.5 else gw) * r.uniform(0.8, 1.6)
        pts = _frac(r, pa, pa + d * L, r.uniform(0.05, 0.12), bend=r.uniform(-0.18, 0.18))
        p = cr.add(pts, w0=1.3, w1=0.7)
        if p is not None:
            cr.branches(p['pts'], int(r.integers(1, 5)), 0.1, depth=2)
        if r.random() < 0.5:  # small chip where it started
            _radial_star(cr, pa, int(r.integers(2, 4)), r.uniform(1, 4, 4), 0.15, 1.0, r.uniform(0.3, 1.0))
    elif kind == 'diagonal':
        sx, sy = (1 if r.random() < 0.5 else -1), (1 if r.random() < 0.5 else -1)
        pa = np.array([sx * gw / 2 * r.uniform(0.55, 1.0), sy * gh / 2 * r.uniform(0.55, 1.0)])
        pb = np.array([-sx * gw / 2 * r.uniform(0.55, 1.0), -sy * gh / 2 * r.uniform(0.55, 1.0)])
        pa = pa + (x0 + x1) / 2 * np.array([1, 0]) + (y0 + y1) / 2 * np.array([0, 1])
        pb = pb + (x0 + x1) / 2 * np.array([1, 0]) + (y0 + y1) / 2 * np.array([0, 1])
        # push endpoints beyond the glass: the crack runs edge to edge
        d = (pb - pa) / (np.hypot(*(pb - pa)) + 1e-9)
        pa, pb = pa - d * 20, pb + d * 20
        pts = _frac(r, pa, pb, r.uniform(0.04, 0.09), bend=r.uniform(-0.1, 0.1))
        p = cr.add(pts, w0=r.uniform(0.9, 1.3), w1=r.uniform(0.7, 1.1))
        if p is not None:
            cr.branches(p['pts'], int(r.integers(2, 7)), 0.1, frac=(0.08, 0.35), depth=2)
        if r.random() < 0.3:
            off = _rot(d, np.pi / 2) * r.uniform(-15, 15)
            p2 = cr.add(_frac(r, pa + off, pb + off + r.normal(0, 10, 2), 0.08), w0=0.8, w1=0.6)
            if p2 is not None:
                cr.branches(p2['pts'], int(r.integers(0, 3)), 0.1)
    elif kind == 'corner_shatter':
        sx, sy = (1 if r.random() < 0.5 else -1), (1 if r.random() < 0.5 else -1)
        cx = (x0 + x1) / 2 + sx * (gw / 2 - rg * 0.29)
        cy = (y0 + y1) / 2 + sy * (gh / 2 - rg * 0.29)
        c = np.array([cx, cy]) - np.array([sx, sy]) * r.uniform(1.0, 5.0)
        n = int(r.integers(5, 11))
        lens = []
        for j in range(n):
            a = 2 * np.pi * j / n
            e = _ray_len(c, np.array([np.cos(a), np.sin(a)]), g)
            lens.append(e * 1.3 if e < 15 else r.uniform(6, 25) * (3 if r.random() < 0.25 else 1))
        rads = _radial_star(cr, c, n, lens, r.uniform(0.1, 0.2), r.uniform(1.0, 1.4), r.uniform(0.4, 1.5),
                            rings=int(r.integers(1, 4)), ring_p=0.5)
        # shard faces: quads between neighbouring radials (glass pieces tilted -> different reflection)
        radii = np.sort(r.uniform(1.0, 7, 3))
        for j in range(n):
            pa, pb = rads[j], rads[(j + 1) % n]
            if pa is None or pb is None:
                continue
            for k in range(len(radii) - 1):
                if r.random() < 0.5:
                    continue
                qs = [_point_at(pa['pts'], c, radii[k]), _point_at(pa['pts'], c, radii[k + 1]),
                      _point_at(pb['pts'], c, radii[k + 1]), _point_at(pb['pts'], c, radii[k])]
                if any(q is None for q in qs):
                    continue
                cr.shard_poly(qs, cr.alpha * r.uniform(0.04, 0.2), float(r.uniform(0, 1)))
        if r.random() < 0.4:  # missing chip right at the corner
            chip = c + (_circle(0, 0, 1, 6) * r.uniform(0.6, 2.0, (6, 1)))
            cr.shard_poly(chip, min(1.0, cr.alpha * 2.0 + 0.2), float(r.choice([0.0, 0.85])))
        for _ in range(int(r.integers(0, 3))):
            a = np.arctan2(-sy, -sx) + r.uniform(-0.6, 0.6)
            d = np.array([np.cos(a), np.sin(a)])
            p = cr.add(_frac(r, c, c + d * r.uniform(0.3, 0.9) * diag, 0.08, bend=r.uniform(-0.15, 0.15)),
                       w0=1.1, w1=0.6)
            if p is not None:
                cr.branches(p['pts'], int(r.integers(0, 3)), 0.1)
    else:  # star_chip
        if r.random() < 0.4:
            c, _n = _edge_point(r, g, inset=r.uniform(0.8, 3.0))
        else:
            c = np.array([r.uniform(x0 + 3, x1 - 3), r.uniform(y0 + 3, y1 - 3)])
        n = int(r.integers(3, 8))
        cr.inter = r.random() < 0.2
        _radial_star(cr, c, n, r.uniform(1.5, 11, n), r.uniform(0.08, 0.16), r.uniform(1.0, 1.5),
                     r.uniform(0.3, 1.2), rings=int(r.integers(0, 2)))
    if not cr.paths:  # safety: an inner short crack always exists
        c = np.array([(x0 + x1) / 2, (y0 + y1) / 2])
        cr.add(_frac(r, c - [5, 3], c + [6, 4], 0.1), w0=1, w1=1)
    # display damage under the crack (lit screens only)
    dmg = []
    if lit and r.random() < 0.35:
        d = dev['disp']
        allp = np.concatenate([p['pts'] for p in cr.paths])
        ins = allp[(allp[:, 0] > d[0] + 1) & (allp[:, 0] < d[2] - 1) & (allp[:, 1] > d[1] + 1) & (allp[:, 1] < d[3] - 1)]
        if len(ins):
            for _ in range(int(r.integers(1, 3))):
                p = ins[r.integers(len(ins))]
                t = str(r.choice(['dead_line', 'ink', 'pixels'], p=[.4, .35, .25]))
                col = [(255, 255, 255), (0, 255, 60), (255, 0, 255), (0, 0, 0), (0, 230, 255), (255, 40, 40)][
                    r.integers(6)]
                if t == 'dead_line':
                    wmm = r.uniform(0.15, 0.5)
                    if r.random() < 0.5:  # along a display column
                        ya, yb = (d[1], d[3]) if r.random() < 0.4 else sorted([p[1], p[1] + r.uniform(-25, 25)])
                        poly = [[p[0], ya], [p[0] + wmm, ya], [p[0] + wmm, yb], [p[0], yb]]
                    else:
                        xa, xb = (d[0], d[2]) if r.random() < 0.4 else sorted([p[0], p[0] + r.uniform(-20, 20)])
                        poly = [[xa, p[1]], [xb, p[1]], [xb, p[1] + wmm], [xa, p[1] + wmm]]
                    dmg.append(('poly', np.array(poly, float), col, r.uniform(0.6, 1.0), 0.0))
                elif t == 'ink':
                    k = 9
                    rad = r.uniform(0.8, 7.0)
                    poly = p + _circle(0, 0, 1, k) * (rad * r.uniform(0.5, 1.3, (k, 1)))
                    ic = [(0, 0, 0), (40, 0, 60), (10, 10, 40), (60, 0, 80)][r.integers(4)]
                    dmg.append(('poly', poly, ic, r.uniform(0.7, 1.0), r.uniform(0.3, 1.2)))
                else:
                    for _ in range(int(r.integers(3, 15))):
                        q = p + r.normal(0, 1.5, 2)
                        s = r.uniform(0.1, 0.35)
                        dmg.append(('poly', np.array([q, q + [s, 0], q + [s, s], q + [0, s]]), col,
                                    r.uniform(0.6, 1.0), 0.0))
    return kind, width, cr, dmg


def _render_crack(cr, dmg, m, box, ss, H, ppm):
    """crack layers in box coordinates: A (alpha), T (alpha*tone, -1 = auto), damage RGBA."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    la = Image.new('L', (w * ss, h * ss), 0)
    lt = Image.new('L', (w * ss, h * ss), 0)
    lu = Image.new('L', (w * ss, h * ss), 0)  # auto-tone weight
    da, dt, du = ImageDraw.Draw(la), ImageDraw.Draw(lt), ImageDraw.Draw(lu)
    off = np.array([x0, y0], float)
    kpx = H / 1080.0 * ss
    for poly, a, t in cr.shards:
        q = _tup((_ap(m, poly) - off) * ss)
        da.polygon(q, fill=int(255 * min(1, a)))
        dt.polygon(q, fill=int(255 * min(1, a) * t))
    length = 0.0
    for p in cr.paths:
        q = (_ap(m, p['pts']) - off) * ss
        sl = np.hypot(*np.diff(q, axis=0).T) / ss
        length += float(np.sum(sl * (0.5 * (p['a'][1:] + p['a'][:-1]) > 0.03)))
        wss = p['w'] * cr.width * kpx
        a = p['a'] * 255
        auto = p['t'][0] < 0
        t = np.zeros_like(a) if auto else p['t']
        if p['comp'] and len(q) > 2:
            tg = np.gradient(q, axis=0)
            nn = np.stack([-tg[:, 1], tg[:, 0]], 1) / (np.hypot(tg[:, 0], tg[:, 1])[:, None] + 1e-9)
            qc = q + nn * (wss[:, None] * 0.5 + 0.6 * ss)
            ca = a * 0.35
            ct = (1 - t) if not auto else np.zeros_like(t)
            _draw_path([da, dt, du], qc, np.maximum(1.0, wss * 0.7), [ca, ca * ct, ca * (1 if auto else 0)])
        _draw_path([da, dt, du], q, wss, [a, a * t, a * (1 if auto else 0)])
    A = np.asarray(la.reduce(ss), np.float32) / 255
    T = np.asarray(lt.reduce(ss), np.float32) / 255
    U = np.asarray(lu.reduce(ss), np.float32) / 255
    dm = None
    if dmg:
        im = Image.new('RGBA', (w, h), (0, 0, 0, 0))
        flat = Image.new('RGBA', (w, h), (0, 0, 0, 0))
        fdr = ImageDraw.Draw(flat)
        for _, poly, col, a, blur in dmg:
            q = _ap(m, poly) - off
            if blur > 0:  # soft ink bleed: draw and blur a local patch only
                rad = blur * ppm * 0.5
                mg = int(3 * rad + 3)
                bx0, by0 = int(max(0, q[:, 0].min() - mg)), int(max(0, q[:, 1].min() - mg))
                bx1, by1 = int(min(w, q[:, 0].max() + mg + 1)), int(min(h, q[:, 1].max() + mg + 1))
                if bx1 <= bx0 or by1 <= by0:
                    continue
                lay = Image.new('RGBA', (bx1 - bx0, by1 - by0), (0, 0, 0, 0))
                ImageDraw.Draw(lay).polygon(_tup(q - [bx0, by0]), fill=tuple(col) + (int(255 * a),))
                im.alpha_composite(lay.filter(ImageFilter.GaussianBlur(rad)), (bx0, by0))
            else:
                fdr.polygon(_tup(q), fill=tuple(col) + (int(255 * a),))
        im = Image.alpha_composite(im, flat)
        dm = np.asarray(im, np.float32) / 255
    return A, T, U, dm, length


# ----------------------------------------------------------------------------------------------- the scene
class _Scene:
    pass


class _Layers:
    """n 'L' layers of one size, created on first use."""

    def __init__(self, size, n):
        self.size, self.n, self.ims, self._d = size, n, None, None

    @property
    def d(self):
        if self._d is None:
            self.ims = [Image.new('L', self.size, 0) for _ in range(self.n)]
            self._d = [ImageDraw.Draw(im) for im in self.ims]
        return self._d


def _camera_params(r, W, H):
    k = H / 1080
    c = {}
    names = []
    low = r.random() < 0.25
    iso = low or r.random() < 0.15
    c['blur'] = r.uniform(0.35, 0.9) * k
    if r.random() < 0.3:
        c['blur'] = r.uniform(0.9, 2.0) * k
        names.append('defocus')
    if low:
        expo = r.uniform(0.35, 0.7)
        names.append('low_light')
    else:
        expo = r.uniform(0.8, 1.15)
    if iso:
        shot, read = r.uniform(0.06, 0.3), r.uniform(1.0, 3.0)
        names.append('high_iso')
    else:
        shot, read = r.uniform(0.01, 0.08), r.uniform(0.3, 1.2)
    wb = np.ones(3)
    if r.random() < 0.45:
        wb = np.array([r.uniform(0.8, 1.2), 1.0, r.uniform(0.8, 1.2)])
        names.append('wb_cast')
    c['gain'] = (expo * wb).astype(np.float32)
    c['shot'], c['read2'] = np.float32(shot), np.float32(read * read)
    c['chroma'] = r.uniform(0.2, 0.6) if iso else (r.uniform(0.0, 0.25) if r.random() < 0.5 else 0.0)
    gam = r.uniform(0.85, 1.18)
    if abs(gam - 1) > 0.1:
        names.append('gamma')
    dg = (1.0 / expo) * r.uniform(0.7, 1.0) if low else 1.0
    blk = r.uniform(0, 10)
    x = np.arange(256, dtype=np.float64) / 255
    y = np.clip((x * dg - blk / 255) / (1 - blk / 255), 0, 1) ** gam
    lut = np.clip(np.round(y * 255), 0, 255).astype(np.int64)
    c['lut'] = list(lut) * 3
    vs = r.uniform(0.0, 0.45)
    if vs > 0.25:
        names.append('vignette')
    cx, cy = r.uniform(-0.1, 0.1), r.uniform(-0.1, 0.1)
    c['vx'] = np.exp(-vs * ((np.arange(W) / W - 0.5 - cx) * 2 * W / max(W, H)) ** 2).astype(np.float32)
    c['vy'] = np.exp(-vs * ((np.arange(H) / H - 0.5 - cy) * 2 * H / max(W, H)) ** 2).astype(np.float32)
    c['vxg'] = c['vx'][:, None] * c['gain'][None, :]
    c['jq'] = int(r.integers(25, 60)) if r.random() < 0.3 else 0
    if c['jq']:
        names.append('jpeg_blocking')
    return c, names


def _camera_noise(r, W, H, cam):
    """sensor noise, one draw shared by both twins: fine luma grain plus blotchy chroma grain at high ISO."""
    n = r.standard_normal((H, W), dtype=np.float32)
    ch = cam['chroma']
    if ch <= 0.01:
        return n[:, :, None]
    h2, w2 = (H + 1) // 2, (W + 1) // 2
    g = r.standard_normal((h2, w2, 3), dtype=np.float32)
    g8 = Image.fromarray(_u8(g * 40 + 128)).resize((W, H), _RS.BILINEAR)
    up = np.asarray(g8, np.float32)
    up -= 128
    up *= np.float32(ch * 1.3 / 40)
    up += (n * np.float32(1 - 0.5 * ch))[:, :, None]
    return up


def _build(seed, i):
    sc = _Scene()
    g = _rng(seed, i, S_GEOM)
    W, H = (1920, 1080) if g.random() < 0.4 else _SIZES[int(g.integers(len(_SIZES)))]
    sc.W, sc.H = W, H
    dev = _device(_rng(seed, i, S_DEVICE))
    sc.dev = dev
    m, ppm, rs, _tilt = _pose(g, W, H, dev)
    sc.m, sc.ppm = m, ppm
    names = []
    if rs:
        names.append('rolling_shutter')
    if dev['bump']:
        names.append('camera_bump_tilt')
    if dev['case']:
        names.append('case_rim')
    # crop box around the phone (16-aligned so that the camera's JPEG blocks agree)
    poly = _ap(m, _rr_pts(dev['outline']))
    mn, mx = poly.min(0), poly.max(0)
    mg = max(48.0, 0.08 * max(mx - mn))
    x0 = max(0, int((mn[0] - mg) // 16) * 16)
    y0 = max(0, int((mn[1] - mg) // 16) * 16)
    x1 = min(W, int(math.ceil((mx[0] + mg) / 16)) * 16)
    y1 = min(H, int(math.ceil((mx[1] + mg) / 16)) * 16)
    sc.box = (x0, y0, x1, y1)
    bw, bh = x1 - x0, y1 - y0
    off = np.array([x0, y0], float)

    # ---- surface
    rs_ = _rng(seed, i, S_SURF)
    frame, sname = _surface(rs_, W, H, m, dev)
    frame = frame.copy()
    sc.surface = sname

    # ---- shadow (from the lighting stream)
    rl = _rng(seed, i, S_LIGHT)
    crop = frame[y0:y1, x0:x1].astype(np.float32)
    sh_len = rl.uniform(0.005, 0.03) * max(mx - mn) * (1.8 if dev['bump'] else 1.0)
    sh_ang = rl.uniform(0, 2 * np.pi)
    spoly = poly - off + sh_len * np.array([np.cos(sh_ang), np.sin(sh_ang)])
    q4 = 4  # the soft shadow is computed at a quarter of the resolution
    shm = Image.new('L', ((bw + q4 - 1) // q4, (bh + q4 - 1) // q4), 0)
    ImageDraw.Draw(shm).polygon(_tup(spoly / q4), fill=255)
    srad = max(1.0, rl.uniform(0.006, 0.03) * max(mx - mn)) / q4
    shm = shm.filter(ImageFilter.GaussianBlur(srad))
    soft = np.asarray(shm.resize((bw, bh), _RS.BILINEAR, box=(0, 0, bw / q4, bh / q4)), np.float32) / 255
    shc = Image.new('L', (bw, bh), 0)
    ImageDraw.Draw(shc).polygon(_tup(poly - off), fill=255)
    cont = np.asarray(_optics(shc, max(0.8, 2.0 * H / 1080)), np.float32) / 255
    shade = 1 - rl.uniform(0.25, 0.6) * soft - 0.25 * cont
    crop *= shade[..., None]

    # ---- phone body, super-sampled x2
    ss2 = 2
    big = Image.fromarray(_u8(crop)).resize((bw * ss2, bh * ss2), _RS.NEAREST)
    dr = ImageDraw.Draw(big)

    def P(pts):
        return _tup((_ap(m, pts) - off) * ss2)

    def col(c, f):
        return tuple(int(min(255, max(0, v * f))) for v in c)

    o = dev['outline']
    if dev['case']:
        cc = dev['case_col']
        tc = dev['tc']
        dr.polygon(P(_rr_pts(o)), fill=col(cc, 0.85))
        dr.polygon(P(_rr_pts(_inset(o, tc * 0.15))), fill=col(cc, 1.25))
        dr.polygon(P(_rr_pts(_inset(o, tc * 0.3))), fill=cc)
        dr.polygon(P(_rr_pts(_inset(o, tc * 0.8))), fill=col(cc, 0.7))
    fr = dev['frame']
    mc = dev['metal']
    dr.polygon(P(_rr_pts(fr)), fill=col(mc, 0.75))
    dr.polygon(P(_rr_pts(_inset(fr, dev['fr'] * 0.25))), fill=col(mc, 1.2))
    dr.polygon(P(_rr_pts(_inset(fr, dev['fr'] * 0.6))), fill=mc)
    gl = dev['glass']
    bz = dev['bez_col']
    if dev['case']:
        dr.polygon(P(_rr_pts(gl)), fill=col(bz, 0.55))
        dr.polygon(P(_rr_pts(_inset(gl, 0.6))), fill=bz)
    else:
        dr.polygon(P(_rr_pts(gl)), fill=bz)
    # bezel features
    rd = _rng(seed, i, S_DEVICE + 20)
    dsp = dev['disp']
    cxg = (gl[0] + gl[2]) / 2
    white = dev['bez'] == 'white'
    feat_dark = (40, 40, 44) if not white else (150, 150, 155)
    if dev['cls'] == 'classic' or (dev['cls'] == 'tall' and dev['bt'] > 1.6):
        yc = (gl[1] + dsp[1]) / 2
        sw = dev['slot_w'] if dev['cls'] == 'classic' else dev['slot_w'] * 0.8
        shh = 1.3 if dev['cls'] == 'classic' else 0.45
        dr.polygon(P(_rrect(cxg - sw / 2, yc - shh / 2, cxg + sw / 2, yc + shh / 2, shh / 2)), fill=feat_dark)
        names.append('bezel_slot')
        if dev['cls'] == 'classic':
            cx = cxg + dev['cam_dx']
            dr.polygon(P(_circle(cx, yc, 1.4)), fill=(12, 12, 16))
            dr.polygon(P(_circle(cx, yc, 0.6)), fill=(45, 50, 70))
            dr.polygon(P(_circle(cxg - dev['cam_dx'] * 0.6, yc, 0.5)), fill=col(feat_dark, 0.7))
    elif dev['cls'] == 'tall':
        # earpiece slit in the frame at the top edge
        sw = dev['slot_w'] * 0.9
        dr.polygon(P(_rrect(cxg - sw / 2, gl[1] - 0.2, cxg + sw / 2, gl[1] + 0.2, 0.2)), fill=(20, 20, 22))
        names.append('bezel_slot')
    if dev['cls'] == 'tablet':
        yc = (gl[1] + dsp[1]) / 2
        dr.polygon(P(_circle(cxg, yc, 1.2)), fill=(10, 10, 14) if not white else (60, 60, 70))
    if dev['home'] == 'button':
        yc = (dsp[3] + gl[3]) / 2
        rr = min(5.5, (gl[3] - dsp[3]) * 0.38)
        dr.polygon(P(_circle(cxg, yc, rr, 40)), fill=col(bz, 1.6) if not white else col(bz, 0.85))
        dr.polygon(P(_circle(cxg, yc, rr - 0.35, 40)), fill=col(bz, 1.15) if not white else col(bz, 0.97))
        if rd.random() < 0.5:
            q = 0.35 * rr
            dr.polygon(P(_rrect(cxg - q, yc - q, cxg + q, yc + q, q * 0.3)), outline=col(bz, 2.5) if not white else
                       col(bz, 0.7))
        names.append('home_button')
    elif dev['home'] == 'keys':
        yc = (dsp[3] + gl[3]) / 2
        kc = (150, 150, 150) if not white else (120, 120, 120)
        for j, sx in enumerate((-0.3, 0, 0.3)):
            x = cxg + sx * dev['dw']
            if j == 0:
                dr.line(P([[x - 1.5, yc], [x + 1.5, yc - 1.2], [x + 1.5, yc + 1.2], [x - 1.5, yc]]), fill=kc, width=1)
            elif j == 1:
                dr.line(P(np.concatenate([_circle(x, yc, 1.4, 20), _circle(x, yc, 1.4, 20)[:1]])), fill=kc, width=1)
            else:
                dr.line(P([[x - 1.3, yc - 1.3], [x + 1.3, yc - 1.3], [x + 1.3, yc + 1.3], [x - 1.3, yc + 1.3],
                           [x - 1.3, yc - 1.3]]), fill=kc, width=1)
        names.append('home_button')
    body = big.reduce(ss2)

    # masks (x2 super-sampled -> soft at x1)
    def mask(rect, n=12):
        im = Image.new('L', (bw * ss2, bh * ss2), 0)
        ImageDraw.Draw(im).polygon(P(_rr_pts(rect, n)), fill=255)
        return im.reduce(ss2)

    disp_m = mask(dsp)
    glass_m = mask(gl)
    out_m = Image.new('L', (bw, bh), 0)  # hard, inset by about 1 px: where the cracked twin may differ
    ImageDraw.Draw(out_m).polygon(_tup(_ap(m, _rr_pts(_inset(o, 1.2 / ppm))) - off), fill=255)
    sc.outline_mask = np.asarray(out_m) > 0
    sc.glass_mask = np.asarray(glass_m, np.float32) / 255
    sc.disp_mask = np.asarray(disp_m, np.float32) / 255

    # ---- display
    rsc = _rng(seed, i, S_SCREEN)
    lit = rsc.random() < 0.5
    sc.lit = lit
    dw, dh = dsp[2] - dsp[0], dsp[3] - dsp[1]
    if lit:
        cs = ppm * rsc.uniform(1.1, 1.4)
        cs = min(cs, math.sqrt(1.2e6 / (dw * dh)))
        cw, ch = max(8, int(round(dw * cs))), max(8, int(round(dh * cs)))
        cs = cw / dw
        canvas, ckind, cnames = _content(rsc, cw, ch, cs, dev)
        cut = _cutout(ImageDraw.Draw(canvas), dev, cs, cw, ch, (2, 2, 3))
        if cut:
            names.append(cut)
        names += cnames
        sc.content = ckind
        arr = np.asarray(canvas, np.float32) * np.float32(rsc.uniform(0.6, 1.0))
        if rsc.random() < 0.3:  # moire from the display's pixel grid
            names.append('moire')
            per = rsc.uniform(4, 24)
            a0 = rsc.uniform(0, np.pi)
            u = np.arange(cw, dtype=np.float32)[None, :]
            v = np.arange(ch, dtype=np.float32)[:, None]
            curv = np.float32(rsc.uniform(-1, 1) / max(cw, ch))
            ph = (u * np.float32(np.cos(a0)) + v * np.float32(np.sin(a0)) + curv * (u - cw / 2) ** 2) * \
                np.float32(2 * np.pi / per)
            amp = rsc.uniform(0.03, 0.1)
            for j in range(3):
                arr[:, :, j] *= 1 + np.float32(amp) * np.cos(ph + np.float32(j * rsc.uniform(0, 2)))
        canvas = Image.fromarray(_u8(arr))
        cm = np.array([[cs, 0, -dsp[0] * cs], [0, cs, -dsp[1] * cs], [0, 0, 1]])
        # warp only the display's bounding box
        dq = _ap(m, _rr_pts(dsp)) - off
        wx0, wy0 = max(0, int(dq[:, 0].min()) - 2), max(0, int(dq[:, 1].min()) - 2)
        wx1, wy1 = min(bw, int(dq[:, 0].max()) + 3), min(bh, int(dq[:, 1].max()) + 3)
        tm = np.array([[1, 0, x0 + wx0], [0, 1, y0 + wy0], [0, 0, 1]], float)
        inv = cm @ np.linalg.inv(m) @ tm
        inv /= inv[2, 2]
        wd = canvas.transform((wx1 - wx0, wy1 - wy0), _TR.PERSPECTIVE, tuple(inv.flatten()[:8]), _RS.BILINEAR)
        part = body.crop((wx0, wy0, wx1, wy1))
        body.paste(Image.composite(wd, part, disp_m.crop((wx0, wy0, wx1, wy1))), (wx0, wy0))
        warped = None
    else:
        sc.content = 'off'
        if dev['cut'] != 'none':
            names.append('punch_hole' if dev['cut'].startswith('punch') else 'notch')
        v = int(rsc.uniform(4, 20))
        warped = Image.new('RGB', (bw, bh), (v, v, int(v * rsc.uniform(1.0, 1.3))))
    if warped is not None:
        body = Image.composite(warped, body, disp_m)
    frame[y0:y1, x0:x1] = np.asarray(body)
    sc.frame = frame

    # ---- light on the glass: room reflection, glare (lighting stream), plus nuisances
    spec = np.zeros((bh, bw), np.float32)
    lvl = rl.uniform(0.02, 0.1) if not lit else rl.uniform(0.0, 0.05)
    spec += np.float32(lvl) * (1 + 0.6 * _smooth(rl, bh, bw, max(8.0, 0.4 * max(bw, bh))))
    names.append('room_reflection')
    if rl.random() < 0.3:
        names.append('glare')
        sg = max(4, bh // 8), max(4, bw // 8)
        yy, xx = np.mgrid[0:sg[0], 0:sg[1]].astype(np.float32)
        cen = _ap(m, [[rl.uniform(gl[0], gl[2]), rl.uniform(gl[1], gl[3])]])[0] - off
        cy_, cx_ = cen[1] / bh * sg[0], cen[0] / bw * sg[1]
        sx_, sy_ = rl.uniform(0.05, 0.25) * sg[1], rl.uniform(0.05, 0.25) * sg[0]
        a = rl.uniform(0, np.pi)
        dx, dy = xx - cx_, yy - cy_
        u_ = dx * np.cos(a) + dy * np.sin(a)
        v_ = -dx * np.sin(a) + dy * np.cos(a)
        blob = np.exp(-0.5 * ((u_ / sx_) ** 2 + (v_ / sy_) ** 2)) * rl.uniform(0.25, 0.85)
        spec += np.asarray(Image.fromarray(blob.astype(np.float32)).resize((bw, bh), _RS.BILINEAR))
    sc.tint = np.array([1.0, rl.uniform(0.95, 1.0), rl.uniform(0.88, 1.0)], np.float32)
    rn = _rng(seed, i, S_NUIS)
    ss = _ss_factor(H)
    sc.ss = ss
    SL = _Layers((bw * ss, bh * ss), 1)  # light lines on the glass (scratches, glints, protector edge)
    OL = _Layers((bw * ss, bh * ss), 4)  # thin things lying on it: alpha + premultiplied RGB
    kpx = H / 1080.0 * ss
    gpoly = _ap(m, _rr_pts(gl)) - off
    gmn, gmx = gpoly.min(0), gpoly.max(0)
    gsize = max(gmx - gmn)

    def on_glass(n):
        pts = np.stack([rn.uniform(gl[0], gl[2], n), rn.uniform(gl[1], gl[3], n)], 1)
        return _ap(m, pts) - off

    # reflections of window frames and ceiling lights (straight, long)
    def reflection(name, stretch):
        """A blank reflection layer, its drawing context, its axes (d2 stretched for a window) and a centre on the glass."""
        names.append(name)
        refl = Image.new('L', (bw, bh), 0)
        a = rn.uniform(0, np.pi)
        d1 = np.array([np.cos(a), np.sin(a)])
        d2 = np.array([-d1[1], d1[0]]) * ((1 + rn.uniform(-0.15, 0.15)) if stretch else 1)
        return refl, ImageDraw.Draw(refl), d1, d2, on_glass(1)[0]

    if rn.random() < 0.35:
        refl, rdr, d1, d2, c0 = reflection('window_reflection', True)
        wx, wy = rn.uniform(0.3, 1.2) * gsize, rn.uniform(0.3, 1.2) * gsize
        inten = rn.uniform(0.1, 0.5)
        p = [c0 - d1 * wx / 2 - d2 * wy / 2, c0 + d1 * wx / 2 - d2 * wy / 2, c0 + d1 * wx / 2 + d2 * wy / 2,
             c0 - d1 * wx / 2 + d2 * wy / 2]
        for j in range(12):  # brightness falls off across the window
            f0, f1 = j / 12, (j + 1) / 12
            q = [p[0] + (p[3] - p[0]) * f0, p[1] + (p[2] - p[1]) * f0, p[1] + (p[2] - p[1]) * f1,
                 p[0] + (p[3] - p[0]) * f1]
            rdr.polygon(_tup(q), fill=int(255 * inten * (1 - 0.6 * f0 * rn.uniform(0.5, 1))))
        mw = max(1, int(rn.uniform(0.005, 0.03) * gsize))
        nmx, nmy = int(rn.integers(0, 4)), int(rn.integers(0, 3))
        for j in range(1, nmx + 1):
            t = j / (nmx + 1) - 0.5
            rdr.line([tuple(c0 + d1 * wx * t - d2 * wy / 2), tuple(c0 + d1 * wx * t + d2 * wy / 2)], fill=0, width=mw)
        for j in range(1, nmy + 1):
            t = j / (nmy + 1) - 0.5
            rdr.line([tuple(c0 + d2 * wy * t - d1 * wx / 2), tuple(c0 + d2 * wy * t + d1 * wx / 2)], fill=0, width=mw)
        refl = _optics(refl, rn.uniform(0.4, 3.0) * H / 1080)
        spec += np.asarray(refl, np.float32) / 255
    if rn.random() < 0.35:
        refl, rdr, d1, d2, c0 = reflection('ceiling_light', False)
        nb = int(rn.integers(1, 4))
        gap = rn.uniform(0.05, 0.3) * gsize
        wdt = rn.uniform(0.006, 0.04) * gsize
        L = rn.uniform(0.6, 2.0) * gsize
        for j in range(nb):
            cc = c0 + d2 * gap * (j - (nb - 1) / 2)
            p = [cc - d1 * L / 2 - d2 * wdt / 2, cc + d1 * L / 2 - d2 * wdt / 2, cc + d1 * L / 2 + d2 * wdt / 2,
                 cc - d1 * L / 2 + d2 * wdt / 2]
            rdr.polygon(_tup(p), fill=int(255 * rn.uniform(0.25, 0.85)))
        refl = _optics(refl, rn.uniform(0.8, 4.0) * H / 1080)
        spec += np.asarray(refl, np.float32) / 255
    # glint along the glass edge (the screen's own edge)
    if rn.random() < 0.5:
        names.append('edge_glint')
        e = _rr_pts(_inset(gl, rn.uniform(0.15, 0.6)), 14)
        n = len(e)
        k0 = int(rn.integers(n))
        k1 = k0 + int(rn.uniform(0.08, 0.35) * n)
        idx = np.arange(k0, k1) % n
        q = (_ap(m, e[idx]) - off) * ss
        s = np.linspace(0, 1, len(q))
        v = 255 * rn.uniform(0.2, 0.7) * np.sin(np.pi * s) ** 0.5
        _draw_path(SL.d, q, np.full(len(q), rn.uniform(0.8, 2.0) * kpx), [v])
    # scratches on the glass (light lines), straight and curved
    if rn.random() < 0.45:
        names.append('scratch_straight')
        for _ in range(int(rn.integers(1, 7))):
            pa = rn.uniform([gl[0], gl[1]], [gl[2], gl[3]])
            a = rn.uniform(0, 2 * np.pi)
            L = rn.uniform(3, 0.6 * (gl[3] - gl[1]))
            pts = np.stack([pa + np.array([np.cos(a), np.sin(a)]) * t for t in np.linspace(0, L, 24)])
            pts = pts[_sdf_rrect(pts, gl) < -0.3]
            if len(pts) < 2:
                continue
            q = (_ap(m, pts) - off) * ss
            s = np.linspace(0, L, len(q))
            v = 255 * rn.uniform(0.05, 0.35) * np.clip(0.6 + 0.5 * _n1d(rn, s, rn.uniform(2, 8)), 0, 1)
            _draw_path(SL.d, q, np.full(len(q), rn.uniform(0.5, 1.5) * kpx), [v])
    if rn.random() < 0.35:
        names.append('scratch_curved')
        for _ in range(int(rn.integers(1, 6))):
            c = rn.uniform([gl[0], gl[1]], [gl[2], gl[3]])
            rad = rn.uniform(8, 70)
            a0 = rn.uniform(0, 2 * np.pi)
            ang = a0 + np.linspace(0, rn.uniform(0.2, 1.2), 30)
            pts = c + rad * np.stack([np.cos(ang), np.sin(ang)], 1)
            pts = pts[_sdf_rrect(pts, gl) < -0.3]
            if len(pts) < 2:
                continue
            q = (_ap(m, pts) - off) * ss
            s = np.linspace(0, rad, len(q))
            v = 255 * rn.uniform(0.04, 0.3) * np.clip(0.6 + 0.5 * _n1d(rn, s, 5), 0, 1)
            _draw_path(SL.d, q, np.full(len(q), rn.uniform(0.5, 1.3) * kpx), [v])
        # screen protector edge
    if rn.random() < 0.25:
        names.append('protector_edge')
        pr = _inset(gl, rn.uniform(0.4, 2.5))
        ang = rn.uniform(-0.01, 0.01)
        pts = _rr_pts(pr, 12)
        pts = pts @ np.array([[np.cos(ang), -np.sin(ang)], [np.sin(ang), np.cos(ang)]]).T
        pts = np.concatenate([pts, pts[:1]])
        q = (_ap(m, pts) - off) * ss
        v = np.full(len(q), 255 * rn.uniform(0.08, 0.3))
        _draw_path(SL.d, q, np.full(len(q), rn.uniform(0.7, 1.5) * kpx), [v])
        shade_v = rn.uniform(0.05, 0.25) * 255
        qd = q + (rn.uniform(-1, 1, 2) * kpx)
        _draw_path(OL.d, qd, np.full(len(q), kpx), [np.full(len(q), shade_v)] + [np.zeros(len(q))] * 3)
        hz = Image.new('L', (bw * ss2, bh * ss2), 0)
        ImageDraw.Draw(hz).polygon(P(pts), fill=int(255 * rn.uniform(0.01, 0.04)))
        spec += np.asarray(hz.reduce(ss2), np.float32) / 255
    # fingerprints and smudges
    if rn.random() < 0.4:
        names.append('fingerprint')
        for _ in range(int(rn.integers(1, 4))):
            c = on_glass(1)[0]
            a_, b_ = rn.uniform(6, 9) * ppm, rn.uniform(8, 12) * ppm
            per = rn.uniform(0.42, 0.55) * ppm
            ext = int(max(a_, b_) * 1.3)
            cx, cy = int(c[0]), int(c[1])
            ya, yb, xa, xb = max(0, cy - ext), min(bh, cy + ext), max(0, cx - ext), min(bw, cx + ext)
            if yb - ya < 4 or xb - xa < 4:
                continue
            yy, xx = np.mgrid[ya:yb, xa:xb].astype(np.float32)
            ang = rn.uniform(0, np.pi)
            dx, dy = xx - c[0], yy - c[1]
            u_ = dx * np.cos(ang) + dy * np.sin(ang)
            v_ = -dx * np.sin(ang) + dy * np.cos(ang)
            rr = np.sqrt((u_ / a_) ** 2 + (v_ / b_) ** 2)
            warp = 0.06 * _smooth(rn, yb - ya, xb - xa, max(3.0, ppm * 3))
            env = np.exp(-(rr / 0.75) ** 4)
            ridge = 0.5 + 0.5 * np.cos((rr + warp) * np.float32(max(a_, b_) * 2 * np.pi / per))
            if per < 2.2:
                ridge = np.full_like(ridge, 0.5)
            spec[ya:yb, xa:xb] += (np.float32(rn.uniform(0.02, 0.07)) * env * (0.4 + 0.6 * ridge)).astype(np.float32)
    if rn.random() < 0.3:
        names.append('smudge')
        sm = np.clip(_fbm(rn, max(4, bh // 6), max(4, bw // 6), 6, 2) - rn.uniform(0.3, 1.0), 0, None)
        sm = np.asarray(Image.fromarray(sm.astype(np.float32)).resize((bw, bh), _RS.BILINEAR))
        spec += np.float32(rn.uniform(0.01, 0.04)) * sm
    # hairs, lint, dust (occluding, thin)
    if rn.random() < 0.3:
        names.append('hair')
        for _ in range(int(rn.integers(1, 3))):
            c = on_glass(1)[0] / 1.0
            a = rn.uniform(0, 2 * np.pi)
            L = rn.uniform(15, 70) * ppm
            t = np.linspace(0, 1, 60)
            curv = rn.uniform(-2.5, 2.5)
            ang = a + curv * t + 0.3 * np.sin(t * rn.uniform(2, 6))
            steps = np.stack([np.cos(ang), np.sin(ang)], 1) * (L / 60)
            pts = c + np.cumsum(steps, 0) - steps.sum(0) / 2
            keep = (pts[:, 0] > 1) & (pts[:, 0] < bw - 1) & (pts[:, 1] > 1) & (pts[:, 1] < bh - 1)
            pts = pts[keep]
            if len(pts) < 2:
                continue
            q = pts * ss
            hc = [(25, 20, 18), (60, 40, 25), (200, 180, 140), (150, 150, 150)][rn.integers(4)]
            av = 255 * rn.uniform(0.35, 0.9) * np.ones(len(q))
            _draw_path(OL.d, q, np.full(len(q), rn.uniform(0.5, 1.3) * kpx), [av] + [av * c_ / 255 for c_ in hc])
    if rn.random() < 0.45:
        names.append('dust')
        n = int(rn.integers(5, 60))
        pts = on_glass(n) * ss
        for p in pts:
            rad = rn.uniform(0.3, 1.6) * kpx
            light_ = rn.random() < 0.75
            cval = rn.uniform(170, 240) if light_ else rn.uniform(20, 60)
            a = rn.uniform(0.3, 0.9)
            bb = [p[0] - rad, p[1] - rad, p[0] + rad, p[1] + rad]
            OL.d[0].ellipse(bb, fill=int(255 * a))
            for d_ in OL.d[1:]:
                d_.ellipse(bb, fill=int(a * cval))
    if rn.random() < 0.3:
        names.append('lint')
        for _ in range(int(rn.integers(1, 5))):
            c = on_glass(1)[0]
            pts = _frac(rn, c, c + rn.normal(0, 4 * ppm, 2), 0.35, levels=4)
            q = pts * ss
            lc = [(200, 200, 205), (90, 110, 170), (170, 60, 60), (120, 120, 120)][rn.integers(4)]
            av = 255 * rn.uniform(0.3, 0.8) * np.ones(len(q))
            _draw_path(OL.d, q, np.full(len(q), rn.uniform(0.6, 1.4) * kpx), [av] + [av * c_ / 255 for c_ in lc])
    if SL.ims:
        spec += np.asarray(SL.ims[0].reduce(ss), np.float32) / 255
    sc.spec = np.clip(spec * sc.glass_mask, 0, 0.97)
    if OL.ims:
        sc.occ_a = np.asarray(OL.ims[0].reduce(ss), np.float32) / 255
        sc.occ_c = np.stack([np.asarray(c.reduce(ss), np.float32) for c in OL.ims[1:]], 2)
    else:
        sc.occ_a = None

    # ---- larger occluders across the frame (RGBA patches): cables, tape, stickers
    patches = []
    k = H / 1080
    if rn.random() < 0.3:
        names.append('cable')
        lay = Image.new('RGBA', (W, H), (0, 0, 0, 0))
        shl = Image.new('RGBA', (W, H), (0, 0, 0, 0))
        ctr = _ap(m, [[rn.uniform(gl[0], gl[2]), rn.uniform(gl[1], gl[3])]])[0]
        a = rn.uniform(0, np.pi)
        d = np.array([np.cos(a), np.sin(a)])
        Lc = math.hypot(W, H)
        p0, p3 = ctr - d * Lc * rn.uniform(0.3, 1.0), ctr + d * Lc * rn.uniform(0.1, 1.0)
        p1 = ctr - d * Lc * 0.2 + rn.normal(0, 0.15 * H, 2)
        p2 = ctr + d * Lc * 0.2 + rn.normal(0, 0.15 * H, 2)
        t = np.linspace(0, 1, 120)[:, None]
        pts = (1 - t) ** 3 * p0 + 3 * (1 - t) ** 2 * t * p1 + 3 * (1 - t) * t ** 2 * p2 + t ** 3 * p3
        wc = rn.uniform(3, 11) * k
        cc = [(20, 20, 22), (235, 235, 235), (60, 60, 64), (200, 60, 50), (40, 70, 160)][rn.integers(5)]
        so = np.array([np.cos(sh_ang), np.sin(sh_ang)]) * wc * 0.8
        ImageDraw.Draw(shl).line(_tup(pts + so), fill=(0, 0, 0, int(255 * rn.uniform(0.2, 0.45))),
                                 width=max(1, int(wc * 1.2)), joint='curve')
        shl = _blur_patch(shl, wc * 0.6)
        ld = ImageDraw.Draw(lay)
        ld.line(_tup(pts), fill=cc + (255,), width=max(1, int(round(wc))), joint='curve')
        hi = tuple(min(255, int(c_ * 1.3 + 40)) for c_ in cc)
        ld.line(_tup(pts - so * 0.25), fill=hi + (110,), width=max(1, int(wc * 0.3)), joint='curve')
        if rn.random() < 0.5:  # plug at the end
            e, dd = pts[-1], pts[-1] - pts[-6]
            dd /= np.hypot(*dd) + 1e-9
            nn = np.array([-dd[1], dd[0]])
            ww, ll = wc * 1.6, wc * 4
            ld.polygon(_tup([e + nn * ww / 2, e + nn * ww / 2 + dd * ll, e - nn * ww / 2 + dd * ll, e - nn * ww / 2]),
                       fill=(180, 180, 185, 255) if rn.random() < 0.5 else cc + (255,))
        patches += [shl, _blur_patch(lay, 0.5)]
    if rn.random() < 0.2:
        names.append('tape')
        lay = Image.new('RGBA', (W, H), (0, 0, 0, 0))
        ld = ImageDraw.Draw(lay)
        ctr = _ap(m, [[rn.uniform(gl[0], gl[2]), rn.uniform(gl[1], gl[3])]])[0]
        a = rn.uniform(0, np.pi)
        d = np.array([np.cos(a), np.sin(a)])
        nn = np.array([-d[1], d[0]])
        tw = rn.uniform(12, 30) * ppm
        tl = rn.uniform(30, 150) * ppm
        typ = rn.integers(3)
        tc_ = [(245, 245, 235, int(255 * rn.uniform(0.12, 0.3))), (225, 205, 150, int(255 * rn.uniform(0.8, 0.95))),
               (70, 120, 200, int(255 * rn.uniform(0.85, 0.95)))][typ]
        zig = np.linspace(-0.5, 0.5, 9)
        end1 = [ctr - d * tl / 2 + nn * tw * z + d * rn.uniform(-0.03, 0.03) * tw for z in zig]
        end2 = [ctr + d * tl / 2 + nn * tw * z + d * rn.uniform(-0.03, 0.03) * tw for z in zig[::-1]]
        ld.polygon(_tup(end1 + end2), fill=tc_)
        ec = tuple(min(255, c_ + 20) for c_ in tc_[:3]) + (min(255, tc_[3] + 50),)
        for sgn in (-0.5, 0.5):
            ld.line([tuple(ctr - d * tl / 2 + nn * tw * sgn), tuple(ctr + d * tl / 2 + nn * tw * sgn)], fill=ec,
                    width=1)
        patches.append(_blur_patch(lay, 0.5))
    if rn.random() < 0.2:
        names.append('sticker')
        sw, shh = int(rn.uniform(8, 30) * ppm) + 4, int(rn.uniform(6, 22) * ppm) + 4
        st = Image.new('RGBA', (sw, shh), (0, 0, 0, 0))
        sd = ImageDraw.Draw(st)
        scol = [(250, 250, 245), (250, 230, 80), (250, 150, 60), (170, 210, 250), (240, 240, 240)][rn.integers(5)]
        if rn.random() < 0.3:
            sd.ellipse([0, 0, sw - 1, shh - 1], fill=scol + (255,))
        else:
            sd.rounded_rectangle([0, 0, sw - 1, shh - 1], radius=min(sw, shh) * rn.uniform(0, 0.2), fill=scol + (255,))
        if rn.random() < 0.6:
            x = sw * 0.15
            while x < sw * 0.85:
                bwid = rn.integers(1, 3)
                sd.line([x, shh * 0.45, x, shh * 0.8], fill=(20, 20, 20, 255), width=int(bwid))
                x += bwid + rn.integers(1, 4)
        for j in range(int(rn.integers(1, 3))):
            _text(sd, rn, sw * 0.12, shh * (0.12 + 0.15 * j), sw * 0.7, max(3, shh * 0.12), (30, 30, 30, 255),
                  scol + (255,), 1)
        st = st.rotate(rn.uniform(0, 360), resample=_RS.BICUBIC, expand=True)
        pos = _ap(m, [[rn.uniform(gl[0], gl[2]), rn.uniform(gl[1], gl[3])]])[0] - np.array(st.size) / 2
        lay = Image.new('RGBA', (W, H), (0, 0, 0, 0))
        shadow = Image.new('RGBA', st.size, (0, 0, 0, 0))
        shadow.putalpha(st.getchannel('A').point(lambda v: v * 0.35))
        lay.paste(shadow, (int(pos[0] + 2 * k), int(pos[1] + 2 * k)), shadow)
        lay.alpha_composite(st, (int(pos[0]), int(pos[1])))
        patches.append(_blur_patch(lay, 0.4))
    # store patches cropped to their content
    sc.patches = []
    occl = sc.occ_a.copy() if sc.occ_a is not None else np.zeros((bh, bw), np.float32)
    for p in patches:
        if p is None:
            continue
        sc.patches.append(p)
        im, px, py = p
        ax0, ay0 = max(px, x0), max(py, y0)
        ax1, ay1 = min(px + im.size[0], x1), min(py + im.size[1], y1)
        if ax1 > ax0 and ay1 > ay0:
            a = np.asarray(im.getchannel('A').crop((ax0 - px, ay0 - py, ax1 - px, ay1 - py)), np.float32) / 255
            occl[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0] = np.maximum(occl[ay0 - y0:ay1 - y0, ax0 - x0:ax1 - x0], a)
    sc.occl = occl  # how much of the glass is covered by things lying on it (crack placement avoids it)

    # ---- camera
    cam, cnames = _camera_params(_rng(seed, i, S_CAM), W, H)
    names += cnames
    sc.cam = cam
    sc.noise = _camera_noise(_rng(seed, i, S_NOISE), W, H, cam)
    seen = set()
    sc.names = [n for n in names if not (n in seen or seen.add(n))]
    sc.phone = _ap(m, [[o[0], o[1]], [o[2], o[1]], [o[2], o[3]], [o[0], o[3]]])
    sc.screen_quad = _ap(m, [[dsp[0], dsp[1]], [dsp[2], dsp[1]], [dsp[2], dsp[3]], [dsp[0], dsp[3]]])
    return sc


def _blur_patch(lay, rad):
    """crop a full-frame RGBA layer to its content (plus a margin) and blur only that: (image, x, y) or None."""
    bb = lay.getbbox()
    if not bb:
        return None
    mg = int(3 * rad + 3)
    bb = (max(0, bb[0] - mg), max(0, bb[1] - mg), min(lay.size[0], bb[2] + mg), min(lay.size[1], bb[3] + mg))
    return _optics(lay.crop(bb), rad), bb[0], bb[1]


def _post(arr, box, sc):
    """light and things lying on the glass, identical on both twins. arr: uint8 image of the frame region box."""
    bx0, by0, bx1, by1 = box
    x0, y0, x1, y1 = sc.box
    ix0, iy0, ix1, iy1 = max(bx0, x0), max(by0, y0), min(bx1, x1), min(by1, y1)
    arr = arr.copy()
    if ix1 > ix0 and iy1 > iy0:
        sub = arr[iy0 - by0:iy1 - by0, ix0 - bx0:ix1 - bx0].astype(np.float32)
        sp = sc.spec[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
        sub = 255 - (255 - sub) * (1 - sp[..., None] * sc.tint)
        if sc.occ_a is not None:
            oa = sc.occ_a[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
            sub = sub * (1 - oa[..., None]) + sc.occ_c[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0]
        arr[iy0 - by0:iy1 - by0, ix0 - bx0:ix1 - bx0] = _u8(sub)
    for p, px, py in sc.patches:
        ax0, ay0 = max(px, bx0), max(py, by0)
        ax1, ay1 = min(px + p.size[0], bx1), min(py + p.size[1], by1)
        if ax1 <= ax0 or ay1 <= ay0:
            continue
        im = Image.fromarray(arr[ay0 - by0:ay1 - by0, ax0 - bx0:ax1 - bx0]).convert('RGBA')
        im.alpha_composite(p, (0, 0), (ax0 - px, ay0 - py, ax1 - px, ay1 - py))
        arr[ay0 - by0:ay1 - by0, ax0 - bx0:ax1 - bx0] = np.asarray(im.convert('RGB'))
    return arr


def _camera(arr, box, sc, jpeg_stage=True):
    """optics, exposure, vignetting, sensor noise (the shared draw), white balance, tone curve and, for some
    cameras, an in-camera JPEG stage. Every step is local, so a 16-aligned box gives the full frame's pixels
    away from the box border."""
    cam = sc.cam
    x0, y0, x1, y1 = box
    im = _optics(Image.fromarray(arr), cam['blur'])
    a = np.asarray(im, dtype=np.float32)
    sig = a * cam['shot']
    sig += cam['read2']
    np.sqrt(sig, out=sig)
    sig *= sc.noise[y0:y1, x0:x1]
    a *= cam['vy'][y0:y1, None, None]
    a *= cam['vxg'][None, x0:x1, :]
    a += sig
    im = Image.fromarray(_u8(a)).point(cam['lut'])
    if not jpeg_stage:
        return np.asarray(im)
    return _jpeg_stage(im, cam)


def _jpeg_stage(im, cam):
    if not isinstance(im, Image.Image):
        im = Image.fromarray(im)
    if cam['jq']:
        buf = io.BytesIO()
        im.save(buf, 'JPEG', quality=cam['jq'])
        buf.seek(0)
        im = Image.open(buf)
        im.load()
        im = im.convert('RGB')
    return np.asarray(im)


def _box_var(r):
    n = int(math.floor(r))
    w = r - n
    return (sum(2.0 * i * i for i in range(1, n + 1)) + 2 * w * (n + 1) ** 2) / (2 * n + 1 + 2 * w)


def _box_radius(sigma):
    """Pillow BoxBlur radius whose (fractional) box kernel has standard deviation sigma."""
    lo, hi = 0.0, 20.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if _box_var(mid) < sigma * sigma:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _optics(im, sigma):
    """lens blur: one fractional box pass (a square stand-in for the defocus disc) with standard deviation sigma."""
    if sigma < 0.05:
        return im
    return im.filter(ImageFilter.BoxBlur(_box_radius(sigma)))


def _luma(a):
    a = a.astype(np.float32)
    return a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114


def _apply_crack(pre, A, T, U, dm, strength, sc, lg):
    img = pre.astype(np.float32)
    if dm is not None:
        da = dm[..., 3:4]
        img = img * (1 - da) + dm[..., :3] * 255 * da
    a = np.minimum(1.0, A * strength)
    f = np.where(A > 1e-6, a / np.maximum(A, 1e-6), 0)
    tcol = T * f * lg
    if U is not None:
        # auto tone: scatters light in front of dark glass, blocks the light of bright content
        y = _luma(img)
        s = np.clip((y - 45) / 90, 0, 1)
        tcol = tcol + U * f * lg * (1 - s) * 0.95
    img = img * (1 - a[..., None]) + tcol[..., None]
    return _u8(img)


def _sub_box(A, dm, sc):
    """16-aligned frame box around the crack (and display damage) with a margin for blur; inside sc.box."""
    x0, y0, x1, y1 = sc.box
    act = A > 0.002
    if dm is not None:
        act = act | (dm[..., 3] > 0.002)
    ys = np.nonzero(act.any(1))[0]
    xs = np.nonzero(act.any(0))[0]
    if not len(ys):
        return sc.box
    mg = 48 + int(4 * sc.cam['blur'])
    bx0 = max(x0, (x0 + int(xs[0]) - mg) // 16 * 16)
    by0 = max(y0, (y0 + int(ys[0]) - mg) // 16 * 16)
    bx1 = min(x1, -(-(x0 + int(xs[-1]) + 1 + mg) // 16) * 16)
    by1 = min(y1, -(-(y0 + int(ys[-1]) + 1 + mg) // 16) * 16)
    return bx0, by0, bx1, by1


def twins(seed, i):
    """Frame i of seed as counterfactual twins (ok, cracked, quality, meta); see the module doc."""
    sc = _build(seed, i)
    W, H = sc.W, sc.H
    full = (0, 0, W, H)
    ok_raw = _camera(_post(sc.frame, full, sc), full, sc, jpeg_stage=False)
    ok = np.asarray(_jpeg_stage(ok_raw, sc.cam))
    rc = _rng(seed, i, S_CRACK)
    x0, y0, x1, y1 = sc.box
    oky = _luma(ok_raw[y0:y1, x0:x1])
    # Visibility floor, measured before the in-camera JPEG stage: enough crack pixels must change by at least
    # 6 levels and by more than the local camera noise (estimated robustly from neighbour differences on the
    # glass of the ok twin), and something must still show after the JPEG stage. A crack that stays invisible
    # (under tape, in glare, ...) is boosted, then placed again (same kind) from the crack stream.
    gsel = sc.glass_mask[:, 1:] > 0.5
    res = np.abs(oky[:, 1:] - oky[:, :-1])[gsel]
    sigma = 1.4826 * float(np.median(res)) / math.sqrt(2) if res.size else 0.0
    thr = max(6.0, 1.0 * sigma)
    thr_line = max(7.0, 1.0 * sigma)
    kind = width = None
    for attempt in range(3):
        kind, width, cr, dmg = _make_crack(rc, sc.dev, sc.lit, kind, width)
        cr.width = width
        A, T, U, dm, length = _render_crack(cr, dmg, sc.m, sc.box, sc.ss, H, sc.ppm)
        A *= sc.glass_mask
        T *= sc.glass_mask
        U = U * sc.glass_mask if U.any() else None
        if dm is not None:
            dm[..., 3] *= sc.disp_mask  # damage stays inside the display
        lg = rc.uniform(110, 240)
        if attempt < 2 and float((A * sc.occl).sum()) > 0.5 * float(A.sum()):
            continue  # mostly under tape / a sticker / a cable: place it again
        # work on a 16-aligned box around the crack only (the camera stage is local)
        sb = _sub_box(A, dm, sc)
        ys_, xs_ = slice(sb[1] - y0, sb[3] - y0), slice(sb[0] - x0, sb[2] - x0)
        pre = sc.frame[sb[1]:sb[3], sb[0]:sb[2]]
        keep = sc.outline_mask[ys_, xs_].copy()
        bd = 32  # the box's border ring sees other blur / JPEG neighbours than the full frame: not pasted
        if sb[0] > 0:
            keep[:, :bd] = False
        if sb[1] > 0:
            keep[:bd, :] = False
        if sb[2] < W:
            keep[:, -bd:] = False
        if sb[3] < H:
            keep[-bd:, :] = False
        A_, T_ = A[ys_, xs_], T[ys_, xs_]
        U_ = U[ys_, xs_] if U is not None else None
        dm_ = dm[ys_, xs_] if dm is not None else None
        # the crack's core: its visible (high-opacity) pixels
        av = A_[A_ > 0.01]
        core = (A_ >= 0.5 * np.percentile(av, 95)) & keep if av.size else keep & False
        need = max(15, int(0.2 * length))
        okc = oky[ys_, xs_][core]
        okj = _luma(ok[sb[1]:sb[3], sb[0]:sb[2]])[core]
        strength = 1.0
        passed = False
        for it in range(6 if attempt < 2 else 10):
            cpre = _apply_crack(pre, A_, T_, U_, None, strength, sc, lg)
            craw = _camera(_post(cpre, sb, sc), sb, sc, jpeg_stage=False)
            d = np.abs(_luma(craw)[core] - okc)
            # along its core the crack must differ by a median of >= thr_line levels (a faint but continuous
            # line), with enough pixels above the noise-aware threshold
            if d.size >= 8 and np.median(d) >= thr_line and (d >= thr).sum() >= min(need, d.size // 2):
                if not sc.cam['jq']:
                    passed = True
                    break
                dj = np.abs(_luma(np.asarray(_jpeg_stage(craw, sc.cam)))[core] - okj)
                if np.median(dj) >= 0.7 * thr_line:
                    passed = True
                    break
            strength *= 1.6 if it < 5 else 3.0
        if passed:
            break
    if passed and dm_ is None:
        ccam = np.asarray(_jpeg_stage(craw, sc.cam))
    else:
        cpre = _apply_crack(pre, A_, T_, U_, dm_, strength, sc, lg)
        ccam = _camera(_post(cpre, sb, sc), sb, sc)
    cracked = ok.copy()
    reg = cracked[sb[1]:sb[3], sb[0]:sb[2]]
    reg[keep] = ccam[keep]
    quality = int(_rng(seed, i, S_QUAL).integers(35, 96))
    meta = dict(kind=kind, crack_width=int(width), screen='lit' if sc.lit else 'dark', nuisances=list(sc.names),
                width=W, height=H, phone=sc.phone.astype(float), screen_quad=sc.screen_quad.astype(float),
                quality=quality, surface=sc.surface, device=sc.dev['cls'], content=sc.content,
                strength=float(strength), crack_mode=cr.mode, noise_sigma=sigma,
                attempts=attempt + 1, damage=dm is not None, crack_box=tuple(int(v) for v in sb))
    return ok, cracked, quality, meta


def render(seed, i):
    """Frame i of the set: (jpeg_bytes, label, meta)."""
    cracked_label = _rng(seed, i, S_LABEL).random() < 0.5
    ok, cracked, q, meta = twins(seed, i)
    meta = dict(meta)
    if cracked_label:
        img, label = cracked, 'cracked'
    else:
        img, label = ok, 'ok'
        meta['kind'] = 'none'
        meta['crack_width'] = 0
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, 'JPEG', quality=q)
    return buf.getvalue(), label, meta


# ----------------------------------------------------------------------------------------------- CLI
class _Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write('%s: error: %s\n' % (self.prog, message.replace('\n', ' ')))
        sys.exit(2)


def _inside_quad(quad, xs, ys):
    """points strictly inside a convex quad (either orientation)."""
    sgn = None
    ok = np.ones(len(xs), bool)
    for k in range(4):
        ax, ay = quad[k]
        bx, by = quad[(k + 1) % 4]
        cr = (bx - ax) * (ys - ay) - (by - ay) * (xs - ax)
        if sgn is None:
            sgn = np.sign(np.sum(cr)) or 1.0
        ok &= cr * sgn > 0
    return ok


def _selftest(n=30, seed=1234):
    import time
    fails = []
    sizes = {}
    for i in range(n):
        t0 = time.time()
        ok, cr, q, meta = twins(seed, i)
        dt = time.time() - t0
        H, W = ok.shape[:2]
        sizes[(W, H)] = sizes.get((W, H), 0) + 1
        for key in ('kind', 'crack_width', 'screen', 'nuisances', 'width', 'height', 'phone', 'screen_quad'):
            if key not in meta:
                fails.append((i, 'meta missing ' + key))
        if meta['kind'] not in KINDS or meta['crack_width'] < 1 or meta['screen'] not in ('lit', 'dark'):
            fails.append((i, 'meta values'))
        if (W, H) != (meta['width'], meta['height']) or ok.shape != cr.shape or ok.dtype != np.uint8:
            fails.append((i, 'shape'))
        if not (35 <= q <= 95):
            fails.append((i, 'quality'))
        d = np.abs(_luma(ok) - _luma(cr))
        if d.max() <= 4:
            fails.append((i, 'no visible difference (max %.1f)' % d.max()))
        diff = np.any(ok != cr, axis=2)
        ys, xs = np.nonzero(diff)
        ins = _inside_quad(np.asarray(meta['phone']), xs + 0.5, ys + 0.5)
        if not ins.all():
            fails.append((i, 'diff outside phone quad: %d px' % (~ins).sum()))
        bx0, by0, bx1, by1 = meta['crack_box']
        if len(xs) and (xs.min() < bx0 or xs.max() >= bx1 or ys.min() < by0 or ys.max() >= by1):
            fails.append((i, 'diff outside the crack box'))
        ph = np.asarray(meta['phone'])
        bh = np.ptp(ph[:, 1])
        ok2, cr2, q2, _m2 = twins(seed, i)
        if not (np.array_equal(ok, ok2) and np.array_equal(cr, cr2) and q == q2):
            fails.append((i, 'not deterministic'))
        data, label, m3 = render(seed, i)
        want = cr if label == 'cracked' else ok
        buf = io.BytesIO()
        Image.fromarray(want).save(buf, 'JPEG', quality=q)
        if buf.getvalue() != data:
            fails.append((i, 'render != twins[label]'))
        if label == 'ok' and (m3['kind'] != 'none' or m3['crack_width'] != 0):
            fails.append((i, 'ok meta'))
        print('%2d %4dx%-4d %-14s w=%d %-4s dmax=%5.1f npx>4=%6d strength=%.2f phone_h=%.2f %.2fs  %s' % (
            i, W, H, meta['kind'], meta['crack_width'], meta['screen'], d.max(), int((d > 4).sum()),
            meta['strength'], bh / H, dt, '+'.join(meta['nuisances'])))
    print('sizes:', sizes)
    if fails:
        for f in fails:
            print('FAIL', f)
        return 1
    print('selftest OK (%d twins)' % n)
    return 0


def main(argv=None):
    p = _Parser(prog='evalgen6.py', description='synthetic phone-glass crack frames (evalgen6)')
    p.add_argument('--out')
    p.add_argument('--count', type=int)
    p.add_argument('--seed', type=int)
    p.add_argument('--workers', type=int, default=1)
    p.add_argument('--selftest', action='store_true')
    a = p.parse_args(argv)
    if a.selftest:
        return _selftest()
    if a.out is None or a.count is None or a.seed is None:
        p.error('--out, --count and --seed are required')
    if a.count < 1:
        p.error('--count must be >= 1')
    if a.workers < 1:
        p.error('--workers must be >= 1')
    if a.seed < 0:
        p.error('--seed must be >= 0')
    if os.path.exists(a.out) and not os.path.isdir(a.out):
        p.error('--out exists and is not a directory: %s' % a.out)
    try:
        write_set(render, a.out, a.count, a.seed, a.workers)
    except OSError as e:
        sys.stderr.write('evalgen6.py: error: %s\n' % e)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
