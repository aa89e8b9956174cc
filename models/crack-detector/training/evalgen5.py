#!/usr/bin/env python3
"""evalgen5 -- synthetic conveyor frames for a screen-crack detector, rendered as counterfactual twins.

Style of this generator ("optical" cracks):
  * A fracture is a thin line whose look depends on the light direction: a dark core where it blocks the
    screen's light, a bright specular rim on the side that faces the light, a glint on dark glass that is
    strongest where the fracture face looks into the light; the shard next to it refracts the screen content
    (and the reflections) by a pixel or two; impact points carry small chips/flakes.  Cracks live on the
    whole front glass (display and bezel glass) and stop at the glass edge.
  * Kinds: hairline, running, impact_web, edge_break, corner_break, shatter, under_protector.
  * Camera: mild barrel distortion, vignetting, lateral chromatic aberration, Bayer-like colour noise,
    luma sharpening with halos, auto exposure that sometimes clips lit screens, motion blur along the conveyor
    (frame x axis), defocus, tone curve, JPEG 35-95.
  * Hard negatives (label independent): fluorescent tube reflections, droplets, lint, pet hair, arc scratches,
    swirl marks, screen-protector edges and bubbles, stickers, pen marks, belt seams, rail shadows, fingerprints,
    dust, UI divider lines / thin text (lit apps: settings, spreadsheet, code editor, map, chat, ..., dark mode).
  * Surfaces: belt rubber, roller conveyor, anti-static mat with grid lines, perforated metal, cardboard.
  * Twins: the scene (planar float) is rendered once; the crack is a delta on the scene inside the phone bbox,
    and only the crop around it goes through the camera again (same noise field).  Visibility floor: at the
    detector's 540 lines the crack core must change luma by a median >= 4, 90th pct >= 6, max >= 10 grey levels
    (raised for noisy frames); the crack contrast is boosted step by step until it is.

Only numpy and Pillow.  API: KINDS, twins(seed, i), render(seed, i); CLI: --out DIR --count N --seed S [--workers K].
"""
import argparse
import functools
import io
import math
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from frameset import write_set
from planar import homography, project

KINDS = ['hairline', 'running', 'impact_web', 'edge_break', 'corner_break', 'shatter', 'under_protector']
NUISANCES = ['tube_reflection', 'droplets', 'lint', 'pet_hair', 'arc_scratch', 'swirl_marks', 'protector_edge',
             'air_bubbles', 'fingerprints', 'dust', 'sticker', 'pen_marks', 'belt_seam', 'rail_shadow',
             'surface_debris', 'ui_lines']

# one random stream per concern
K_LABEL, K_LAYOUT, K_SURF, K_DEVICE, K_SCREEN, K_NUIS, K_LIGHT, K_CAM, K_NOISE, K_CRACK, K_QUAL = range(1, 12)

SIZES = [(1280, 720), (1024, 768), (800, 600), (640, 480), (1440, 1080), (1600, 900), (1280, 960), (1366, 768)]
FONT_DIR = '/usr/share/fonts/truetype/dejavu/'
F32 = np.float32


def _rng(seed, i, k):
    return np.random.default_rng([int(seed), int(i), int(k)])


# ----------------------------------------------------------------------------------------------------------------
# small helpers
# ----------------------------------------------------------------------------------------------------------------

def _smooth(x):
    x = np.clip(x, 0.0, 1.0)
    return x * x * (3.0 - 2.0 * x)


def _lowres(rng, h, w, cell):
    """Smooth noise field (h, w) float32 ~N(0,1)-ish, correlation length ~cell px."""
    gh = max(2, int(math.ceil(h / max(cell, 1.0))) + 2)
    gw = max(2, int(math.ceil(w / max(cell, 1.0))) + 2)
    a = rng.standard_normal((gh, gw)).astype(F32)
    return np.array(Image.fromarray(a, 'F').resize((int(w), int(h)), Image.BICUBIC))


def _noise1d(rng, n, cell):
    k = max(2, int(n / max(cell, 1.0)) + 3)
    kn = rng.random(k)
    t = np.arange(n) / max(cell, 1.0)
    i0 = np.floor(t).astype(int)
    f = _smooth(t - i0)
    return kn[i0] * (1 - f) + kn[i0 + 1] * f


@functools.lru_cache(maxsize=512)
def _font(name, size):
    size = int(max(4, min(200, size)))
    try:
        return ImageFont.truetype(FONT_DIR + name, size)
    except OSError:
        return ImageFont.load_default()


class _Lens:
    """Radial (barrel, k<0) distortion about the frame centre, normalised so the frame corners stay put (the
    distorted image fills the frame); fwd: ideal -> image, inv: image -> ideal."""

    def __init__(self, W, H, k):
        self.c = np.array([W / 2.0, H / 2.0])
        self.n2 = (W * W + H * H) / 4.0
        self.k = float(k)

    def fwd(self, p):
        p = np.asarray(p, float)
        if self.k == 0.0:
            return p.copy()
        d = p - self.c
        r2 = (d * d).sum(-1, keepdims=True) / self.n2
        return self.c + d * (1.0 + self.k * r2) / (1.0 + self.k)

    def inv(self, p):
        p = np.asarray(p, float)
        if self.k == 0.0:
            return p.copy()
        d0 = p - self.c
        q = d0.copy()
        for _ in range(8):
            r2 = (q * q).sum(-1, keepdims=True) / self.n2
            q = d0 * (1.0 + self.k) / (1.0 + self.k * r2)
        return self.c + q


