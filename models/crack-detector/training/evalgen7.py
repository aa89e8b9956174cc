#!/usr/bin/env python3
"""evalgen7 -- synthetic inspection-station frames for the screen-crack detector, as counterfactual twins.

Style: an industrial inspection cell on a conveyor.  Per frame one lighting set-up is chosen:
  brightfield  diffuse dome/top light: the glass mirrors a grey veil (with the dark camera port), cracks are dark
               lines on lit content,
  darkfield    low-angle ring light: glass and belt are dark, cracks, scratches, dust and fibres scatter light and
               glow bright,
  ring         a ring light whose circular reflection (or its chain of LED dots) sits on the glass,
  coaxial      on-axis light: the glass looks bright and uniform, cracks are dark,
  room         ordinary room light with window and ceiling-tube reflections.
A third of the frames come from a monochrome industrial camera (grey replicated to RGB); some frames are
640x480 / 800x600 with heavy JPEG.  The camera adds strong vignetting, motion blur along the belt (x), optics
blur, shot/read noise, fixed-pattern column noise and hot pixels.

Only numpy and Pillow.  All randomness comes from np.random.default_rng([seed, i, k]), one stream k per concern;
the crack has its own stream, and the camera noise is drawn once and applied identically to both twins.

CLI:  python3 evalgen7.py --out DIR --count N --seed S [--workers 2]
"""
import io
import math
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from frameset import write_set
from planar import homography, project

KINDS = ['hairline_edge', 'long_fork', 'impact_web', 'crazing', 'reflection_kink', 'edge_chip', 'corner_shatter']
MODES = ['brightfield', 'darkfield', 'ring', 'coaxial', 'room']

# one random stream per concern
K_LABEL, K_FMT, K_SURF, K_POSE, K_CONTENT, K_LIGHT, K_NUIS, K_OCC, K_CAMP, K_NOISE, K_CRACK = range(11)

SIZES = [(1920, 1080), (1280, 720), (1440, 1080), (1024, 768), (800, 600), (640, 480)]
SIZE_P = [0.40, 0.13, 0.09, 0.10, 0.13, 0.15]

VIS_FLOOR = 8.0          # mean of the strongest crack pixels, grey levels, measured at 540-line scale
F32 = np.float32


def _rng(seed, i, k):
    return np.random.default_rng([int(seed), int(i), int(k)])


_LIN = ((np.arange(256, dtype=np.float64) / 255.0) ** 2.2).astype(F32)


def _lin(u8):
    return _LIN[u8]


def _fimg(a):
    return Image.fromarray(np.ascontiguousarray(a, dtype=F32), 'F')


def _resize_f(a, w, h, resample=Image.BILINEAR):
    return np.array(_fimg(a).resize((int(w), int(h)), resample), dtype=F32)


def _smooth(r, h, w, cell):
    """smooth ~N(0,1) noise with features of about `cell` px"""
    gh = max(2, int(h / cell) + 2)
    gw = max(2, int(w / cell) + 2)
    return _resize_f(r.standard_normal((gh, gw)).astype(F32), w, h, Image.BICUBIC)


def _smooth2(r, h, w, cy, cx):
    """anisotropic smooth noise: features of about cy px along y and cx px along x"""
    gh = max(2, int(h / cy) + 2)
    gw = max(2, int(w / cx) + 2)
    return _resize_f(r.standard_normal((gh, gw)).astype(F32), w, h, Image.BICUBIC)


def _rrect_pts(x0, y0, x1, y1, rad, n=10):
    """outline of a rounded rectangle, clockwise from the top-left arc"""
    rad = max(0.0, min(rad, (x1 - x0) / 2, (y1 - y0) / 2))
    out = []
    for cx, cy, a0 in ((x0 + rad, y0 + rad, 180), (x1 - rad, y0 + rad, 270),
                       (x1 - rad, y1 - rad, 0), (x0 + rad, y1 - rad, 90)):
        t = np.radians(np.linspace(a0, a0 + 90, n))
        out.append(np.c_[cx + rad * np.cos(t), cy + rad * np.sin(t)])
    return np.vstack(out)


def _in_rrect(u, v, box, rad):
    x0, y0, x1, y1 = box
    cx = np.clip(u, x0 + rad, x1 - rad)
    cy = np.clip(v, y0 + rad, y1 - rad)
    return (u >= x0) & (u <= x1) & (v >= y0) & (v <= y1) & ((u - cx) ** 2 + (v - cy) ** 2 <= rad * rad)


def _luma(a):
    a = a.astype(F32)
    return a[..., 0] * F32(0.299) + a[..., 1] * F32(0.587) + a[..., 2] * F32(0.114)


# ----------------------------------------------------------------------------------------------- fonts and text
_FONT_DIR = '/usr/share/fonts/truetype/dejavu/'
_FONTS = {}


def _font(size, bold=False, mono=False):
    size = int(max(6, min(160, round(size))))
    key = (size, bold, mono)
    if key not in _FONTS:
        name = 'DejaVuSansMono.ttf' if mono else ('DejaVuSans-Bold.ttf' if bold else 'DejaVuSans.ttf')
        try:
            _FONTS[key] = ImageFont.truetype(_FONT_DIR + name, size)
        except OSError:
            _FONTS[key] = ImageFont.load_default()
    return _FONTS[key]


_SYL = ['ka', 'lo', 'mi', 'ne', 'ra', 'to', 'su', 've', 'in', 'on', 'er', 'al', 'de', 'pro', 'sta', 'ti', 'ma',
        'co', 're', 'un', 'ex', 'ly', 'ing', 'tion', 'pa', 'ge', 'hu', 'bo', 'sen', 'dor', 'vi', 'qua']


def _words(r, nchar, cap=True):
    out, n = [], 0
    while n < nchar:
        w = ''.join(_SYL[j] for j in r.integers(0, len(_SYL), int(r.integers(1, 4))))
        out.append(w)
        n += len(w) + 1
    s = ' '.join(out)[:max(1, int(nchar))]
    return s[:1].upper() + s[1:] if cap else s


def _text(d, r, x, y, width, size, col, bold=False, mono=False, nchar=None):
    """a line of text (pseudo-words) or, when too small to render, greeked word bars"""
    if width <= 2:
        return
    if size >= 7:
        n = nchar if nchar is not None else max(1, int(width / (0.56 * size)))
        d.text((x, y), _words(r, n), fill=col, font=_font(size, bold, mono))
    else:
        xx = x
        h0, h1 = y + size * 0.25, y + size * 0.85
        while xx < x + width:
            wl = min(float(r.integers(2, 8)) * size * 0.55, x + width - xx)
            d.rectangle([xx, h0, xx + wl, h1], fill=col)
            xx += wl + size * 0.5


# ----------------------------------------------------------------------------------------------- frame format
def _format(seed, i):
    r = _rng(seed, i, K_FMT)
    W, H = SIZES[int(r.choice(len(SIZES), p=SIZE_P))]
    mono = bool(r.random() < 1.0 / 3.0)
    if W <= 800:
        q = int(r.integers(35, 56)) if r.random() < 0.75 else int(r.integers(55, 86))
    else:
        q = int(np.clip(round(r.normal(80, 10)), 45, 95))
    return W, H, q, mono