def _mesh_warp(img, box, inv, cell=64, resample=Image.BILINEAR, src_box=None):
    """Warp `img` into frame box (x0,y0,x1,y1); inv maps frame points (N,2) to source points.  Cells whose
    source footprint misses src_box (default: the whole source image) are skipped (left empty)."""
    x0, y0, x1, y1 = box
    w, h = x1 - x0, y1 - y0
    nx, ny = max(1, -(-w // cell)), max(1, -(-h // cell))
    xs = np.round(np.linspace(0, w, nx + 1)).astype(int)
    ys = np.round(np.linspace(0, h, ny + 1)).astype(int)
    gx, gy = np.meshgrid(xs + x0, ys + y0)
    src = inv(np.stack([gx.ravel(), gy.ravel()], -1).astype(float)).reshape(ny + 1, nx + 1, 2)
    sx0, sy0, sx1, sy1 = src_box if src_box is not None else (0, 0, img.size[0], img.size[1])
    q = np.stack([src[:-1, :-1], src[1:, :-1], src[1:, 1:], src[:-1, 1:]], 2)      # (ny, nx, 4, 2)
    lo, hi = q.min(2), q.max(2)
    use = (hi[..., 0] >= sx0 - 2) & (lo[..., 0] <= sx1 + 2) & (hi[..., 1] >= sy0 - 2) & (lo[..., 1] <= sy1 + 2)
    data = []
    for j, i in zip(*np.nonzero(use)):
        a, b, c, d = q[j, i]
        data.append(((int(xs[i]), int(ys[j]), int(xs[i + 1]), int(ys[j + 1])),
                     (float(a[0]), float(a[1]), float(b[0]), float(b[1]),
                      float(c[0]), float(c[1]), float(d[0]), float(d[1]))))
    if not data:
        return Image.new(img.mode, (int(w), int(h)))
    return img.transform((int(w), int(h)), Image.MESH, data, resample)


def _in_rrect(p, reg, m=0.0):
    x0, y0, x1, y1, r = reg
    x0, y0, x1, y1 = x0 + m, y0 + m, x1 - m, y1 - m
    r = max(0.0, r - m)
    x, y = p[..., 0], p[..., 1]
    cx = np.clip(x, x0 + r, x1 - r)
    cy = np.clip(y, y0 + r, y1 - r)
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & ((x - cx) ** 2 + (y - cy) ** 2 <= r * r + 1e-9)


def _walk(rng, p0, ang, length, step, wander=0.03, curv=0.0, kink_p=0.0, kink_deg=30.0):
    n = max(2, int(length / step) + 1)
    d = rng.normal(0.0, wander, n) + curv
    if kink_p > 0:
        k = rng.random(n) < kink_p
        d = d + k * rng.choice([-1.0, 1.0], n) * np.radians(rng.uniform(0.35, 1.0, n) * kink_deg)
    d[0] = 0.0
    h = ang + np.cumsum(d)
    st = np.stack([np.cos(h), np.sin(h)], -1) * step
    return np.vstack([np.asarray(p0, float)[None], np.asarray(p0, float) + np.cumsum(st, 0)])


def _blob_img(rng, w, h, sat=1.0, lo=0, hi=255):
    g = rng.integers(2, 6, 2)
    base = rng.uniform(lo, hi, (g[0], g[1], 3))
    m = base.mean(-1, keepdims=True)
    base = m + (base - m) * sat
    im = Image.fromarray(np.clip(base, 0, 255).astype(np.uint8)).resize((max(1, int(w)), max(1, int(h))),
                                                                        Image.BICUBIC)
    return im


# ----------------------------------------------------------------------------------------------------------------
# lit screen content (apps), rendered in display pixels
# ----------------------------------------------------------------------------------------------------------------

WORDS = ("settings wifi bluetooth display battery sound privacy storage apps network mobile data location security "
         "accounts about system update cloud backup notes mail calendar photos music camera clock weather maps "
         "files contacts phone messages browser store health wallet general brightness wallpaper focus screen "
         "time hotspot keyboard language region passwords fonts accessibility sharing home search").split()
CODEW = ("def return if else for while import from class self None True False int str list dict print len range "
         "value items result data node path config index count buffer stream error parse load save update").split()


def _words(rng, n):
    s = ' '.join(str(x) for x in rng.choice(WORDS, int(n)))
    return s[:1].upper() + s[1:]


def _page(rng, w, h, bg, lo, hi, face):
    """A blank app screen: (image, its drawing context, a font size of lo..hi of the width, that font)."""
    im = Image.new('RGB', (w, h), bg)
    fs = max(5, int(w * rng.uniform(lo, hi)))
    return im, ImageDraw.Draw(im), fs, _font(face, fs)


def _status_bar(d, rng, w, fg, fs):
    sb = max(4, int(fs * 1.6))
    f = _font('DejaVuSans-Bold.ttf', fs * 0.8)
    d.text((int(w * 0.07), int(sb * 0.2)), '%d:%02d' % (rng.integers(1, 13), rng.integers(0, 60)), fill=fg, font=f)
    bx = int(w * 0.86)
    bw = max(3, int(w * 0.06))
    d.rectangle([bx, int(sb * 0.3), bx + bw, int(sb * 0.75)], outline=fg)
    d.rectangle([bx + 1, int(sb * 0.3) + 1, bx + 1 + int((bw - 2) * rng.uniform(0.2, 1)), int(sb * 0.75) - 1],
                fill=fg)
    for k in range(4):
        x = int(w * 0.72) + k * max(2, int(fs * 0.35))
        d.rectangle([x, int(sb * (0.75 - 0.12 * (k + 1))), x + max(1, int(fs * 0.2)), int(sb * 0.75)], fill=fg)
    return sb


def _app_settings(rng, w, h, dark):
    bg = ((0, 0, 0) if rng.random() < 0.5 else (28, 28, 30)) if dark else (242, 242, 247)
    card = (28, 28, 30) if dark and bg == (0, 0, 0) else ((44, 44, 46) if dark else (255, 255, 255))
    fg = (235, 235, 240) if dark else (20, 20, 22)
    sub = (142, 142, 147)
    div = (58, 58, 62) if dark else (200, 200, 206)
    im, d, fs, f = _page(rng, w, h, bg, 0.042, 0.06, 'DejaVuSans.ttf')
    sb = _status_bar(d, rng, w, fg, fs)
    y = sb + fs * 0.6
    d.text((int(w * 0.05), int(y)), str(rng.choice(['Settings', 'General', 'Display', 'Network', 'Privacy'])),
           fill=fg, font=_font('DejaVuSans-Bold.ttf', fs * 1.6))
    y += fs * 2.8
    rowh = fs * rng.uniform(2.2, 2.9)
    pad = int(w * 0.04)
    cols = [(255, 149, 0), (0, 122, 255), (52, 199, 89), (255, 59, 48), (88, 86, 214), (142, 142, 147),
            (255, 204, 0), (90, 200, 250)]
    while y < h - rowh:
        ng = int(rng.integers(2, 6))
        ng = max(1, min(ng, int((h - y) // rowh)))
        d.rounded_rectangle([pad, int(y), w - pad, int(y + ng * rowh)], radius=max(1, int(fs * 0.6)), fill=card)
        for r in range(ng):
            yy = y + r * rowh
            isz = fs * 1.3
            ix = pad + fs * 0.6
            iy = yy + (rowh - isz) / 2
            d.rounded_rectangle([int(ix), int(iy), int(ix + isz), int(iy + isz)], radius=max(1, int(isz * 0.25)),
                                fill=cols[int(rng.integers(len(cols)))])
            tx = ix + isz + fs * 0.7
            d.text((int(tx), int(yy + (rowh - fs) / 2 - fs * 0.1)), _words(rng, rng.integers(1, 3)), fill=fg, font=f)
            q = rng.random()
            if q < 0.3:
                tw, th = fs * 2.2, fs * 1.3
                on = rng.random() < 0.6
                tx1 = w - pad - fs * 0.6 - tw
                d.rounded_rectangle([int(tx1), int(yy + (rowh - th) / 2), int(tx1 + tw), int(yy + (rowh + th) / 2)],
                                    radius=max(1, int(th / 2)), fill=(52, 199, 89) if on else div)
                kx = tx1 + (tw - th if on else 0)
                d.ellipse([int(kx + 1), int(yy + (rowh - th) / 2 + 1), int(kx + th - 1), int(yy + (rowh + th) / 2 - 1)],
                          fill=(255, 255, 255))
            else:
                if q < 0.6:
                    txt = str(rng.choice(['On', 'Off', 'Auto', '%d%%' % rng.integers(5, 100), 'None', 'Never']))
                    d.text((int(w - pad - fs * 4.4), int(yy + (rowh - fs) / 2)), txt, fill=sub, font=f)
                d.text((int(w - pad - fs * 1.3), int(yy + (rowh - fs) / 2 - fs * 0.1)), '>', fill=sub, font=f)
            if r < ng - 1:
                d.line([(int(tx), int(yy + rowh)), (w - pad, int(yy + rowh))], fill=div, width=1)
        y += ng * rowh + fs * 1.2
        if rng.random() < 0.5 and y < h - 3 * fs:
            d.text((int(pad + fs * 0.6), int(y)), _words(rng, 2).upper(), fill=sub, font=_font('DejaVuSans.ttf', fs * .8))
            y += fs * 1.4
    return im, True


def _app_spreadsheet(rng, w, h, dark):
    im, d, fs, f = _page(rng, w, h, (255, 255, 255), 0.028, 0.042, 'DejaVuSansCondensed.ttf')
    tb = int(h * 0.075)
    d.rectangle([0, 0, w, tb], fill=[(33, 115, 70), (26, 115, 232), (15, 157, 88)][int(rng.integers(3))])
    _status_bar(d, rng, w, (255, 255, 255), fs)
    fb = int(tb + fs * 1.8)
    d.rectangle([0, tb, w, fb], fill=(248, 249, 250))
    d.line([(0, fb), (w, fb)], fill=(200, 200, 200), width=1)
    d.text((int(fs * 0.5), int(tb + fs * 0.35)), 'fx  =SUM(B%d:B%d)' % (rng.integers(1, 9), rng.integers(10, 60)),
           fill=(60, 60, 60), font=f)
    rowh = int(fs * rng.uniform(1.6, 2.0))
    hw = int(fs * 2.2)
    xs = [hw]
    while xs[-1] < w:
        xs.append(xs[-1] + int(w * rng.uniform(0.14, 0.26)))
    y0 = fb + rowh
    d.rectangle([0, fb, w, y0], fill=(241, 243, 244))
    d.rectangle([0, fb, hw, h], fill=(241, 243, 244))
    for k in range(len(xs) - 1):
        d.text((int((xs[k] + xs[k + 1]) / 2 - fs * 0.3), fb + int(rowh * 0.15)), chr(65 + k % 26), fill=(90, 90, 90),
               font=f)
    ys = list(range(y0, h, rowh))
    for r, yy in enumerate(ys):
        d.text((int(fs * 0.4), yy + int(rowh * 0.15)), str(r + 1), fill=(90, 90, 90), font=f)
        for k in range(len(xs) - 1):
            q = rng.random()
            if q < 0.08:
                d.rectangle([xs[k] + 1, yy + 1, xs[k + 1] - 1, yy + rowh - 1],
                            fill=[(255, 242, 204), (217, 234, 211), (252, 228, 214), (207, 226, 243)][int(rng.integers(4))])
            if q < 0.75:
                txt = ('%.2f' % rng.uniform(0, 9999)) if rng.random() < 0.7 else _words(rng, 1)
                d.text((xs[k] + int(fs * 0.3), yy + int(rowh * 0.15)), txt[:9], fill=(30, 30, 30), font=f)
    gc = (218, 220, 224)
    for x in xs:
        d.line([(x, fb), (x, h)], fill=gc, width=1)
    for yy in [fb] + ys:
        d.line([(0, yy), (w, yy)], fill=gc, width=1)
    return im, True


def _app_code(rng, w, h, dark):
    if dark:
        bg = [(30, 30, 30), (40, 42, 54), (25, 30, 40), (0, 43, 54)][int(rng.integers(4))]
        idc, kwc, stc, cmc, gut, guide = (212, 212, 212), (86, 156, 214), (206, 145, 120), (106, 153, 85), \
            (110, 118, 129), (64, 64, 70)
    else:
        bg = (255, 255, 255) if rng.random() < 0.6 else (250, 250, 244)
        idc, kwc, stc, cmc, gut, guide = (36, 41, 46), (0, 0, 255), (163, 21, 21), (0, 128, 0), (150, 150, 150), \
            (222, 222, 222)
    im, d, fs, f = _page(rng, w, h, bg, 0.03, 0.046, 'DejaVuSansMono.ttf')
    cw = fs * 0.6
    lh = fs * rng.uniform(1.25, 1.5)
    top = int(h * 0.06)
    _status_bar(d, rng, w, idc, fs)
    tabc = tuple(int(c * 0.85) if dark else max(0, c - 18) for c in bg)
    d.rectangle([0, top, w, int(top + lh * 1.4)], fill=tabc)
    d.text((int(cw), int(top + lh * 0.2)), str(rng.choice(['main.py', 'app.js', 'utils.c', 'index.ts'])), fill=idc,
           font=f)
    y = top + lh * 1.7
    gx = cw * 4
    indent = 0
    n = 1
    guides = []
    while y < h - lh:
        indent = int(np.clip(indent + rng.integers(-1, 2), 0, 4))
        d.text((int(cw * 0.3), int(y)), '%3d' % n, fill=gut, font=f)
        x = gx + cw * (1 + 2 * indent)
        if rng.random() < 0.12:
            pass
        elif rng.random() < 0.15:
            d.text((int(x), int(y)), '# ' + ' '.join(str(s) for s in rng.choice(WORDS, 3)), fill=cmc, font=f)
        else:
            kw = str(rng.choice(CODEW))
            d.text((int(x), int(y)), kw, fill=kwc, font=f)
            rest = ' ' + '_'.join(str(s) for s in rng.choice(CODEW, int(rng.integers(1, 3)))) + \
                   str(rng.choice(['(', ' = ', '.', ': ', '[']))
            d.text((int(x + cw * len(kw)), int(y)), rest, fill=idc, font=f)
            if rng.random() < 0.4:
                d.text((int(x + cw * (len(kw) + len(rest))), int(y)), '"%s"' % rng.choice(WORDS), fill=stc, font=f)
        for k in range(indent):
            guides.append((gx + cw * (1 + 2 * k), y))
        y += lh
        n += 1
    for gxx, gy in guides:
        d.line([(int(gxx), int(gy)), (int(gxx), int(gy + lh))], fill=guide, width=1)
    d.line([(int(gx - cw * 0.5), top), (int(gx - cw * 0.5), h)], fill=guide, width=1)
    return im, True


def _app_map(rng, w, h, dark):
    if dark:
        bg, park, water, minor, minor_o, major, major_o, txt = (36, 40, 46), (38, 56, 44), (22, 36, 58), \
            (70, 76, 86), (30, 34, 40), (120, 104, 70), (60, 52, 40), (170, 170, 180)
    else:
        bg, park, water, minor, minor_o, major, major_o, txt = (236, 232, 223), (200, 228, 190), (170, 208, 238), \
            (255, 255, 255), (210, 206, 198), (252, 214, 112), (226, 176, 80), (80, 80, 90)
    im = Image.new('RGB', (w, h), bg)
    d = ImageDraw.Draw(im)
    diag = math.hypot(w, h)
    for _ in range(int(rng.integers(1, 5))):
        c = rng.uniform([0, 0], [w, h])
        r = diag * rng.uniform(0.05, 0.18)
        ang = np.sort(rng.uniform(0, 2 * np.pi, 9))
        rad = r * rng.uniform(0.5, 1.1, 9)
        d.polygon([(float(c[0] + rr * np.cos(a)), float(c[1] + rr * np.sin(a))) for a, rr in zip(ang, rad)], fill=park)
    if rng.random() < 0.6:
        p = _walk(rng, rng.uniform([0, 0], [w, h]), rng.uniform(0, 6.3), diag * 1.5, diag / 30, wander=0.15)
        d.line([tuple(q) for q in p], fill=water, width=max(2, int(diag * rng.uniform(0.02, 0.06))), joint='curve')
    wr = max(1, int(diag * rng.uniform(0.006, 0.012)))
    roads = []
    for _ in range(int(rng.integers(8, 22))):
        p = _walk(rng, rng.uniform([0, 0], [w, h]), rng.uniform(0, 6.3), diag * rng.uniform(0.3, 1.2), diag / 25,
                  wander=0.12, kink_p=0.1, kink_deg=60)
        roads.append([tuple(q) for q in p])
    for r in roads:
        d.line(r, fill=minor_o, width=wr + 2, joint='curve')
    for r in roads:
        d.line(r, fill=minor, width=wr, joint='curve')
    for _ in range(int(rng.integers(1, 4))):
        p = _walk(rng, rng.uniform([0, 0], [w, h]), rng.uniform(0, 6.3), diag * 1.3, diag / 20, wander=0.06)
        pl = [tuple(q) for q in p]
        d.line(pl, fill=major_o, width=wr * 2 + 3, joint='curve')
        d.line(pl, fill=major, width=wr * 2 + 1, joint='curve')
    fs = max(5, int(w * 0.035))
    f = _font('DejaVuSans.ttf', fs)
    for _ in range(int(rng.integers(3, 10))):
        d.text((float(rng.uniform(0, w * 0.8)), float(rng.uniform(0, h))), _words(rng, 1), fill=txt, font=f)
    if rng.random() < 0.5:
        p = _walk(rng, rng.uniform([w * .2, h * .2], [w * .8, h * .8]), rng.uniform(0, 6.3), diag * 0.6, diag / 25,
                  wander=0.2, kink_p=0.2, kink_deg=80)
        d.line([tuple(q) for q in p], fill=(66, 133, 244), width=max(2, int(wr * 2.2)), joint='curve')
    # search bar + card
    sbc = (50, 52, 58) if dark else (255, 255, 255)
    d.rounded_rectangle([int(w * 0.05), int(h * 0.06), int(w * 0.95), int(h * 0.06 + fs * 2.4)], radius=int(fs * 1.2),
                        fill=sbc, outline=(80, 80, 80) if dark else (215, 215, 215))
    d.text((int(w * 0.12), int(h * 0.06 + fs * 0.6)), 'Search here', fill=(140, 140, 140), font=f)
    if rng.random() < 0.5:
        d.rounded_rectangle([0, int(h * 0.8), w, h], radius=int(fs), fill=sbc)
        d.text((int(w * 0.06), int(h * 0.83)), _words(rng, 2), fill=txt, font=_font('DejaVuSans-Bold.ttf', fs * 1.2))
        d.line([(int(w * 0.06), int(h * 0.9)), (int(w * 0.94), int(h * 0.9))], fill=(200, 200, 200), width=1)
    return im, True


def _app_chat(rng, w, h, dark):
    bg = (0, 0, 0) if dark else (255, 255, 255)
    fg = (240, 240, 240) if dark else (15, 15, 15)
    them = (38, 38, 40) if dark else (229, 229, 234)
    me = [(0, 122, 255), (52, 199, 89), (0, 132, 118)][int(rng.integers(3))]
    im, d, fs, f = _page(rng, w, h, bg, 0.04, 0.055, 'DejaVuSans.ttf')
    sb = _status_bar(d, rng, w, fg, fs)
    hb = sb + fs * 2.6
    d.rectangle([0, 0, w, int(hb)], fill=(22, 22, 24) if dark else (247, 247, 247))
    _status_bar(d, rng, w, fg, fs)
    d.text((int(w * 0.35), int(sb + fs * 0.5)), _words(rng, 1), fill=fg, font=_font('DejaVuSans-Bold.ttf', fs))
    d.line([(0, int(hb)), (w, int(hb))], fill=(60, 60, 60) if dark else (200, 200, 200), width=1)
    y = hb + fs
    lh = fs * 1.3
    while y < h - fs * 6:
        mine = rng.random() < 0.5
        nl = int(rng.integers(1, 4))
        bw = w * rng.uniform(0.35, 0.72)
        bh = nl * lh + fs * 0.8
        x0 = w - bw - w * 0.04 if mine else w * 0.04
        d.rounded_rectangle([int(x0), int(y), int(x0 + bw), int(y + bh)], radius=int(fs * 0.9),
                            fill=me if mine else them)
        nch = max(3, int(bw / (fs * 0.58)) - 2)
        for k in range(nl):
            t = _words(rng, 6)[:nch]
            d.text((int(x0 + fs * 0.5), int(y + fs * 0.4 + k * lh)), t, fill=(255, 255, 255) if mine else fg, font=f)
        y += bh + fs * rng.uniform(0.4, 1.4)
        if rng.random() < 0.15:
            d.text((int(w * 0.4), int(y)), '%d:%02d' % (rng.integers(1, 13), rng.integers(0, 60)), fill=(140, 140, 140),
                   font=_font('DejaVuSans.ttf', fs * 0.75))
            y += fs * 1.3
    d.rounded_rectangle([int(w * 0.04), int(h - fs * 3.2), int(w * 0.96), int(h - fs * 1.2)], radius=int(fs),
                        outline=(80, 80, 80) if dark else (200, 200, 200), fill=bg)
    return im, True


def _app_home(rng, w, h, dark):
    im = _blob_img(rng, w, h, sat=rng.uniform(0.5, 1.3), lo=20, hi=230)
    d = ImageDraw.Draw(im)
    fs = max(5, int(w * 0.035))
    _status_bar(d, rng, w, (255, 255, 255), fs)
    cols = 4 if w < h else 6
    cell = w / cols
    isz = cell * rng.uniform(0.55, 0.68)
    f = _font('DejaVuSans.ttf', fs * 0.9)
    rows = int((h * 0.78) // (cell * 1.25))
    for r in range(rows):
        for c in range(cols):
            if rng.random() < 0.12:
                continue
            x = c * cell + (cell - isz) / 2
            y = h * 0.07 + r * cell * 1.25
            col = tuple(int(v) for v in rng.integers(20, 256, 3))
            d.rounded_rectangle([int(x), int(y), int(x + isz), int(y + isz)], radius=max(1, int(isz * 0.22)), fill=col)
            g = rng.random()
            if g < 0.4:
                d.ellipse([int(x + isz * .28), int(y + isz * .28), int(x + isz * .72), int(y + isz * .72)],
                          outline=(255, 255, 255), width=max(1, int(isz * 0.08)))
            elif g < 0.7:
                d.rectangle([int(x + isz * .25), int(y + isz * .35), int(x + isz * .75), int(y + isz * .65)],
                            fill=(255, 255, 255))
            d.text((int(x), int(y + isz + fs * 0.2)), str(rng.choice(WORDS))[:8], fill=(255, 255, 255), font=f)
    dy = h - cell * 1.15
    d.rounded_rectangle([int(w * 0.03), int(dy), int(w * 0.97), int(h - cell * 0.1)], radius=int(cell * 0.3),
                        fill=(200, 200, 205))
    for c in range(4):
        x = w * 0.03 + (w * 0.94) * (c + 0.5) / 4 - isz / 2
        d.rounded_rectangle([int(x), int(dy + cell * 0.15), int(x + isz), int(dy + cell * 0.15 + isz)],
                            radius=max(1, int(isz * 0.22)), fill=tuple(int(v) for v in rng.integers(20, 256, 3)))
    return im, False


def _app_article(rng, w, h, dark):
    bg = (18, 18, 18) if dark else [(255, 255, 255), (250, 244, 230)][int(rng.integers(2))]
    fg = (210, 210, 210) if dark else (34, 34, 34)
    im = Image.new('RGB', (w, h), bg)
    d = ImageDraw.Draw(im)
    fs = max(5, int(w * rng.uniform(0.035, 0.05)))
    f = _font('DejaVuSerif.ttf' if rng.random() < 0.5 else 'DejaVuSans.ttf', fs)
    sb = _status_bar(d, rng, w, fg, fs)
    bar = int(sb + fs * 2.2)
    d.rectangle([0, sb, w, bar], fill=(30, 30, 30) if dark else (245, 245, 245))
    d.line([(0, bar), (w, bar)], fill=(70, 70, 70) if dark else (210, 210, 210), width=1)
    d.text((int(w * 0.05), int(sb + fs * 0.5)), 'news.example.com', fill=(130, 130, 130), font=f)
    y = bar + fs
    fb = _font('DejaVuSans-Bold.ttf', fs * 1.5)
    for _ in range(2):
        d.text((int(w * 0.05), int(y)), _words(rng, 3), fill=fg, font=fb)
        y += fs * 1.9
    nch = max(4, int(w * 0.9 / (fs * 0.55)))
    while y < h - fs * 2:
        if rng.random() < 0.15 and y < h * 0.7:
            ih = h * rng.uniform(0.12, 0.22)
            im.paste(_blob_img(rng, int(w * 0.9), int(ih)), (int(w * 0.05), int(y)))
            y += ih + fs
            continue
        for _ in range(int(rng.integers(2, 7))):
            if y > h - fs * 2:
                break
            t = _words(rng, 12)[:int(nch * rng.uniform(0.6 if rng.random() < 0.2 else 0.92, 1.0))]
            d.text((int(w * 0.05), int(y)), t, fill=fg, font=f)
            y += fs * 1.45
        y += fs * 0.8
        if rng.random() < 0.3:
            d.line([(int(w * 0.05), int(y - fs * 0.4)), (int(w * 0.95), int(y - fs * 0.4))],
                   fill=(70, 70, 70) if dark else (215, 215, 215), width=1)
    return im, True


def _app_gallery(rng, w, h, dark):
    bg = (0, 0, 0) if dark else (255, 255, 255)
    im = Image.new('RGB', (w, h), bg)
    d = ImageDraw.Draw(im)
    fs = max(5, int(w * 0.04))
    top = _status_bar(d, rng, w, (230, 230, 230) if dark else (20, 20, 20), fs) + fs * 2.5
    cols = int(rng.integers(3, 5))
    gap = max(1, int(w * rng.uniform(0.004, 0.012)))
    tw = (w - gap * (cols - 1)) / cols
    y = top
    while y < h:
        for c in range(cols):
            t = _blob_img(rng, int(tw), int(tw), sat=rng.uniform(0.4, 1.4), lo=10, hi=245)
            im.paste(t, (int(c * (tw + gap)), int(y)))
        y += tw + gap
    return im, True


def _app_video(rng, w, h, dark):
    im = Image.new('RGB', (w, h), (0, 0, 0))
    vh = int(w * 9 / 16)
    y0 = int((h - vh) * rng.uniform(0.3, 0.5))
    im.paste(_blob_img(rng, w, vh, sat=rng.uniform(0.6, 1.4), lo=5, hi=250), (0, y0))
    d = ImageDraw.Draw(im)
    fs = max(5, int(w * 0.04))
    py = y0 + vh + fs * 2
    d.line([(int(w * 0.05), int(py)), (int(w * 0.95), int(py))], fill=(120, 120, 120), width=max(1, int(fs * 0.2)))
    px = w * (0.05 + 0.9 * rng.uniform(0.05, 0.9))
    d.line([(int(w * 0.05), int(py)), (int(px), int(py))], fill=(255, 0, 0), width=max(1, int(fs * 0.2)))
    d.ellipse([int(px - fs * 0.5), int(py - fs * 0.5), int(px + fs * 0.5), int(py + fs * 0.5)], fill=(255, 0, 0))
    f = _font('DejaVuSans.ttf', fs)
    y = py + fs * 1.5
    while y < h - fs * 2:
        d.text((int(w * 0.05), int(y)), _words(rng, 5)[:int(w / (fs * 0.6))], fill=(220, 220, 220), font=f)
        y += fs * 1.6
    return im, True


APPS = [('settings', _app_settings, False), ('settings_dark', _app_settings, True),
        ('spreadsheet', _app_spreadsheet, False), ('code', _app_code, False), ('code_dark', _app_code, True),
        ('map', _app_map, False), ('map_dark', _app_map, True), ('chat', _app_chat, False),
        ('chat_dark', _app_chat, True), ('home', _app_home, False), ('article', _app_article, False),
        ('article_dark', _app_article, True), ('gallery', _app_gallery, False), ('video', _app_video, True)]
APP_P = np.array([10, 8, 9, 6, 7, 8, 4, 6, 5, 9, 7, 4, 5, 4], float)
APP_P /= APP_P.sum()


def _content(rng, w, h):
    k = int(rng.choice(len(APPS), p=APP_P))
    name, fn, dark = APPS[k]
    im, lines = fn(rng, max(8, int(w)), max(8, int(h)), dark)
    return im, name, lines


# ----------------------------------------------------------------------------------------------------------------
# surfaces (frame coordinates, undistorted; warped by the lens afterwards)
# ----------------------------------------------------------------------------------------------------------------

def _surface(rng, W, H, sf, lens, pbox, light):
    """Conveyor surface as luminance texture x colour (cheap), lens-warped; returns planar float32 (3,H,W)."""
    kind = str(rng.choice(['belt', 'belt', 'rollers', 'mat', 'perforated', 'cardboard']))
    nuis = []
    lm = Image.new('L', (W, H), 0)      # light features (added)
    dm = Image.new('L', (W, H), 0)      # dark features (multiplied)
    dl, dd = ImageDraw.Draw(lm), ImageDraw.Draw(dm)
    light_amt, dark_amt = 25.0, 0.55
    h2, w2 = (H + 1) // 2, (W + 1) // 2

    def up(a):
        return np.array(Image.fromarray(a.astype(F32), 'F').resize((W, H), Image.BILINEAR))

    if kind == 'belt':
        base = rng.uniform(32, 95)
        col = np.array([[1, 1, 1], [0.92, 1.04, 0.95], [0.9, 0.96, 1.08], [1.04, 1.0, 0.94]][int(rng.integers(4))], F32)
        g = _lowres(rng, h2, w2, 2) * rng.uniform(1.5, 4.5)
        g += _lowres(rng, h2, w2, 12 * sf) * rng.uniform(1.5, 4.0)
        g += _lowres(rng, h2, w2, 90 * sf) * rng.uniform(2.0, 7.0)
        streak = (_noise1d(rng, h2, rng.uniform(1, 4) * sf) - 0.5) * rng.uniform(2, 8)
        g += streak[:, None].astype(F32)
        lum = up(g)
        lum += base
        if rng.random() < 0.6:
            nuis.append('belt_seam')
            for _ in range(int(rng.integers(1, 3))):
                x = rng.uniform(0.05, 0.95) * W
                sl = rng.uniform(-0.08, 0.08)
                zig = rng.random() < 0.5
                ys = np.linspace(-10, H + 10, 60 if zig else 2)
                xs = x + sl * ys
                if zig:
                    xs = xs + (np.arange(len(ys)) % 2 - 0.5) * rng.uniform(4, 12) * sf
                pts = [(float(a), float(b)) for a, b in zip(xs, ys)]
                dd.line(pts, fill=int(rng.uniform(120, 230)), width=max(1, int(round(rng.uniform(1, 3) * sf))))
                dl.line([(p[0] + 2 * sf, p[1]) for p in pts], fill=int(rng.uniform(60, 160)), width=max(1, int(sf)))
    elif kind == 'rollers':
        pitch = rng.uniform(35, 110) * sf
        ph = rng.uniform(0, pitch)
        gapw = rng.uniform(2, 7) * sf
        x = (np.arange(W) + 0.5 - ph) % pitch
        u = x / pitch
        prof = 0.45 + 0.55 * np.sin(np.pi * u) ** 0.6
        hl = rng.uniform(0.25, 0.45)
        prof = prof + rng.uniform(0.15, 0.45) * np.exp(-((u - hl) / 0.07) ** 2)
        prof = prof * (1 - 0.85 * _smooth((gapw - np.minimum(x, pitch - x)) / max(1.0, gapw * 0.5) + 0.5))
        colr = np.array([[150, 152, 158], [120, 122, 126], [60, 120, 70], [70, 90, 150], [175, 170, 160]]
                        [int(rng.integers(5))], F32) * rng.uniform(0.7, 1.1)
        L0 = float(colr.mean())
        col = colr / L0
        lum = up(_lowres(rng, h2, w2, 2) * rng.uniform(1, 4))
        lum += (prof * L0).astype(F32)[None, :]
    elif kind == 'mat':
        colr = np.array([[40, 85, 150], [40, 110, 80], [95, 98, 102], [35, 36, 40], [120, 60, 55]]
                        [int(rng.integers(5))], F32) * rng.uniform(0.8, 1.2)
        L0 = float(colr.mean())
        col = colr / L0
        lum = up(_lowres(rng, h2, w2, 2) * rng.uniform(1.5, 4) + _lowres(rng, h2, w2, 60 * sf) * 3)
        lum += L0
        gs = rng.uniform(16, 48) * sf
        ang = np.radians(rng.uniform(-5, 5) if rng.random() < 0.7 else rng.uniform(0, 90))
        c, s = math.cos(ang), math.sin(ang)
        lw = max(1, int(round(rng.uniform(0.8, 2.2) * sf)))
        val = int(rng.uniform(60, 200))
        Ld = 2.0 * math.hypot(W, H)
        n = int(Ld / gs / 2) + 2
        for k in range(-n, n + 1):
            o = k * gs
            for (ax, ay, bx, by) in ((c, s, -s, c), (-s, c, c, s)):
                px, py = W / 2 + ax * o, H / 2 + ay * o
                dl.line([(px - bx * Ld / 2, py - by * Ld / 2), (px + bx * Ld / 2, py + by * Ld / 2)], fill=val, width=lw)
        light_amt = rng.uniform(15, 45) * 1.5 / (1.0 + L0 / 80)
    elif kind == 'perforated':
        L0 = 165 * rng.uniform(0.7, 1.15)
        col = np.array([1.0, 1.0, 1.03], F32)
        p = max(6, int(round(rng.uniform(11, 28) * sf)))
        ss = 4
        tile = Image.new('L', (p * ss, 2 * p * ss), 255)
        td = ImageDraw.Draw(tile)
        rr = p * ss * rng.uniform(0.24, 0.36)
        sq = rng.random() < 0.25
        hv = int(rng.uniform(20, 60))
        for cx, cy in ((p * ss / 2, p * ss / 2), (0, 1.5 * p * ss), (p * ss, 1.5 * p * ss)):
            if sq:
                td.rectangle([cx - rr, cy - rr, cx + rr, cy + rr], fill=hv)
            else:
                td.ellipse([cx - rr, cy - rr, cx + rr, cy + rr], fill=hv)
        tile = np.asarray(tile.reduce(ss), F32) / 255.0
        reps = (H // tile.shape[0] + 2, W // tile.shape[1] + 2)
        oy, ox = int(rng.integers(tile.shape[0])), int(rng.integers(tile.shape[1]))
        big = np.tile(tile, reps)[oy:oy + H, ox:ox + W]
        brush = _lowres(rng, h2, max(2, W // 8), 1.5) * rng.uniform(2, 6)
        lum = np.array(Image.fromarray(brush, 'F').resize((W, H), Image.BILINEAR))
        lum += L0
        lum *= big
    else:  # cardboard
        col = np.array([168, 128, 88], F32) / 128.0
        L0 = 128 * rng.uniform(0.85, 1.12)
        fib = _lowres(rng, h2, max(2, W // 12), 1.2) * rng.uniform(3, 7)
        lum = np.array(Image.fromarray(fib, 'F').resize((W, H), Image.BILINEAR))
        lum += up(_lowres(rng, h2, w2, 60 * sf) * rng.uniform(3, 8))
        per = rng.uniform(7, 12) * sf
        lum += (L0 + np.cos(2 * np.pi * np.arange(H) / per) * rng.uniform(1, 4)).astype(F32)[:, None]
        if rng.random() < 0.5:   # packing tape strip
            y0 = rng.uniform(0, H)
            tw = rng.uniform(60, 140) * sf
            dl.rectangle([0, int(y0), W, int(y0 + tw)], fill=int(rng.uniform(20, 50)))
            dd.line([(0, int(y0)), (W, int(y0))], fill=90, width=1)
            dd.line([(0, int(y0 + tw)), (W, int(y0 + tw))], fill=90, width=1)
        if rng.random() < 0.5:
            f = _font('DejaVuSans-Bold.ttf', rng.uniform(40, 120) * sf)
            dd.text((float(rng.uniform(0, W * 0.7)), float(rng.uniform(0, H * 0.8))),
                    str(rng.choice(['FRAGILE', 'THIS SIDE UP', '>>>', 'LOT 42', 'HANDLE WITH CARE'])), fill=120, font=f)
    if rng.random() < 0.3:
        nuis.append('surface_debris')
        for _ in range(int(rng.integers(5, 40))):
            x, y = rng.uniform(0, W), rng.uniform(0, H)
            r = rng.uniform(0.5, 2.5) * sf
            (dl if rng.random() < 0.5 else dd).ellipse([x - r, y - r, x + r, y + r], fill=int(rng.uniform(80, 220)))
        for _ in range(int(rng.integers(0, 4))):
            p = _walk(rng, rng.uniform([0, 0], [W, H]), rng.uniform(0, 6.3), rng.uniform(10, 60) * sf, 3 * sf,
                      wander=0.4)
            (dl if rng.random() < 0.5 else dd).line([tuple(q) for q in p], fill=int(rng.uniform(80, 200)),
                                                    width=max(1, int(sf)))
    if lm.getbbox() is not None:
        lum += np.asarray(lm, F32) * (light_amt / 255.0)
    if dm.getbbox() is not None:
        lum *= 1.0 - np.asarray(dm, F32) * (dark_amt / 255.0)
    # illumination gradient
    a = light['grad']
    xs = (np.arange(W, dtype=F32) / W - 0.5) * math.cos(light['grad_dir'])
    ys = (np.arange(H, dtype=F32) / H - 0.5) * math.sin(light['grad_dir'])
    lum *= light['amb'] * (1 + a * (xs[None, :] + ys[:, None]))
    np.clip(lum, 0, 254.5, out=lum)
    lum += 0.5
    Lim = Image.fromarray(lum.astype(np.uint8))
    if lens.k != 0.0:
        Lim = _mesh_warp(Lim, (0, 0, W, H), lens.inv, cell=96)
    cc = col * light['col']
    lumf = np.asarray(Lim, F32)
    img = np.empty((3, H, W), F32)        # planar RGB
    for k in range(3):
        np.multiply(lumf, cc[k], out=img[k])
    # side rails at the top / bottom frame edge (only where the phone is not), bent by the lens
    if rng.random() < 0.45:
        rh = rng.uniform(14, 45) * sf
        for top in (True, False):
            if rng.random() >= 0.6:
                continue
            if top and pbox[1] <= rh + 8 * sf:
                continue
            if (not top) and pbox[3] >= H - rh - 8 * sf:
                continue
            xs_ = np.linspace(-20, W + 20, 33)
            yl = np.full_like(xs_, rh if top else H - rh)
            bd = lens.fwd(np.stack([xs_, yl], -1))
            yb = np.interp(np.arange(W) + 0.5, bd[:, 0], bd[:, 1]).astype(F32)
            sh = rng.uniform(3, 14) * sf + 1
            if top:
                r1 = int(min(H, math.ceil(yb.max() + sh + 1)))
                yy = np.arange(r1, dtype=F32)[:, None] + 0.5
                t = yy / yb[None, :]
                rail = (150 + 70 * np.sqrt(np.clip(np.sin(np.pi * np.clip(t, 0, 1)), 0, 1))).astype(F32)
                shade = (1 - 0.45 * np.clip(1 - (yy - yb[None, :]) / sh, 0, 1)).astype(F32)
                m = (yy < yb[None, :])
                for k in range(3):
                    blk = img[k, :r1]
                    blk[:] = np.where(m, rail * (1.03 if k == 2 else 1.0), blk * shade)
            else:
                r0 = int(max(0, math.floor(yb.min() - sh - 1)))
                yy = np.arange(r0, H, dtype=F32)[:, None] + 0.5
                t = (H - yy) / (H - yb[None, :])
                rail = (150 + 70 * np.sqrt(np.clip(np.sin(np.pi * np.clip(t, 0, 1)), 0, 1))).astype(F32)
                shade = (1 - 0.45 * np.clip(1 - (yb[None, :] - yy) / sh, 0, 1)).astype(F32)
                m = (yy > yb[None, :])
                for k in range(3):
                    blk = img[k, r0:]
                    blk[:] = np.where(m, rail * (1.03 if k == 2 else 1.0), blk * shade)
    return img, kind, nuis


# ----------------------------------------------------------------------------------------------------------------
# device: local (upright) canvas layers
# ----------------------------------------------------------------------------------------------------------------

RIM_COLS = [(190, 190, 196), (62, 62, 68), (212, 192, 162), (72, 92, 124), (150, 44, 54), (228, 228, 230),
            (26, 26, 30), (120, 128, 110)]


def _device_geom(rng, dev, Lw, Lh):
    if dev == 'modern':
        r_out = rng.uniform(0.09, 0.15) * Lw
        rim = max(1.6, rng.uniform(0.012, 0.024) * Lw)
        bs = rng.uniform(0.022, 0.045) * Lw
        bt, bb = bs * rng.uniform(1.0, 1.7), bs * rng.uniform(1.0, 1.9)
        front = 'black'
        r_disp = max(0.0, r_out - rim - bs * rng.uniform(0.3, 0.8))
    elif dev == 'classic':
        r_out = rng.uniform(0.11, 0.17) * Lw
        rim = max(1.6, rng.uniform(0.015, 0.03) * Lw)
        bs = rng.uniform(0.04, 0.075) * Lw
        bt, bb = rng.uniform(0.11, 0.16) * Lh, rng.uniform(0.11, 0.16) * Lh
        front = 'white' if rng.random() < 0.3 else 'black'
        r_disp = 0.0
    else:
        r_out = rng.uniform(0.035, 0.07) * Lw
        rim = max(1.6, rng.uniform(0.008, 0.016) * Lw)
        bs = rng.uniform(0.045, 0.09) * Lw
        bt = bb = bs * rng.uniform(1.0, 1.3)
        front = 'white' if rng.random() < 0.2 else 'black'
        r_disp = max(0.0, rng.uniform(0.0, 0.03) * Lw)
    g = dict(dev=dev, r_out=r_out, rim=rim, front=front)
    g['glass'] = (rim, rim, Lw - rim, Lh - rim, max(0.5, r_out - rim))
    g['disp'] = (rim + bs, rim + bt, Lw - rim - bs, Lh - rim - bb)
    g['r_disp'] = r_disp
    g['rim_col'] = np.array(RIM_COLS[int(rng.integers(len(RIM_COLS)))], F32)
    g['bezel_col'] = (np.full(3, rng.uniform(5, 16), F32) if front == 'black' else
                      np.full(3, rng.uniform(205, 232), F32) * np.array([1, 1, rng.uniform(0.96, 1.0)], F32))
    g['off_col'] = np.array([1.0, 1.02, 1.08], F32) * rng.uniform(4, 13)
    g['cut'] = str(rng.choice(['punch', 'punch_l', 'notch', 'none'], p=[0.5, 0.15, 0.25, 0.1])) \
        if dev == 'modern' else 'none'
    return g


def _draw_ring_line(draw, box, r, width, fill, scale):
    draw.rounded_rectangle([box[0] * scale, box[1] * scale, box[2] * scale, box[3] * scale], radius=r * scale,
                           outline=fill, width=width)


def _build_device(L, g, rs, rn, light, cam):
    """Returns local layers: under+silhouette (RGBA img), emis (L img), refl (F img), occ (RGBa img or None), info."""
    Lw, Lh, sf = L['Lw'], L['Lh'], L['sf']
    S = 2
    gx0, gy0, gx1, gy1, gr = g['glass']
    dx0, dy0, dx1, dy1 = g['disp']
    azl = light['az'] - L['theta']             # light azimuth in device coordinates
    lx, ly = math.cos(azl), math.sin(azl)
    # --- silhouette and glass masks (AA via 2x)
    a2 = Image.new('L', (Lw * S, Lh * S), 0)
    ImageDraw.Draw(a2).rounded_rectangle([0, 0, Lw * S - 1, Lh * S - 1], radius=g['r_out'] * S, fill=255)
    alpha = a2.reduce(S)
    g2 = Image.new('L', (Lw * S, Lh * S), 0)
    ImageDraw.Draw(g2).rounded_rectangle([gx0 * S, gy0 * S, gx1 * S - 1, gy1 * S - 1], radius=gr * S, fill=255)
    glass = g2.reduce(S)
    gm = np.asarray(glass, F32) / 255.0
    # --- under-glass image: lit metal/plastic frame, bezel colour under the glass, display content
    xs = (np.arange(Lw, dtype=F32) + 0.5) / Lw - 0.5
    ys = (np.arange(Lh, dtype=F32) + 0.5) / Lh - 0.5
    ramp = xs[None, :] * lx + ys[:, None] * ly * (Lh / Lw)
    body_shade = 0.8 + 0.45 * np.clip(ramp + 0.5, 0, 1.2)
    ui = Image.merge('RGB', [Image.fromarray(np.clip(body_shade * float(g['rim_col'][k]) + 0.5, 0, 255)
                                             .astype(np.uint8)) for k in range(3)])
    ui.paste(tuple(int(round(float(v))) for v in g['bezel_col']), (0, 0), glass)
    du = ImageDraw.Draw(ui)
    emis = Image.new('L', (Lw, Lh), 0)
    de = ImageDraw.Draw(emis)
    dw, dh = int(round(dx1 - dx0)), int(round(dy1 - dy0))
    dmask = Image.new('L', (dw, dh), 0)
    ImageDraw.Draw(dmask).rounded_rectangle([0, 0, dw - 1, dh - 1], radius=max(0, g['r_disp']), fill=255)
    lit = L['lit']
    info = {}
    if lit:
        content, app, lines = _content(rs, dw, dh)
        info['app'] = app
        info['lines'] = lines
    else:
        content = Image.new('RGB', (dw, dh), tuple(int(v) for v in g['off_col']))
        info['app'] = 'off'
        info['lines'] = False
        if rs.random() < 0.12:   # always-on clock, very dim
            d = ImageDraw.Draw(content)
            d.text((int(dw * 0.25), int(dh * 0.3)), '%d:%02d' % (rs.integers(1, 13), rs.integers(0, 60)),
                   fill=(70, 70, 75), font=_font('DejaVuSans-ExtraLight.ttf', dw * 0.18))
            info['app'] = 'aod'
    ui.paste(content, (int(round(dx0)), int(round(dy0))), dmask)
    if lit:
        emis.paste(255, (int(round(dx0)), int(round(dy0))), dmask)
    # cut-outs / hardware details
    cx = (gx0 + gx1) / 2
    cam_r = max(1.0, 0.022 * Lw)
    if g['cut'] in ('punch', 'punch_l'):
        px = cx if g['cut'] == 'punch' else dx0 + 0.09 * Lw
        py = dy0 + 0.035 * Lw + cam_r
        box = [px - cam_r, py - cam_r, px + cam_r, py + cam_r]
        du.ellipse(box, fill=(3, 3, 4), outline=(30, 30, 34))
        de.ellipse(box, fill=0)
    elif g['cut'] == 'notch':
        nw = 0.42 * Lw
        box = [cx - nw / 2, dy0 - 2, cx + nw / 2, dy0 + 0.06 * Lw]
        du.rounded_rectangle(box, radius=0.03 * Lw, fill=tuple(int(v) for v in g['bezel_col']))
        de.rounded_rectangle(box, radius=0.03 * Lw, fill=0)
        du.ellipse([cx + 0.08 * Lw - cam_r * .7, dy0 + 0.02 * Lw - cam_r * .7, cx + 0.08 * Lw + cam_r * .7,
                    dy0 + 0.02 * Lw + cam_r * .7], fill=(2, 2, 6))
    if g['dev'] == 'classic':
        ew, eh = 0.16 * Lw, max(1.5, 0.018 * Lw)
        ey = (gy0 + dy0) / 2
        du.rounded_rectangle([cx - ew / 2, ey - eh / 2, cx + ew / 2, ey + eh / 2], radius=eh / 2,
                             fill=(40, 40, 44) if g['front'] == 'black' else (150, 150, 150))
        du.ellipse([cx - 0.2 * Lw - cam_r * .6, ey - cam_r * .6, cx - 0.2 * Lw + cam_r * .6, ey + cam_r * .6],
                   fill=(6, 6, 10))
        hy = (dy1 + gy1) / 2
        hr = min(0.075 * Lw, (gy1 - dy1) * 0.36)
        ring = (24, 24, 26) if g['front'] == 'black' else (190, 190, 192)
        du.ellipse([cx - hr, hy - hr, cx + hr, hy + hr], outline=ring, width=max(1, int(round(0.006 * Lw))))
    elif g['dev'] == 'tablet':
        ey = (gy0 + dy0) / 2
        du.ellipse([cx - cam_r * .6, ey - cam_r * .6, cx + cam_r * .6, ey + cam_r * .6], fill=(6, 6, 10))
    # --- reflections (float, glass only): low-res smooth part
    q = 4
    lh_, lw_ = max(2, Lh // q), max(2, Lw // q)
    xq = (np.arange(lw_, dtype=F32) + 0.5) / lw_
    yq = (np.arange(lh_, dtype=F32) + 0.5) / lh_
    base = light['refl_dark'] if not lit else light['refl_lit']
    gd = light['refl_dir']
    Rs = base * (1 + light['refl_grad'] * ((xq[None, :] - .5) * math.cos(gd) + (yq[:, None] - .5) * math.sin(gd) * Lh / Lw))
    Rs = Rs + base * 0.2 * _lowres(rn, lh_, lw_, max(lh_, lw_) / 2.5)
    gl = light.get('glare')
    if gl is not None:
        u = (xq[None, :] - gl['x']) * Lw
        v = (yq[:, None] - gl['y']) * Lh
        ca, sa = math.cos(gl['ang']), math.sin(gl['ang'])
        uu, vv = u * ca + v * sa, -u * sa + v * ca
        Rs = Rs + gl['I'] * np.exp(-((uu / (gl['a'] * Lw)) ** 2 + (vv / (gl['b'] * Lw)) ** 2) ** gl['p'])
    R = np.array(Image.fromarray(Rs.astype(F32), 'F').resize((Lw, Lh), Image.BILINEAR))
    # sharp reflective details at 2x: glass edge highlights, scratches, swirls, protector edge, bubbles
    sh2 = Image.new('L', (Lw * S, Lh * S), 0)
    sd = ImageDraw.Draw(sh2)
    _draw_ring_line(sd, (gx0 + 0.5, gy0 + 0.5, gx1 - 0.5, gy1 - 0.5), gr, 2, 255, S)
    ins = max(1.5, 0.012 * Lw)
    _draw_ring_line(sd, (gx0 + ins, gy0 + ins, gx1 - ins, gy1 - ins), max(0.5, gr - ins), 2, 110, S)
    edge_hl = np.asarray(sh2.reduce(S), F32) / 255.0
    R += edge_hl * light['edge_I'] * np.clip(ramp * 2.2 + 0.3, 0, 1)
    N = L['nuis_flags']
    need_occ = any(N[k] for k in ('droplets', 'lint', 'pet_hair', 'dust', 'sticker', 'pen_marks', 'protector_edge'))
    need_sh = any(N[k] for k in ('arc_scratch', 'swirl_marks', 'protector_edge'))
    occ2 = Image.new('RGBA', (Lw * S, Lh * S) if need_occ else (1, 1), (0, 0, 0, 0))
    od = ImageDraw.Draw(occ2)
    sh2 = Image.new('L', (Lw * S, Lh * S) if need_sh else (1, 1), 0)
    sd = ImageDraw.Draw(sh2)
    nuis = []
    prot = None
    rgl = g['glass']
    diag = math.hypot(Lw, Lh)

    def rand_in_glass(n, m=2.0):
        pts = np.c_[rn.uniform(gx0, gx1, 4 * n + 8), rn.uniform(gy0, gy1, 4 * n + 8)]
        pts = pts[_in_rrect(pts, rgl, m)]
        return pts[:n] if len(pts) >= n else np.c_[np.full(n, cx), np.full(n, (gy0 + gy1) / 2)]

    xg = np.arange(Lw, dtype=F32) + 0.5
    yg = np.arange(Lh, dtype=F32) + 0.5
    if N['tube_reflection']:
        nuis.append('tube_reflection')
        ang = rn.uniform(0, np.pi)
        ca, sa = math.cos(ang), math.sin(ang)
        u = xg[None, :] * ca + yg[:, None] * sa
        v = -xg[None, :] * sa + yg[:, None] * ca
        nb = int(rn.integers(1, 4))
        c0 = rn.uniform(u.min(), u.max())
        spacing = rn.uniform(0.08, 0.3) * Lw
        thin = rn.random() < 0.35
        for k in range(nb):
            wb = (rn.uniform(1.2, 3.5) if thin else rn.uniform(4, 30)) * sf
            soft = rn.uniform(0.4, 2.5) * sf
            I = rn.uniform(40, 220) if not lit else rn.uniform(20, 110)
            prof = np.clip((wb / 2 - np.abs(u - (c0 + k * spacing))) / soft + 0.5, 0, 1)
            if rn.random() < 0.5:
                v0 = rn.uniform(v.min(), v.max() - 0.3 * diag)
                v1 = v0 + rn.uniform(0.3, 1.0) * diag
                e2 = rn.uniform(2, 15) * sf
                prof = prof * np.clip((v - v0) / e2, 0, 1) * np.clip((v1 - v) / e2, 0, 1)
            if rn.random() < 0.2:    # louvre of the fixture
                per = rn.uniform(20, 70) * sf
                prof = prof * (0.88 + 0.12 * np.cos(2 * np.pi * v / per))
            R += I * prof * (0.85 + 0.3 * _smooth((v - v.min()) / (v.max() - v.min() + 1)))
    if N['fingerprints']:
        nuis.append('fingerprints')
        for p in rand_in_glass(int(rn.integers(1, 5)), 4):
            a_, b_ = rn.uniform(0.07, 0.13) * Lw, rn.uniform(0.09, 0.17) * Lw
            x0, x1 = int(max(0, p[0] - b_ * 1.3)), int(min(Lw, p[0] + b_ * 1.3))
            y0, y1 = int(max(0, p[1] - b_ * 1.3)), int(min(Lh, p[1] + b_ * 1.3))
            if x1 - x0 < 3 or y1 - y0 < 3:
                continue
            an = rn.uniform(0, np.pi)
            uu = (xg[None, x0:x1] - p[0]) * math.cos(an) + (yg[y0:y1, None] - p[1]) * math.sin(an)
            vv = -(xg[None, x0:x1] - p[0]) * math.sin(an) + (yg[y0:y1, None] - p[1]) * math.cos(an)
            rr = np.sqrt((uu / a_) ** 2 + (vv / b_) ** 2)
            env = np.exp(-rr ** 4) * rn.uniform(3, 16)
            period = rn.uniform(0.005, 0.008) * Lw
            if period >= 1.8:
                rid = 0.5 + 0.5 * np.cos(2 * np.pi * (rr * a_ / period) + 2.0 * np.sin(uu / (a_ * 0.7)))
                env = env * (0.35 + 0.65 * rid)
            R[y0:y1, x0:x1] += env
    if N['arc_scratch']:
        nuis.append('arc_scratch')
        for p in rand_in_glass(int(rn.integers(1, 6)), 3):
            rad = rn.uniform(0.3, 2.0) * Lw
            a0 = rn.uniform(0, 2 * np.pi)
            span = rn.uniform(0.05, 0.6) * Lw / rad
            cc = p - rad * np.array([math.cos(a0), math.sin(a0)])
            t = np.linspace(a0 - span / 2, a0 + span / 2, 40)
            pts = [((cc[0] + rad * math.cos(a)) * S, (cc[1] + rad * math.sin(a)) * S) for a in t]
            sd.line(pts, fill=int(rn.uniform(8, 40)), width=int(rn.choice([1, 2, 2, 3])))
    if N['swirl_marks']:
        nuis.append('swirl_marks')
        for p in rand_in_glass(int(rn.integers(1, 3)), 4):
            for _ in range(int(rn.integers(15, 60))):
                rad = rn.uniform(0.03, 0.35) * Lw
                a0 = rn.uniform(0, 360)
                sd.arc([(p[0] - rad) * S, (p[1] - rad) * S, (p[0] + rad) * S, (p[1] + rad) * S], a0,
                       a0 + rn.uniform(15, 100), fill=int(rn.uniform(4, 14)), width=1)
    if N['protector_edge']:
        nuis.append('protector_edge')
        ins = max(2.0, rn.uniform(0.006, 0.03) * Lw)
        prot = (gx0 + ins, gy0 + ins, gx1 - ins, gy1 - ins, max(0.5, gr - ins * rn.uniform(0.3, 1.0)))
        pm = Image.new('L', (Lw * S, Lh * S), 0)
        ImageDraw.Draw(pm).rounded_rectangle([prot[0] * S, prot[1] * S, prot[2] * S, prot[3] * S], radius=prot[4] * S,
                                             fill=255)
        R += np.asarray(pm.reduce(S), F32) / 255.0 * rn.uniform(2, 9)
        _draw_ring_line(sd, prot[:4], prot[4], int(rn.choice([1, 2, 2])), int(rn.uniform(15, 70)), S)
        _draw_ring_line(od, prot[:4], prot[4], 1, (40, 40, 40, int(rn.uniform(30, 110))), S)
        if N['air_bubbles']:
            nuis.append('air_bubbles')
            for p in rand_in_glass(int(rn.integers(1, 7)), ins + 4):
                rb = rn.uniform(3, 22) * sf
                an = np.sort(rn.uniform(0, 2 * np.pi, 8))
                rr = rb * rn.uniform(0.6, 1.2, 8)
                poly = [((p[0] + r_ * math.cos(a)) * S, (p[1] + r_ * math.sin(a)) * S) for a, r_ in zip(an, rr)]
                sd.polygon(poly, fill=int(rn.uniform(4, 14)), outline=int(rn.uniform(25, 80)))
    if need_sh:
        R += np.asarray(sh2.reduce(S), F32)
    R *= gm
    # --- occluders on the glass / bezel
    lc = lambda: (int(rn.uniform(185, 245)),) * 3
    dc = lambda: (int(rn.uniform(15, 60)), int(rn.uniform(12, 55)), int(rn.uniform(10, 50)))
    if N['droplets']:
        nuis.append('droplets')
        for p in rand_in_glass(int(rn.integers(2, 25)), 3):
            r = rn.uniform(1.5, 10) * sf * S
            e = rn.uniform(0.75, 1.0)
            x, y = p[0] * S, p[1] * S
            od.ellipse([x - r, y - r * e, x + r, y + r * e], fill=(225, 230, 235, int(rn.uniform(15, 50))),
                       outline=(20, 22, 26, int(rn.uniform(70, 170))), width=max(1, int(r * 0.18)))
            hx, hy = x + lx * r * 0.45, y + ly * r * 0.45
            hr = max(1.0, r * 0.2)
            od.ellipse([hx - hr, hy - hr, hx + hr, hy + hr], fill=(255, 255, 255, int(rn.uniform(140, 240))))
    if N['lint']:
        nuis.append('lint')
        for p in rand_in_glass(int(rn.integers(1, 7)), 2):
            pts = _walk(rn, p, rn.uniform(0, 6.3), rn.uniform(6, 45) * sf, 2 * sf, wander=rn.uniform(0.2, 0.6)) * S
            col = lc() if rn.random() < 0.6 else (int(rn.uniform(30, 80)), int(rn.uniform(40, 90)), int(rn.uniform(60, 140)))
            od.line([tuple(q) for q in pts], fill=col + (int(rn.uniform(120, 230)),), width=int(rn.choice([1, 2, 2, 3])))
    if N['pet_hair']:
        nuis.append('pet_hair')
        for p in rand_in_glass(int(rn.integers(1, 4)), 2):
            pts = _walk(rn, p, rn.uniform(0, 6.3), rn.uniform(0.2, 0.9) * Lw, 3 * sf, wander=rn.uniform(0.01, 0.05),
                        curv=rn.normal(0, 0.012)) * S
            col = dc() if rn.random() < 0.55 else (lc() if rn.random() < 0.5 else (120, 84, 52))
            al = int(rn.uniform(140, 250))
            wdt = int(rn.choice([1, 2, 2, 3]))
            h2 = len(pts) * 2 // 3
            od.line([tuple(q) for q in pts[:h2 + 1]], fill=col + (al,), width=wdt, joint='curve')
            od.line([tuple(q) for q in pts[h2:]], fill=col + (int(al * 0.7),), width=max(1, wdt - 1), joint='curve')
    if N['dust']:
        nuis.append('dust')
        for p in rand_in_glass(int(rn.integers(8, 120)), 1):
            r = rn.uniform(0.4, 1.6) * sf * S
            col = lc() if rn.random() < 0.7 else dc()
            od.ellipse([p[0] * S - r, p[1] * S - r, p[0] * S + r, p[1] * S + r], fill=col + (int(rn.uniform(80, 230)),))
    if N['sticker']:
        nuis.append('sticker')
        sw = rn.uniform(0.22, 0.5) * Lw
        shh = sw * rn.uniform(0.35, 0.65)
        st = Image.new('RGBA', (max(4, int(sw * S)), max(4, int(shh * S))),
                       [(248, 248, 244, 255), (250, 230, 90, 255), (255, 170, 70, 255), (220, 240, 255, 255)]
                       [int(rn.integers(4))])
        sdr = ImageDraw.Draw(st)
        W2, H2 = st.size
        x = W2 * 0.08
        while x < W2 * 0.92:
            bw = rn.choice([1, 1, 2, 3]) * max(1, W2 // 90)
            if rn.random() < 0.55:
                sdr.rectangle([x, H2 * 0.45, x + bw - 1, H2 * 0.88], fill=(10, 10, 10, 255))
            x += bw
        sdr.text((W2 * 0.08, H2 * 0.08), 'SN %06d' % rn.integers(0, 999999), fill=(10, 10, 10, 255),
                 font=_font('DejaVuSansMono.ttf', H2 * 0.22))
        st = st.rotate(rn.uniform(-10, 10), resample=Image.BICUBIC, expand=True)
        if g['dev'] == 'classic' and rn.random() < 0.7:
            px, py = rn.uniform(gx0, gx1 - sw), (gy1 + g['disp'][3]) / 2 - shh / 2 + rn.uniform(-3, 3)
        else:
            px, py = rn.uniform(gx0 - sw * 0.1, gx1 - sw * 0.9), rn.choice([gy0 + rn.uniform(-2, 0.25 * Lh),
                                                                           gy1 - shh - rn.uniform(0, 0.25 * Lh)])
        occ2.alpha_composite(st, (int(px * S), int(py * S)))
    if N['pen_marks']:
        nuis.append('pen_marks')
        col = [(15, 15, 20), (20, 40, 160), (180, 20, 20), (20, 120, 40)][int(rn.integers(4))]
        for _ in range(int(rn.integers(1, 4))):
            if rn.random() < 0.5:
                p = rand_in_glass(1, 4)[0]
                txt = str(rn.choice(['OK', 'B2', '#%d' % rn.integers(1, 99), 'X', 'A', '%d' % rn.integers(1, 9),
                                     'FAIL', 'RMA']))
                tf = _font('DejaVuSans-Oblique.ttf', rn.uniform(0.06, 0.13) * Lw * S)
                tim = Image.new('RGBA', (int(tf.getlength(txt) + 8), int(tf.size * 1.4)), (0, 0, 0, 0))
                ImageDraw.Draw(tim).text((4, 2), txt, fill=col + (int(rn.uniform(170, 240)),), font=tf)
                tim = tim.rotate(rn.uniform(-25, 25), resample=Image.BICUBIC, expand=True)
                occ2.alpha_composite(tim, (int(max(0, p[0] * S - tim.size[0] / 2)), int(max(0, p[1] * S - tim.size[1] / 2))))
            else:
                p = rand_in_glass(1, 4)[0]
                pts = _walk(rn, p, rn.uniform(0, 6.3), rn.uniform(0.08, 0.4) * Lw, 2 * sf, wander=rn.uniform(0.05, 0.3),
                            curv=rn.normal(0, 0.05)) * S
                od.line([tuple(q) for q in pts], fill=col + (int(rn.uniform(150, 240)),),
                        width=max(2, int(rn.uniform(1.2, 3.0) * sf * S)), joint='curve')
    occ = occ2.convert('RGBa').reduce(S) if need_occ else None
    info['nuis'] = nuis
    info['prot'] = prot
    ui.putalpha(alpha)
    return ui, emis, Image.fromarray(R.astype(F32), 'F'), occ, info


# ----------------------------------------------------------------------------------------------------------------
# scene
# ----------------------------------------------------------------------------------------------------------------

def _layout(rng):
    if rng.random() < 0.4:
        W, H = 1920, 1080
    else:
        W, H = SIZES[int(rng.integers(len(SIZES)))]
    sf = H / 1080.0
    r = rng.random()
    dev = 'modern' if r < 0.58 else ('classic' if r < 0.85 else 'tablet')
    aspect = {'modern': rng.uniform(1.95, 2.25), 'classic': rng.uniform(1.72, 1.9),
              'tablet': rng.uniform(1.33, 1.6)}[dev]
    if rng.random() < 0.4:
        th = math.radians(float(rng.choice([0, 90, 180, 270])) + rng.normal(0, 3))
    else:
        th = rng.uniform(0, 2 * np.pi)
    frac = rng.uniform(0.25, 0.78)
    cs, sn = abs(math.cos(th)), abs(math.sin(th))
    s = frac * H / (sn + aspect * cs)
    bw = s * (cs + aspect * sn)
    persp = rng.random() < 0.45
    margin = 1.1 if persp else 1.03
    if bw * margin > 0.92 * W:
        s *= 0.92 * W / (bw * margin)
    if s * (sn + aspect * cs) * margin > 0.92 * H:
        s *= 0.92 * H / (s * (sn + aspect * cs) * margin)
    l = s * aspect
    bw = s * (cs + aspect * sn) * margin
    bh = s * (sn + aspect * cs) * margin
    cx = rng.uniform(bw / 2 + 0.04 * W, W - bw / 2 - 0.04 * W) if W - bw > 0.08 * W else W / 2
    cy = rng.uniform(bh / 2 + 0.04 * H, H - bh / 2 - 0.04 * H) if H - bh > 0.08 * H else H / 2
    Lw, Lh = max(24, int(round(s))), max(40, int(round(l)))
    corners = np.array([[-0.5, -0.5], [0.5, -0.5], [0.5, 0.5], [-0.5, 0.5]]) * np.array([s, l])
    if persp:
        t = rng.uniform(0.01, 0.05)
        ps = rng.uniform(0, 2 * np.pi)
        nrm = corners / np.array([s / 2, l / 2])
        corners = corners * (1 + t * (nrm[:, 0:1] * math.cos(ps) + nrm[:, 1:2] * math.sin(ps)))
    R = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
    quad = corners @ R.T + np.array([cx, cy])
    lit = rng.random() < 0.5
    return dict(W=W, H=H, sf=sf, dev=dev, theta=th, Lw=Lw, Lh=Lh, quad=quad, lit=lit)


def _light(rng, sf):
    t = rng.uniform(-1, 1)
    L = dict(az=rng.uniform(0, 2 * np.pi), amb=rng.uniform(0.75, 1.2),
             col=np.array([1 + 0.06 * t, 1.0, 1 - 0.09 * t], F32),
             grad=rng.uniform(0, 0.3), grad_dir=rng.uniform(0, 2 * np.pi),
             refl_dark=rng.uniform(6, 38), refl_lit=rng.uniform(2, 14), refl_grad=rng.uniform(0, 1.2),
             refl_dir=rng.uniform(0, 2 * np.pi), edge_I=rng.uniform(15, 90),
             tint=np.array([rng.uniform(0.92, 1.0), 1.0, rng.uniform(1.0, 1.1)], F32),
             sh_off=rng.uniform(1, 8) * sf, sh_blur=rng.uniform(2, 10) * sf, sh_dark=rng.uniform(0.12, 0.5))
    if rng.random() < 0.55:
        L['glare'] = dict(x=rng.uniform(0, 1), y=rng.uniform(0, 1), ang=rng.uniform(0, np.pi),
                          a=rng.uniform(0.1, 0.6), b=rng.uniform(0.05, 0.3), p=rng.uniform(0.6, 1.5),
                          I=rng.uniform(20, 170))
    else:
        L['glare'] = None
    return L


def _nuis_flags(rng):
    p = dict(tube_reflection=0.35, droplets=0.14, lint=0.2, pet_hair=0.2, arc_scratch=0.25, swirl_marks=0.15,
             protector_edge=0.16, air_bubbles=0.5, fingerprints=0.3, dust=0.4, sticker=0.12, pen_marks=0.12,
             rail_shadow=0.2)
    return {k: bool(rng.random() < v) for k, v in p.items()}


def _cam_params(rng, sf, W, H):
    c = {}
    c['k1'] = -rng.uniform(0.005, 0.04) if rng.random() < 0.7 else 0.0
    c['gain'] = rng.uniform(0.85, 1.15)
    c['wb'] = np.array([rng.uniform(0.93, 1.07), 1.0, rng.uniform(0.93, 1.07)], F32)
    c['vig'] = rng.uniform(0.0, 0.45)
    c['ca'] = rng.uniform(0.3, 1.0) * sf if rng.random() < 0.6 else 0.0
    r = rng.random()
    c['defocus'] = (rng.uniform(0.0, 0.5) if r < 0.45 else (rng.uniform(0.5, 0.9) if r < 0.8
                                                          else rng.uniform(0.9, 1.7))) * sf
    c['motion'] = int(round(rng.uniform(2, 8) * sf)) if rng.random() < 0.35 else 0
    c['read'] = rng.uniform(0.8, 3.5)
    c['shot'] = rng.uniform(0.01, 0.12)
    c['chroma'] = rng.uniform(0.3, 1.0)
    if rng.random() < 0.8:
        c['usm'] = (rng.uniform(0.8, 2.2) * max(sf, 0.5), rng.uniform(0.3, 1.8), rng.uniform(0, 3))
    else:
        c['usm'] = None
    c['emis'] = rng.uniform(1.35, 2.6) if rng.random() < 0.25 else rng.uniform(0.5, 1.0)
    g = rng.uniform(0.85, 1.15)
    ct = rng.uniform(-0.1, 0.3)
    lut = []
    for k in range(3):                  # white balance (after the sensor clips) + tone curve
        x = np.clip(np.arange(256) * c['wb'][k], 0, 255) / 255.0
        y = x ** g
        y = (1 - ct) * y + ct * (y * y * (3 - 2 * y))
        lut += list(np.clip(np.round(y * 255), 0, 255).astype(int))
    c['lut'] = lut
    return c


def _scene(seed, i):
    rl = _rng(seed, i, K_LAYOUT)
    lay = _layout(rl)
    W, H, sf = lay['W'], lay['H'], lay['sf']
    cam = _cam_params(_rng(seed, i, K_CAM), sf, W, H)
    light = _light(_rng(seed, i, K_LIGHT), sf)
    lens = _Lens(W, H, cam['k1'])
    Lw, Lh = lay['Lw'], lay['Lh']
    rect = np.array([[0, 0], [Lw, 0], [Lw, Lh], [0, Lh]], float)
    Hm = homography(rect, lay['quad'])
    Hi = np.linalg.inv(Hm)
    fwd = lambda p: lens.fwd(project(Hm, p))
    inv = lambda p: project(Hi, lens.inv(p))
    # phone bbox in frame (with shadow margin)
    tt = np.linspace(0, 1, 24)[:, None]
    outline = np.vstack([rect[k] + tt * (rect[(k + 1) % 4] - rect[k]) for k in range(4)])
    of = fwd(outline)
    mg = light['sh_off'] + 3 * light['sh_blur'] + 4
    bx0, by0 = int(max(0, math.floor(of[:, 0].min() - mg))), int(max(0, math.floor(of[:, 1].min() - mg)))
    bx1, by1 = int(min(W, math.ceil(of[:, 0].max() + mg))), int(min(H, math.ceil(of[:, 1].max() + mg)))
    bb = (bx0, by0, bx1, by1)
    tight = (of[:, 0].min(), of[:, 1].min(), of[:, 0].max(), of[:, 1].max())
    # surface
    scene, surf_kind, snuis = _surface(_rng(seed, i, K_SURF), W, H, sf, lens, tight, light)
    # device
    rd = _rng(seed, i, K_DEVICE)
    g = _device_geom(rd, lay['dev'], Lw, Lh)
    rn = _rng(seed, i, K_NUIS)
    flags = _nuis_flags(rn)
    lay['nuis_flags'] = flags
    ui, emis, refl, occ, info = _build_device(lay, g, _rng(seed, i, K_SCREEN), rn, light, cam)
    bshape = (by1 - by0, bx1 - bx0)
    PAD = 3    # transparent border so the silhouette is interpolated (anti-aliased) at the canvas edge
    uip = Image.new('RGBA', (ui.size[0] + 2 * PAD, ui.size[1] + 2 * PAD), (0, 0, 0, 0))
    uip.paste(ui, (PAD, PAD))
    uwi = _mesh_warp(uip, bb, lambda q: inv(q) + PAD).split()
    uw = [np.asarray(ch, F32) for ch in uwi[:3]]
    aw_img = uwi[3]
    aw = np.asarray(aw_img, F32) / 255.0
    ebox = emis.getbbox()
    ew = (np.asarray(_mesh_warp(emis, bb, inv, src_box=ebox), F32) / 255.0 if ebox is not None
          else np.zeros(bshape, F32))
    gx0_, gy0_, gx1_, gy1_, _ = g['glass']
    Rw = np.array(_mesh_warp(refl, bb, inv, src_box=(gx0_, gy0_, gx1_, gy1_)), F32)
    obox = occ.getbbox() if occ is not None else None
    if obox is not None:
        ow = [np.asarray(ch, F32) for ch in _mesh_warp(occ, bb, inv, src_box=obox).split()]
        Oa = ow[3] / 255.0
        Opm = ow[:3]
    else:
        Oa = np.zeros(bshape, F32)
        Opm = [Oa, Oa, Oa]
    bw_, bh_ = bx1 - bx0, by1 - by0
    xs = (np.arange(bx0, bx1, dtype=F32) / W - 0.5) * math.cos(light['grad_dir'])
    ys = (np.arange(by0, by1, dtype=F32) / H - 0.5) * math.sin(light['grad_dir'])
    ill = light['amb'] * (1 + light['grad'] * (xs[None, :] + ys[:, None]))
    e = cam['emis'] if lay['lit'] else 0.0
    tint = light['tint']
    B = np.empty((3, by1 - by0, bx1 - bx0), F32)       # under-glass light (planar), used by the crack
    glassphone = []
    has_occ = obox is not None
    if e > 0:
        ill_e = ill * (1 - ew)
        e_ew = e * ew
    tOa = 1 - Oa if has_occ else None
    for k in range(3):
        ck = float(light['col'][k])
        if e > 0:
            fk = ill_e * ck
            fk += e_ew
        else:
            fk = ill * ck
        np.multiply(uw[k], fk, out=B[k])
        gp = Rw * float(tint[k])
        gp += B[k]
        if has_occ:
            gp *= tOa
            gp += Opm[k] * (ill * ck)
        glassphone.append(gp)
    # drop shadow on the surface
    az = light['az']
    f = 4 if light['sh_blur'] >= 4 else 2       # soft shadow: computed at reduced resolution
    small = aw_img.reduce(f)
    small = small.filter(ImageFilter.GaussianBlur(max(0.5, light['sh_blur'] / f)))
    off = light['sh_off'] / f
    small = small.transform(small.size, Image.AFFINE, (1, 0, off * math.cos(az), 0, 1, off * math.sin(az)),
                            Image.BILINEAR)
    sh = small.resize(aw_img.size, Image.BILINEAR)
    shm = np.asarray(sh, F32) * (light['sh_dark'] / 255.0)
    keep_s = 1 - shm
    keep_s *= 1 - aw
    for k in range(3):
        blk = scene[k, by0:by1, bx0:bx1]
        blk *= keep_s
        gp = glassphone[k]
        gp *= aw
        blk += gp
    # frame-level thin shadows (rails / wires) that cross everything, phone included
    Sfull = None
    nuis = list(info['nuis']) + list(snuis)
    if flags['rail_shadow']:
        nuis.append('rail_shadow')
        for _ in range(int(rn.integers(1, 3))):
            vertical = rn.random() < 0.3
            ang = math.radians(rn.uniform(-4, 4))
            wdt = rn.uniform(1.5, 7) * sf
            soft = rn.uniform(0.6, 3) * sf
            dk = rn.uniform(0.12, 0.45)
            if not vertical:
                y0 = rn.uniform(0.05, 0.95) * H
                ext = abs(math.tan(ang)) * W + wdt + 4 * soft + 4
                r0, r1 = int(max(0, y0 - ext)), int(min(H, y0 + ext))
                if r1 <= r0:
                    continue
                yy = np.arange(r0, r1, dtype=F32)[:, None] + 0.5
                xx = np.arange(W, dtype=F32)[None, :] + 0.5
                dist = np.abs((yy - y0) - (xx - W / 2) * math.tan(ang)) * math.cos(ang)
                prof = 1 - dk * np.clip((wdt / 2 - dist) / soft + 0.5, 0, 1)
                scene[:, r0:r1] *= prof[None]
                if Sfull is None:
                    Sfull = np.ones((H, W), F32)
                Sfull[r0:r1] *= prof
            else:
                x0 = rn.uniform(0.05, 0.95) * W
                ext = abs(math.tan(ang)) * H + wdt + 4 * soft + 4
                c0, c1 = int(max(0, x0 - ext)), int(min(W, x0 + ext))
                if c1 <= c0:
                    continue
                xx = np.arange(c0, c1, dtype=F32)[None, :] + 0.5
                yy = np.arange(H, dtype=F32)[:, None] + 0.5
                dist = np.abs((xx - x0) - (yy - H / 2) * math.tan(ang)) * math.cos(ang)
                prof = 1 - dk * np.clip((wdt / 2 - dist) / soft + 0.5, 0, 1)
                scene[:, :, c0:c1] *= prof[None]
                if Sfull is None:
                    Sfull = np.ones((H, W), F32)
                Sfull[:, c0:c1] *= prof
    Sb = Sfull[by0:by1, bx0:bx1] if Sfull is not None else 1.0
    T = (aw * (1 - Oa) if has_occ else aw.copy()).astype(F32)
    if Sfull is not None:
        T *= Sb
    scene *= cam['gain']      # exposure (white balance is applied after the sensor, in the camera's LUT)
    if lay['lit'] and info.get('lines'):
        nuis.append('ui_lines')
    nuis = [n for n in NUISANCES if n in nuis]
    phone_q = fwd(rect)
    dq = np.array([[g['disp'][0], g['disp'][1]], [g['disp'][2], g['disp'][1]], [g['disp'][2], g['disp'][3]],
                   [g['disp'][0], g['disp'][3]]], float)
    screen_q = fwd(dq)
    meta = dict(screen='lit' if lay['lit'] else 'dark', nuisances=nuis, width=W, height=H,
                phone=phone_q.astype(float), screen_quad=screen_q.astype(float), surface=surf_kind,
                device=lay['dev'], content=info['app'])
    return dict(W=W, H=H, sf=sf, lay=lay, cam=cam, light=light, lens=lens, Hm=Hm, fwd=fwd, g=g, bb=bb,
                scene=scene, B=B, Rl=Rw, T=T, tint=tint, prot=info['prot'], meta=meta)


# ----------------------------------------------------------------------------------------------------------------
# camera
# ----------------------------------------------------------------------------------------------------------------

def _cam_fields(seed, i, cam, W, H):
    """Sensor noise shared by both twins, from the noise stream only: per-pixel luma noise and 2x2-block
    (Bayer-like) colour noise, planar.  W and H are even."""
    r = _rng(seed, i, K_NOISE)
    cb = r.standard_normal((3, H // 2, W // 2), dtype=F32)
    cb *= cam['chroma']
    nl = r.standard_normal((H, W), dtype=F32)
    return nl, cb


def _vignette(x0, y0, w, h, cam, W, H):
    hd = 0.5 * math.hypot(W, H)
    xs = (np.arange(x0, x0 + w, dtype=F32) + 0.5 - W / 2) / hd
    ys = (np.arange(y0, y0 + h, dtype=F32) + 0.5 - H / 2) / hd
    return (1.0 - cam['vig'] * xs * xs)[None, :] - (cam['vig'] * ys * ys)[:, None]


def _camera(sc, x0, y0, cam, fields, W, H):
    """Camera on a planar scene crop (3,h,w float, exposure applied, at even frame offset x0,y0, even h,w)
    -> uint8 (h,w,3).  Position-dependent parts (vignetting, chromatic aberration, noise) use absolute frame
    coordinates, so a pixel gets the same treatment in the full frame and in a crop."""
    nl, cb = fields
    h, w = sc.shape[1:]
    V = _vignette(x0, y0, w, h, cam, W, H)
    chn = []
    for k in range(3):                  # optics (vignetting) + sensor saturation
        p = sc[k] * V
        np.clip(p, 0, 255, out=p)
        chn.append(Image.fromarray(p.astype(np.uint8)))
    if cam['ca'] > 0:       # lateral CA: red magnified about the frame centre (fringe of about a pixel)
        hd = 0.5 * math.hypot(W, H)
        m = 1.0 + cam['ca'] / hd
        cxf, cyf = W / 2.0 - x0, H / 2.0 - y0
        chn[0] = chn[0].transform((w, h), Image.AFFINE, (1 / m, 0, cxf - cxf / m, 0, 1 / m, cyf - cyf / m),
                                  Image.BILINEAR)
    d = cam['defocus']
    if d > 0.3:             # defocus: one box pass with the same variance (two for larger blur)
        im = Image.merge('RGB', chn)
        npass = 1 if d <= 1.2 else 2
        r = (math.sqrt(12.0 * d * d / npass + 1.0) - 1.0) / 2.0
        for _ in range(npass):
            im = im.filter(ImageFilter.BoxBlur(r))
        chn = im.split()
    L = cam['motion']
    pl = []
    for k in range(3):
        u = np.asarray(chn[k])
        if L >= 2:              # motion blur along the conveyor (frame x): box of L px
            q = L // 2
            pp = np.concatenate([np.repeat(u[:, :1], q, 1), u, np.repeat(u[:, -1:], L - 1 - q, 1)], 1)
            acc = pp[:, 0:w].astype(np.uint16)
            for j in range(1, L):
                acc += pp[:, j:j + w]
            a = acc.astype(F32)
            a *= 1.0 / L
        else:
            a = u.astype(F32)
        pl.append(a)
    Y = pl[0] * 0.299
    Y += pl[1] * 0.587
    Y += pl[2] * 0.114
    sig = Y * cam['shot']
    sig += cam['read'] ** 2
    np.sqrt(sig, out=sig)
    add = sig * nl[y0:y0 + h, x0:x0 + w]
    add += 0.5
    if cam['usm'] is not None:   # in-camera sharpening of luma (halos on every edge)
        rad, amt, thr = cam['usm']
        np.clip(Y, 0, 255, out=Y)
        Yi = Image.fromarray((Y + 0.5).astype(np.uint8)).filter(ImageFilter.BoxBlur(rad))
        det = Y - np.asarray(Yi, F32)
        if thr > 0:
            det[np.abs(det) <= thr] = 0.0
        det *= amt
        add += det
    sb = sig[::2, ::2]
    out = []
    for k in range(3):
        a = pl[k]
        a += add
        nb = sb * cb[k, y0 // 2:(y0 + h) // 2, x0 // 2:(x0 + w) // 2]
        a2 = a.reshape(h // 2, 2, w)
        a2 += np.repeat(nb, 2, 1)[:, None, :]
        np.minimum(a, 255, out=a)
        np.maximum(a, 0, out=a)
        out.append(Image.fromarray(a.astype(np.uint8)))
    return np.asarray(Image.merge('RGB', out).point(cam['lut']))


def _luma(a):
    a = np.asarray(a, F32)
    return a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114


# ----------------------------------------------------------------------------------------------------------------
# crack geometry (device-local coordinates, local px ~ frame px)
# ----------------------------------------------------------------------------------------------------------------

def _poly(p, wm=1.0, a0=1.0, fade=0.0, lam=60.0, tap0=False, tap1=True):
    return dict(p=np.asarray(p, float), wm=wm, a0=a0, fade=fade, lam=lam, tap0=tap0, tap1=tap1)


def _edge_point(rng, reg, side=None):
    x0, y0, x1, y1, r = reg
    w, h = x1 - x0, y1 - y0
    if side is None:
        side = int(rng.choice(4, p=np.array([w, h, w, h]) / (2 * (w + h))))
    t = rng.uniform(0.1, 0.9)
    p, n = [(np.array([x0 + t * w, y0]), np.array([0.0, 1.0])), (np.array([x1, y0 + t * h]), np.array([-1.0, 0.0])),
            (np.array([x0 + t * w, y1]), np.array([0.0, -1.0])), (np.array([x0, y0 + t * h]), np.array([1.0, 0.0]))][side]
    for _ in range(60):
        if _in_rrect(p[None], reg, 1.0)[0]:
            break
        p = p + n
    return p, n


def _point_at_radius(p, c, r):
    d = np.hypot(p[:, 0] - c[0], p[:, 1] - c[1])
    k = np.nonzero(d >= r)[0]
    if len(k) == 0 or k[0] == 0:
        return None
    j = k[0]
    f = (r - d[j - 1]) / max(1e-6, d[j] - d[j - 1])
    return p[j - 1] + f * (p[j] - p[j - 1])


def _arc(rng, c, pa, pb, chord=False, jit=0.4):
    a0 = math.atan2(pa[1] - c[1], pa[0] - c[0])
    a1 = math.atan2(pb[1] - c[1], pb[0] - c[0])
    da = (a1 - a0 + np.pi) % (2 * np.pi) - np.pi
    r0, r1 = math.hypot(*(pa - c)), math.hypot(*(pb - c))
    L = abs(da) * (r0 + r1) / 2
    n = max(3, int(L / 3.5) + 1)
    t = np.linspace(0, 1, n)
    if chord:
        pts = pa[None] + t[:, None] * (pb - pa)[None]
    else:
        ang = a0 + da * t
        rr = r0 + (r1 - r0) * t + rng.normal(0, 0.02) * (r0 + r1) * np.sin(np.pi * t)
        pts = c[None] + rr[:, None] * np.stack([np.cos(ang), np.sin(ang)], -1)
    nrm = np.stack([-np.gradient(pts[:, 1]), np.gradient(pts[:, 0])], -1)
    nrm /= np.maximum(1e-6, np.hypot(nrm[:, 0], nrm[:, 1]))[:, None]
    j = np.cumsum(rng.normal(0, jit, n)) * 0.5
    j -= np.linspace(j[0], j[-1], n)
    return pts + nrm * j[:, None]


def _gen_web(rng, reg, c, diag, n_rad=(5, 15), long_p=0.45, rings=(0, 4), sfw=1.0, chips=True):
    polys, chip = [], []
    nr = int(rng.integers(*n_rad))
    base = rng.uniform(0, 2 * np.pi)
    angs = base + 2 * np.pi * (np.arange(nr) + rng.uniform(-0.32, 0.32, nr)) / nr
    rad = []
    for a in angs:
        ln = diag * (2.0 if rng.random() < long_p else rng.uniform(0.06, 0.45))
        p = _walk(rng, c, a, ln, rng.uniform(3, 5), wander=rng.uniform(0.01, 0.05), curv=rng.normal(0, 0.004),
                  kink_p=0.02, kink_deg=25)
        rad.append(p)
        polys.append(_poly(p, 1.0, rng.uniform(0.75, 1.0), fade=rng.uniform(0, 0.3), tap0=False, tap1=True))
        if rng.random() < 0.3 and len(p) > 8:
            j = int(rng.integers(len(p) // 4, len(p) - 2))
            bl = diag * rng.uniform(0.04, 0.2)
            bp = _walk(rng, p[j], a + rng.choice([-1, 1]) * rng.uniform(0.3, 0.9), bl, 3.5, wander=0.04)
            polys.append(_poly(bp, 0.75, rng.uniform(0.5, 0.9), fade=0.3))
    nring = int(rng.integers(*rings))
    radii = np.sort(rng.uniform(0.03, 0.22, nring)) * diag
    # near-centre shards (Voronoi-like cells: short straight chords between radials)
    rc = rng.uniform(0.012, 0.04) * diag
    inner = list(np.sort(rng.uniform(0.25, 1.0, int(rng.integers(1, 4)))) * rc)
    for ri, rr in [(x, True) for x in inner] + [(x, False) for x in radii]:
        for k in range(nr):
            if rng.random() < (0.75 if rr else 0.5):
                pa = _point_at_radius(rad[k], c, ri * rng.uniform(0.85, 1.15))
                pb = _point_at_radius(rad[(k + 1) % nr], c, ri * rng.uniform(0.85, 1.15))
                if pa is None or pb is None:
                    continue
                polys.append(_poly(_arc(rng, c, pa, pb, chord=rr), 0.8 if rr else 0.7, rng.uniform(0.45, 0.95),
                                   fade=0.2, tap1=False))
    if chips:
        for _ in range(int(rng.integers(2, 10))):
            q = c + rng.uniform(0, rc * 1.3) * np.array([math.cos(t := rng.uniform(0, 6.3)), math.sin(t)])
            rr = rng.uniform(1.0, 4.5) * sfw
            an = np.sort(rng.uniform(0, 2 * np.pi, int(rng.integers(4, 8))))
            chip.append(q[None] + (rr * rng.uniform(0.5, 1.2, len(an)))[:, None] * np.stack([np.cos(an), np.sin(an)], -1))
        for _ in range(int(rng.integers(2, 7))):
            a = rng.uniform(0, 2 * np.pi)
            polys.append(_poly(_walk(rng, c + rng.uniform(0, rc) * np.array([math.cos(a), math.sin(a)]),
                                     rng.uniform(0, 6.3), rng.uniform(3, 10) * sfw, 2.0, wander=0.3), 0.7, 0.8))
    return polys, chip


def _crack_geometry(rng, kind, reg, sf):
    x0, y0, x1, y1, r = reg
    gw, gh = x1 - x0, y1 - y0
    diag = math.hypot(gw, gh)
    polys, chips = [], []
    sfw = max(sf, 0.45)
    if kind == 'hairline':
        for _ in range(1 if rng.random() < 0.75 else 2):
            if rng.random() < 0.5:
                p0, n = _edge_point(rng, reg)
                a = math.atan2(n[1], n[0]) + rng.uniform(-0.6, 0.6)
                t0 = False
            else:
                p0 = np.array([rng.uniform(x0 + 0.15 * gw, x1 - 0.15 * gw), rng.uniform(y0 + 0.15 * gh, y1 - 0.15 * gh)])
                a = rng.uniform(0, 2 * np.pi)
                t0 = True
            p = _walk(rng, p0, a, diag * rng.uniform(0.45, 1.3), rng.uniform(4, 7), wander=rng.uniform(0.005, 0.025),
                      curv=rng.normal(0, 0.003), kink_p=0.012, kink_deg=20)
            polys.append(_poly(p, 1.0, 1.0, fade=rng.uniform(0.5, 0.85), lam=rng.uniform(40, 160) * sfw, tap0=t0))
    elif kind == 'running':
        for _ in range(1 if rng.random() < 0.7 else 2):
            p0, n = _edge_point(rng, reg)
            a = math.atan2(n[1], n[0]) + rng.uniform(-0.6, 0.6)
            p = _walk(rng, p0, a, diag * 2, rng.uniform(3.5, 6), wander=rng.uniform(0.01, 0.04),
                      curv=rng.normal(0, 0.004), kink_p=rng.uniform(0.01, 0.05), kink_deg=35)
            polys.append(_poly(p, 1.0, rng.uniform(0.8, 1.0), fade=rng.uniform(0.0, 0.4), tap0=False))
            for _ in range(int(rng.integers(0, 4))):
                inside = p[_in_rrect(p, reg, 2)]
                if len(inside) < 10:
                    break
                j = int(rng.integers(3, len(inside) - 3))
                d = inside[j + 1] - inside[j]
                a2 = math.atan2(d[1], d[0]) + rng.choice([-1, 1]) * rng.uniform(0.35, 0.9)
                bp = _walk(rng, inside[j], a2, diag * rng.uniform(0.05, 0.35), 4, wander=0.03, kink_p=0.03)
                polys.append(_poly(bp, 0.75, rng.uniform(0.5, 0.9), fade=0.35))
    elif kind == 'impact_web':
        c = np.array([rng.uniform(x0 + 0.12 * gw, x1 - 0.12 * gw), rng.uniform(y0 + 0.1 * gh, y1 - 0.1 * gh)])
        polys, chips = _gen_web(rng, reg, c, diag, sfw=sfw)
    elif kind == 'shatter':
        c = np.array([rng.uniform(x0 + 0.2 * gw, x1 - 0.2 * gw), rng.uniform(y0 + 0.2 * gh, y1 - 0.2 * gh)])
        polys, chips = _gen_web(rng, reg, c, diag, n_rad=(10, 20), long_p=0.75, rings=(2, 6), sfw=sfw)
        for _ in range(int(rng.integers(2, 6))):
            p0, n = _edge_point(rng, reg)
            p = _walk(rng, p0, math.atan2(n[1], n[0]) + rng.uniform(-0.7, 0.7), diag * 2, 4.5, wander=0.03,
                      kink_p=0.03, kink_deg=30)
            polys.append(_poly(p, 0.85, rng.uniform(0.6, 1.0), fade=0.2, tap0=False))
    elif kind == 'edge_break':
        p0, n = _edge_point(rng, reg)
        an = math.atan2(n[1], n[0])
        rr = rng.uniform(2, 6) * sfw
        a = np.sort(rng.uniform(0, 2 * np.pi, 7))
        chips.append(p0[None] - n[None] * rr * 0.3 + (rr * rng.uniform(0.5, 1.2, 7))[:, None] *
                     np.stack([np.cos(a), np.sin(a)], -1))
        for _ in range(int(rng.integers(2, 7))):
            a2 = an + rng.uniform(-1.2, 1.2)
            back = rng.random() < 0.35
            curv = (rng.choice([-1, 1]) * rng.uniform(0.03, 0.08)) if back else rng.normal(0, 0.005)
            p = _walk(rng, p0, a2, min(gw, gh) * rng.uniform(0.12, 0.8) * (2.5 if back else 1), rng.uniform(3, 5),
                      wander=rng.uniform(0.01, 0.05), curv=curv, kink_p=0.02)
            polys.append(_poly(p, 1.0, rng.uniform(0.7, 1.0), fade=0.25, tap0=False))
    elif kind == 'corner_break':
        k = int(rng.integers(4))
        cxs = [(x0 + r, y0 + r, -1, -1), (x1 - r, y0 + r, 1, -1), (x1 - r, y1 - r, 1, 1), (x0 + r, y1 - r, -1, 1)][k]
        cc = np.array(cxs[:2])
        dg = np.array(cxs[2:], float) / math.sqrt(2)
        p0 = cc + dg * r
        for _ in range(60):
            if _in_rrect(p0[None], reg, 1.5)[0]:
                break
            p0 = p0 - dg
        inward = math.atan2(-dg[1], -dg[0])
        rr = rng.uniform(2.5, 7) * sfw
        a = np.sort(rng.uniform(0, 2 * np.pi, 8))
        chips.append(p0[None] + (rr * rng.uniform(0.5, 1.2, 8))[:, None] * np.stack([np.cos(a), np.sin(a)], -1))
        nfan = int(rng.integers(2, 8))
        angs = inward + rng.uniform(-0.75, 0.75, nfan)
        rad = []
        for a2 in angs:
            p = _walk(rng, p0, a2, min(gw, gh) * rng.uniform(0.15, 1.2), rng.uniform(3, 5),
                      wander=rng.uniform(0.01, 0.05), curv=rng.normal(0, 0.008), kink_p=0.02)
            rad.append(p)
            polys.append(_poly(p, 1.0, rng.uniform(0.7, 1.0), fade=0.25, tap0=False))
        if rng.random() < 0.6 and nfan >= 2:
            order = np.argsort(angs)
            rr2 = min(gw, gh) * rng.uniform(0.05, 0.2)
            for j in range(nfan - 1):
                pa = _point_at_radius(rad[order[j]], p0, rr2)
                pb = _point_at_radius(rad[order[j + 1]], p0, rr2)
                if pa is not None and pb is not None:
                    polys.append(_poly(_arc(rng, p0, pa, pb), 0.7, rng.uniform(0.5, 0.9), tap1=False))
    return polys, chips


def _clip_poly(p, reg, m):
    ins = _in_rrect(p[:, :2], reg, m)
    if not ins.any():
        return None
    k0 = int(np.argmax(ins))
    p = p[k0:]
    ins = ins[k0:]
    out = np.nonzero(~ins)[0]
    if len(out) == 0:
        return p if len(p) >= 2 else None
    j = out[0]
    a, b = p[j - 1].copy(), p[j].copy()
    for _ in range(14):
        mid = (a + b) / 2
        if _in_rrect(mid[None, :2], reg, m)[0]:
            a = mid
        else:
            b = mid
    q = np.vstack([p[:j], a[None]])
    return q if len(q) >= 2 else None


def _resample(p, maxlen):
    d = np.hypot(np.diff(p[:, 0]), np.diff(p[:, 1]))
    s = np.r_[0, np.cumsum(d)]
    if s[-1] < 1e-6:
        return None
    n = max(1, int(math.ceil(s[-1] / maxlen)))
    t = np.linspace(0, s[-1], n + 1)
    return np.stack([np.interp(t, s, p[:, k]) for k in range(p.shape[1])], -1)


# ----------------------------------------------------------------------------------------------------------------
# crack rendering (frame coordinates, inside the phone bbox)
# ----------------------------------------------------------------------------------------------------------------

def _ov(sd, lo, hi):
    """Coverage of pixel interval [sd-0.5, sd+0.5] by band [lo, hi]."""
    return np.clip(np.minimum(sd + 0.5, hi) - np.maximum(sd - 0.5, lo), 0.0, 1.0)


def _raster(P0, P1, rad, cw, ch):
    """Nearest-segment rasterisation: per touched pixel the nearest segment, unsigned and signed distance."""
    mid = (P0 + P1) / 2
    half = np.hypot(*(P1 - P0).T) / 2
    K = int(math.ceil(half.max() + rad.max() + 1))
    o = np.arange(-K, K + 1)
    ox, oy = np.meshgrid(o, o)
    ox, oy = ox.ravel(), oy.ravel()
    out = []
    n = len(P0)
    chunk = max(1, 400000 // len(ox))
    for s0 in range(0, n, chunk):
        sl = slice(s0, min(n, s0 + chunk))
        px = np.floor(mid[sl, 0]).astype(np.int32)[:, None] + ox[None]
        py = np.floor(mid[sl, 1]).astype(np.int32)[:, None] + oy[None]
        qx = (px + 0.5 - P0[sl, 0:1]).astype(F32)
        qy = (py + 0.5 - P0[sl, 1:2]).astype(F32)
        dx = (P1[sl, 0] - P0[sl, 0]).astype(F32)[:, None]
        dy = (P1[sl, 1] - P0[sl, 1]).astype(F32)[:, None]
        L2 = np.maximum(dx * dx + dy * dy, 1e-6)
        t = np.clip((qx * dx + qy * dy) / L2, 0, 1)
        ex, ey = qx - t * dx, qy - t * dy
        d = np.sqrt(ex * ex + ey * ey)
        ds = (dx * qy - dy * qx) / np.sqrt(L2)
        ok = (d <= rad[sl, None]) & (px >= 0) & (px < cw) & (py >= 0) & (py < ch)
        si, mi = np.nonzero(ok)
        out.append((py[si, mi].astype(np.int64) * cw + px[si, mi], si + s0, d[si, mi], ds[si, mi]))
    pix = np.concatenate([o_[0] for o_ in out])
    seg = np.concatenate([o_[1] for o_ in out])
    dd = np.concatenate([o_[2] for o_ in out])
    ds = np.concatenate([o_[3] for o_ in out])
    key = pix * 65536 + np.minimum(65535, (dd * 2048).astype(np.int64))
    order = np.argsort(key, kind='stable')
    ps = pix[order]
    first = np.r_[True, ps[1:] != ps[:-1]]
    w = order[first]
    return pix[w], seg[w], dd[w], ds[w]


def _crack_prepare(sc, rng, force=False):
    sf = sc['sf']
    g = sc['g']
    prot = sc['prot']
    if prot is not None:
        kind = 'under_protector'
        gkind = str(rng.choice(['impact_web', 'running', 'hairline', 'edge_break', 'corner_break'],
                               p=[0.3, 0.25, 0.2, 0.15, 0.1]))
        reg = prot
    else:
        kind = str(rng.choice(['hairline', 'running', 'impact_web', 'edge_break', 'corner_break', 'shatter'],
                              p=[0.26, 0.18, 0.22, 0.13, 0.12, 0.09]))
        gkind = kind
        reg = g['glass']
    wn = int(rng.choice([1, 2, 3], p=[0.8, 0.17, 0.03] if gkind == 'hairline' else [0.45, 0.35, 0.2]))
    polys, chips = _crack_geometry(rng, gkind, reg, sf)
    if kind == 'under_protector' or force:
        chips = []
    if force:
        polys = []
    # rendering parameters
    u = rng.random()
    contrast = rng.uniform(0.12, 0.35) if u < 0.45 else (rng.uniform(0.35, 0.7) if u < 0.8 else rng.uniform(0.7, 1.0))
    if force:
        contrast = 1.0
    mode = str(rng.choice(['dark', 'bright', 'mixed'], p=[0.35, 0.25, 0.4]))
    P = dict(dark=contrast * rng.uniform(0.45, 0.9) * (0.35 if mode == 'bright' else 1.0),
             rb=contrast * rng.uniform(0.5, 0.95),
             glint=contrast * rng.uniform(25, 110) * (0.35 if mode == 'dark' else 1.0),
             rim=contrast * rng.uniform(20, 90),
             delta=rng.uniform(0.6, 2.0) * sf if rng.random() < 0.85 else 0.0,
             band=rng.uniform(1.5, 3.2) * max(sf, 0.6), halo=0.0)
    if kind == 'under_protector':
        P['rb'] *= 0.25
        P['rim'] *= 0.35
        P['glint'] *= 0.5
        P['halo'] = contrast * rng.uniform(3, 12)
    # local -> frame -> bbox coordinates; resample; attributes
    bx0, by0, bx1, by1 = sc['bb']
    fwd = sc['fwd']
    Lw = sc['lay']['Lw']
    segs = []
    total = 0.0
    for pl in polys:
        p = pl['p']
        n = len(p)
        if n < 2:
            continue
        s = np.r_[0, np.cumsum(np.hypot(*np.diff(p, axis=0).T))]
        S = max(s[-1], 1e-6)
        v = _noise1d(rng, n, max(2.0, pl['lam'] / max(1e-6, S / max(1, n - 1))))
        if pl['fade'] > 0.45:
            gap = min(pl['fade'] * 0.35, 0.6 * float(v.max()))
            a = np.clip((v - gap) / (1 - gap), 0, 1) ** 0.7
            a = a / max(a.max(), 1e-3)
        else:
            a = 1 - pl['fade'] * (1 - v)
        tl = rng.uniform(8, 35) * max(sf, 0.5)
        f = np.ones(n)
        if pl['tap0']:
            f = np.minimum(f, np.clip(s / tl, 0, 1))
        if pl['tap1']:
            f = np.minimum(f, np.clip((S - s) / tl, 0, 1))
        a = a * pl['a0'] * (0.15 + 0.85 * f)
        w = pl['wm'] * (0.4 + 0.6 * f) * (1 + 0.25 * (_noise1d(rng, n, 6) - 0.5))
        spark = 0.55 + 0.8 * _noise1d(rng, n, rng.uniform(3, 10))
        q = np.c_[p, a, w, spark]
        q = _clip_poly(q, reg, 0.8 + 0.5 * wn * sf)
        if q is None:
            continue
        xy = fwd(q[:, :2]) - np.array([bx0, by0])
        q = np.c_[xy, q[:, 2:]]
        q = _resample(q, 5.0)
        if q is None:
            continue
        L = float(np.hypot(*np.diff(q[:, :2], axis=0).T).sum())
        if total + L > 16000 * max(sf, 0.5):
            break
        total += L
        side = float(rng.choice([-1.0, 1.0]))
        dl = P['delta'] * rng.uniform(0.5, 1.0)
        segs.append((q, side, dl))
    if not segs:
        if not force:
            return None
        # last resort: a plain straight crack across the middle of the display
        dx0, dy0, dx1, dy1 = g['disp']
        c = np.array([(dx0 + dx1) / 2, (dy0 + dy1) / 2 + rng.uniform(-0.2, 0.2) * (dy1 - dy0)])
        a = rng.uniform(-0.5, 0.5)
        hl = 0.4 * (dx1 - dx0)
        p = np.stack([c - hl * np.array([math.cos(a), math.sin(a)]), c + hl * np.array([math.cos(a), math.sin(a)])])
        p = _resample(p, 4.0)
        xy = fwd(p) - np.array([bx0, by0])
        q = np.c_[xy, np.ones(len(p)), np.ones(len(p)), np.ones(len(p))]
        segs.append((q, 1.0, P['delta']))
    P0, P1, A, Wd, SP, SIDE, DL = [], [], [], [], [], [], []
    for q, side, dl in segs:
        P0.append(q[:-1, :2]); P1.append(q[1:, :2])
        A.append((q[:-1, 2] + q[1:, 2]) / 2)
        Wd.append((q[:-1, 3] + q[1:, 3]) / 2)
        SP.append((q[:-1, 4] + q[1:, 4]) / 2)
        SIDE.append(np.full(len(q) - 1, side)); DL.append(np.full(len(q) - 1, dl))
    P0, P1 = np.concatenate(P0), np.concatenate(P1)
    A, Wd, SP, SIDE, DL = [np.concatenate(x) for x in (A, Wd, SP, SIDE, DL)]
    wf = np.maximum(0.2, Wd * wn * sf)
    sfc = max(sf, 0.6)
    rimw = 0.9 * sfc
    rad = np.maximum(wf / 2 + 0.5 * sfc + rimw, wf / 2 + P['band']) + 1.2 + (2.5 * sfc if P['halo'] > 0 else 0)
    bw_, bh_ = bx1 - bx0, by1 - by0
    pix, seg, d, ds = _raster(P0, P1, rad, bw_, bh_)
    dv = P1 - P0
    ln = np.maximum(1e-6, np.hypot(dv[:, 0], dv[:, 1]))
    nx, ny = -dv[:, 1] / ln, dv[:, 0] / ln        # left normal (matches sign of ds)
    az = sc['light']['az']
    lxf, lyf = math.cos(az), math.sin(az)
    facing = nx * lxf + ny * lyf
    s_ = seg
    sd = np.where(ds >= 0, d, -d)
    w_ = wf[s_]
    a_ = A[s_]
    C = _ov(sd, -w_ / 2, w_ / 2) * a_
    fs = facing[s_]
    lo = np.where(fs >= 0, w_ / 2, -w_ / 2 - rimw)
    hi = np.where(fs >= 0, w_ / 2 + rimw, -w_ / 2)
    Rm = _ov(sd, lo, hi) * np.abs(fs) ** 0.7 * a_
    G = _ov(sd, -w_ / 2 - 0.3, w_ / 2 + 0.3) * a_ * (0.2 + 0.8 * np.abs(fs) ** 1.5) * SP[s_]
    sdd = SIDE[s_]
    WB = _ov(sd * sdd, -0.5 * w_, w_ / 2 + P['band']) * np.minimum(1.0, a_ * 1.5)
    WB = np.where(DL[s_] > 0, WB, 0.0)
    SX = sdd * nx[s_] * DL[s_]
    SY = sdd * ny[s_] * DL[s_]
    HL = _ov(d, 0, w_ / 2 + 2.5 * sfc) * a_ if P['halo'] > 0 else np.zeros_like(C)
    CL, G0 = C, G
    # chips (impact flakes): AA polygons
    if chips:
        cp = [fwd(c_) - np.array([bx0, by0]) for c_ in chips]
        allp = np.vstack(cp)
        cx0, cy0 = int(max(0, math.floor(allp[:, 0].min()) - 2)), int(max(0, math.floor(allp[:, 1].min()) - 2))
        cx1, cy1 = int(min(bw_, math.ceil(allp[:, 0].max()) + 2)), int(min(bh_, math.ceil(allp[:, 1].max()) + 2))
        if cx1 > cx0 and cy1 > cy0:
            # each flake is split into facets: some catch the light (bright), some scatter it away (dark),
            # with a dark broken edge around the flake
            mb = Image.new('L', ((cx1 - cx0) * 4, (cy1 - cy0) * 4), 0)
            mk = Image.new('L', mb.size, 0)
            db, dk_ = ImageDraw.Draw(mb), ImageDraw.Draw(mk)
            for c_ in cp:
                q = [((x - cx0) * 4, (y - cy0) * 4) for x, y in c_]
                ctr = np.mean(q, 0)
                for j in range(len(q)):
                    tri = [tuple(ctr), q[j], q[(j + 1) % len(q)]]
                    (db if rng.random() < 0.55 else dk_).polygon(tri, fill=int(rng.uniform(120, 255)))
                dk_.line(q + [q[0]], fill=255, width=max(2, int(3 * max(sf, 0.5))))
            Mb = np.asarray(mb.reduce(4), F32) / 255.0
            Mk = np.asarray(mk.reduce(4), F32) / 255.0
            yy, xx = np.nonzero((Mb > 0.01) | (Mk > 0.01))
            cpix = (yy + cy0).astype(np.int64) * bw_ + (xx + cx0)
            mv = Mk[yy, xx]
            spk = Mb[yy, xx] * 1.6
            # merge with segment pixels
            allpix = np.union1d(pix, cpix)
            def scatter(vals, pp):
                out = np.zeros(len(allpix), F32)
                out[np.searchsorted(allpix, pp)] = vals
                return out
            CL = scatter(C, pix)
            C = np.maximum(CL, scatter(mv * 0.9, cpix))
            G = np.maximum(scatter(G, pix), scatter(spk, cpix))
            Rm, WB, SX, SY, HL = [scatter(x, pix) for x in (Rm, WB, SX, SY, HL)]
            G0 = scatter(G0, pix)
            pix = allpix
    keep = (C > 1e-4) | (Rm > 1e-4) | (G > 1e-4) | (WB > 1e-4) | (HL > 1e-4)
    if not keep.any():
        return None
    pix = pix[keep]
    maps = dict(CL=(CL + 0.5 * G0)[keep].astype(F32), C=C[keep].astype(F32), Rm=Rm[keep].astype(F32), G=G[keep].astype(F32), WB=WB[keep].astype(F32),
                SX=SX[keep].astype(F32), SY=SY[keep].astype(F32), HL=HL[keep].astype(F32))
    return dict(kind=kind, wn=wn, P=P, pix=pix, maps=maps, contrast=contrast, mode=mode)


def _bilerp(img, x, y):
    h, w = img.shape[:2]
    x = np.clip(x, 0, w - 1.001)
    y = np.clip(y, 0, h - 1.001)
    x0 = np.floor(x).astype(np.int64)
    y0 = np.floor(y).astype(np.int64)
    fx, fy = (x - x0).astype(F32), (y - y0).astype(F32)
    if img.ndim == 3:
        fx, fy = fx[:, None], fy[:, None]
    return (img[y0, x0] * (1 - fx) * (1 - fy) + img[y0, x0 + 1] * fx * (1 - fy) +
            img[y0 + 1, x0] * (1 - fx) * fy + img[y0 + 1, x0 + 1] * fx * fy)


def _crack_delta(sc, cr, boost):
    """Scene delta at the crack pixels (flat phone-bbox indices) for a given contrast boost."""
    P, m, pix = cr['P'], cr['maps'], cr['pix']
    bx0, by0, bx1, by1 = sc['bb']
    bw_ = bx1 - bx0
    B, Rl, T, tint = sc['B'], sc['Rl'], sc['T'], sc['tint']
    py, px = pix // bw_, pix % bw_
    Bp = B[:, py, px].T
    Rp = Rl[py, px]
    C, Rm, G, WB, HL = m['C'], m['Rm'], m['G'], m['WB'], m['HL']
    cam = sc['cam']
    W, H = sc['W'], sc['H']
    hd = 0.5 * math.hypot(W, H)
    V = 1 - cam['vig'] * (((px + bx0 + 0.5 - W / 2) / hd) ** 2 + ((py + by0 + 0.5 - H / 2) / hd) ** 2)
    clamp_sat = True
    if clamp_sat:   # the crack's scattering also shows on a clipped (over-exposed) screen
        sat = 255.0 / (cam['gain'] * V[:, None]) - Rp[:, None] * tint[None]
        Bc = np.where((C > 0.02)[:, None], np.minimum(Bp, np.maximum(sat, 0)), Bp)
    wb = WB[:, None]
    Bs = np.stack([_bilerp(B[k], px - m['SX'], py - m['SY']) for k in range(3)], -1)
    Rs = _bilerp(Rl, px - 2.5 * m['SX'], py - 2.5 * m['SY'])
    if clamp_sat:
        Bs = np.minimum(Bs, np.maximum(sat, 0))
    Bn = Bc + wb * (Bs - Bc)
    Rn = Rp + WB * (Rs - Rp)
    dk = min(0.97, P['dark'] * boost)
    rbk = min(0.97, P['rb'] * boost)
    Bn = Bn * (1 - dk * np.minimum(1, C))[:, None]
    Rn = Rn * (1 - rbk * np.minimum(1, C))
    L = sc['light']
    add = (P['rim'] * Rm + P['glint'] * G + P['halo'] * HL) * boost
    delta = (Bn - Bp) + ((Rn - Rp)[:, None] + add[:, None] * (L['col'] * L['amb'])[None]) * tint[None]
    return delta * (T[py, px] * cam['gain'])[:, None], py + by0, px + bx0


def _camera_margin(cam):
    d = cam['defocus']
    r = cam['usm'][0] if cam['usm'] is not None else 0
    return int(math.ceil(3 * max(d, 0.5) + cam['motion'] + 2 * cam['ca'] + 3 * r + 6))


def _dilate(mask, r):
    m = mask.astype(np.int32)
    for ax in (0, 1):
        n = m.shape[ax]
        pad = [(0, 0), (0, 0)]
        pad[ax] = (r + 1, r)
        c = np.cumsum(np.pad(m, pad), ax)
        if ax == 0:
            m = ((c[2 * r + 1:] - c[:n]) > 0).astype(np.int32)
        else:
            m = ((c[:, 2 * r + 1:] - c[:, :n]) > 0).astype(np.int32)
    return m > 0


def _pool(a, H):
    if H <= 560:
        return a
    h, w = a.shape
    f = 540.0 / H
    return np.asarray(Image.fromarray(a.astype(F32), 'F').resize((max(1, int(round(w * f))), max(1, int(round(h * f)))),
                                                                   Image.BOX))


BOOSTS = [1.0, 1.7, 2.8, 4.5, 7.5, 12.0]
VIS_P50, VIS_P90, VIS_MAX = 4.0, 6.0, 10.0


def _make(seed, i, want_crack):
    sc = _scene(seed, i)
    W, H = sc['W'], sc['H']
    cam = sc['cam']
    nz = _cam_fields(seed, i, cam, W, H)
    ok = _camera(sc['scene'], 0, 0, cam, nz, W, H)
    quality = int(_rng(seed, i, K_QUAL).integers(35, 96))
    meta = dict(sc['meta'])
    if not want_crack:
        return ok, None, quality, meta, None
    M = _camera_margin(cam)
    scene = sc['scene']
    phone = meta['phone']
    rng = _rng(seed, i, K_CRACK)
    for attempt in range(3):
        cr = _crack_prepare(sc, rng, force=attempt == 2)
        if cr is None:
            continue
        res = _crack_camera(sc, cr, ok, nz, M)
        if res[-1]['passed']:
            break
    y0, y1, x0, x1, sel, out, info = res
    cracked = ok.copy()
    reg = cracked[y0:y1, x0:x1]
    reg[sel] = out[sel]
    meta['kind'] = cr['kind']
    meta['crack_width'] = int(cr['wn'])
    info['contrast'] = cr['contrast']
    info['mode'] = cr['mode']
    info['attempt'] = attempt
    return ok, cracked, quality, meta, info


def _crack_camera(sc, cr, ok, nz, M):
    """Add the crack to the scene crop, run the camera on the crop, raise the crack contrast until it is visible
    (pooled to the detector's 540 lines, over the crack core: median >= VIS_P50, 90th percentile >= VIS_P90,
    max >= VIS_MAX grey levels)."""
    W, H, cam, scene = sc['W'], sc['H'], sc['cam'], sc['scene']
    phone = sc['meta']['phone']
    for bi, boost in enumerate(BOOSTS):
        delta, fy, fx = _crack_delta(sc, cr, boost)
        x0, y0 = int(max(0, fx.min() - 2 * M)) // 2 * 2, int(max(0, fy.min() - 2 * M)) // 2 * 2
        x1, y1 = int(min(W, fx.max() + 2 + 2 * M)) // 2 * 2, int(min(H, fy.max() + 2 + 2 * M)) // 2 * 2
        crop = scene[:, y0:y1, x0:x1].copy()
        crop[:, fy - y0, fx - x0] += delta.T
        out = _camera(crop, x0, y0, cam, nz, W, H)
        ref = ok[y0:y1, x0:x1]
        qm = Image.new('L', (x1 - x0, y1 - y0), 0)
        ImageDraw.Draw(qm).polygon([(float(x - x0), float(y - y0)) for x, y in phone], fill=1)
        qm = np.asarray(qm, bool)
        # only pixels the crack can reach (support dilated by the camera footprint), only inside the phone quad
        sa = np.zeros((y1 - y0, x1 - x0), bool)
        sa[fy - y0, fx - x0] = True
        sup = _dilate(sa, M)
        sel = qm & sup & np.any(out != ref, axis=2)
        dy = np.where(sel, _luma(out) - _luma(ref), 0.0)
        pooled = np.abs(_pool(dy, H))
        cm = np.zeros((y1 - y0, x1 - x0), F32)
        cm[fy - y0, fx - x0] = cr['maps']['CL']
        cp = _pool(cm, H)
        core = cp >= 0.4 * max(cp.max(), 1e-6)
        p50, p90 = (float(x) for x in np.percentile(pooled[core], [50, 90])) if core.any() else (0.0, 0.0)
        mx = float(pooled.max())
        # noise at the crack (per pixel, then at detector scale) raises the bar for noisy frames
        sig = math.sqrt(cam['read'] ** 2 + cam['shot'] * float(np.mean(ref[sa]))) * math.sqrt(1 + cam['chroma'] ** 2 / 3)
        sig /= max(1.0, H / 540.0)
        passed = (p50 >= max(VIS_P50, 0.8 * sig) and p90 >= max(VIS_P90, 1.5 * sig) and
                  mx >= max(VIS_MAX, 2.5 * sig))
        info = dict(boost=boost, p50=p50, p90=p90, max=mx, raw_max=float(np.abs(dy).max()), passed=passed)
        if passed:
            break
    return y0, y1, x0, x1, sel, out, info


# ----------------------------------------------------------------------------------------------------------------
# public API
# ----------------------------------------------------------------------------------------------------------------

def twins(seed, i):
    """Frame i of seed as counterfactual twins (ok, cracked, quality, meta); they differ only by the crack."""
    ok, cracked, q, meta, _ = _make(seed, i, True)
    return ok, cracked, q, meta


def _label(seed, i):
    return 'cracked' if _rng(seed, i, K_LABEL).random() < 0.5 else 'ok'


def _render_array(seed, i):
    label = _label(seed, i)
    ok, cracked, q, meta, _ = _make(seed, i, label == 'cracked')
    if label == 'ok':
        meta = dict(meta)
        meta['kind'] = 'none'
        meta['crack_width'] = 0
        return ok, label, q, meta
    return cracked, label, q, meta


def render(seed, i):
    """Frame i of the set: (jpeg_bytes, label, meta)."""
    arr, label, q, meta = _render_array(seed, i)
    buf = io.BytesIO()
    Image.fromarray(arr).save(buf, format='JPEG', quality=int(q))
    meta = dict(meta)
    meta['quality'] = int(q)
    return buf.getvalue(), label, meta


# ----------------------------------------------------------------------------------------------------------------
# CLI
# ----------------------------------------------------------------------------------------------------------------

class _ArgError(Exception):
    pass


class _Parser(argparse.ArgumentParser):
    def error(self, message):
        raise _ArgError(message)


def _main(argv):
    ap = _Parser(prog='evalgen5.py', add_help=True)
    ap.add_argument('--out', required=True)
    ap.add_argument('--count', required=True, type=int)
    ap.add_argument('--seed', required=True, type=int)
    ap.add_argument('--workers', type=int, default=1)
    try:
        a = ap.parse_args(argv)
        if a.count < 1:
            raise _ArgError('--count must be >= 1')
        if a.count > 99999:
            raise _ArgError('--count must be <= 99999 (5-digit file names)')
        if a.seed < 0:
            raise _ArgError('--seed must be >= 0')
        if a.workers < 1 or a.workers > 64:
            raise _ArgError('--workers must be between 1 and 64')
        if os.path.exists(a.out) and not os.path.isdir(a.out):
            raise _ArgError('--out %s exists and is not a directory' % a.out)
        try:
            os.makedirs(a.out, exist_ok=True)
        except OSError as e:
            raise _ArgError('cannot create --out %s: %s' % (a.out, e.strerror or e))
        if not os.access(a.out, os.W_OK):
            raise _ArgError('--out %s is not writable' % a.out)
    except _ArgError as e:
        sys.stderr.write('evalgen5.py: error: %s\n' % e)
        return 2
    write_set(render, a.out, a.count, a.seed, a.workers)
    return 0


if __name__ == '__main__':
    sys.exit(_main(sys.argv[1:]))