# ----------------------------------------------------------------------------------------------- lighting
class _Light:
    """Lighting set-up.  R(x, y) is the light the front glass mirrors into the camera (frame coordinates),
    S(x, y) the light a crack / scratch scatters into the camera, illum the surface irradiance."""

    def __init__(self, r, W, H, s):
        self.W, self.H, self.s = W, H, s
        self.mode = str(r.choice(MODES, p=[0.23, 0.21, 0.21, 0.14, 0.21]))
        m = self.mode
        if r.random() < 0.45:
            self.tint = np.array([1.0, 1.0, 1.0], F32)
        else:
            t = r.uniform(-1, 1)
            self.tint = np.array([1 + 0.12 * t, 1.0, 1 - 0.14 * t], F32) * F32(r.uniform(0.97, 1.03))
        self.shapes = []
        cx, cy = W / 2 + r.normal(0, 0.03 * W), H / 2 + r.normal(0, 0.03 * H)
        self.cx, self.cy = cx, cy
        ang = r.uniform(0, 2 * np.pi)
        self.gdir = (math.cos(ang), math.sin(ang))
        self.R0, self.Rg = 0.05, 0.0
        self.S0, self.Sk = 0.1, 0.0
        self.Sg = 0.0
        self.relief = 0.05
        if m == 'brightfield':
            self.R0 = r.uniform(0.06, 0.24)
            self.Rg = self.R0 * r.uniform(0.0, 0.35)
            # the dark camera port of the dome, mirrored by the glass
            self.shapes.append(dict(k='disk', x=cx + r.normal(0, 0.02 * W), y=cy + r.normal(0, 0.02 * H),
                                    rad=r.uniform(0.03, 0.08) * H, I=-self.R0 * r.uniform(0.55, 0.9),
                                    soft=r.uniform(2, 6) * s))
            if r.random() < 0.35:      # dome seam
                self.shapes.append(dict(k='ring', x=cx, y=cy, r0=r.uniform(0.25, 0.5) * H, hw=r.uniform(1, 3) * s,
                                        I=-self.R0 * r.uniform(0.2, 0.45), soft=2 * s))
            self.illum0, self.illum_g = r.uniform(0.7, 1.0), r.uniform(0.0, 0.2)
            self.S0, self.Sk = r.uniform(0.12, 0.3), 0.0
            self.kd, self.pb = r.uniform(0.55, 0.85), r.uniform(0.15, 0.45)
            self.rim, self.spec = r.uniform(0.08, 0.25), r.uniform(0.15, 0.4)
        elif m == 'darkfield':
            self.R0 = r.uniform(0.004, 0.02)
            self.illum0, self.illum_g = r.uniform(0.035, 0.11), r.uniform(0.0, 0.4)
            self.relief = r.uniform(0.5, 1.3)
            self.S0, self.Sg = r.uniform(0.25, 0.7), r.uniform(0.0, 0.3)
            self.kd, self.pb = r.uniform(0.1, 0.35), 1.0
            self.rim, self.spec = r.uniform(0.4, 1.0), r.uniform(0.5, 1.3)
        elif m == 'ring':
            self.R0 = r.uniform(0.015, 0.06)
            r0 = r.uniform(0.12, 0.42) * H
            hw = r.uniform(0.01, 0.035) * H
            I = r.uniform(0.45, 1.6)
            rcx, rcy = cx + r.normal(0, 0.05 * W), cy + r.normal(0, 0.05 * H)
            if r.random() < 0.3:
                n = int(r.integers(16, 49))
                self.shapes.append(dict(k='dots', x=rcx, y=rcy, r0=r0, n=n, rd=min(hw * 1.1, np.pi * r0 / n * 0.7),
                                        I=I * 1.3, soft=r.uniform(1, 2.5) * s, ph=r.uniform(0, 2 * np.pi)))
            else:
                self.shapes.append(dict(k='ring', x=rcx, y=rcy, r0=r0, hw=hw, I=I, soft=r.uniform(1, 3.5) * s))
                if r.random() < 0.35:   # inner rim of the diffuser
                    self.shapes.append(dict(k='ring', x=rcx, y=rcy, r0=r0 - hw * r.uniform(1.6, 3), hw=r.uniform(1, 3) * s,
                                            I=I * r.uniform(0.15, 0.4), soft=1.5 * s))
            self.ring_c = (rcx, rcy, r0)
            self.illum0, self.illum_g = r.uniform(0.45, 0.85), 0.0
            self.hot = (rcx, rcy, r.uniform(0.35, 0.7) * H, r.uniform(0.3, 0.7))
            self.relief = r.uniform(0.1, 0.35)
            self.S0, self.Sk = r.uniform(0.05, 0.14), r.uniform(0.35, 0.9)
            self.kd, self.pb = r.uniform(0.45, 0.75), r.uniform(0.5, 0.9)
            self.rim, self.spec = r.uniform(0.2, 0.6), r.uniform(0.3, 0.8)
        elif m == 'coaxial':
            self.R0 = r.uniform(0.02, 0.06)
            I = r.uniform(0.5, 0.85)
            self.shapes.append(dict(k='rect', x=cx + r.normal(0, 0.03 * W), y=cy + r.normal(0, 0.03 * H), a=r.uniform(0.38, 0.62) * W,
                                    b=r.uniform(0.38, 0.62) * H, ang=r.normal(0, 0.02), I=I, soft=r.uniform(20, 60) * s, vg=0.0))
            self.Rg = I * r.uniform(0.0, 0.12)
            self.illum0, self.illum_g = r.uniform(0.7, 0.95), r.uniform(0.0, 0.15)
            self.S0 = r.uniform(0.02, 0.06)
            self.kd, self.pb = r.uniform(0.65, 0.95), r.uniform(0.03, 0.12)
            self.rim, self.spec = r.uniform(0.05, 0.2), r.uniform(0.1, 0.3)
        else:   # room
            self.R0 = r.uniform(0.025, 0.09)
            self.Rg = self.R0 * r.uniform(0.2, 0.8)
            for _ in range(int(r.integers(1, 3))):
                wx, wy = r.uniform(0.0, 1.0) * W, r.uniform(0.0, 1.0) * H
                a, b = r.uniform(0.12, 0.4) * H, r.uniform(0.1, 0.35) * H
                wa = r.normal(0, 0.25) + (np.pi / 2 if r.random() < 0.3 else 0)
                I = r.uniform(0.25, 1.3)
                nx, ny = int(r.integers(1, 4)), int(r.integers(1, 3))
                mull = r.uniform(0.01, 0.035) * H
                for ix in range(nx):
                    for iy in range(ny):
                        pa, pb_ = a / nx, b / ny
                        ox = -a + pa * (2 * ix + 1)
                        oy = -b + pb_ * (2 * iy + 1)
                        c, sn = math.cos(wa), math.sin(wa)
                        self.shapes.append(dict(k='rect', x=wx + ox * c - oy * sn, y=wy + ox * sn + oy * c,
                                                a=max(2.0, pa - mull / 2), b=max(2.0, pb_ - mull / 2), ang=wa,
                                                I=I * r.uniform(0.85, 1.1), soft=r.uniform(1.5, 4) * s,
                                                vg=r.uniform(-0.4, 0.1)))
            for _ in range(int(r.choice([0, 1, 2], p=[0.45, 0.4, 0.15]))):
                self.shapes.append(dict(k='rect', x=r.uniform(0, W), y=r.uniform(0, H), a=r.uniform(0.3, 0.8) * W,
                                        b=r.uniform(0.004, 0.016) * H, ang=r.uniform(0, np.pi), I=r.uniform(0.7, 2.0),
                                        soft=r.uniform(1, 3) * s, vg=0.0))
            self.illum0, self.illum_g = r.uniform(0.3, 0.7), r.uniform(0.2, 0.6)
            self.relief = r.uniform(0.05, 0.25)
            self.S0, self.Sk = r.uniform(0.05, 0.12), r.uniform(0.2, 0.5)
            self.kd, self.pb = r.uniform(0.45, 0.75), r.uniform(0.35, 0.7)
            self.rim, self.spec = r.uniform(0.1, 0.35), r.uniform(0.2, 0.6)
        self._illum_full = None

    # -- reflections ------------------------------------------------------------------------------------------
    def _shape_extent(self, sh, soft_mult):
        k = sh['k']
        pad = 4 * sh['soft'] * soft_mult
        if k == 'rect':
            e = math.hypot(sh['a'], sh['b'])
        elif k in ('ring', 'dots'):
            e = sh['r0'] + sh.get('hw', sh.get('rd', 0))
        elif k == 'disk':
            e = sh['rad']
        else:
            e = 4 * sh['sig']
        return sh['x'] - e - pad, sh['y'] - e - pad, sh['x'] + e + pad, sh['y'] + e + pad

    def field(self, x0, y0, w, h, step=1.0, dx=0.0, dy=0.0, soft_mult=1.0, base=True):
        """the reflected-light field on a grid: pixel (j, i) samples frame point (x0+(i+.5)*step+dx, y0+(j+.5)*step+dy)"""
        X = (x0 + (np.arange(w, dtype=F32) + F32(0.5)) * F32(step) + F32(dx))[None, :]
        Y = (y0 + (np.arange(h, dtype=F32) + F32(0.5)) * F32(step) + F32(dy))[:, None]
        return self.field_xy(X, Y, soft_mult, base)

    def field_xy(self, X, Y, soft_mult=1.0, base=True):
        """the reflected-light field at frame points (X, Y broadcastable float32 arrays)"""
        shape = np.broadcast(X, Y).shape
        out = np.zeros(shape, F32)
        if base:
            gx, gy = self.gdir
            out += F32(self.R0) + F32(self.Rg / self.H) * ((X - F32(self.cx)) * F32(gx) + (Y - F32(self.cy)) * F32(gy))
        bx0, bx1 = float(X.min()), float(X.max())
        by0, by1 = float(Y.min()), float(Y.max())
        for sh in self.shapes:
            ex0, ey0, ex1, ey1 = self._shape_extent(sh, soft_mult)
            if ex1 < bx0 or ex0 > bx1 or ey1 < by0 or ey0 > by1:
                continue
            k = sh['k']
            soft = F32(sh['soft'] * soft_mult)
            ddx = X - F32(sh['x'])
            ddy = Y - F32(sh['y'])
            if k == 'rect':
                c, sn = F32(math.cos(sh['ang'])), F32(math.sin(sh['ang']))
                u = ddx * c + ddy * sn
                v = ddy * c - ddx * sn
                d = np.maximum(np.abs(u) - F32(sh['a']), np.abs(v) - F32(sh['b']))
                val = np.clip(F32(0.5) - d / soft, 0, 1)
                if sh.get('vg', 0.0):
                    val *= np.clip(F32(1) + F32(sh['vg']) * v / F32(sh['b']), 0, 2)
            elif k == 'ring':
                rr = np.sqrt(ddx * ddx + ddy * ddy)
                d = np.abs(rr - F32(sh['r0'])) - F32(sh['hw'])
                val = np.clip(F32(0.5) - d / soft, 0, 1)
            elif k == 'disk':
                rr = np.sqrt(ddx * ddx + ddy * ddy)
                val = np.clip(F32(0.5) - (rr - F32(sh['rad'])) / soft, 0, 1)
            elif k == 'dots':
                n = sh['n']
                phi = np.arctan2(ddy, ddx) - F32(sh['ph'])
                a = np.round(phi * F32(n / (2 * np.pi))) * F32(2 * np.pi / n) + F32(sh['ph'])
                px = F32(sh['r0']) * np.cos(a) - ddx
                py = F32(sh['r0']) * np.sin(a) - ddy
                d = np.sqrt(px * px + py * py) - F32(sh['rd'])
                val = np.clip(F32(0.5) - d / soft, 0, 1)
            else:   # blob
                val = np.exp(-(ddx * ddx + ddy * ddy) / F32(2 * (sh['sig'] * soft_mult) ** 2))
            out += F32(sh['I']) * val
        return np.maximum(out, 0)

    def scatter(self, x0, y0, w, h, step=1.0):
        """light a crack scatters towards the camera (smooth)"""
        X = (x0 + (np.arange(w, dtype=F32) + F32(0.5)) * F32(step))[None, :]
        Y = (y0 + (np.arange(h, dtype=F32) + F32(0.5)) * F32(step))[:, None]
        gx, gy = self.gdir
        out = np.zeros((h, w), F32) + F32(self.S0)
        if self.Sg:
            out += F32(self.S0 * self.Sg / self.H) * ((X - F32(self.cx)) * F32(gx) + (Y - F32(self.cy)) * F32(gy))
        if self.Sk:
            out += F32(self.Sk) * self.field(x0, y0, w, h, step, soft_mult=8.0, base=False)
        return np.maximum(out, F32(0.01))

    # -- surface irradiance -----------------------------------------------------------------------------------
    def illum(self):
        if self._illum_full is None:
            W, H = self.W, self.H
            w, h = max(4, W // 16), max(4, H // 16)
            X = ((np.arange(w) + 0.5) * W / w)[None, :]
            Y = ((np.arange(h) + 0.5) * H / h)[:, None]
            gx, gy = self.gdir
            lin = ((X - self.cx) * gx + (Y - self.cy) * gy) / H
            f = self.illum0 * (1 + self.illum_g * lin)
            if self.mode == 'darkfield':
                rr = np.hypot(X - self.cx, Y - self.cy) / H
                f = f * (0.7 + 0.9 * rr)
            elif self.mode == 'ring':
                hx, hy, hs, ha = self.hot
                f = f * (1 - ha + ha * 1.6 * np.exp(-((X - hx) ** 2 + (Y - hy) ** 2) / (2 * hs * hs)))
            elif self.mode == 'coaxial':
                rr = np.maximum(np.abs(X - self.cx) / (0.55 * W), np.abs(Y - self.cy) / (0.55 * H))
                f = f * (0.45 + 0.55 / (1 + np.exp((rr - 0.85) * 12)))
            f = np.broadcast_to(f, (h, w)).astype(F32)
            self._illum_full = _resize_f(f, W, H, Image.BILINEAR)
        return self._illum_full


# ----------------------------------------------------------------------------------------------- surfaces
_SURF_KINDS = ['belt_black', 'belt_green', 'belt_blue', 'belt_grey', 'modular_belt', 'stainless_tray', 'foam']


def _tile_noise(r, H, W, n=256):
    """fine grain: a random n x n tile, rolled and repeated over the frame"""
    t = r.standard_normal((n, n)).astype(F32)
    oy, ox = int(r.integers(0, n)), int(r.integers(0, n))
    t = np.roll(t, (oy, ox), (0, 1))
    return np.tile(t, (H // n + 1, W // n + 1))[:H, :W]


def _surface(r, W, H, s, light):
    """the surface under the phone: returns (linear radiance H x W x 3, kind).  Written with in-place numpy
    operations: this runs on every full frame."""
    kind = str(r.choice(_SURF_KINDS, p=[0.15, 0.11, 0.1, 0.12, 0.2, 0.16, 0.16]))
    X = np.arange(W, dtype=F32)
    Y = np.arange(H, dtype=F32)
    grain = _tile_noise(r, H, W, 256)
    blot = _smooth(r, H // 4 + 1, W // 4 + 1, 30)
    blot = _resize_f(blot, W, H)
    if kind.startswith('belt_'):
        col = {'belt_black': (0.022, 0.022, 0.025), 'belt_green': (0.035, 0.14, 0.06),
               'belt_blue': (0.03, 0.07, 0.2), 'belt_grey': (0.13, 0.135, 0.14)}[kind]
        col = np.array(col, F32) * F32(r.uniform(0.75, 1.3))
        per = r.uniform(5, 14) * s
        lin = np.outer(np.sin(Y * F32(2 * np.pi / per)), np.sin(X * F32(2 * np.pi / (per * r.uniform(0.8, 1.25)))))
        streak = _smooth(r, H, 1, r.uniform(3, 20) * s)[:, :1]
        ka, kb = F32(r.uniform(0.02, 0.07)), F32(r.uniform(0.02, 0.08))
        mod = grain * F32(0.07)
        mod += streak * kb + F32(1)
        blot *= F32(0.06)
        mod += blot
        relief = np.maximum(lin, 0)
        relief *= F32(0.03)
        lin *= ka
        mod += lin
        np.abs(grain, out=grain)
        grain *= F32(0.035)
        relief += grain
    elif kind == 'modular_belt':
        col = np.array([(0.62, 0.62, 0.6), (0.35, 0.36, 0.37), (0.08, 0.17, 0.42), (0.03, 0.03, 0.035),
                        (0.55, 0.5, 0.4)][int(r.integers(0, 5))], F32)
        px, py = r.uniform(40, 110) * s, r.uniform(22, 60) * s
        gw = max(1.0, r.uniform(1.5, 4) * s)
        ox, oy = r.uniform(0, px), r.uniform(0, py)
        xm = (X + F32(ox)) % F32(px)
        band = (((X + F32(ox)) // F32(px)) % 2).astype(bool)
        hinge = xm < gw
        hedge = (xm >= gw) & (xm < gw + 2.5 * s)
        ym0 = (Y + F32(oy)) % F32(py)
        ym1 = (Y + F32(oy + py / 2)) % F32(py)
        j0, j1 = ym0 < gw, ym1 < gw
        e0, e1 = (ym0 >= gw) & (ym0 < gw + 2 * s), (ym1 >= gw) & (ym1 < gw + 2 * s)
        joint = np.where(band[None, :], j1[:, None], j0[:, None])
        jedge = np.where(band[None, :], e1[:, None], e0[:, None])
        gap = joint | hinge[None, :]
        edge = (jedge | hedge[None, :]) & ~gap
        mod = grain * F32(0.04)
        blot *= F32(0.05)
        mod += blot
        mod += F32(1)
        mod[gap] *= F32(0.2)
        np.abs(grain, out=grain)
        grain *= F32(0.02)
        relief = grain
        relief[edge] += F32(0.25)
        if r.random() < 0.4:     # flush-grid openings
            hx, hy = px / int(r.integers(3, 6)), py / 2
            hole = (((X + F32(ox)) % F32(hx)) < F32(hx * 0.35))[None, :] & (((Y + F32(oy)) % F32(hy)) < F32(hy * 0.3))[:, None]
            mod[hole] *= F32(0.15)
    elif kind == 'stainless_tray':
        col = np.array([0.42, 0.44, 0.46], F32) * F32(r.uniform(0.75, 1.3))
        along_x = r.random() < 0.5
        brush = _smooth(r, H, 1, r.uniform(0.7, 2.0) * s)[:, :1] if along_x else _smooth(r, 1, W, r.uniform(0.7, 2.0) * s)[:1, :]
        h8, w8 = H // 8 + 1, W // 8 + 1
        sheen = _smooth2(r, h8, w8, 8, 60) if along_x else _smooth2(r, h8, w8, 60, 8)
        sheen = _resize_f(sheen * F32(0.6) + F32(0.8) * _smooth(r, h8, w8, 60), W, H)
        mod = sheen
        mod *= F32(0.14)
        mod += brush * F32(0.07) + F32(1)
        relief = np.abs(grain)
        relief *= F32(0.03)
        grain *= F32(0.03)
        mod += grain
        relief += np.abs(brush) * F32(0.1)
    else:   # foam
        col = np.array([(0.035, 0.035, 0.04), (0.1, 0.1, 0.105), (0.04, 0.06, 0.13), (0.25, 0.2, 0.16)][int(r.integers(0, 4))], F32)
        cell = r.uniform(2.5, 6) * s
        fn = _smooth(r, H // 3 + 1, W // 3 + 1, max(1.2, cell / 3))
        fn = _resize_f(fn, W, H, Image.BILINEAR)
        mod = grain * F32(0.05)
        blot *= F32(0.08)
        mod += blot
        mod += F32(1)
        pores = fn < F32(-0.5)
        rims = np.maximum(fn - F32(0.9), 0)
        mod[pores] *= F32(0.55)
        rims *= F32(0.3)
        rims += F32(1)
        mod *= rims
        rims -= F32(1)
        rims *= F32(0.4)
        np.abs(grain, out=grain)
        grain *= F32(0.02)
        relief = rims
        relief += grain
    illum = light.illum()
    tint = light.tint
    mod *= illum
    rad = (col * tint)[:, None, None] * mod[None]                       # planar 3 x H x W
    k1 = F32(0.5 * light.relief / max(light.illum0, 1e-3))
    w_ = illum * k1
    w_ += F32(0.5 * light.relief)
    relief *= w_
    rad += tint[:, None, None] * relief[None]
    return rad, kind


# ----------------------------------------------------------------------------------------------- screen content
_ACCENTS = [(33, 150, 243), (76, 175, 80), (244, 67, 54), (255, 152, 0), (156, 39, 176), (0, 150, 136),
            (63, 81, 181), (233, 30, 99), (96, 125, 139), (0, 122, 255), (52, 199, 89), (255, 59, 48)]
CONTENT_KINDS = ['form', 'table', 'wireframe', 'text', 'home', 'gallery', 'map', 'test_pattern', 'chart', 'chat']
_LINE_CONTENT = {'form', 'table', 'wireframe', 'text', 'map', 'chart', 'test_pattern'}


def _content(r, dw, dh):
    kind = str(r.choice(CONTENT_KINDS, p=[0.12, 0.12, 0.1, 0.12, 0.12, 0.07, 0.08, 0.1, 0.09, 0.08]))
    dark = bool(r.random() < 0.35)
    bg = (int(r.integers(0, 25)),) * 3 if dark else (int(r.integers(236, 256)), int(r.integers(236, 256)), int(r.integers(236, 256)))
    fg = (225, 225, 228) if dark else (int(r.integers(15, 50)),) * 3
    mid = (70, 70, 76) if dark else (int(r.integers(170, 215)),) * 3
    acc = _ACCENTS[int(r.integers(0, len(_ACCENTS)))]
    img = Image.new('RGB', (dw, dh), bg)
    d = ImageDraw.Draw(img)
    u = dw / 100.0                      # layout unit
    ts = max(4.0, dw / r.uniform(17, 26))  # text size
    lw = max(1, int(round(dw / 420)))   # hairline UI lines
    sb = max(2, int(dh * 0.035))
    top = sb
    if kind == 'form':
        ab = int(dh * 0.08)
        d.rectangle([0, 0, dw, sb + ab], fill=acc)
        _text(d, r, 4 * u, sb + ab * 0.3, dw * 0.5, ts * 1.1, (255, 255, 255), bold=True)
        y = sb + ab + 3 * u
        while y < dh * 0.85:
            t = r.random()
            if t < 0.6:
                _text(d, r, 5 * u, y, dw * 0.4, ts * 0.75, mid if dark else (110, 110, 115))
                y += ts * 1.1
                fh = ts * 2.0
                if r.random() < 0.7:
                    d.rectangle([5 * u, y, dw - 5 * u, y + fh], outline=mid, width=lw)
                else:
                    d.line([5 * u, y + fh, dw - 5 * u, y + fh], fill=mid, width=lw)
                _text(d, r, 8 * u, y + fh * 0.25, dw * 0.5, ts * 0.9, fg if r.random() < 0.5 else mid)
                y += fh + 3 * u
            elif t < 0.8:
                bx = ts * 1.1
                d.rectangle([5 * u, y, 5 * u + bx, y + bx], outline=fg, width=lw)
                if r.random() < 0.5:
                    d.line([5 * u + 2, y + bx / 2, 5 * u + bx / 2, y + bx - 2, 5 * u + bx - 2, y + 2], fill=acc, width=lw + 1)
                _text(d, r, 8 * u + bx, y, dw * 0.6, ts * 0.9, fg)
                y += bx + 3 * u
            else:
                d.line([0, y, dw, y], fill=mid, width=lw)
                y += 3 * u
        d.rounded_rectangle([6 * u, dh * 0.88, dw - 6 * u, dh * 0.88 + ts * 2.4], radius=ts * 0.6, fill=acc)
        _text(d, r, dw * 0.38, dh * 0.88 + ts * 0.6, dw * 0.3, ts, (255, 255, 255), bold=True)
    elif kind == 'table':
        d.rectangle([0, sb, dw, sb + dh * 0.07], fill=acc)
        _text(d, r, 4 * u, sb + dh * 0.02, dw * 0.5, ts, (255, 255, 255), bold=True)
        ncol = int(r.integers(3, 6))
        rh = ts * r.uniform(1.6, 2.4)
        y0 = sb + dh * 0.09
        xs = np.cumsum(np.r_[0, r.uniform(0.6, 1.4, ncol)])
        xs = 2 * u + xs / xs[-1] * (dw - 4 * u)
        nrow = int((dh * 0.95 - y0) / rh)
        for j in range(nrow):
            yy = y0 + j * rh
            if j % 2 == 1 and r.random() < 0.7:
                d.rectangle([xs[0], yy, xs[-1], yy + rh], fill=(28, 28, 32) if dark else (244, 246, 250))
            for c in range(ncol):
                cw = xs[c + 1] - xs[c]
                if j == 0:
                    _text(d, r, xs[c] + 1.5 * u, yy + rh * 0.25, cw * 0.8, ts * 0.85, fg, bold=True)
                else:
                    txt = '%d' % r.integers(0, 10 ** int(r.integers(1, 6))) if c else _words(r, max(1, int(cw / (0.6 * ts))))
                    if ts >= 7:
                        d.text((xs[c] + 1.5 * u, yy + rh * 0.25), txt, fill=fg, font=_font(ts * 0.85, mono=c > 0))
                    else:
                        _text(d, r, xs[c] + 1.5 * u, yy + rh * 0.25, cw * 0.6, ts * 0.85, fg)
            d.line([xs[0], yy + rh, xs[-1], yy + rh], fill=mid, width=lw)
        for x in xs:
            d.line([x, y0, x, y0 + nrow * rh], fill=mid, width=lw)
    elif kind == 'wireframe':
        y = sb + 2 * u
        d.rectangle([2 * u, y, dw - 2 * u, y + dh * 0.06], outline=fg, width=lw)
        y += dh * 0.08
        while y < dh * 0.92:
            t = r.random()
            if t < 0.4:
                bh = dh * r.uniform(0.1, 0.22)
                x0, x1 = 4 * u, dw - 4 * u if r.random() < 0.6 else dw * 0.5
                d.rectangle([x0, y, x1, y + bh], outline=fg, width=lw)
                d.line([x0, y, x1, y + bh], fill=mid, width=lw)
                d.line([x0, y + bh, x1, y], fill=mid, width=lw)
                if x1 < dw * 0.6:
                    for k in range(3):
                        d.line([dw * 0.55, y + bh * (0.2 + 0.25 * k), dw * r.uniform(0.75, 0.95), y + bh * (0.2 + 0.25 * k)], fill=mid, width=lw * 2)
                y += bh + 3 * u
            elif t < 0.7:
                cr = ts * 1.2
                d.ellipse([4 * u, y, 4 * u + 2 * cr, y + 2 * cr], outline=fg, width=lw)
                d.line([4 * u + cr * 0.3, y + cr * 0.3, 4 * u + cr * 1.7, y + cr * 1.7], fill=mid, width=lw)
                d.line([6 * u + 2 * cr, y + cr * 0.5, dw * r.uniform(0.5, 0.9), y + cr * 0.5], fill=fg, width=lw)
                d.line([6 * u + 2 * cr, y + cr * 1.4, dw * r.uniform(0.4, 0.7), y + cr * 1.4], fill=mid, width=lw)
                y += 2 * cr + 3 * u
            else:
                d.line([2 * u, y, dw - 2 * u, y], fill=mid, width=lw)
                y += 2 * u
                if r.random() < 0.5:
                    d.rectangle([4 * u, y, dw - 4 * u, y + ts * 1.8], outline=fg, width=lw)
                    y += ts * 1.8 + 2 * u
    elif kind == 'text':
        y = sb + 3 * u
        _text(d, r, 5 * u, y, dw * 0.85, ts * 1.4, fg, bold=True)
        y += ts * 2.4
        if r.random() < 0.4:
            ph = dh * r.uniform(0.12, 0.25)
            blk = (r.random((3, 4, 3)) * 200 + 30).astype(np.uint8)
            im2 = Image.fromarray(blk).resize((int(dw - 10 * u), int(ph)), Image.BICUBIC)
            img.paste(im2, (int(5 * u), int(y)))
            y += ph + 3 * u
        while y < dh * 0.95:
            nl = int(r.integers(2, 7))
            for k in range(nl):
                wfrac = 0.88 if k < nl - 1 else r.uniform(0.2, 0.8)
                _text(d, r, 5 * u, y, dw * wfrac, ts, fg)
                if r.random() < 0.08:
                    xx = 5 * u + r.uniform(0, 0.5) * dw
                    d.line([xx, y + ts * 1.15, xx + dw * 0.25, y + ts * 1.15], fill=acc, width=lw)
                y += ts * 1.45
            y += ts * 0.9
    elif kind == 'home':
        c1 = r.integers(0, 256, 3)
        c2 = r.integers(0, 256, 3)
        g = np.linspace(0, 1, 8)[:, None, None]
        wall = (c1[None, None, :] * (1 - g) + c2[None, None, :] * g + r.normal(0, 25, (8, 5, 3))).clip(0, 255).astype(np.uint8)
        img.paste(Image.fromarray(wall).resize((dw, dh), Image.BICUBIC), (0, 0))
        ncol = 4 if dw < dh else 6
        cs = dw / ncol
        isz = cs * 0.62
        nrow = int(r.integers(3, 7))
        for j in range(nrow):
            for c in range(ncol):
                if r.random() < 0.12:
                    continue
                x0 = c * cs + (cs - isz) / 2
                y0 = sb + 4 * u + j * cs * 1.3
                col = _ACCENTS[int(r.integers(0, len(_ACCENTS)))]
                d.rounded_rectangle([x0, y0, x0 + isz, y0 + isz], radius=isz * 0.22, fill=col)
                g0 = isz * 0.3
                if r.random() < 0.5:
                    d.ellipse([x0 + g0, y0 + g0, x0 + isz - g0, y0 + isz - g0], fill=(255, 255, 255))
                else:
                    d.rectangle([x0 + g0, y0 + g0, x0 + isz - g0, y0 + isz - g0], outline=(255, 255, 255), width=max(1, int(isz / 14)))
                _text(d, r, x0, y0 + isz * 1.05, isz, ts * 0.6, (255, 255, 255), nchar=int(r.integers(3, 8)))
        dy0 = dh - cs * 1.25
        d.rounded_rectangle([2 * u, dy0, dw - 2 * u, dh - 2 * u], radius=cs * 0.3, fill=(200, 200, 205) if not dark else (50, 50, 55))
        for c in range(4):
            x0 = 2 * u + (dw - 4 * u) / 4 * c + ((dw - 4 * u) / 4 - isz) / 2
            d.rounded_rectangle([x0, dy0 + cs * 0.25, x0 + isz, dy0 + cs * 0.25 + isz], radius=isz * 0.22,
                                fill=_ACCENTS[int(r.integers(0, len(_ACCENTS)))])
    elif kind == 'gallery':
        ncol = int(r.integers(3, 5))
        cs = dw / ncol
        nrow = int(dh / cs) + 1
        blk = (r.random((nrow * 3, ncol * 3, 3)) * 220 + 20).astype(np.uint8)
        im2 = Image.fromarray(blk).resize((ncol * int(cs), nrow * int(cs)), Image.BILINEAR)
        img.paste(im2, (0, sb + int(dh * 0.06)))
        gap = max(1, int(dw / 200))
        for c in range(1, ncol):
            d.rectangle([c * cs - gap / 2, 0, c * cs + gap / 2, dh], fill=bg)
        for j in range(nrow + 1):
            yy = sb + dh * 0.06 + j * int(cs)
            d.rectangle([0, yy - gap / 2, dw, yy + gap / 2], fill=bg)
        d.rectangle([0, 0, dw, sb + dh * 0.06], fill=bg)
        _text(d, r, 4 * u, sb + dh * 0.01, dw * 0.4, ts * 1.2, fg, bold=True)
    elif kind == 'map':
        base = (236, 233, 226) if not dark else (36, 38, 44)
        d.rectangle([0, 0, dw, dh], fill=base)
        for _ in range(int(r.integers(1, 4))):
            x0, y0 = r.uniform(0, dw), r.uniform(0, dh)
            pts = [(x0 + r.uniform(-0.3, 0.3) * dw, y0 + r.uniform(-0.2, 0.2) * dh) for _ in range(6)]
            d.polygon(pts, fill=(200, 230, 190) if not dark else (40, 60, 45))
        if r.random() < 0.6:
            pts = [(r.uniform(-0.2, 1.2) * dw, r.uniform(-0.1, 1.1) * dh) for _ in range(5)]
            d.polygon(pts, fill=(170, 205, 240) if not dark else (30, 45, 70))
        road = (255, 255, 255) if not dark else (80, 82, 90)
        for _ in range(int(r.integers(10, 25))):
            horiz = r.random() < 0.5
            p = r.uniform(0, dw if not horiz else dh)
            n = 8
            t = np.linspace(-0.05, 1.05, n) * (dw if horiz else dh)
            q = p + np.cumsum(r.normal(0, 0.01 * dw, n))
            pts = list(zip(t, q)) if horiz else list(zip(q, t))
            wdt = max(1, int(r.choice([1, 1, 2, 3]) * dw / 300))
            d.line(pts, fill=(195, 195, 195) if not dark else (20, 20, 25), width=wdt + 2)
            d.line(pts, fill=road, width=wdt)
        for _ in range(int(r.integers(1, 3))):
            pts = [(r.uniform(0, dw), r.uniform(0, dh)) for _ in range(3)]
            d.line(pts, fill=(250, 200, 90), width=max(2, int(dw / 90)))
        if r.random() < 0.6:
            pts = [(r.uniform(0.1, 0.9) * dw, r.uniform(0.1, 0.9) * dh) for _ in range(4)]
            d.line(pts, fill=(30, 110, 240), width=max(2, int(dw / 70)), joint='curve')
        for _ in range(int(r.integers(2, 7))):
            _text(d, r, r.uniform(0, dw * 0.7), r.uniform(0, dh), dw * 0.25, ts * 0.7, (90, 90, 95) if not dark else (170, 170, 175))
        d.rectangle([0, 0, dw, sb], fill=base)
        d.rounded_rectangle([4 * u, sb + 2 * u, dw - 4 * u, sb + 2 * u + ts * 2.2], radius=ts, fill=bg, outline=mid)
    elif kind == 'test_pattern':
        t = str(r.choice(['solid', 'grid', 'gradient', 'bars', 'checker']))
        if t == 'solid':
            c = [(255, 255, 255), (128, 128, 128), (200, 200, 200), (255, 0, 0), (0, 255, 0), (0, 0, 255), (40, 40, 40)][int(r.integers(0, 7))]
            d.rectangle([0, 0, dw, dh], fill=c)
        elif t == 'grid':
            inv = r.random() < 0.5
            d.rectangle([0, 0, dw, dh], fill=(0, 0, 0) if inv else (255, 255, 255))
            sp = dw / r.integers(6, 16)
            lc = (255, 255, 255) if inv else (0, 0, 0)
            for k in range(int(dw / sp) + 2):
                d.line([k * sp, 0, k * sp, dh], fill=lc, width=lw)
            for k in range(int(dh / sp) + 2):
                d.line([0, k * sp, dw, k * sp], fill=lc, width=lw)
            if r.random() < 0.5:
                d.line([0, 0, dw, dh], fill=lc, width=lw)
                d.line([dw, 0, 0, dh], fill=lc, width=lw)
                d.ellipse([dw / 2 - dw * 0.4, dh / 2 - dw * 0.4, dw / 2 + dw * 0.4, dh / 2 + dw * 0.4], outline=lc, width=lw)
        elif t == 'gradient':
            g = np.linspace(0, 255, 64).astype(np.uint8)
            arr = np.repeat(g[:, None], 4, 1) if r.random() < 0.5 else np.repeat(g[None, :], 4, 0)
            img.paste(Image.fromarray(arr).convert('RGB').resize((dw, dh), Image.BILINEAR), (0, 0))
        elif t == 'bars':
            cols = [(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0), (255, 0, 255), (255, 0, 0), (0, 0, 255), (0, 0, 0)]
            for k, c in enumerate(cols):
                d.rectangle([k * dw / 8, 0, (k + 1) * dw / 8, dh], fill=c)
        else:
            n = int(r.integers(4, 10))
            sp = dw / n
            d.rectangle([0, 0, dw, dh], fill=(255, 255, 255))
            for a in range(n):
                for b in range(int(dh / sp) + 1):
                    if (a + b) % 2:
                        d.rectangle([a * sp, b * sp, (a + 1) * sp, (b + 1) * sp], fill=(0, 0, 0))
        sb = 0
    elif kind == 'chart':
        y = sb + 3 * u
        _text(d, r, 5 * u, y, dw * 0.6, ts * 1.3, fg, bold=True)
        y += ts * 2.4
        while y < dh * 0.9:
            ch = dh * r.uniform(0.18, 0.3)
            card = (30, 30, 34) if dark else (250, 250, 252)
            d.rounded_rectangle([3 * u, y, dw - 3 * u, y + ch], radius=3 * u, fill=card, outline=mid, width=lw)
            _text(d, r, 6 * u, y + 2 * u, dw * 0.4, ts * 0.8, fg)
            gx0, gx1, gy0, gy1 = 7 * u, dw - 6 * u, y + ts * 2, y + ch - 3 * u
            for k in range(5):
                yy = gy0 + (gy1 - gy0) * k / 4
                d.line([gx0, yy, gx1, yy], fill=mid, width=lw)
            n = int(r.integers(6, 30))
            vals = np.cumsum(r.normal(0, 1, n))
            vals = (vals - vals.min()) / (np.ptp(vals) + 1e-6)
            pts = [(gx0 + (gx1 - gx0) * k / (n - 1), gy1 - (gy1 - gy0) * v) for k, v in enumerate(vals)]
            if r.random() < 0.5:
                d.line(pts, fill=acc, width=max(1, lw * 2), joint='curve')
            else:
                bw = (gx1 - gx0) / n * 0.6
                for (px_, py_) in pts:
                    d.rectangle([px_ - bw / 2, py_, px_ + bw / 2, gy1], fill=acc)
            y += ch + 3 * u
    else:   # chat
        y = sb + dh * 0.09
        d.rectangle([0, sb, dw, sb + dh * 0.07], fill=(245, 245, 247) if not dark else (28, 28, 30))
        d.line([0, sb + dh * 0.07, dw, sb + dh * 0.07], fill=mid, width=lw)
        _text(d, r, dw * 0.3, sb + dh * 0.02, dw * 0.4, ts, fg, bold=True)
        while y < dh * 0.86:
            me = r.random() < 0.5
            nl = int(r.integers(1, 4))
            bwid = dw * r.uniform(0.35, 0.7)
            bh = nl * ts * 1.35 + ts * 0.8
            x0 = dw - 3 * u - bwid if me else 3 * u
            col = acc if me else ((60, 60, 66) if dark else (229, 229, 234))
            d.rounded_rectangle([x0, y, x0 + bwid, y + bh], radius=ts * 0.8, fill=col)
            for k in range(nl):
                _text(d, r, x0 + ts * 0.6, y + ts * 0.4 + k * ts * 1.35, bwid - ts * 1.2, ts * 0.9,
                      (255, 255, 255) if me else fg)
            y += bh + 2.5 * u
        d.rounded_rectangle([3 * u, dh * 0.9, dw - 3 * u, dh * 0.9 + ts * 2.2], radius=ts, outline=mid, width=lw, fill=bg)
    if sb:
        d.rectangle([0, 0, dw, sb], fill=bg if kind not in ('home',) else None)
        _text(d, r, 4 * u, sb * 0.15, dw * 0.15, sb * 0.7, fg if kind != 'home' else (255, 255, 255), bold=True, nchar=4)
        for k in range(3):
            x = dw - (6 + 5 * k) * u
            d.rectangle([x, sb * 0.3, x + 3 * u, sb * 0.75], fill=fg if kind != 'home' else (255, 255, 255))
        if r.random() < 0.7:
            d.rounded_rectangle([dw * 0.35, dh - max(3, dh * 0.012), dw * 0.65, dh - max(2, dh * 0.006)], radius=3,
                                fill=fg if kind != 'home' else (255, 255, 255))
    return img, kind, dark


# ----------------------------------------------------------------------------------------------- device pose & geometry
_RIMS = [(178, 180, 184), (62, 64, 68), (24, 24, 27), (205, 186, 160), (62, 82, 120), (214, 214, 212), (120, 40, 45)]


class _Device:
    def __init__(self, r, W, H, s):
        self.tablet = bool(r.random() < 0.15)
        asp = r.uniform(1.3, 1.55) if self.tablet else r.uniform(1.95, 2.25)
        if self.tablet:
            self.bezel = str(r.choice(['dark', 'none', 'white'], p=[0.6, 0.28, 0.12]))
        else:
            self.bezel = str(r.choice(['none', 'dark'], p=[0.6, 0.4]))
        if r.random() < 0.5:
            theta = float(r.choice([0, 90, 180, 270])) + r.normal(0, 4)
        else:
            theta = r.uniform(0, 360)
        if r.random() < 0.4:
            rx, ry = np.clip(r.normal(0, 7, 2), -15, 15)
        else:
            rx, ry = r.uniform(-1.5, 1.5, 2)
        self.oblique = bool(max(abs(rx), abs(ry)) > 4)
        t = math.radians(theta)
        rxr, ryr = math.radians(rx), math.radians(ry)
        cu = np.array([[-0.5 / asp, -0.5], [0.5 / asp, -0.5], [0.5 / asp, 0.5], [-0.5 / asp, 0.5]])
        X, Y = cu[:, 0], cu[:, 1]
        Z = Y * math.sin(rxr)
        Y = Y * math.cos(rxr)
        Z2 = Z * math.cos(ryr) - X * math.sin(ryr)
        X = X * math.cos(ryr) + Z * math.sin(ryr)
        Xr = X * math.cos(t) - Y * math.sin(t)
        Yr = X * math.sin(t) + Y * math.cos(t)
        D = r.uniform(2.5, 5.0)
        q = np.c_[Xr * D / (D + Z2), Yr * D / (D + Z2)]
        qmin, qmax = q.min(0), q.max(0)
        bw, bh = qmax - qmin
        frac = r.uniform(0.25, 0.8)
        scale = frac * H / bh
        if bw * scale > 0.92 * W:
            scale = 0.92 * W / bw
        if bh * scale > 0.92 * H:
            scale = 0.92 * H / bh
        slx, sly = W - bw * scale, H - bh * scale
        left = slx * np.clip(0.5 + r.normal(0, 0.22), 0.04, 0.96)
        top = sly * np.clip(0.5 + r.normal(0, 0.22), 0.04, 0.96)
        quad = (q - qmin) * scale + np.array([left, top])
        Lf = 0.5 * (np.hypot(*(quad[3] - quad[0])) + np.hypot(*(quad[2] - quad[1])))
        self.Hd = Hd = int(max(40, round(Lf)))
        self.Wd = Wd = int(max(20, round(Hd / asp)))
        self.dev_corners = np.array([[0, 0], [Wd, 0], [Wd, Hd], [0, Hd]], dtype=np.float64)
        self.Hm = homography(self.dev_corners, quad)
        self.Hinv = np.linalg.inv(self.Hm)
        self.quad = quad
        self.cover = float((quad[:, 1].max() - quad[:, 1].min()) / H)
        # device features (device px)
        self.rw = max(2.5, r.uniform(0.008, 0.022) * Wd)
        self.rc = r.uniform(0.03, 0.06) * Wd if self.tablet else r.uniform(0.07, 0.14) * Wd
        rw = self.rw
        self.glass = (rw, rw, Wd - rw, Hd - rw)
        self.gr = max(0.0, self.rc - rw)
        if self.bezel == 'none':
            bs = r.uniform(0.012, 0.03) * Wd
            bt, bb = bs * r.uniform(1.0, 1.8), bs * r.uniform(1.0, 2.0)
            bsx = bs
            self.dr = max(0.0, self.gr - bs * 0.6)
        elif self.tablet:
            bsx = r.uniform(0.04, 0.08) * Wd
            bt = bb = bsx * r.uniform(0.9, 1.4)
            self.dr = r.uniform(0, 0.01) * Wd
        else:
            bsx = r.uniform(0.03, 0.06) * Wd
            bt, bb = r.uniform(0.08, 0.13) * Hd, r.uniform(0.08, 0.13) * Hd
            self.dr = r.uniform(0, 0.01) * Wd
        self.disp = (rw + bsx, rw + bt, Wd - rw - bsx, Hd - rw - bb)
        self.rim_col = _RIMS[int(r.choice(len(_RIMS), p=[0.24, 0.22, 0.22, 0.1, 0.08, 0.07, 0.07]))]
        if self.bezel == 'white':
            self.bezel_col = (222, 222, 218)
        else:
            self.bezel_col = tuple(int(x) for x in r.integers(4, 14, 3))
        self.cutout = str(r.choice(['punch', 'notch', 'island', 'none'], p=[0.45, 0.25, 0.18, 0.12])) if self.bezel == 'none' else 'none'
        self.home = bool(self.bezel != 'none' and r.random() < 0.45)
        self.cut_r = r.uniform(0.018, 0.03) * Wd
        self.cut_x = Wd / 2 if r.random() < 0.75 else self.disp[0] + r.uniform(0.06, 0.12) * Wd
        dq = self.disp
        self.screen_quad = project(self.Hm, [[dq[0], dq[1]], [dq[2], dq[1]], [dq[2], dq[3]], [dq[0], dq[3]]])
        x0, y0 = np.floor(quad.min(0)).astype(int) - 2
        x1, y1 = np.ceil(quad.max(0)).astype(int) + 2
        self.bbox = (max(0, int(x0)), max(0, int(y0)), min(W, int(x1)), min(H, int(y1)))

    def glass_inside(self, margin):
        g = self.glass
        box = (g[0] + margin, g[1] + margin, g[2] - margin, g[3] - margin)
        rad = max(0.0, self.gr - margin * 0.4)
        return lambda u, v: _in_rrect(u, v, box, rad)

    def glass_inside1(self, margin):
        g = self.glass
        x0, y0, x1, y1 = g[0] + margin, g[1] + margin, g[2] - margin, g[3] - margin
        rad = max(0.0, self.gr - margin * 0.4)

        def f(u, v):
            if u < x0 or u > x1 or v < y0 or v > y1:
                return False
            cx = min(max(u, x0 + rad), x1 - rad)
            cy = min(max(v, y0 + rad), y1 - rad)
            return (u - cx) ** 2 + (v - cy) ** 2 <= rad * rad
        return f

    def glass_outline(self, inset=0.0, n=16):
        g = self.glass
        return _rrect_pts(g[0] + inset, g[1] + inset, g[2] - inset, g[3] - inset, max(0.0, self.gr - inset), n)

    def sample_glass(self, r, n, margin):
        ins = self.glass_inside(margin)
        g = self.glass
        u = r.uniform(g[0], g[2], n * 2)
        v = r.uniform(g[1], g[3], n * 2)
        ok = ins(u, v)
        return np.c_[u[ok], v[ok]][:n]

    # -- rendering in device space ----------------------------------------------------------------------------
    def render(self, content, lit, plan):
        """returns (rgb u8 image, CMYK masks image: C phone alpha, M glass, Y emissive display, K glass highlights)"""
        Wd, Hd = self.Wd, self.Hd
        g, dq = self.glass, self.disp
        rgb = Image.new('RGB', (Wd, Hd), (0, 0, 0))
        d = ImageDraw.Draw(rgb)
        d.rounded_rectangle([0, 0, Wd - 1, Hd - 1], radius=self.rc, fill=self.rim_col)
        d.rounded_rectangle([g[0], g[1], g[2] - 1, g[3] - 1], radius=self.gr, fill=self.bezel_col)
        dbox = [int(round(dq[0])), int(round(dq[1])), int(round(dq[2])), int(round(dq[3]))]
        dw, dh = dbox[2] - dbox[0], dbox[3] - dbox[1]
        if lit:
            dmask = Image.new('L', (dw, dh), 0)
            ImageDraw.Draw(dmask).rounded_rectangle([0, 0, dw - 1, dh - 1], radius=self.dr, fill=255)
            rgb.paste(content, (dbox[0], dbox[1]), dmask)
        else:
            d.rounded_rectangle([dbox[0], dbox[1], dbox[2] - 1, dbox[3] - 1], radius=self.dr, fill=(3, 4, 6))
        # masks at 2x
        m = Image.new('RGB', (Wd * 2, Hd * 2), (0, 0, 0))
        dm = ImageDraw.Draw(m)
        dm.rounded_rectangle([0, 0, 2 * Wd - 1, 2 * Hd - 1], radius=2 * self.rc, fill=(255, 0, 0))
        dm.rounded_rectangle([2 * g[0], 2 * g[1], 2 * g[2] - 1, 2 * g[3] - 1], radius=2 * self.gr, fill=(255, 255, 0))
        if lit:
            dm.rounded_rectangle([2 * dbox[0], 2 * dbox[1], 2 * dbox[2] - 1, 2 * dbox[3] - 1], radius=2 * self.dr, fill=(255, 255, 255))
        cut = (0, 0, 0)
        cr, cx = self.cut_r, self.cut_x
        cy = dq[1] + cr * 1.6
        if self.cutout == 'punch':
            for dd, k in ((d, 1), (dm, 2)):
                dd.ellipse([k * (cx - cr), k * (cy - cr), k * (cx + cr), k * (cy + cr)], fill=cut if k == 1 else (255, 255, 0))
        elif self.cutout == 'notch':
            nw, nh = Wd * 0.28, cr * 3.2
            for dd, k in ((d, 1), (dm, 2)):
                dd.rounded_rectangle([k * (Wd / 2 - nw / 2), k * (dq[1] - 2), k * (Wd / 2 + nw / 2), k * (dq[1] + nh)], radius=k * cr,
                                     fill=cut if k == 1 else (255, 255, 0))
        elif self.cutout == 'island':
            iw = Wd * 0.26
            for dd, k in ((d, 1), (dm, 2)):
                dd.rounded_rectangle([k * (Wd / 2 - iw / 2), k * (cy - cr * 1.1), k * (Wd / 2 + iw / 2), k * (cy + cr * 1.1)], radius=k * cr * 1.1,
                                     fill=cut if k == 1 else (255, 255, 0))
        if self.bezel != 'none':
            # earpiece slot, camera and sensors on the top bezel
            ey = (g[1] + dq[1]) / 2
            ew, eh = Wd * 0.16, max(1.5, Wd * 0.012)
            lighter = tuple(min(255, c + 25) if self.bezel != 'white' else c - 60 for c in self.bezel_col)
            d.rounded_rectangle([Wd / 2 - ew / 2, ey - eh, Wd / 2 + ew / 2, ey + eh], radius=eh, fill=lighter)
            cc = max(1.5, Wd * 0.018)
            d.ellipse([Wd / 2 - ew / 2 - 3 * cc, ey - cc, Wd / 2 - ew / 2 - cc, ey + cc], fill=(20, 22, 30))
            if self.home:
                hy = (dq[3] + g[3]) / 2
                hr = min((g[3] - dq[3]) * 0.36, Wd * 0.07)
                d.ellipse([Wd / 2 - hr, hy - hr, Wd / 2 + hr, hy + hr], outline=lighter, width=max(1, int(hr / 8)))
        # the glass label (a sticker on the glass: no reflection, no emission, hides what is below it)
        if plan.get('glass_label') is not None:
            lab, pos = plan['glass_label']
            msk = Image.new('L', lab.size, 255)
            rot = plan['glass_label_rot']
            lab_r = lab.rotate(rot, resample=Image.BILINEAR, expand=True)
            msk_r = msk.rotate(rot, resample=Image.BILINEAR, expand=True)
            px, py = int(pos[0] - lab_r.size[0] / 2), int(pos[1] - lab_r.size[1] / 2)
            rgb.paste(lab_r, (px, py), msk_r)
            m2 = Image.new('RGB', (lab_r.size[0] * 2, lab_r.size[1] * 2), (255, 0, 0))
            m.paste(m2, (2 * px, 2 * py), msk_r.resize(m2.size, Image.BILINEAR))
        # glass highlights: specular rims along the rounded glass edge, screen-protector edges
        k = Image.new('L', (Wd * 2, Hd * 2), 0)
        dk = ImageDraw.Draw(k)
        for pts, width, vals in plan.get('k_lines', []):
            pts2 = np.asarray(pts) * 2
            nseg = len(vals)
            idx = np.linspace(0, len(pts2) - 1, nseg + 1).astype(int)
            for j in range(nseg):
                seg = pts2[idx[j]:idx[j + 1] + 1]
                if len(seg) >= 2 and vals[j] > 0:
                    dk.line([tuple(p) for p in seg], fill=int(vals[j]), width=int(width), joint='curve' if width > 2 else None)
        m = m.reduce(2)
        k = k.reduce(2).filter(ImageFilter.GaussianBlur(0.5))
        c_, m_, y_ = m.split()
        masks = Image.merge('CMYK', (c_, m_, y_, k))
        return rgb, masks


def _warp(img, Hinv, bbox, resample=Image.BILINEAR):
    x0, y0, x1, y1 = bbox
    T = Hinv @ np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1]], dtype=np.float64)
    T = T / T[2, 2]
    return img.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, tuple(T.flatten()[:8]), resample)


# ----------------------------------------------------------------------------------------------- labels / barcodes
def _label_image(r, w, h):
    w, h = max(8, int(w)), max(6, int(h))
    paper = (int(r.integers(225, 250)), int(r.integers(225, 250)), int(r.integers(215, 245)))
    img = Image.new('RGB', (w, h), paper)
    d = ImageDraw.Draw(img)
    ink = (20, 20, 24)
    bx0, bx1 = w * 0.08, w * r.uniform(0.6, 0.92)
    by0, by1 = h * 0.12, h * r.uniform(0.45, 0.65)
    x = bx0
    unit = max(1.0, (bx1 - bx0) / 95.0)
    while x < bx1:
        bwid = unit * float(r.integers(1, 4))
        if r.random() < 0.55:
            d.rectangle([x, by0, x + bwid - 1 if bwid > 1 else x, by1], fill=ink)
        x += bwid
    fs = max(4.0, h * 0.13)
    _text(d, r, w * 0.08, by1 + h * 0.05, w * 0.8, fs, ink, mono=True)
    _text(d, r, w * 0.08, by1 + h * 0.05 + fs * 1.3, w * 0.6, fs, ink)
    if r.random() < 0.5:
        d.rectangle([1, 1, w - 2, h - 2], outline=(90, 90, 95), width=1)
    return img


# ----------------------------------------------------------------------------------------------- nuisance plan
def _edge_k_lines(r, dev, light):
    """specular highlights along the rounded glass edge (device space, additive)"""
    pts = dev.glass_outline(inset=r.uniform(0.6, 2.2), n=14)
    n = len(pts)
    out = []
    if light.mode == 'darkfield' or r.random() < 0.3:
        vals = np.clip(r.uniform(0.3, 1.0) * 255 * (0.5 + 0.5 * np.abs(_smooth(r, 1, 24, 3)[0])), 0, 255)
        out.append((np.vstack([pts, pts[:1]]), int(r.integers(2, 5)), vals))
    for _ in range(int(r.integers(1, 4))):
        a = int(r.integers(0, n))
        ln = int(r.integers(n // 12, n // 3))
        seg = np.take(pts, np.arange(a, a + ln), axis=0, mode='wrap')
        vals = np.clip(r.uniform(0.4, 1.0) * 255 * np.sin(np.linspace(0.1, np.pi - 0.1, 8)), 0, 255)
        out.append((seg, int(r.integers(2, 7)), vals))
    return out


def _plan_nuisances(r, W, H, s, light, dev, lit, content_kind):
    plan = {'names': [], 'k_lines': []}
    names = plan['names']
    # specular rims along the rounded glass edge
    if light.mode == 'darkfield' or r.random() < 0.65:
        plan['k_lines'] += _edge_k_lines(r, dev, light)
        names.append('edge_specular')
    # screen-protector edge: a thin rounded rectangle just inside the glass edge, sometimes partial, maybe a bubble
    if r.random() < 0.3:
        g = dev.glass
        ins = r.uniform(0.01, 0.05) * dev.Wd
        pts = _rrect_pts(g[0] + ins, g[1] + ins, g[2] - ins, g[3] - ins, max(0.0, dev.gr - ins * 0.5), 14)
        pts = np.vstack([pts, pts[:1]])
        nseg = 12
        vals = r.uniform(60, 200) * (r.random(nseg) < r.uniform(0.5, 1.0))
        plan['k_lines'].append((pts, int(r.integers(2, 4)), vals))
        if r.random() < 0.3:
            c = dev.sample_glass(r, 1, 10)
            if len(c):
                rr = r.uniform(0.02, 0.06) * dev.Wd
                t = np.linspace(0, 2 * np.pi, 40)
                bub = np.c_[c[0, 0] + rr * np.cos(t), c[0, 1] + rr * 0.7 * np.sin(t)]
                plan['k_lines'].append((bub, 2, np.full(6, r.uniform(50, 150))))
        names.append('protector_edge')
    # an inventory label stuck on the glass
    plan['glass_label'] = None
    if r.random() < 0.1:
        lw_ = dev.Wd * r.uniform(0.3, 0.55)
        lab = _label_image(r, lw_, lw_ * r.uniform(0.35, 0.6))
        c = dev.sample_glass(r, 1, dev.Wd * 0.25)
        if len(c):
            plan['glass_label'] = (lab, c[0])
            plan['glass_label_rot'] = r.uniform(-12, 12)
            names.append('glass_label')
    # labels / barcodes on the belt
    plan['belt_labels'] = []
    for _ in range(int(r.choice([0, 1, 2], p=[0.65, 0.27, 0.08]))):
        lw_ = H * r.uniform(0.1, 0.26)
        lab = _label_image(r, lw_, lw_ * r.uniform(0.35, 0.7))
        plan['belt_labels'].append((lab, (r.uniform(0, W), r.uniform(0, H)), r.uniform(0, 360)))
    if plan['belt_labels']:
        names.append('belt_label')
    # a clear bumper case: the belt seen through a transparent band around the phone
    plan['case'] = None
    if r.random() < 0.18:
        plan['case'] = dict(wd=r.uniform(0.025, 0.06) * dev.Wd, shift=r.uniform(1.5, 5) * s, ang=r.uniform(0, 2 * np.pi),
                            edge=r.uniform(0.3, 0.9), trans=r.uniform(0.75, 0.95))
        names.append('belt_through')
    # glass marks: dust, scratches (straight and arcs), fibres
    marks = []   # (kind, pts_dev or frame, width_px_frame, intensity 0..1, on_glass)
    g = dev.glass
    gl = max(g[2] - g[0], g[3] - g[1])
    if r.random() < 0.6:
        nd = int(r.integers(4, 60))
        pts = dev.sample_glass(r, nd, 2)
        for p in pts:
            marks.append(('dust', p, r.uniform(0.5, 2.2) * max(s, 0.6), r.uniform(0.25, 1.0), True))
        names.append('dust')
    if r.random() < 0.45:
        for _ in range(int(r.integers(1, 6))):
            p = dev.sample_glass(r, 1, 6)
            if not len(p):
                continue
            a = r.uniform(0, np.pi)
            ln = gl * r.uniform(0.04, 0.5)
            npar = int(r.integers(2, 6)) if r.random() < 0.3 else 1
            sp = r.uniform(2, 10) * s
            for j in range(npar):
                off = np.array([-math.sin(a), math.cos(a)]) * sp * j
                t = np.linspace(-0.5, 0.5, 12)[:, None] * ln
                pts = p[0] + off + t * np.array([math.cos(a), math.sin(a)])
                marks.append(('scratch', pts, r.uniform(0.5, 1.3) * s, r.uniform(0.15, 0.7), True))
        names.append('scratch_line')
    if r.random() < 0.3:
        for _ in range(int(r.integers(1, 5))):
            p = dev.sample_glass(r, 1, 6)
            if not len(p):
                continue
            rad = gl * r.uniform(0.08, 0.7)
            a0 = r.uniform(0, 2 * np.pi)
            span = r.uniform(0.15, 1.0) * min(1.0, gl * 0.4 / rad)
            ctr = p[0] - rad * np.array([math.cos(a0), math.sin(a0)])
            t = a0 + np.linspace(-span / 2, span / 2, 30)
            pts = ctr + rad * np.c_[np.cos(t), np.sin(t)]
            marks.append(('scratch', pts, r.uniform(0.5, 1.2) * s, r.uniform(0.15, 0.6), True))
        names.append('scratch_arc')
    if r.random() < 0.35:
        for _ in range(int(r.integers(1, 4))):
            on_glass = r.random() < 0.6
            if on_glass:
                p = dev.sample_glass(r, 1, 8)
                if not len(p):
                    continue
                p = project(dev.Hm, p)[0]
            else:
                bx0, by0, bx1, by1 = dev.bbox
                p = np.array([r.uniform(bx0, bx1), r.uniform(by0, by1)])
            n = int(r.integers(10, 50))
            st = r.uniform(2, 4) * s
            a = r.uniform(0, 2 * np.pi) + np.cumsum(r.normal(0, 0.25, n)) + np.cumsum(np.cumsum(r.normal(0, 0.02, n)))
            pts = p + np.cumsum(np.c_[np.cos(a), np.sin(a)] * st, 0)
            marks.append(('fibre', pts, r.uniform(0.7, 1.8) * s, r.uniform(0.3, 0.9), on_glass))
        names.append('fibre')
    plan['marks'] = marks
    # glare: a saturating specular hot spot (not under dark-field)
    if light.mode != 'darkfield' and r.random() < 0.22:
        p = dev.sample_glass(r, 1, 5)
        if len(p):
            p = project(dev.Hm, p)[0]
            light.shapes.append(dict(k='blob', x=p[0], y=p[1], sig=r.uniform(0.008, 0.035) * H, I=r.uniform(0.5, 2.0), soft=1.0))
            names.append('glare')
    # a faint ring rim (another ring light / lens bezel mirrored by the glass) in the other modes
    if light.mode == 'ring':
        names.append('ring_rim')
    elif r.random() < 0.15:
        c = project(dev.Hm, dev.sample_glass(r, 1, 5))
        if len(c):
            light.shapes.append(dict(k='ring', x=c[0, 0] + r.normal(0, 0.1 * H), y=c[0, 1] + r.normal(0, 0.1 * H),
                                     r0=r.uniform(0.08, 0.3) * H, hw=r.uniform(1, 4) * s, I=r.uniform(0.08, 0.4), soft=1.2 * s))
            names.append('ring_rim')
    if lit and content_kind in _LINE_CONTENT:
        names.append('ui_lines')
    return plan


# ----------------------------------------------------------------------------------------------- scene
class _Scene:
    pass


def _draw_marks(marks, dev, region, ss, want_glass):
    x0, y0, x1, y1 = region
    cv = Image.new('L', ((x1 - x0) * ss, (y1 - y0) * ss), 0)
    d = ImageDraw.Draw(cv)
    any_ = False
    for kind, pts, w, inten, on_glass in marks:
        if on_glass != want_glass:
            continue
        if kind == 'dust':
            p = project(dev.Hm, pts)[0]
            rr = w * ss / 2
            cx, cy = (p[0] - x0) * ss, (p[1] - y0) * ss
            d.ellipse([cx - rr, cy - rr * 0.8, cx + rr, cy + rr * 0.8], fill=int(255 * inten))
        else:
            P = project(dev.Hm, pts) if kind == 'scratch' else np.asarray(pts)
            P = (P - [x0, y0]) * ss
            wpx = max(1, int(round(w * ss)))
            fill = int(255 * inten)
            nseg = max(1, len(P) // 4)
            idx = np.linspace(0, len(P) - 1, nseg + 1).astype(int)
            for j in range(nseg):
                seg = P[idx[j]:idx[j + 1] + 1]
                f = fill if kind == 'fibre' else int(fill * (0.4 + 0.6 * ((j * 7919) % 13) / 12.0))
                d.line([tuple(q) for q in seg], fill=f, width=wpx, joint='curve' if wpx > 2 else None)
        any_ = True
    if not any_:
        return None
    return np.asarray(cv.reduce(ss), dtype=F32) * F32(1 / 255.0)


def _build_scene(seed, i):
    """The ok scene before the camera: linear radiance, planar 3 x H x W float32 (S.rad), plus what the crack
    needs: the phone's glass alpha G, the glass radiance, the scatter field Sb and the visibility map A (how much of
    the glass is not hidden by occluders), all over the phone's frame bbox."""
    S = _Scene()
    W, H, q, mono = _format(seed, i)
    s = H / 1080.0
    S.W, S.H, S.q, S.mono, S.s = W, H, q, mono, s
    light = _Light(_rng(seed, i, K_LIGHT), W, H, s)
    S.light = light
    rad, surf = _surface(_rng(seed, i, K_SURF), W, H, s, light)
    S.surface = surf
    dev = _Device(_rng(seed, i, K_POSE), W, H, s)
    S.dev = dev
    rc = _rng(seed, i, K_CONTENT)
    lit = bool(rc.random() < 0.5)
    dq = dev.disp
    dw, dh = int(round(dq[2])) - int(round(dq[0])), int(round(dq[3])) - int(round(dq[1]))
    if lit:
        content, ckind, cdark = _content(rc, max(4, dw), max(4, dh))
        escr = rc.uniform(0.35, 1.15)
    else:
        content, ckind, cdark, escr = None, 'off', False, 0.0
    S.lit, S.content_kind, S.escr = lit, ckind, escr
    plan = _plan_nuisances(_rng(seed, i, K_NUIS), W, H, s, light, dev, lit, ckind)
    S.names = list(plan['names'])
    tint = light.tint
    t3 = tint[:, None, None]
    illum = light.illum()

    # belt labels (printed paper lying on the belt)
    for lab, (lx, ly), rot in plan['belt_labels']:
        lr = lab.rotate(rot, resample=Image.BILINEAR, expand=True)
        mk = Image.new('L', lab.size, 255).rotate(rot, resample=Image.BILINEAR, expand=True)
        px, py = int(lx - lr.size[0] / 2), int(ly - lr.size[1] / 2)
        ax0, ay0 = max(0, px), max(0, py)
        ax1, ay1 = min(W, px + lr.size[0]), min(H, py + lr.size[1])
        if ax1 <= ax0 or ay1 <= ay0:
            continue
        la = _lin(np.asarray(lr)[ay0 - py:ay1 - py, ax0 - px:ax1 - px]).transpose(2, 0, 1)
        al = np.asarray(mk, dtype=F32)[None, ay0 - py:ay1 - py, ax0 - px:ax1 - px] * F32(1 / 255.0)
        reg = rad[:, ay0:ay1, ax0:ax1]
        lab_rad = la * (illum[None, ay0:ay1, ax0:ax1] * t3) * F32(0.85) + F32(light.relief * 0.04) * t3
        reg *= (1 - al)
        reg += al * lab_rad

    bx0, by0, bx1, by1 = dev.bbox
    S.bbox = dev.bbox
    bw, bh = bx1 - bx0, by1 - by0

    # clear bumper case around the phone: belt seen through it, displaced, with bright rims
    if plan['case'] is not None:
        cs = plan['case']
        wd = cs['wd']
        outer = _rrect_pts(-wd, -wd, dev.Wd + wd, dev.Hd + wd, dev.rc + wd, 12)
        P = project(dev.Hm, outer)
        e = int(wd * 2 + 4)
        rx0, ry0 = max(0, bx0 - e), max(0, by0 - e)
        rx1, ry1 = min(W, bx1 + e), min(H, by1 + e)
        cv = Image.new('L', ((rx1 - rx0) * 2, (ry1 - ry0) * 2), 0)
        dd = ImageDraw.Draw(cv)
        dd.polygon([tuple(p) for p in (P - [rx0, ry0]) * 2], fill=255)
        rim = Image.new('L', cv.size, 0)
        dr_ = ImageDraw.Draw(rim)
        dr_.line([tuple(p) for p in (np.vstack([P, P[:1]]) - [rx0, ry0]) * 2],
                 fill=int(255 * cs['edge']), width=max(2, int(2.4 * s + 0.5)))
        mid = _rrect_pts(-wd * 0.45, -wd * 0.45, dev.Wd + wd * 0.45, dev.Hd + wd * 0.45, dev.rc + wd * 0.45, 12)
        Pm = (project(dev.Hm, mid) - [rx0, ry0]) * 2
        dr_.line([tuple(p) for p in np.vstack([Pm, Pm[:1]])], fill=int(120 * cs['edge']), width=2)
        a = np.asarray(cv.reduce(2), dtype=F32) * F32(1 / 255.0)
        rimf = np.asarray(rim.reduce(2), dtype=F32) * F32(1 / 255.0)
        reg = rad[:, ry0:ry1, rx0:rx1]
        sx, sy = int(round(cs['shift'] * math.cos(cs['ang']))), int(round(cs['shift'] * math.sin(cs['ang'])))
        shifted = np.roll(reg, (sy, sx), (1, 2))
        through = shifted * F32(cs['trans']) + F32(0.01) * t3
        through += (rimf * F32(0.15 + 0.6 * light.spec) * illum[ry0:ry1, rx0:rx1] / F32(max(light.illum0, 0.05)) * F32(0.6))[None] * t3
        reg += a[None] * (through - reg)

    # the phone, rendered in device space and warped into the frame
    rgb, masks = dev.render(content, lit, plan)
    wr = np.stack([np.asarray(ch) for ch in _warp(rgb, dev.Hinv, dev.bbox).split()])
    Pa, G, E, K = [np.asarray(ch, dtype=F32) * F32(1 / 255.0) for ch in _warp(masks, dev.Hinv, dev.bbox).split()]
    S.Pa, S.G = Pa, G
    dev_lin = _lin(wr)
    ill_b = illum[by0:by1, bx0:bx1]

    # soft shadow of the phone on the surface
    sh_str = {'brightfield': 0.3, 'darkfield': 0.55, 'ring': 0.35, 'coaxial': 0.1, 'room': 0.45}[light.mode]
    sf = 4
    e = int(30 * s) + 8
    rx0, ry0 = max(0, bx0 - e), max(0, by0 - e)
    rx1, ry1 = min(W, bx1 + e), min(H, by1 + e)
    smw, smh = max(1, (rx1 - rx0) // sf), max(1, (ry1 - ry0) // sf)
    pm = Image.fromarray((Pa * 255).astype(np.uint8)).resize((max(1, bw // sf), max(1, bh // sf)), Image.BILINEAR)
    shc = Image.new('L', (smw, smh), 0)
    ox = (bx0 - rx0) // sf + int(round(light.gdir[0] * 6 * s))
    oy = (by0 - ry0) // sf + int(round(light.gdir[1] * 6 * s))
    shc.paste(pm, (ox, oy))
    shc = shc.filter(ImageFilter.GaussianBlur(max(1.0, 5 * s)))
    shadow = _resize_f(np.asarray(shc, dtype=F32) * F32(1 / 255.0), rx1 - rx0, ry1 - ry0)
    rad[:, ry0:ry1, rx0:rx1] *= (1 - F32(sh_str) * shadow)[None]

    # radiance of the device: diffuse body/bezel, emissive display, metal rim glint, glass reflections, edge highlights
    refl = _resize_f(light.field(bx0, by0, max(1, (bw + 1) // 2), max(1, (bh + 1) // 2), step=2.0), bw, bh)
    body = dev_lin * (ill_b[None] * t3)
    phone = body
    if lit:
        phone = body + E[None] * (dev_lin * F32(escr) - body)
    rim = np.clip(Pa - G, 0, 1)
    add = rim * F32(light.rim) * (F32(0.5) + F32(0.5) * ill_b / F32(max(light.illum0, 0.05)))
    add += G * refl
    add += K * F32(light.spec)
    phone += add[None] * t3
    S.glass_rad = phone                   # radiance of the glass before any crack (used by the crack's darkening)
    rb = rad[:, by0:by1, bx0:bx1]
    rb += Pa[None] * (phone - rb)

    # scatter field over the phone (light a crack or scratch sends to the camera)
    sw, shh = max(1, (bw + 3) // 4), max(1, (bh + 3) // 4)
    Sl = light.scatter(bx0, by0, sw, shh, step=4.0)
    if lit:
        lum = E * (dev_lin[0] + dev_lin[1] + dev_lin[2]) * F32(1 / 3.0)
        cl = _resize_f(lum, max(1, bw // 16), max(1, bh // 16), Image.BOX)
        Sl += F32(0.35 * escr) * _resize_f(cl, sw, shh)
    S.Sb = _resize_f(Sl, bw, bh)

    # dust, scratches, fibres (additive scatter, polarity follows the lighting)
    bm, dm_ = {'brightfield': (0.6, 0.25), 'darkfield': (1.0, 0.05), 'ring': (0.8, 0.25),
               'coaxial': (0.08, 0.55), 'room': (0.7, 0.2)}[light.mode]
    if plan['marks']:
        gl_ = _draw_marks(plan['marks'], dev, dev.bbox, 2, True)
        if gl_ is not None:
            gl_ *= G
            rb += gl_[None] * (F32(bm) * S.Sb[None] * t3 - F32(dm_) * rb)
        fr = _draw_marks(plan['marks'], dev, dev.bbox, 2, False)
        if fr is not None:
            sc = F32(bm) * (F32(0.6) * ill_b + F32(light.relief * 0.4) + F32(0.15 * light.S0))
            rb += fr[None] * (sc[None] * t3 - F32(dm_) * rb)

    # occluders (stream K_OCC): gripper shadow, gripper fingers, tray lip.  A = how much of the glass stays visible.
    S.A = np.ones((bh, bw), F32)
    _occluders(_rng(seed, i, K_OCC), S, rad, light, dev)
    S.rad = rad
    return S


def _paint_alpha(rad, S, alpha, x0, y0, colour_rad, shade=None):
    """composite an occluder (alpha over a frame region) and update the glass visibility map A"""
    h, w = alpha.shape
    reg = rad[:, y0:y0 + h, x0:x0 + w]
    c = colour_rad if shade is None else colour_rad * shade[None]
    reg += alpha[None] * (c - reg)
    _upd_A(S, alpha, x0, y0, 1.0)


def _upd_A(S, alpha, x0, y0, k):
    bx0, by0, bx1, by1 = S.bbox
    h, w = alpha.shape
    ix0, iy0 = max(x0, bx0), max(y0, by0)
    ix1, iy1 = min(x0 + w, bx1), min(y0 + h, by1)
    if ix1 > ix0 and iy1 > iy0:
        S.A[iy0 - by0:iy1 - by0, ix0 - bx0:ix1 - bx0] *= (1 - F32(k) * alpha[iy0 - y0:iy1 - y0, ix0 - x0:ix1 - x0])


def _poly_alpha(pts, W, H, blur=0.8, pad=6):
    pts = np.asarray(pts)
    x0 = int(max(0, math.floor(pts[:, 0].min()) - pad))
    y0 = int(max(0, math.floor(pts[:, 1].min()) - pad))
    x1 = int(min(W, math.ceil(pts[:, 0].max()) + pad))
    y1 = int(min(H, math.ceil(pts[:, 1].max()) + pad))
    if x1 <= x0 or y1 <= y0:
        return None
    cv = Image.new('L', ((x1 - x0) * 2, (y1 - y0) * 2), 0)
    ImageDraw.Draw(cv).polygon([tuple(p) for p in (pts - [x0, y0]) * 2], fill=255)
    cv = cv.reduce(2)
    if blur:
        cv = cv.filter(ImageFilter.GaussianBlur(blur))
    return np.asarray(cv, dtype=F32) * F32(1 / 255.0), x0, y0


def _occluders(r, S, rad, light, dev):
    W, H, s = S.W, S.H, S.s
    tint = light.tint
    t3 = tint[:, None, None]
    illum = light.illum()
    q = dev.quad
    ctr = q.mean(0)
    # shadow of a gripper / robot arm above the belt (out of frame)
    if r.random() < 0.15:
        a = r.uniform(0, 2 * np.pi)
        n = np.array([math.cos(a), math.sin(a)])
        t = np.array([-n[1], n[0]])
        off = r.uniform(-0.3, 0.3) * np.abs(q - ctr).max()
        p0 = ctr + n * off
        L = 3 * max(W, H)
        wdt = r.uniform(0.1, 0.4) * H
        pts = np.array([p0 - t * wdt, p0 + t * wdt, p0 + t * wdt + n * L, p0 - t * wdt + n * L])
        res = _poly_alpha(pts, W, H, blur=0, pad=2)
        if res is not None:
            al, x0, y0 = res
            al = np.asarray(_fimg(al).resize((max(1, al.shape[1] // 4), max(1, al.shape[0] // 4)), Image.BILINEAR)
                            .resize((al.shape[1], al.shape[0]), Image.BILINEAR), dtype=F32)
            sm = Image.fromarray((al * 255).astype(np.uint8)).filter(ImageFilter.GaussianBlur(r.uniform(3, 12) * s))
            al = np.asarray(sm, dtype=F32) * F32(1 / 255.0)
            k = r.uniform(0.25, 0.6)
            reg = rad[:, y0:y0 + al.shape[0], x0:x0 + al.shape[1]]
            reg *= (1 - F32(k) * al)[None]
            _upd_A(S, al, x0, y0, k)
            S.names.append('gripper_shadow')
    # gripper fingers coming over an edge of the phone
    if r.random() < 0.18:
        e = int(r.integers(0, 4))
        fingers = [(e, r.uniform(0.25, 0.75))]
        if r.random() < 0.5:
            fingers.append(((e + 2) % 4, r.uniform(0.25, 0.75)))
        fw = r.uniform(0.05, 0.1) * H
        col = np.array([(0.03, 0.03, 0.035), (0.35, 0.36, 0.38), (0.7, 0.25, 0.03), (0.05, 0.15, 0.5)][int(r.integers(0, 4))], F32)
        depth_f = r.uniform(0.04, 0.18)
        for ed, tt in fingers:
            pa, pb = q[ed], q[(ed + 1) % 4]
            ev = pb - pa
            el = np.hypot(*ev)
            tdir = ev / el
            nout = np.array([tdir[1], -tdir[0]])
            if np.dot(nout, (pa + pb) / 2 - ctr) < 0:
                nout = -nout
            base = pa + ev * tt
            other = min(np.hypot(*(q[1] - q[0])), np.hypot(*(q[2] - q[1])))
            tip = base - nout * depth_f * other
            far = base + nout * 2.5 * max(W, H)
            pts = [tip - tdir * fw / 2, tip + tdir * fw / 2, far + tdir * fw / 2, far - tdir * fw / 2]
            # shadow first, offset away from the light
            so = np.array(light.gdir) * r.uniform(6, 20) * s
            res = _poly_alpha(np.array(pts) + so, W, H, blur=r.uniform(3, 10) * s, pad=int(25 * s) + 4)
            if res is not None:
                al, x0, y0 = res
                k = 0.55 if light.mode != 'darkfield' else 0.8
                rad[:, y0:y0 + al.shape[0], x0:x0 + al.shape[1]] *= (1 - F32(k) * al)[None]
                _upd_A(S, al, x0, y0, k)
            res = _poly_alpha(pts, W, H, blur=max(0.6, 1.2 * s))
            if res is not None:
                al, x0, y0 = res
                h, w = al.shape
                yy, xx = np.mgrid[y0:y0 + h, x0:x0 + w].astype(F32)
                across = ((xx - F32(base[0])) * F32(tdir[0]) + (yy - F32(base[1])) * F32(tdir[1])) / F32(fw / 2)
                shade = F32(0.55) + F32(0.45) * np.cos(np.clip(across, -1.4, 1.4))
                crad = (col * tint)[:, None, None] * illum[None, y0:y0 + h, x0:x0 + w] + F32(0.01)
                _paint_alpha(rad, S, al, x0, y0, crad, shade)
        S.names.append('gripper')
    # tray lip: a straight wall along one frame side covering an edge of the phone
    if r.random() < 0.12:
        side = int(r.integers(0, 4))
        ang = r.normal(0, 0.03)
        qx, qy = q[:, 0], q[:, 1]
        if side == 0:
            n = np.array([math.sin(ang), -math.cos(ang)])          # wall above (towards -y)
            edge_c = qy.min() + r.uniform(0.05, 0.22) * (qy.max() - qy.min())
            p0 = np.array([W / 2, edge_c])
        elif side == 1:
            n = np.array([-math.sin(ang), math.cos(ang)])
            edge_c = qy.max() - r.uniform(0.05, 0.22) * (qy.max() - qy.min())
            p0 = np.array([W / 2, edge_c])
        elif side == 2:
            n = np.array([-math.cos(ang), -math.sin(ang)])
            edge_c = qx.min() + r.uniform(0.05, 0.22) * (qx.max() - qx.min())
            p0 = np.array([edge_c, H / 2])
        else:
            n = np.array([math.cos(ang), math.sin(ang)])
            edge_c = qx.max() - r.uniform(0.05, 0.22) * (qx.max() - qx.min())
            p0 = np.array([edge_c, H / 2])
        xs_ = (np.arange(W, dtype=F32) + F32(0.5 - p0[0])) * F32(n[0])
        ys_ = (np.arange(H, dtype=F32) + F32(0.5 - p0[1])) * F32(n[1])
        d = xs_[None, :] + ys_[:, None]                                 # > 0 inside the wall
        wall = np.clip(d + F32(0.5), 0, 1)
        rows = np.nonzero(wall.max(1) > 0)[0]
        cols = np.nonzero(wall.max(0) > 0)[0]
        if len(rows) and len(cols):
            y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
            al = wall[y0:y1, x0:x1]
            dd = d[y0:y1, x0:x1]
            steel = r.random() < 0.6
            base = np.array([0.5, 0.52, 0.55], F32) if steel else np.array([(0.08, 0.08, 0.09), (0.5, 0.5, 0.48), (0.1, 0.2, 0.45)][int(r.integers(0, 3))], F32)
            shade = F32(0.8) + F32(0.2) * np.tanh(dd / F32(40 * s))
            hl = np.exp(-((dd - F32(2.5 * s)) / F32(1.3 * s + 0.4)) ** 2) * F32(r.uniform(0.6, 2.0) * (0.5 + light.spec))
            crad = (base * tint)[:, None, None] * (illum[y0:y1, x0:x1] * shade)[None] + hl[None] * t3
            # the wall's shadow on what lies below it
            shd = np.clip(np.exp(np.minimum(dd, 0) / F32(r.uniform(6, 25) * s)), 0, 1) * (1 - al)
            k = r.uniform(0.2, 0.5)
            ys, xs = slice(y0, y1), slice(x0, x1)
            rad[:, ys, xs] *= (1 - F32(k) * shd)[None]
            _upd_A(S, shd, x0, y0, k)
            _paint_alpha(rad, S, al, x0, y0, crad)
            S.names.append('tray_lip')


# ----------------------------------------------------------------------------------------------- camera
def _int_kernel(k, total=16):
    """non-negative integer weights summing to `total` (largest remainder rounding)"""
    k = np.asarray(k, dtype=np.float64)
    k = k / k.sum() * total
    w = np.floor(k).astype(int)
    rest = total - w.sum()
    if rest > 0:
        w[np.argsort(-(k - w))[:rest]] += 1
    return [int(x) for x in w]


def _sep_blur(u8, kx, ky):
    """separable blur over the last two axes of a uint8 image (H x W or C x H x W) with integer kernels summing
    to 16 each (exact integer arithmetic); the border (half a kernel wide) is left unfiltered"""
    H, W = u8.shape[-2:]
    rx, ry = len(kx) // 2, len(ky) // 2
    if W <= 2 * rx or H <= 2 * ry:
        return u8
    a = u8.astype(np.uint16)
    Wn, Hn = W - 2 * rx, H - 2 * ry
    h = None
    for j, wgt in enumerate(kx):
        if wgt:
            t = a[..., :, j:j + Wn] * np.uint16(wgt)
            if h is None:
                h = t
            else:
                h += t
    v = None
    for j, wgt in enumerate(ky):
        if wgt:
            t = h[..., j:j + Hn, :] * np.uint16(wgt)
            if v is None:
                v = t
            else:
                v += t
    v += np.uint16(128)
    v >>= np.uint16(8)
    out = u8.copy()
    out[..., ry:H - ry, rx:W - rx] = v
    return out


class _Camera:
    def __init__(self, seed, i, S):
        W, H, s, mono = S.W, S.H, S.s, S.mono
        r = _rng(seed, i, K_CAMP)
        self.W, self.H, self.mono = W, H, mono
        if mono:
            self.wb = np.array([1, 1, 1], F32)
        else:
            self.wb = np.array([r.uniform(0.82, 1.2), 1.0, r.uniform(0.82, 1.2)], F32)
        # exposure: the station's fixed setting for its lighting, jittered, kept in a sane range by the ok scene
        # (identical for both twins)
        sub = S.rad[:, ::8, ::8]
        y = sub[0] * 0.299 + sub[1] * 0.587 + sub[2] * 0.114
        p = float(np.percentile(y, 99.7 if S.light.mode == 'darkfield' else 98.5)) + 1e-4
        g0 = {'brightfield': 1.3, 'darkfield': 2.0, 'ring': 1.2, 'coaxial': 1.1, 'room': 1.6}[S.light.mode]
        self.gain = float(np.clip(g0 * math.exp(r.normal(0, 0.3)), 0.45 / p, 1.25 / p))
        # strong vignetting
        k = r.uniform(0.25, 0.65)
        pw = r.uniform(1.5, 3.0)
        vcx, vcy = W / 2 + r.normal(0, 0.04 * W), H / 2 + r.normal(0, 0.04 * H)
        w8, h8 = max(4, W // 16), max(4, H // 16)
        X = ((np.arange(w8) + 0.5) * W / w8)[None, :]
        Y = ((np.arange(h8) + 0.5) * H / h8)[:, None]
        rr = np.hypot((X - vcx) / (W / 2), (Y - vcy) / (W / 2)) / math.hypot(1, H / W)
        self.vig = _resize_f((1 - k * np.clip(rr, 0, 1.3) ** pw).astype(F32), W, H)
        # tone curve (linear -> display), black level, slight S-curve; domain 0..2 in 4096 bins
        x = np.linspace(0, 2.0, 4096)
        gam = r.uniform(1 / 2.4, 1 / 1.9)
        yv = np.clip(x, 0, None) ** gam
        yv = np.where(x > 1.0, 1.0, yv)
        con = r.uniform(0.0, 0.25)
        yv = yv + con * (yv - 0.5) * (1 - np.abs(2 * yv - 1))
        blk = r.uniform(1, 10)
        self.lut = np.clip(blk + yv * (255 - blk), 0, 255).round().astype(np.uint8)
        # blur: optics (gaussian) and motion along the belt (x); separable integer kernels (3 taps colour, 5 mono)
        sig = r.uniform(0.35, 0.85)
        mot = r.uniform(0.0, 2.0) if r.random() < 0.6 else 0.0
        self.motion = mot
        ks = 5 if mono else 3
        off = np.arange(ks) - ks // 2
        gy = np.exp(-off ** 2 / (2 * sig * sig))
        sub_t = np.linspace(-mot / 2, mot / 2, 9) + (r.uniform(-0.3, 0.3) * mot)
        gx = np.exp(-(off[:, None] - sub_t[None, :]) ** 2 / (2 * sig * sig)).sum(1)
        self.kx, self.ky = _int_kernel(gx), _int_kernel(gy)
        # noise (levels): read + shot, column FPN, hot pixels
        read = r.uniform(0.6, 3.0)
        shot = r.uniform(0.01, 0.1)
        self.read, self.shot = read, shot
        self.fpn_s = r.uniform(0.3, 2.2) if r.random() < 0.65 else 0.0
        self.hot_rate = r.uniform(2e-6, 1e-4) if r.random() < 0.7 else 0.0
        self.chroma = 0.0 if mono else r.uniform(0.3, 1.8)
        rn = _rng(seed, i, K_NOISE)
        self.z = rn.standard_normal((H, W), dtype=F32)
        self.fpn = (rn.standard_normal(W).astype(F32) * F32(self.fpn_s))
        self.rown = rn.standard_normal(H).astype(F32) * F32(r.uniform(0.0, 0.5))
        if self.chroma:
            self.zc = rn.standard_normal((2, (H + 1) // 2 + 1, (W + 1) // 2 + 1), dtype=F32) * F32(self.chroma)
        nh = int(rn.poisson(self.hot_rate * W * H)) if self.hot_rate else 0
        self.hot_y = rn.integers(0, H, nh)
        self.hot_x = rn.integers(0, W, nh)
        self.hot_v = rn.uniform(90, 255, nh).astype(F32)
        self.hot_c = rn.integers(0, 3, nh)
        self.hot_all = rn.random(nh) < 0.4
        self.names = []
        if self.fpn_s > 1.0:
            self.names.append('column_fpn')
        if nh >= 3:
            self.names.append('hot_pixels')

    def apply(self, rad, x0, y0):
        """camera on a planar radiance crop (3 x h x w) at frame offset (x0, y0) -> h x w x 3 uint8.
        Every step is per pixel or local (kernel radius <= 2), and all noise is indexed by frame position,
        so a crop gives exactly the pixels of the full frame away from its border."""
        h, w = rad.shape[1:]
        vig = self.vig[y0:y0 + h, x0:x0 + w]
        g = self.gain * (4095 / 2.0)
        if self.mono:
            v = rad[0] * F32(0.299 * g)
            v += rad[1] * F32(0.587 * g)
            v += rad[2] * F32(0.114 * g)
            v *= vig
        else:
            v = rad * (self.wb * F32(g))[:, None, None]
            v *= vig[None]
        np.maximum(v, 0, out=v)
        np.minimum(v, 4095, out=v)
        u8 = self.lut[v.astype(np.uint16)]
        u8 = _sep_blur(u8, self.kx, self.ky)
        out = u8.astype(F32)
        lum = out if self.mono else out[1].copy()
        n = lum * F32(self.shot)
        n += F32(self.read ** 2)
        np.sqrt(n, out=n)
        n *= self.z[y0:y0 + h, x0:x0 + w]
        n += self.fpn[None, x0:x0 + w]
        n += self.rown[y0:y0 + h, None]
        n += F32(0.5)
        if self.mono:
            out += n
        else:
            out += n[None]
            if self.chroma:
                cy0, cx0 = y0 // 2, x0 // 2
                cy1, cx1 = (y0 + h + 1) // 2 + 1, (x0 + w + 1) // 2 + 1
                c = self.zc[:, cy0:cy1, cx0:cx1]
                c = np.repeat(np.repeat(c, 2, 1), 2, 2)[:, y0 - 2 * cy0:y0 - 2 * cy0 + h, x0 - 2 * cx0:x0 - 2 * cx0 + w]
                out[0] += c[0]
                out[2] += c[1]
                c0 = c[0]
                c0 += c[1]
                c0 *= F32(0.5)
                out[1] -= c0
        if len(self.hot_y):
            sel = (self.hot_y >= y0) & (self.hot_y < y0 + h) & (self.hot_x >= x0) & (self.hot_x < x0 + w)
            if sel.any():
                yy, xx, vv = self.hot_y[sel] - y0, self.hot_x[sel] - x0, self.hot_v[sel]
                if self.mono:
                    out[yy, xx] = np.maximum(out[yy, xx], vv)
                else:
                    cc, al = self.hot_c[sel], self.hot_all[sel]
                    for ch in range(3):
                        m = al | (cc == ch)
                        out[ch, yy[m], xx[m]] = np.maximum(out[ch, yy[m], xx[m]], vv[m])
        np.maximum(out, 0, out=out)
        np.minimum(out, 255, out=out)
        out = out.astype(np.uint8)
        if self.mono:
            im = Image.fromarray(out)
            return np.asarray(Image.merge('RGB', (im, im, im)))
        return np.asarray(Image.merge('RGB', [Image.fromarray(c) for c in out]))


# ----------------------------------------------------------------------------------------------- cracks
def _walk(r, p0, ang, length, step, wig, curv, drift, inside, kink=0.03):
    n = max(2, int(length / step))
    kmax = 2.5 / max(length, 1.0)
    k = np.clip(curv + np.cumsum(r.normal(0, drift, n)), -kmax, kmax)
    da = k * step + r.normal(0, wig, n)
    da += (r.random(n) < kink) * r.normal(0, 0.35, n)
    a = ang + np.cumsum(da)
    P = np.vstack([p0, p0 + np.cumsum(np.c_[np.cos(a), np.sin(a)] * step, 0)])
    a = np.r_[ang, a]
    ok = inside(P[:, 0], P[:, 1])
    bad = np.nonzero(~ok)[0]
    if len(bad):
        P, a = P[:bad[0]], a[:bad[0]]
    return P, a


class _Stroke:
    __slots__ = ('P', 'w', 'inten', 'glint')

    def __init__(self, P, w, inten, glint):
        self.P, self.w, self.inten, self.glint = P, w, inten, glint


def _profile(r, n, base, taper_end=True, taper_start=False):
    t = np.arange(n, dtype=np.float64)
    v = base * (0.55 + 0.45 * np.clip(0.5 + 0.5 * np.interp(t, np.linspace(0, n, 6), r.normal(0, 1, 6)), 0, 1))
    if taper_end:
        nt = max(2, n // 5)
        v *= np.clip((n - 1 - t) / nt + 0.15, 0, 1)
    if taper_start:
        nt = max(2, n // 6)
        v *= np.clip(t / nt + 0.15, 0, 1)
    # cracks are partly invisible: short stretches fade out
    if n > 20 and r.random() < 0.5:
        for _ in range(int(r.integers(1, 4))):
            c = int(r.integers(0, n))
            L = int(r.integers(3, max(4, n // 8)))
            v[max(0, c - L):c + L] *= r.uniform(0.1, 0.5)
    return v


def _grow(r, strokes, P, a, depth, maxdepth, step, wpx, inside, base_int, nbr=(0, 3), blen=(0.15, 0.5), wig=0.06):
    if depth >= maxdepth or len(P) < 8:
        return
    for _ in range(int(r.integers(nbr[0], nbr[1] + 1))):
        j = int(r.integers(int(len(P) * 0.15), max(int(len(P) * 0.15) + 1, int(len(P) * 0.9))))
        ang = a[j] + r.choice([-1, 1]) * r.uniform(0.3, 1.0)
        L = r.uniform(*blen) * len(P) * step
        Q, qa = _walk(r, P[j], ang, L, step, wig, r.normal(0, 0.3) / max(L, 1), 0.0003, inside)
        if len(Q) < 3:
            continue
        inten = _profile(r, len(Q), base_int * r.uniform(0.6, 0.95))
        strokes.append(_Stroke(Q, wpx * r.uniform(0.6, 1.0), inten, r.random() < 0.4))
        _grow(r, strokes, Q, qa, depth + 1, maxdepth, step, wpx * 0.8, inside, base_int * 0.85, (0, 2), blen, wig)


def _edge_point(r, dev, margin, side=None):
    g = dev.glass
    m = margin + 0.5
    if side is None:
        side = int(r.integers(0, 4))
    x0, y0, x1, y1 = g[0] + m, g[1] + m, g[2] - m, g[3] - m
    rad = dev.gr
    t = r.uniform(0.05, 0.95)
    if side == 0:
        p, nin = np.array([x0 + rad + t * (x1 - x0 - 2 * rad), y0]), np.array([0.0, 1.0])
    elif side == 1:
        p, nin = np.array([x1, y0 + rad + t * (y1 - y0 - 2 * rad)]), np.array([-1.0, 0.0])
    elif side == 2:
        p, nin = np.array([x0 + rad + t * (x1 - x0 - 2 * rad), y1]), np.array([0.0, -1.0])
    else:
        p, nin = np.array([x0, y0 + rad + t * (y1 - y0 - 2 * rad)]), np.array([1.0, 0.0])
    return p + nin * 0.6, nin


def _corner_point(r, dev, margin):
    g = dev.glass
    c = int(r.integers(0, 4))
    sx, sy = (1, 1) if c == 0 else (-1, 1) if c == 1 else (-1, -1) if c == 2 else (1, -1)
    cx = g[0] if sx > 0 else g[2]
    cy = g[1] if sy > 0 else g[3]
    rad = dev.gr
    off = rad * (1 - 1 / math.sqrt(2)) + margin + 1.0
    return np.array([cx + sx * off, cy + sy * off]), np.array([sx, sy], dtype=np.float64) / math.sqrt(2)


def _crack_geometry(r, S, kind, w_nom):
    """strokes (device px polylines) plus polygons: returns dict"""
    dev, s = S.dev, S.s
    g = dev.glass
    gw, gh = g[2] - g[0], g[3] - g[1]
    gl, gs = max(gw, gh), min(gw, gh)
    margin = 4.0
    inside = dev.glass_inside(margin)
    step = max(2.0, 3.2 * s)
    wpx = w_nom * s
    strokes, frost, dark, glint_polys, kink = [], [], [], [], None
    if kind == 'hairline_edge':
        p, nin = _edge_point(r, dev, margin)
        ang = math.atan2(nin[1], nin[0]) + r.normal(0, 0.45)
        L = r.uniform(0.3, 0.95) * gl
        P, a = _walk(r, p, ang, L, step, r.uniform(0.015, 0.05), r.normal(0, 0.4) / L, 0.0005, inside, kink=0.02)
        strokes.append(_Stroke(P, wpx, _profile(r, len(P), 1.0), r.random() < 0.5))
        if r.random() < 0.4:
            _grow(r, strokes, P, a, 0, 1, step, wpx * 0.8, inside, 0.7, (1, 2), (0.05, 0.15))
    elif kind == 'long_fork':
        from_edge = r.random() < 0.6
        if from_edge:
            p, nin = _edge_point(r, dev, margin)
            ang = math.atan2(nin[1], nin[0]) + r.normal(0, 0.6)
        else:
            p = dev.sample_glass(r, 1, gs * 0.2)
            p = p[0] if len(p) else np.array([(g[0] + g[2]) / 2, (g[1] + g[3]) / 2])
            ang = r.uniform(0, 2 * np.pi)
        L = r.uniform(0.5, 1.3) * gl
        P, a = _walk(r, p, ang, L, step, r.uniform(0.02, 0.06), r.choice([-1, 1]) * r.uniform(0.5, 2.5) / L, 1.0 / L / 40, inside)
        if len(P) < 10:
            P, a = _walk(r, p, ang + np.pi, L, step, 0.05, 0.0, 0.0, inside)
        strokes.append(_Stroke(P, wpx, _profile(r, len(P), 1.0, taper_start=not from_edge), r.random() < 0.5))
        _grow(r, strokes, P, a, 0, 2, step, wpx * 0.9, inside, 0.9, (1, 3), (0.1, 0.45))
    elif kind in ('impact_web', 'corner_shatter'):
        if kind == 'impact_web':
            p = dev.sample_glass(r, 1, gs * 0.12)
            c = p[0] if len(p) else np.array([(g[0] + g[2]) / 2, (g[1] + g[3]) / 2])
            a0, span = r.uniform(0, 2 * np.pi), 2 * np.pi
            nr = int(r.integers(5, 15))
            rc = r.uniform(2.5, 9) * max(s, 0.5)
        else:
            c, dvec = _corner_point(r, dev, margin)
            span = np.pi / 2 * r.uniform(0.8, 1.0)
            a0 = math.atan2(dvec[1], dvec[0]) - span / 2
            nr = int(r.integers(4, 10))
            rc = r.uniform(2, 7) * max(s, 0.5)
        angs = a0 + (np.arange(nr) + (0.5 if span < 6 else 0) + r.uniform(-0.3, 0.3, nr)) * span / nr
        lens = np.exp(r.normal(math.log(0.15 * gs), 0.7, nr))
        lens[int(r.integers(0, nr))] *= r.uniform(1.5, 4.0)
        rays = []
        for an, ln in zip(angs, lens):
            p0 = c + rc * np.array([math.cos(an), math.sin(an)])
            if not inside(p0[0:1], p0[1:2])[0]:
                rays.append(None)
                continue
            P, a = _walk(r, p0, an, ln, step, r.uniform(0.02, 0.06), 0.0, 0.0003, inside)
            if len(P) < 3:
                rays.append(None)
                continue
            rays.append(P)
            strokes.append(_Stroke(P, wpx * r.uniform(0.8, 1.2), _profile(r, len(P), r.uniform(0.75, 1.0)), r.random() < 0.5))
            if r.random() < 0.5:
                _grow(r, strokes, P, a, 0, 1, step, wpx * 0.8, inside, 0.7, (1, 2), (0.1, 0.4))
        # concentric links between neighbouring rays
        for rk in np.sort(r.uniform(rc * 3, max(rc * 3 + 1, 0.25 * gs), int(r.integers(1, 4)))):
            for j in range(len(rays) - (0 if span > 6 else 1)):
                A_, B_ = rays[j], rays[(j + 1) % len(rays)]
                if A_ is None or B_ is None or r.random() < 0.35:
                    continue
                da_ = np.hypot(*(A_ - c).T)
                db_ = np.hypot(*(B_ - c).T)
                ia = np.nonzero(da_ >= rk * r.uniform(0.85, 1.15))[0]
                ib = np.nonzero(db_ >= rk * r.uniform(0.85, 1.15))[0]
                if not len(ia) or not len(ib):
                    continue
                pa_, pb_ = A_[ia[0]], B_[ib[0]]
                mid = (pa_ + pb_) / 2
                mid = c + (mid - c) * r.uniform(0.85, 1.0) + r.normal(0, 1.0, 2)
                t = np.linspace(0, 1, max(3, int(np.hypot(*(pb_ - pa_)) / step)))[:, None]
                Q = (1 - t) ** 2 * pa_ + 2 * (1 - t) * t * mid + t ** 2 * pb_
                Q = Q + r.normal(0, 0.25, Q.shape)
                Q = Q[inside(Q[:, 0], Q[:, 1])]
                if len(Q) >= 2:
                    strokes.append(_Stroke(Q, wpx * r.uniform(0.6, 0.9), _profile(r, len(Q), r.uniform(0.5, 0.85), taper_end=False), False))
        # crushed zone: a frosted core made of overlapping patches and many tiny fragments, bright and dark
        for _ in range(int(r.integers(3, 7))):
            pc = c + r.normal(0, rc * 0.35, 2)
            frost.append(('ellipse', pc, rc * r.uniform(0.35, 0.9), r.uniform(0.15, 0.5)))
        for _ in range(int(r.integers(20, 60))):
            pc = c + r.normal(0, rc * 0.55, 2)
            if not inside(pc[0:1], pc[1:2])[0]:
                continue
            rr = r.uniform(0.35, 1.8) * max(s, 0.5)
            ang = np.sort(r.uniform(0, 2 * np.pi, int(r.integers(3, 6))))
            poly = pc + rr * np.c_[np.cos(ang), np.sin(ang)]
            (frost if r.random() < 0.6 else dark).append(('poly', poly, None, r.uniform(0.3, 1.0)))
    elif kind == 'crazing':
        # a network of very fine cracks in one region: a few primaries across it, then secondaries that leave
        # an existing crack roughly at right angles and stop where they meet another one (T-junctions)
        p = dev.sample_glass(r, 1, gs * 0.1)
        c = p[0] if len(p) else np.array([(g[0] + g[2]) / 2, (g[1] + g[3]) / 2])
        Rz = r.uniform(0.08, 0.26) * gs
        ell = r.uniform(0.55, 1.0)
        ea = r.uniform(0, np.pi)
        ce_, se_ = math.cos(ea), math.sin(ea)
        cs_ = max(1.2, 1.7 * s)
        occ = set()
        inside1 = dev.glass_inside1(margin)
        st = max(1.2, 1.8 * s)

        def in_region(qx, qy):
            dx, dy = qx - c[0], qy - c[1]
            u = (dx * ce_ + dy * se_) / Rz
            v = (-dx * se_ + dy * ce_) / (Rz * ell)
            return u * u + v * v < 1.0

        def crawl(q0, a, maxl, wig):
            n = int(maxl / st) + 1
            noise = r.normal(0, wig, n)
            leave = r.random(n)
            qx, qy = float(q0[0]), float(q0[1])
            pts = [(qx, qy)]
            for j in range(n):
                a += noise[j]
                qx += st * math.cos(a)
                qy += st * math.sin(a)
                if (not in_region(qx, qy) and leave[j] < 0.8) or not inside1(qx, qy):
                    break
                pts.append((qx, qy))
                if j >= 2 and (int(qx // cs_), int(qy // cs_)) in occ:
                    break
            return np.array(pts)

        def add(P, inten):
            for q in P:
                occ.add((int(q[0] // cs_), int(q[1] // cs_)))
            strokes.append(_Stroke(P, s * r.uniform(0.6, 1.0), inten, r.random() < 0.2))
        for k in range(int(r.integers(2, 6))):
            a = r.uniform(0, 2 * np.pi)
            q0 = c + r.normal(0, Rz * 0.3, 2)
            P1 = crawl(q0, a, 2.2 * Rz, 0.03)
            P2 = crawl(q0, a + np.pi, 2.2 * Rz, 0.03)
            P = np.vstack([P2[::-1], P1[1:]])
            if len(P) >= 3:
                add(P, _profile(r, len(P), r.uniform(0.55, 0.95), taper_end=False))
        nsec = int(r.integers(20, 70))
        for k in range(nsec):
            if not strokes:
                break
            lens = np.array([len(x.P) for x in strokes], dtype=np.float64)
            src = strokes[int(r.choice(len(strokes), p=lens / lens.sum()))]
            if len(src.P) < 3:
                continue
            j = int(r.integers(1, len(src.P) - 1))
            tv = src.P[j + 1] - src.P[j - 1]
            a = math.atan2(tv[1], tv[0]) + r.choice([-1, 1]) * (np.pi / 2 + r.normal(0, 0.35))
            P = crawl(src.P[j], a, 1.6 * Rz, 0.05)
            if len(P) >= 3:
                add(P, _profile(r, len(P), r.uniform(0.3, 0.85), taper_end=r.random() < 0.3))
    elif kind == 'reflection_kink':
        kink = S._kink_site
        p, gdir = kink
        L = r.uniform(0.15, 0.5) * gl
        ang = math.atan2(gdir[1], gdir[0]) + r.normal(0, 0.35)
        P1, _ = _walk(r, p, ang, L / 2, step, 0.02, 0.0, 0.0, inside, kink=0.01)
        P2, _ = _walk(r, p, ang + np.pi, L / 2, step, 0.02, 0.0, 0.0, inside, kink=0.01)
        P = np.vstack([P2[::-1], P1[1:]])
        strokes.append(_Stroke(P, wpx, _profile(r, len(P), r.uniform(0.3, 0.6), taper_start=True), r.random() < 0.3))
        kink = dict(P=P, side=float(r.choice([-1, 1])), band=r.uniform(15, 60) * max(s, 0.5),
                    amp=r.uniform(1.2, 4) * max(s, 0.5), shear=r.random() < 0.7)
    elif kind == 'edge_chip':
        if r.random() < 0.35:
            c, nin = _corner_point(r, dev, margin)
        else:
            c, nin = _edge_point(r, dev, margin)
        a_n = math.atan2(nin[1], nin[0])
        size = r.uniform(4, 18) * max(s, 0.45)
        th = np.linspace(-np.pi / 2, np.pi / 2, int(r.integers(6, 11)))
        rr = size * r.uniform(0.55, 1.2, len(th))
        rr[0] = rr[-1] = size * 0.9
        poly = c + np.c_[np.cos(a_n + th) * rr, np.sin(a_n + th) * rr]
        poly = np.vstack([c + (poly[0] - c) * 1.05, poly, c + (poly[-1] - c) * 1.05])
        okp = inside(poly[:, 0], poly[:, 1])
        poly = poly[okp] if okp.sum() >= 3 else poly
        frost.append(('poly', poly, None, r.uniform(0.5, 1.0)))
        glint_polys.append(poly)
        for _ in range(int(r.integers(1, 4))):
            j = int(r.integers(1, max(2, len(poly) - 1)))
            a = math.atan2(*(poly[j] - c)[::-1]) + r.normal(0, 0.3)
            L = r.uniform(10, 80) * max(s, 0.5) if r.random() < 0.6 else r.uniform(0.1, 0.35) * gl
            P, a2 = _walk(r, poly[j], a, L, step, 0.06, 0.0, 0.0003, inside)
            if len(P) >= 3:
                strokes.append(_Stroke(P, wpx * r.uniform(0.8, 1.0), _profile(r, len(P), r.uniform(0.6, 1.0)), r.random() < 0.4))
    return dict(strokes=[st_ for st_ in strokes if len(st_.P) >= 2], frost=frost, dark=dark, glint_polys=glint_polys, kink=kink)


def _find_kink_site(r, S):
    """a glass point where the mirrored light has a strong edge (for the reflection_kink crack)"""
    dev, light = S.dev, S.light
    pts = dev.sample_glass(r, 400, 12)
    if len(pts) < 10:
        return None
    F = project(dev.Hm, pts).astype(F32)
    X, Y = F[:, 0], F[:, 1]
    v0 = light.field_xy(X, Y)
    gx = (light.field_xy(X + F32(2), Y) - v0) / 2
    gy = (light.field_xy(X, Y + F32(2)) - v0) / 2
    gm = np.hypot(gx, gy)
    order = np.argsort(-gm)
    if gm[order[0]] < 0.02:
        return None
    j = int(order[int(r.integers(0, min(8, len(order))))])
    if gm[j] < 0.02:
        j = int(order[0])
    # the gradient direction in device space
    p = pts[j]
    q = project(dev.Hinv, F[j:j + 1] + np.array([[gx[j], gy[j]]]) / gm[j] * 5.0)[0]
    d = q - p
    return p, d / (np.hypot(*d) + 1e-9)


def _rasterize(geo, S, ss_max=4):
    """crack masks in a frame crop: core, glint, frost, dark (floats 0..1), plus the kink band"""
    dev = S.dev
    Hm = dev.Hm
    allp = []
    strokes = []
    for st in geo['strokes']:
        F = project(Hm, st.P)
        strokes.append((F, st))
        allp.append(F)
    fr = [(k, project(Hm, np.atleast_2d(p)), rr, v) for k, p, rr, v in geo['frost']]
    dk = [(k, project(Hm, np.atleast_2d(p)), rr, v) for k, p, rr, v in geo['dark']]
    for k, F, rr, v in fr + dk:
        allp.append(F if rr is None else np.vstack([F - rr, F + rr]))
    gp = [project(Hm, p) for p in geo['glint_polys']]
    allp += gp
    kink = geo['kink']
    if kink is not None:
        KP = project(Hm, kink['P'])
        allp.append(KP)
    A = np.vstack(allp)
    pad = 6 + (kink['band'] + kink['amp'] + 4 if kink is not None else 0)
    bx0, by0, bx1, by1 = S.bbox
    x0 = int(max(bx0, math.floor(A[:, 0].min() - pad)))
    y0 = int(max(by0, math.floor(A[:, 1].min() - pad)))
    x1 = int(min(bx1, math.ceil(A[:, 0].max() + pad)))
    y1 = int(min(by1, math.ceil(A[:, 1].max() + pad)))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    w, h = x1 - x0, y1 - y0
    ss = ss_max if w * h < 250000 else 3 if w * h < 700000 else 2
    o = np.array([x0, y0], dtype=np.float64)

    def cv():
        im = Image.new('L', (w * ss, h * ss), 0)
        return im, ImageDraw.Draw(im)

    def tc(F):
        return [tuple(p) for p in (F - o) * ss - 0.5]
    core, dc = cv()
    glint, dg = cv()
    length = 0.0
    for F, st in strokes:
        n = len(F)
        length += float(np.hypot(*np.diff(F, axis=0).T).sum())
        chunk = 5
        wss = max(1, int(round(st.w * ss)))
        nrm = None
        if st.glint:
            dF = np.gradient(F, axis=0)
            nrm = np.c_[-dF[:, 1], dF[:, 0]] / (np.hypot(dF[:, 0], dF[:, 1])[:, None] + 1e-9)
            side = 1.0 if (n * 7) % 2 else -1.0
            FG = F + nrm * side * (st.w * 0.5 + 0.55)
        for j in range(0, n - 1, chunk):
            seg = F[j:j + chunk + 1]
            v = float(np.mean(st.inten[j:j + chunk + 1]))
            if v <= 0.01:
                continue
            dc.line(tc(seg), fill=int(round(255 * min(1.0, v))), width=wss, joint='curve' if wss > 2 else None)
            if nrm is not None and (j // chunk) % 3 != 2:
                dg.line(tc(FG[j:j + chunk + 1]), fill=int(round(200 * min(1.0, v))), width=max(1, int(round(0.5 * ss))))
    frost, df = cv()
    dark, dd = cv()
    for lst, dr in ((fr, df), (dk, dd)):
        for k, F, rr, v in lst:
            if k == 'ellipse':
                cx, cy = (F[0] - o) * ss
                rs = rr * ss
                dr.ellipse([cx - rs, cy - rs, cx + rs, cy + rs], fill=int(255 * v))
            else:
                dr.polygon(tc(F), fill=int(255 * v))
    for F in gp:
        dg.line(tc(np.vstack([F, F[:1]])), fill=220, width=max(1, int(round(0.7 * ss))))
    band = None
    if kink is not None:
        P = KP
        dP = np.gradient(P, axis=0)
        tn = dP / (np.hypot(dP[:, 0], dP[:, 1])[:, None] + 1e-9)
        nrm = np.c_[-tn[:, 1], tn[:, 0]] * kink['side']
        poly = np.vstack([P, (P + nrm * kink['band'])[::-1]])
        bim = Image.new('L', (w, h), 0)
        ImageDraw.Draw(bim).polygon([tuple(p) for p in poly - o], fill=255)
        bim = bim.filter(ImageFilter.GaussianBlur(max(1.0, kink['band'] / 4)))
        # keep the sharp step at the crack itself: the displaced side starts right at the line
        sharp = Image.new('L', (w * ss, h * ss), 0)
        ImageDraw.Draw(sharp).polygon(tc(np.vstack([P, (P + nrm * min(kink['band'] * 0.5, 6.0))[::-1]])), fill=255)
        band = np.maximum(np.asarray(bim, dtype=F32) * F32(1 / 255.0),
                          np.asarray(sharp.reduce(ss), dtype=F32) * F32(1 / 255.0))
        t_mean = tn.mean(0)
        t_mean /= (np.hypot(*t_mean) + 1e-9)
        n_mean = np.array([-t_mean[1], t_mean[0]]) * kink['side']
        vec = t_mean * kink['amp'] if kink['shear'] else n_mean * kink['amp'] * 0.7
        band = (band, vec)
    k = F32(1 / 255.0)
    return dict(box=(x0, y0, x1, y1), core=np.asarray(core.reduce(ss), dtype=F32) * k,
                glint=np.asarray(glint.reduce(ss), dtype=F32) * k, frost=np.asarray(frost.reduce(ss), dtype=F32) * k,
                dark=np.asarray(dark.reduce(ss), dtype=F32) * k, band=band, length=length)


def _crack_delta(S, ras, kind):
    """the crack's change of radiance in its crop, per unit contrast (without kink) and the kink part"""
    x0, y0, x1, y1 = ras['box']
    bx0, by0 = S.bbox[:2]
    sl = (slice(y0 - by0, y1 - by0), slice(x0 - bx0, x1 - bx0))
    light = S.light
    G = S.G[sl]
    A = S.A[sl]
    vis = G * A
    Lg = S.glass_rad[(slice(None),) + sl]
    Sc = S.Sb[sl]
    t3 = light.tint[:, None, None]
    core, glint, frost, dark = ras['core'], ras['glint'], ras['frost'], ras['dark']
    kd, pb = light.kd, light.pb
    bright = (F32(pb) * core + glint + frost) * Sc
    d1 = -(F32(kd) * core + F32(0.8) * dark)[None] * Lg + bright[None] * t3
    d1 *= vis[None]
    dk = None
    if ras['band'] is not None:
        band, vec = ras['band']
        h, w = band.shape
        R0 = light.field(x0, y0, w, h)
        R1 = light.field(x0, y0, w, h, dx=float(vec[0]), dy=float(vec[1]))
        dk = ((R1 - R0) * band * vis)[None] * t3
    wsum = float((np.maximum(core, frost) * G).sum()) + 1e-6
    vfrac = float((np.maximum(core, frost) * vis).sum()) / wsum
    return d1, dk, vfrac


def _visibility(ok, cr, H, length):
    d = np.abs(_luma(cr) - _luma(ok))
    if H > 540:
        f = 540.0 / H
        d = _resize_f(d, max(1, int(round(d.shape[1] * f))), max(1, int(round(d.shape[0] * f))), Image.BOX)
    flat = d.ravel()
    n = int(np.clip(0.3 * length * 540.0 / H, 8, 400))
    n = min(n, flat.size)
    return float(np.partition(flat, flat.size - n)[flat.size - n:].mean())


def _phone_mask(S, x0, y0, x1, y1):
    im = Image.new('L', (x1 - x0, y1 - y0), 0)
    ImageDraw.Draw(im).polygon([tuple(p) for p in S.dev.quad - [x0 + 0.5, y0 + 0.5]], fill=1)
    return np.asarray(im).astype(bool)


def twins(seed, i):
    """Frame i of seed as counterfactual twins: the same scene, surface, phone, screen content, nuisances, lighting,
    camera noise and blur on both; they differ ONLY by the crack on the glass.
    Returns (ok, cracked, quality, meta): ok, cracked H x W x 3 uint8; quality the JPEG quality of frame i;
    meta: kind, crack_width (nominal px at 1080p), screen, nuisances, width, height, phone and screen_quad (4 x 2,
    tl tr br bl, frame px), quality, and extras (lighting, camera, surface, content, device, bezel, oblique, cover,
    contrast0 / contrast: the crack's drawn and final contrast, visibility: grey levels at 540-line scale).

    The scene is rendered once; the crack is added to a crop of its radiance and only that crop goes through the
    camera again (with the same noise, indexed by frame position).  If the crack is too faint after the camera its
    contrast is raised until it reaches VIS_FLOOR (to a level drawn from the crack's stream)."""
    S = _build_scene(seed, i)
    W, H = S.W, S.H
    cam = _Camera(seed, i, S)
    ok = np.array(cam.apply(S.rad, 0, 0))

    # ---- the crack (its own stream)
    r = _rng(seed, i, K_CRACK)
    mode = S.light.mode
    kinds = list(KINDS)
    p = np.array([0.18, 0.16, 0.16, 0.12, 0.14, 0.12, 0.12])
    if mode in ('darkfield', 'coaxial'):
        p[KINDS.index('reflection_kink')] = 0.0
    p /= p.sum()
    kind = str(r.choice(kinds, p=p))
    w_nom = int(r.choice([1, 2, 3], p=[0.52, 0.3, 0.18]))
    contrast = float(np.clip(np.exp(r.normal(math.log(0.3), 0.8)), 0.04, 1.0))
    vis_target = VIS_FLOOR * r.uniform(1.05, 1.9)      # where a too-faint crack is lifted to
    S._kink_site = None
    if kind == 'reflection_kink':
        S._kink_site = _find_kink_site(r, S)
        if S._kink_site is None:      # no reflection edge on this glass: another kind
            p[KINDS.index('reflection_kink')] = 0.0
            kind = str(r.choice(kinds, p=p / p.sum()))
    if kind == 'crazing':
        w_nom = 1                     # crazing is a network of very fine cracks
    best = None
    for attempt in range(5):
        geo = _crack_geometry(r, S, kind, w_nom)
        if not geo['strokes'] and not geo['frost']:
            continue
        ras = _rasterize(geo, S)
        if ras is None:
            continue
        d1, dk, vfrac = _crack_delta(S, ras, kind)
        cand = (vfrac, geo, ras, d1, dk)
        if best is None or vfrac > best[0]:
            best = cand
        if vfrac >= 0.6:
            break
    vfrac, geo, ras, d1, dk = best
    x0, y0, x1, y1 = ras['box']
    m = 3
    cx0, cy0 = max(0, x0 - m), max(0, y0 - m)
    cx1, cy1 = min(W, x1 + m), min(H, y1 + m)
    base = S.rad[:, cy0:cy1, cx0:cx1]
    ix0 = cx0 + (m if cx0 > 0 else 0)
    iy0 = cy0 + (m if cy0 > 0 else 0)
    ix1 = cx1 - (m if cx1 < W else 0)
    iy1 = cy1 - (m if cy1 < H else 0)
    inner = (slice(iy0 - cy0, iy1 - cy0), slice(ix0 - cx0, ix1 - cx0))
    pm = _phone_mask(S, ix0, iy0, ix1, iy1)
    okc = ok[iy0:iy1, ix0:ix1]
    c = contrast
    vis = 0.0
    crc = okc
    for it in range(6):
        cr_rad = base.copy()
        delta = d1 * F32(c)
        if dk is not None:
            delta = delta + dk
        cr_rad[:, y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0] += delta
        np.maximum(cr_rad, 0, out=cr_rad)
        crc = cam.apply(cr_rad, cx0, cy0)[inner]
        crc = np.where(pm[..., None], crc, okc)
        vis = _visibility(okc, crc, H, ras['length'] + 10)
        if vis >= VIS_FLOOR or it == 5:
            break
        c = c * float(np.clip(vis_target / max(vis, 0.3), 1.1, 4.0))
    cracked = ok.copy()
    cracked[iy0:iy1, ix0:ix1] = crc

    dev = S.dev
    meta = dict(kind=kind, crack_width=int(w_nom), screen='lit' if S.lit else 'dark', quality=int(S.q),
                nuisances=list(dict.fromkeys(S.names + cam.names)), width=W, height=H,
                phone=np.array(dev.quad, dtype=np.float64), screen_quad=np.array(dev.screen_quad, dtype=np.float64),
                lighting=mode, camera='mono' if S.mono else 'colour', surface=S.surface, content=S.content_kind,
                device='tablet' if dev.tablet else 'phone', bezel=dev.bezel, oblique=dev.oblique,
                cover=round(S.dev.cover, 3), contrast=round(c, 4), contrast0=round(contrast, 4),
                visibility=round(vis, 2), visible_frac=round(vfrac, 3))
    return ok, cracked, S.q, meta


def render(seed, i):
    """Frame i of the set: the twin of its label.  Returns (jpeg_bytes, label, meta)."""
    label = 'cracked' if _rng(seed, i, K_LABEL).random() < 0.5 else 'ok'
    ok, cracked, q, meta = twins(seed, i)
    img = cracked if label == 'cracked' else ok
    meta = dict(meta)
    if label == 'ok':
        meta['kind'] = 'none'
        meta['crack_width'] = 0
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, 'JPEG', quality=int(q))
    return buf.getvalue(), label, meta


# ----------------------------------------------------------------------------------------------- CLI
def _fail(msg):
    sys.stderr.write('evalgen7.py: error: %s\n' % msg)
    sys.exit(2)


def _parse(argv):
    opts = {'--out': None, '--count': None, '--seed': None, '--workers': '1'}
    k = 0
    while k < len(argv):
        a = argv[k]
        if '=' in a and a.split('=', 1)[0] in opts:
            key, val = a.split('=', 1)
        elif a in opts:
            if k + 1 >= len(argv):
                _fail('%s needs a value' % a)
            key, val = a, argv[k + 1]
            k += 1
        elif a in ('-h', '--help'):
            sys.stdout.write('usage: evalgen7.py --out DIR --count N --seed S [--workers W]\n')
            sys.exit(0)
        else:
            _fail('unknown argument %r (usage: --out DIR --count N --seed S [--workers W])' % a)
        opts[key] = val
        k += 1
    for key in ('--out', '--count', '--seed'):
        if opts[key] is None:
            _fail('missing %s (usage: --out DIR --count N --seed S [--workers W])' % key)
    try:
        count = int(opts['--count'])
        seed = int(opts['--seed'])
        workers = int(opts['--workers'])
    except ValueError:
        _fail('--count, --seed and --workers must be integers')
    if count < 1:
        _fail('--count must be >= 1')
    if seed < 0:
        _fail('--seed must be >= 0')
    if workers < 1 or workers > 64:
        _fail('--workers must be between 1 and 64')
    return opts['--out'], count, seed, workers


def main(argv=None):
    out, count, seed, workers = _parse(sys.argv[1:] if argv is None else argv)
    try:
        os.makedirs(out, exist_ok=True)
    except OSError as e:
        _fail('cannot create output folder %r: %s' % (out, e.strerror))
    if not os.access(out, os.W_OK):
        _fail('output folder %r is not writable' % out)
    write_set(render, out, count, seed, workers)
    return 0


if __name__ == '__main__':
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        sys.exit(130)
