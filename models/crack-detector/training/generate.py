#!/usr/bin/env python3
"""Synthetic line-camera frames of phones on a conveyor, some with cracked screens.

numpy + PIL only (no torch), so CI can run it with python3-numpy and python3-pil.

CLI:
    python3 generate.py --out DIR --count N --seed S [--width W --height H]
                        [--format jpg|png] [--cracked-share 0.5] [--workers 1] [--wide | --varied]

Writes DIR/NNNNN_<label>.<ext> (label ok|cracked), DIR/labels.csv (file,label) and
DIR/meta.csv (per-frame metadata: crack kind, crack width, screen state, size, quality).
Frame i depends only on (seed, i): numpy.random.default_rng([seed, i]).

Importable: make_frame(seed, index, ...) -> (rgb uint8 HxWx3, label, meta dict).
"""
import argparse
import csv
import io
import math
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

LABELS = ("ok", "cracked")

# (width, height): 4:3, 16:9 and a few others, all within 640x480 .. 1920x1080
RESOLUTIONS = [
    (640, 480), (800, 600), (1024, 768), (1280, 960), (1440, 1080),   # 4:3
    (960, 540), (1280, 720), (1600, 900), (1920, 1080), (1920, 1080),  # 16:9
    (1280, 800), (1680, 1050), (1280, 1024), (1200, 900), (1800, 1000),  # others
]

KINDS = ("spider", "edge", "corner", "hairline")
KIND_P = (0.35, 0.25, 0.2, 0.2)


# ----------------------------------------------------------------------------- helpers
def _u(rng, a, b):
    return float(rng.uniform(a, b))


def _rand_color(rng, lo=0, hi=255):
    return tuple(int(v) for v in rng.integers(lo, hi + 1, 3))


def _jitter_color(rng, base, amount):
    return tuple(int(np.clip(c + rng.normal(0, amount), 0, 255)) for c in base)


def _upsample(arr, size, resample=Image.BILINEAR):
    """arr float32 HxW (0..255 range or any) -> resized float32 via PIL mode F."""
    return np.asarray(Image.fromarray(np.ascontiguousarray(arr, dtype=np.float32), "F").resize(size, resample))


def _perspective_coeffs(dst, src):
    """Coefficients for PIL PERSPECTIVE mapping output points dst -> input points src."""
    a = []
    b = []
    for (x, y), (u, v) in zip(dst, src):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.extend([u, v])
    return np.linalg.solve(np.asarray(a, float), np.asarray(b, float)).tolist()


def jag(rng, a, b, step, rough):
    """Jagged polyline from a to b: perpendicular random walk pinned at both ends."""
    ax, ay = a
    bx, by = b
    dx, dy = bx - ax, by - ay
    dist = math.hypot(dx, dy)
    n = max(2, int(dist / max(step, 1.0)) + 1)
    t = np.linspace(0.0, 1.0, n)
    t[1:-1] += rng.uniform(-0.35, 0.35, n - 2) / n
    walk = np.cumsum(rng.normal(0.0, 1.0, n))
    walk -= walk[0] + (walk[-1] - walk[0]) * t      # pin ends to 0
    off = walk * rough * step
    # sharp kinks: sometimes a single vertex jumps
    kinks = rng.random(n) < 0.12
    off += kinks * rng.normal(0, rough * step * 1.5, n)
    off[0] = off[-1] = 0.0
    if dist < 1e-6:
        return [(ax, ay), (bx, by)]
    nx, ny = -dy / dist, dx / dist
    xs = ax + dx * t + nx * off
    ys = ay + dy * t + ny * off
    return list(zip(xs.tolist(), ys.tolist()))


def _ray(rng, p, ang, length, step, rough):
    return jag(rng, p, (p[0] + math.cos(ang) * length, p[1] + math.sin(ang) * length), step, rough)


def _with_branches(rng, line, step, rough, p_branch, max_len):
    out = [line]
    for k in range(1, len(line) - 1):
        if rng.random() < p_branch:
            x0, y0 = line[k - 1]
            x1, y1 = line[k]
            h = math.atan2(y1 - y0, x1 - x0) + rng.choice([-1, 1]) * _u(rng, 0.35, 1.3)
            out.append(_ray(rng, line[k], h, _u(rng, 0.2, 1.0) * max_len, step, rough))
    return out


# ----------------------------------------------------------------------------- cracks
def crack_lines(rng, kind, sx0, sy0, sx1, sy1, scale):
    """Return list of polylines (phone-local coords) for a crack of given kind inside screen rect."""
    sw, sh = sx1 - sx0, sy1 - sy0
    short = min(sw, sh)
    diag = math.hypot(sw, sh)
    step = max(3.0, _u(rng, 5, 16) * scale)
    rough = _u(rng, 0.15, 0.5)
    lines = []
    if kind == "spider":
        cx = _u(rng, sx0 + 0.1 * sw, sx1 - 0.1 * sw)
        cy = _u(rng, sy0 + 0.08 * sh, sy1 - 0.08 * sh)
        n = int(rng.integers(5, 15))
        base = _u(rng, 0, 2 * math.pi)
        angs = np.sort(base + np.arange(n) * 2 * math.pi / n + rng.normal(0, 0.25, n))
        reach = _u(rng, 0.2, 0.8) * diag
        rays = []
        for a in angs:
            L = reach * _u(rng, 0.3, 1.0)
            r = _ray(rng, (cx, cy), float(a), L, step, rough)
            rays.append(r)
            lines += _with_branches(rng, r, step, rough, 0.08, 0.25 * L)
        # concentric connecting segments
        for ring in range(int(rng.integers(1, 5))):
            rad = reach * _u(rng, 0.05, 0.5)
            for k in range(n):
                if rng.random() < 0.55:
                    r1, r2 = rays[k], rays[(k + 1) % n]
                    i1 = min(len(r1) - 1, max(1, int(rad / step)))
                    i2 = min(len(r2) - 1, max(1, int(rad * _u(rng, 0.8, 1.2) / step)))
                    lines.append(jag(rng, r1[i1], r2[i2], step * 0.7, rough))
        # crushed centre
        for _ in range(int(rng.integers(3, 14))):
            a = _u(rng, 0, 2 * math.pi)
            L = _u(rng, 4, 30) * scale
            p = (cx + rng.normal(0, 6 * scale), cy + rng.normal(0, 6 * scale))
            lines.append(_ray(rng, p, a, L, max(2.0, step / 3), rough))
    elif kind == "edge":
        for _ in range(int(rng.integers(1, 3))):
            e1, e2 = rng.choice(4, 2, replace=False)

            def edge_pt(e):
                t = _u(rng, 0.05, 0.95)
                return [(sx0 + t * sw, sy0 - 2), (sx1 + 2, sy0 + t * sh), (sx0 + t * sw, sy1 + 2), (sx0 - 2, sy0 + t * sh)][e]
            line = jag(rng, edge_pt(e1), edge_pt(e2), step * 1.3, rough)
            lines += _with_branches(rng, line, step, rough, 0.1, 0.15 * diag)
    elif kind == "corner":
        c = int(rng.integers(0, 4))
        cx, cy = [(sx0, sy0), (sx1, sy0), (sx1, sy1), (sx0, sy1)][c]
        ux, uy = (1 if cx == sx0 else -1), (1 if cy == sy0 else -1)
        R = _u(rng, 0.12, 0.4) * short
        px, py = cx + ux * _u(rng, 0, 0.08) * short, cy + uy * _u(rng, 0, 0.08) * short
        for _ in range(int(rng.integers(4, 10))):
            a = math.atan2(uy * _u(rng, 0.05, 1), ux * _u(rng, 0.05, 1))
            lines.append(_ray(rng, (px, py), a, R * _u(rng, 0.4, 1.3), step * 0.7, rough))
        for _ in range(int(rng.integers(8, 30))):
            d = R * math.sqrt(rng.random())
            a = math.atan2(uy * rng.random(), ux * rng.random())
            p = (px + ux * abs(math.cos(a)) * d, py + uy * abs(math.sin(a)) * d)
            lines.append(_ray(rng, p, _u(rng, 0, 2 * math.pi), R * _u(rng, 0.1, 0.45), step * 0.6, rough))
    else:  # hairline
        for _ in range(int(rng.integers(1, 3))):
            p = (_u(rng, sx0, sx1), _u(rng, sy0, sy1))
            a = _u(rng, 0, 2 * math.pi)
            L = _u(rng, 0.25, 0.9) * diag
            line = _ray(rng, p, a, L, step * 1.5, rough * 0.5)
            lines += _with_branches(rng, line, step, rough * 0.5, 0.03, 0.1 * diag)
    return lines


# ----------------------------------------------------------------------------- screen content
def render_screen(rng, sw, sh, lit, scale):
    """Returns RGB uint8 image (sw x sh) of screen content."""
    if not lit:
        lo = _u(rng, 1, 20)
        tint = np.array([_u(rng, 0.8, 1.1), _u(rng, 0.85, 1.1), _u(rng, 0.9, 1.25)], np.float32)
        small = np.full((6, 4), lo, np.float32)
        # reflection bands / blobs at low resolution
        g = _upsample(small + rng.normal(0, 2, small.shape).astype(np.float32), (sw, sh))
        yy, xx = np.mgrid[0:sh:8, 0:sw:8].astype(np.float32)
        refl = np.zeros_like(yy)
        for _ in range(int(rng.integers(0, 3))):
            a = _u(rng, 0, math.pi)
            c = _u(rng, -0.5, 1.5) * (sw + sh) / 2
            w = _u(rng, 0.05, 0.4) * (sw + sh) / 2
            d = xx * math.cos(a) + yy * math.sin(a) - c
            refl += _u(rng, 4, 45) * np.exp(-(d / w) ** 2)
        refl = _upsample(refl, (sw, sh))
        img = (g + refl)[..., None] * tint
        return np.clip(img, 0, 255).astype(np.uint8)

    layout = rng.choice(["home", "app", "photo", "doc", "gradient", "solid", "bars"],
                        p=[0.2, 0.22, 0.13, 0.15, 0.1, 0.12, 0.08])
    dark_mode = rng.random() < 0.35
    if layout == "solid":
        col = [(255, 255, 255), (128, 128, 128), (230, 30, 30), (30, 200, 40), (30, 50, 220), (40, 40, 40), (200, 200, 200)][int(rng.integers(0, 7))]
        im = Image.new("RGB", (sw, sh), _jitter_color(rng, col, 12))
    elif layout == "bars":
        cols = [(255, 255, 255), (255, 255, 0), (0, 255, 255), (0, 255, 0), (255, 0, 255), (255, 0, 0), (0, 0, 255), (0, 0, 0)]
        im = Image.new("RGB", (sw, sh))
        d = ImageDraw.Draw(im)
        vertical = rng.random() < 0.5
        n = len(cols)
        for k, c in enumerate(cols):
            c = _jitter_color(rng, c, 20)
            if vertical:
                d.rectangle([0, k * sh / n, sw, (k + 1) * sh / n], fill=c)
            else:
                d.rectangle([k * sw / n, 0, (k + 1) * sw / n, sh], fill=c)
    else:
        c1 = _rand_color(rng, 0, 80) if dark_mode else _rand_color(rng, 150, 255)
        c2 = _rand_color(rng, 0, 80) if dark_mode else _rand_color(rng, 120, 255)
        if layout in ("gradient", "home", "photo") and rng.random() < 0.7:
            c1, c2 = _rand_color(rng), _rand_color(rng)
        grad = np.linspace(0, 1, 16, dtype=np.float32)[:, None, None]
        arr = (np.array(c1, np.float32) * (1 - grad) + np.array(c2, np.float32) * grad)
        arr = np.repeat(arr, 2, axis=1)
        im = Image.fromarray(arr.astype(np.uint8), "RGB").resize((sw, sh), Image.BILINEAR)
        if rng.random() < 0.5:
            im = im.transpose(Image.ROTATE_90).resize((sw, sh))
        d = ImageDraw.Draw(im)
        txt = _rand_color(rng, 180, 255) if dark_mode else _rand_color(rng, 0, 70)
        if layout in ("home", "photo"):
            # photo-like wallpaper: low-res noise upsampled
            pw, ph = int(rng.integers(2, 8)), int(rng.integers(3, 12))
            mean = np.array(_rand_color(rng, 40, 215), np.float32)
            lo = rng.normal(0, 1, (ph, pw, 3)) * _u(rng, 15, 60) + rng.normal(0, 1, (ph, pw, 1)) * _u(rng, 20, 70)
            lo = Image.fromarray(np.clip(mean + lo, 0, 255).astype(np.uint8), "RGB").resize((sw, sh), Image.BICUBIC)
            hi = rng.normal(0, _u(rng, 5, 30), (int(rng.integers(12, 40)), int(rng.integers(8, 30)), 1))
            hi = _upsample(hi[..., 0].astype(np.float32), (sw, sh), Image.BICUBIC)[..., None]
            photo = Image.fromarray(np.clip(np.asarray(lo, np.float32) + hi, 0, 255).astype(np.uint8), "RGB")
            if layout == "photo":
                im = photo
                d = ImageDraw.Draw(im)
            else:
                im = Image.blend(im, photo, _u(rng, 0.3, 1.0))
                d = ImageDraw.Draw(im)
                cols, rows = int(rng.integers(3, 6)), int(rng.integers(4, 7))
                isz = sw / cols * _u(rng, 0.45, 0.7)
                rr = isz * _u(rng, 0.1, 0.5)
                for r in range(rows):
                    for c in range(cols):
                        if rng.random() < 0.85:
                            x = (c + 0.5) * sw / cols - isz / 2
                            y = sh * 0.1 + r * sh * 0.8 / rows
                            d.rounded_rectangle([x, y, x + isz, y + isz], radius=rr, fill=_rand_color(rng))
                            if rng.random() < 0.6:
                                q = isz * _u(rng, 0.2, 0.35)
                                d.ellipse([x + isz / 2 - q, y + isz / 2 - q, x + isz / 2 + q, y + isz / 2 + q], fill=_rand_color(rng))
                            if rng.random() < 0.5:
                                d.rectangle([x, y + isz * 1.08, x + isz, y + isz * 1.08 + max(1, isz * 0.1)], fill=txt)
        if layout in ("app", "doc"):
            # status bar
            d.rectangle([0, 0, sw, sh * 0.035], fill=_rand_color(rng))
            y = sh * 0.05
            lh = sh * _u(rng, 0.012, 0.03)
            while y < sh * 0.97:
                r = rng.random()
                if layout == "app" and r < 0.18:
                    bh = sh * _u(rng, 0.05, 0.2)
                    d.rounded_rectangle([sw * 0.04, y, sw * 0.96, y + bh], radius=_u(rng, 0, 0.04) * sw, fill=_rand_color(rng))
                    y += bh + lh
                elif r < 0.24:
                    d.line([0, y, sw, y], fill=_jitter_color(rng, txt, 40), width=1)
                    y += lh
                else:
                    x = sw * _u(rng, 0.03, 0.08)
                    end = sw * _u(rng, 0.4, 0.96)
                    while x < end:
                        wl = sw * _u(rng, 0.02, 0.12)
                        d.rectangle([x, y, min(x + wl, end), y + lh * 0.7], fill=txt)
                        x += wl + sw * _u(rng, 0.01, 0.025)
                    y += lh * _u(rng, 1.4, 2.2)
    arr = np.asarray(im, dtype=np.uint8)
    return arr


# ----------------------------------------------------------------------------- conveyor
def render_belt(rng, W, H, phone_quad, shadow):
    """Conveyor background: grey texture built at half resolution, rotated by the belt
    direction, shadowed, colourised with per-channel LUTs and upsampled to W x H."""
    bw, bh = (W + 1) // 2, (H + 1) // 2
    D = int(math.hypot(bw, bh)) + 4
    kind = rng.choice(["belt", "belt", "rollers", "mesh"])
    base = np.array([
        (40, 40, 42), (20, 20, 22), (70, 72, 75), (45, 95, 60), (35, 65, 115), (185, 185, 180), (150, 130, 100), (110, 110, 105)
    ][int(rng.integers(0, 8))], np.float32) + rng.normal(0, 10, 3).astype(np.float32)
    base = np.clip(base, 8, 230)
    # texture along travel direction (x): elongated noise (motion streaks) + fine grain
    streak = _upsample(rng.standard_normal((D, max(2, D // int(rng.integers(8, 60)))), dtype=np.float32), (D, D))
    tex = rng.standard_normal((D, D), dtype=np.float32)
    tex *= _u(rng, 0.0, 0.08)
    tex += 1.0
    tex += _u(rng, 0.0, 0.12) * streak
    if kind == "rollers":
        period = _u(rng, 10, 60) * W / 1920 * 2
        x = np.arange(D, dtype=np.float32)
        ph = (x / period) % 1.0
        prof = 0.55 + 0.6 * np.sin(np.pi * ph) ** 0.7
        prof = np.where(ph > _u(rng, 0.8, 0.95), 0.25, prof).astype(np.float32)
        tex *= prof[None, :]
    elif kind == "mesh":
        p = _u(rng, 3, 8)
        x = np.arange(D, dtype=np.float32)
        m = (1 + 0.12 * np.sin(2 * np.pi * x / p)).astype(np.float32)
        tex *= m[None, :]
        tex *= m[:, None]
    else:
        for _ in range(int(rng.integers(0, 3))):  # seams
            sx = int(rng.integers(0, D))
            tex[:, sx:sx + int(rng.integers(1, 4))] *= _u(rng, 0.5, 0.85)
    # side rails (brightness relative to base)
    if rng.random() < 0.5:
        for side in (0, 1):
            w = max(2, int(_u(rng, 0.03, 0.1) * D))
            y0 = max(0, int((D - bh) / 2 + (0 if side == 0 else bh - w) + rng.integers(-w, w + 1)))
            prof = (0.5 + 0.5 * np.cos(np.linspace(-1.2, 1.2, w, dtype=np.float32))) * _u(rng, 120, 220)
            n = max(0, min(w, D - y0))
            tex[y0:y0 + n] = (prof[:n] / max(base.mean(), 1.0))[:, None]
    # tex is relative brightness around 1.0 -> store as L with 1.0 == 100
    L = Image.fromarray(np.clip(tex * 100.0, 0, 255).astype(np.uint8), "L")
    ang = float(rng.choice([0, 90])) + rng.normal(0, 3)
    L = L.rotate(ang, Image.BILINEAR)
    l0, t0 = (D - bw) // 2, (D - bh) // 2
    L = L.crop((l0, t0, l0 + bw, t0 + bh))
    if shadow > 0:  # soft phone shadow
        m = Image.new("L", (bw, bh), 0)
        off = (rng.normal(0, 6), rng.normal(0, 6))
        ImageDraw.Draw(m).polygon([(x / 2 + off[0], y / 2 + off[1]) for x, y in phone_quad], fill=int(255 * shadow))
        m = m.filter(ImageFilter.BoxBlur(max(1, int(_u(rng, 2, 14) * W / 1920))))
        L = Image.composite(Image.new("L", (bw, bh), 0), L, m)
    v = np.arange(256, dtype=np.float32) / 100.0
    chans = [L.point(np.clip(v * c, 0, 255).astype(np.uint8).tolist()) for c in base]
    return Image.merge("RGB", chans).resize((W, H), Image.BILINEAR)


# ----------------------------------------------------------------------------- phone
def render_phone(rng, W, H, cracked, crng, wrng=None, vr=None, vc=None, gr=None, cr=None, fr=None):
    scale = H / 1080.0
    meta = {}
    Lfrac = _u(rng, 0.4, 1.0)
    if wrng is not None:  # wide: smaller phones too (farther camera, tablets vs minis)
        Lfrac = _u(wrng, 0.25, 1.0)
    aspect = _u(rng, 1.35, 2.3) if rng.random() < 0.25 else _u(rng, 1.75, 2.25)
    if rng.random() < 0.5:
        theta = _u(rng, 0, 2 * math.pi)
    else:
        theta = float(rng.integers(0, 4)) * math.pi / 2 + rng.normal(0, 0.06)
    for _ in range(30):
        ph = Lfrac * H
        pw = ph / aspect
        c, s = abs(math.cos(theta)), abs(math.sin(theta))
        bbw, bbh = pw * c + ph * s, pw * s + ph * c
        if bbw < W * 0.96 and bbh < H * 0.96:
            break
        Lfrac *= 0.92
    pw, ph = int(round(pw)), int(round(ph))
    m = 4
    S = min(pw, ph)
    bez = max(2, int(_u(rng, 0.02, 0.09) * S))
    chin = bez + (int(_u(rng, 0.0, 0.12) * S) if rng.random() < 0.25 else 0)
    rad = _u(rng, 0.0, 0.16) * S
    body_col = [(15, 15, 17), (235, 235, 232), (180, 182, 185), (200, 175, 130), (40, 55, 90), (120, 30, 35), (60, 60, 62), (25, 70, 50)][int(rng.integers(0, 8))]
    body_col = _jitter_color(rng, body_col, 10)
    iw, ih = pw + 2 * m, ph + 2 * m
    alpha = Image.new("L", (iw, ih), 0)
    ImageDraw.Draw(alpha).rounded_rectangle([m, m, m + pw - 1, m + ph - 1], radius=rad, fill=255)
    phone = Image.new("RGB", (iw, ih), body_col)
    d = ImageDraw.Draw(phone)
    # metal frame edge
    d.rounded_rectangle([m, m, m + pw - 1, m + ph - 1], radius=rad, outline=_jitter_color(rng, (150, 150, 150), 50), width=max(1, int(bez * _u(rng, 0.1, 0.4))))
    sx0, sy0, sx1, sy1 = m + bez, m + chin, m + pw - bez, m + ph - bez
    sw, sh = sx1 - sx0, sy1 - sy0
    lit = rng.random() < 0.6
    meta["screen"] = "lit" if lit else "dark"
    scr = render_screen(rng, sw, sh, lit, scale)
    if vr is not None and vr.random() < 0.5:
        scr = varied_screen(vr, sw, sh, lit, scale)
    if gr is not None and gr.random() < 0.6:
        scr = glyph_screen(gr, scr, scale)
    smask = Image.new("L", (sw, sh), 0)
    srad = max(0.0, rad - bez * _u(rng, 0.5, 1.0))
    ImageDraw.Draw(smask).rounded_rectangle([0, 0, sw - 1, sh - 1], radius=srad, fill=255)
    phone.paste(Image.fromarray(scr, "RGB"), (sx0, sy0), smask)
    d = ImageDraw.Draw(phone)
    if rng.random() < 0.5:  # punch hole / notch
        r = max(2, int(_u(rng, 0.015, 0.035) * S))
        cx = sx0 + sw / 2 if rng.random() < 0.7 else sx0 + sw * 0.12
        d.ellipse([cx - r, sy0 + r, cx + r, sy0 + 3 * r], fill=(5, 5, 8))
    elif rng.random() < 0.3:
        d.rounded_rectangle([sx0 + sw * 0.3, sy0 - 1, sx0 + sw * 0.7, sy0 + _u(rng, 0.03, 0.06) * sh], radius=5, fill=(5, 5, 8))
    img = np.asarray(phone, np.float32).copy()

    # --- surface effects (layers in phone-local coords)
    ov = Image.new("L", (iw, ih), 0)           # additive light (scratches, fingerprints)
    dov = ImageDraw.Draw(ov)
    # scratches: thin, short, straight, often parallel, low contrast
    for _ in range(int(rng.integers(0, 5))):
        a = _u(rng, 0, math.pi)
        n = int(rng.integers(1, 9))
        L = _u(rng, 15, 160) * scale
        x, y = _u(rng, sx0, sx1), _u(rng, sy0, sy1)
        sp = _u(rng, 2, 9) * scale
        for k in range(n):
            ox, oy = -math.sin(a) * sp * k + rng.normal(0, 2), math.cos(a) * sp * k + rng.normal(0, 2)
            a2 = a + rng.normal(0, 0.03)
            l2 = L * _u(rng, 0.4, 1.2)
            p0 = (x + ox, y + oy)
            dov.line([p0, (p0[0] + math.cos(a2) * l2, p0[1] + math.sin(a2) * l2)], fill=int(rng.integers(25, 90)), width=1)
    # fingerprints: smudgy concentric ellipse ridges
    for _ in range(int(rng.integers(0, 4)) if rng.random() < 0.6 else 0):
        fw = int(_u(rng, 35, 110) * scale) + 8
        fh = int(fw * _u(rng, 1.1, 1.6))
        fp = Image.new("L", (fw, fh), 0)
        fd = ImageDraw.Draw(fp)
        spacing = _u(rng, 2.5, 5) * max(scale, 0.6)
        cx, cy = fw / 2 + rng.normal(0, fw * 0.08), fh / 2 + rng.normal(0, fh * 0.08)
        k = 1
        while k * spacing < fw * 0.5:
            rx, ry = k * spacing, k * spacing * fh / fw
            fd.ellipse([cx - rx, cy - ry, cx + rx, cy + ry], outline=int(rng.integers(20, 70)), width=1)
            k += 1
        fp = fp.rotate(_u(rng, 0, 360), Image.BILINEAR).filter(ImageFilter.GaussianBlur(_u(rng, 0.3, 1.0)))
        ov.paste(fp, (int(_u(rng, sx0, max(sx0 + 1, sx1 - fw))), int(_u(rng, sy0, max(sy0 + 1, sy1 - fh)))), fp)
    # glare: soft specular blobs and streaks at quarter resolution
    g = None
    if rng.random() < 0.75:
        gw, gh = max(4, iw // 4), max(4, ih // 4)
        gi = Image.new("L", (gw, gh), 0)
        gd = ImageDraw.Draw(gi)
        for _ in range(int(rng.integers(1, 4))):
            if rng.random() < 0.5:  # blob
                r = _u(rng, 0.05, 0.4) * gw
                x, y = _u(rng, 0, gw), _u(rng, 0, gh)
                gd.ellipse([x - r, y - r * _u(rng, 0.5, 2), x + r, y + r * _u(rng, 0.5, 2)], fill=int(rng.integers(60, 256)))
            else:  # streak
                a = _u(rng, 0, math.pi)
                x, y = _u(rng, 0, gw), _u(rng, 0, gh)
                L = _u(rng, 0.3, 1.5) * gh
                gd.line([(x - math.cos(a) * L, y - math.sin(a) * L), (x + math.cos(a) * L, y + math.sin(a) * L)],
                        fill=int(rng.integers(60, 256)), width=max(1, int(_u(rng, 0.02, 0.15) * gw)))
        gi = gi.filter(ImageFilter.GaussianBlur(_u(rng, 1.5, 8)))
        g = np.asarray(gi.resize((iw, ih), Image.BILINEAR), np.float32) * (_u(rng, 0.15, 0.75) / 255.0)

    # --- cracks
    cw_nom = 0
    kind = None
    vmask = None
    if vr is not None:  # the screen glass, for the varied cracks and glass layers
        vm = Image.new("L", (iw, ih), 0)
        ImageDraw.Draw(vm).rounded_rectangle([sx0, sy0, sx1, sy1], radius=srad, fill=255)
        vmask = np.asarray(vm, np.float32) / 255.0
    if cracked and fr is not None and fr.random() < REFRACT_SHARE:
        img, kind, style = refracted_crack(fr, img, vmask, (sx0, sy0, sx1, sy1), scale, lit)
        meta.update(kind=kind, kinds=kind, crack_width=1, crack_width_px=0, crack_style=style)
    elif cracked and vc is not None and vc.random() < 0.5:
        kind, style, paths = varied_crack(vc, sx0, sy0, sx1, sy1, scale)
        cw_nom = 1 if kind == "hairline" else int(vc.choice([1, 2, 3]))
        width = max(0.7, cw_nom * scale * _u(vc, 0.8, 1.2))
        M = _aa_layer((iw, ih), [(p, width, 1.0) for p in paths]) * vmask
        img = lay_fracture(vc, img, M, _u(vc, 0.3, 0.9), lit, 0.75, 110)
        meta.update(kind=kind, kinds=kind, crack_width=cw_nom, crack_width_px=round(width, 2), crack_style=style)
    elif cracked:
        kind = str(crng.choice(KINDS, p=KIND_P))
        cw_nom = 1 if kind == "hairline" else int(crng.choice([1, 2, 3], p=[0.4, 0.35, 0.25]))
        cw_px = max(1, int(round(cw_nom * scale)))
        kinds = [kind]
        if crng.random() < 0.15:
            kinds.append(str(crng.choice(KINDS[:3])))
        core = Image.new("L", (iw, ih), 0)
        edge = Image.new("L", (iw, ih), 0)
        dc, de = ImageDraw.Draw(core), ImageDraw.Draw(edge)
        ex, ey = crng.choice([-1, 0, 1]), crng.choice([-1, 1])
        bright_edge = crng.random() < 0.6
        for kd in kinds:
            for line in crack_lines(crng, kd, sx0, sy0, sx1, sy1, scale):
                if len(line) < 2:
                    continue
                v = int(crng.integers(110, 256)) if kind != "hairline" else int(crng.integers(70, 200))
                dc.line(line, fill=v, width=cw_px)
                if bright_edge:
                    de.line([(x + ex, y + ey) for x, y in line], fill=int(v * _u(crng, 0.3, 1.0)), width=cw_px)
        # restrict to the screen (may extend a little onto the bezel)
        ext = int(_u(crng, 0, bez * 0.5))
        scm = Image.new("L", (iw, ih), 0)
        ImageDraw.Draw(scm).rounded_rectangle([sx0 - ext, sy0 - ext, sx1 + ext, sy1 + ext], radius=srad, fill=255)
        scmf = np.asarray(scm, np.float32) / 255.0
        M = np.asarray(core, np.float32) / 255.0 * scmf
        if crng.random() < 0.3:  # mild anti-aliasing / softness of the fracture
            M = np.asarray(Image.fromarray((M * 255).astype(np.uint8), "L").filter(ImageFilter.GaussianBlur(0.5)), np.float32) / 255.0
            M = np.clip(M * 1.3, 0, 1)
        low = crng.random() < 0.2
        if lit:
            if crng.random() < 0.8:   # dark line, often bright refraction edge
                a = _u(crng, 0.25, 0.5) if low else _u(crng, 0.5, 0.95)
                col = np.array(_rand_color(crng, 0, 90), np.float32)
                img = img * (1 - a * M[..., None]) + col * (a * M[..., None])
            else:                    # light line
                a = _u(crng, 0.2, 0.45) if low else _u(crng, 0.45, 0.85)
                col = np.array(_rand_color(crng, 200, 255), np.float32)
                img = img + a * M[..., None] * (col - img)
        else:
            a = _u(crng, 0.1, 0.25) if low else _u(crng, 0.25, 0.8)
            col = np.array(_rand_color(crng, 90, 220), np.float32)
            img = img + a * M[..., None] * (col - img)
        if bright_edge:
            E = np.asarray(edge, np.float32) / 255.0 * scmf * (1 - M)
            b = _u(crng, 0.15, 0.7) * (0.5 if low else 1.0)
            img = img + (b * E)[..., None] * (255 - img)
        meta.update(kind=kind, kinds="+".join(kinds), crack_width=cw_nom, crack_width_px=cw_px)
    else:
        meta.update(kind="none", kinds="", crack_width=0, crack_width_px=0)

    if wrng is not None:
        img = hard_negatives(wrng, img, (sx0, sy0, sx1, sy1), srad, lit, scale)
    if vr is not None:
        lay, vglare = varied_glass(vr, iw, ih, (sx0, sy0, sx1, sy1), scale)
        img = img + (lay * vmask)[..., None] * (235 - img)
        if vglare is not None:
            img = img + (vglare * vmask)[..., None] * (255 - img)
    if cr is not None:
        img = lay_curls(img, *curled_lines(cr, iw, ih, (sx0, sy0, sx1, sy1), scale))
    # apply light layers (glass): scratches/fingerprints lighten, glare adds
    o = np.asarray(ov, np.float32) / 255.0
    img = img + o[..., None] * (_u(rng, 0.4, 1.2) * (230 - img))
    if g is not None:
        img = img + g[..., None] * (255 - img)
    img = np.clip(img, 0, 255)
    # transparent pixels: use body colour to avoid dark fringes when resampling
    phone_img = Image.fromarray(img.astype(np.uint8), "RGB")

    # placement with rotation and slight perspective
    cx = _u(rng, bbw / 2 + 2, W - bbw / 2 - 2) if W - bbw > 4 else W / 2
    cy = _u(rng, bbh / 2 + 2, H - bbh / 2 - 2) if H - bbh > 4 else H / 2
    ct, st = math.cos(theta), math.sin(theta)
    ks = _u(rng, 0, 0.03)
    quad = []
    for (x, y) in [(-pw / 2, -ph / 2), (pw / 2, -ph / 2), (pw / 2, ph / 2), (-pw / 2, ph / 2)]:
        x += rng.normal(0, ks * pw)
        y += rng.normal(0, ks * ph)
        quad.append((cx + x * ct - y * st, cy + x * st + y * ct))
    src = [(m, m), (m + pw, m), (m + pw, m + ph), (m, m + ph)]
    x0 = max(0, int(math.floor(min(p[0] for p in quad))) - 2)
    y0 = max(0, int(math.floor(min(p[1] for p in quad))) - 2)
    x1 = min(W, int(math.ceil(max(p[0] for p in quad))) + 2)
    y1 = min(H, int(math.ceil(max(p[1] for p in quad))) + 2)
    coeffs = _perspective_coeffs([(x - x0, y - y0) for x, y in quad], src)
    rgb_t = phone_img.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    a_t = alpha.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, coeffs, Image.BILINEAR)
    # the screen's corners in the frame, through the inverse of the mapping the phone is drawn with
    a, b, c, d_, e, f, g, h = _perspective_coeffs(src, quad)
    screen = [((a * x + b * y + c) / (g * x + h * y + 1), (d_ * x + e * y + f) / (g * x + h * y + 1))
              for x, y in [(sx0, sy0), (sx1, sy0), (sx1, sy1), (sx0, sy1)]]
    meta.update(phone_angle=round(math.degrees(theta) % 360, 1), phone_quad=quad, screen_quad=screen)
    return rgb_t, a_t, (x0, y0), quad, meta


# ----------------------------------------------------------------------------- hard negatives (wide)
def _smooth_curve(rng, x0, y0, x1, y1, length, n=24):
    """A gently bending curve (hair, lint, a glare streak): smooth, unlike a crack's kinks."""
    p = (_u(rng, x0, x1), _u(rng, y0, y1))
    a = _u(rng, 0, 2 * math.pi)
    bend = rng.normal(0, 0.06, n).cumsum() if rng.random() < 0.7 else np.zeros(n)
    pts = [p]
    for k in range(n):
        a += bend[k]
        p = (p[0] + math.cos(a) * length / n, p[1] + math.sin(a) * length / n)
        pts.append(p)
    return pts


def hard_negatives(rng, img, screen, srad, lit, scale):
    """Things on an intact screen that look like cracks to a small network: hairs and lint, long
    sharp scratches, thin glare streaks, the screen's own edge line, a protector's edge, text and
    line icons. Drawn identically into both counterfactual twins (the crack stream is separate)."""
    sx0, sy0, sx1, sy1 = screen
    sw, sh = sx1 - sx0, sy1 - sy0
    ih, iw = img.shape[:2]
    lw = max(1, int(round(scale)))
    dark = Image.new("L", (iw, ih), 0)
    light = Image.new("L", (iw, ih), 0)
    dd, dl = ImageDraw.Draw(dark), ImageDraw.Draw(light)
    if rng.random() < 0.4:  # hairs / lint fibres
        for _ in range(int(rng.integers(1, 4))):
            pts = _smooth_curve(rng, sx0, sy0, sx1, sy1, _u(rng, 0.05, 0.5) * max(sw, sh))
            (dd if rng.random() < 0.5 else dl).line(pts, fill=int(rng.integers(60, 220)), width=lw)
    if rng.random() < 0.3:  # long sharp scratches (straight, some contrast)
        for _ in range(int(rng.integers(1, 3))):
            pts = _smooth_curve(rng, sx0, sy0, sx1, sy1, _u(rng, 0.1, 0.8) * max(sw, sh), n=2)
            dl.line(pts, fill=int(rng.integers(50, 160)), width=lw)
    glare = None
    if rng.random() < 0.3:  # thin glare streaks
        g = Image.new("L", (iw, ih), 0)
        gd = ImageDraw.Draw(g)
        for _ in range(int(rng.integers(1, 4))):
            pts = _smooth_curve(rng, sx0, sy0, sx1, sy1, _u(rng, 0.2, 1.0) * max(sw, sh), n=3)
            gd.line(pts, fill=int(rng.integers(80, 255)), width=max(1, int(_u(rng, 1, 4) * scale)))
        glare = np.asarray(g.filter(ImageFilter.GaussianBlur(_u(rng, 0.3, 1.5) * max(scale, 0.5))), np.float32)[..., None] / 255.0
    if rng.random() < 0.3:  # the glass / display edge as a thin bright or dark line
        inset = _u(rng, 0, 3) * scale
        (dl if rng.random() < 0.6 else dd).rounded_rectangle(
            [sx0 + inset, sy0 + inset, sx1 - inset, sy1 - inset], radius=max(0.0, srad - inset), outline=int(rng.integers(60, 200)), width=lw)
    if rng.random() < 0.15:  # a screen protector's edge: one straight line across near a side
        t = _u(rng, 0.02, 0.15)
        if rng.random() < 0.5:
            y = sy0 + t * sh if rng.random() < 0.5 else sy1 - t * sh
            dl.line([(sx0, y), (sx1, y + rng.normal(0, 2))], fill=int(rng.integers(40, 140)), width=lw)
        else:
            x = sx0 + t * sw if rng.random() < 0.5 else sx1 - t * sw
            dl.line([(x, sy0), (x + rng.normal(0, 2), sy1)], fill=int(rng.integers(40, 140)), width=lw)
    if lit and rng.random() < 0.4:  # real glyphs and line icons
        font = ImageFont.load_default()
        tl = Image.new("L", (iw, ih), 0)
        td = ImageDraw.Draw(tl)
        for _ in range(int(rng.integers(2, 12))):
            x, y = _u(rng, sx0, sx1 - 20), _u(rng, sy0, sy1 - 10)
            text = "".join(chr(int(c)) for c in rng.integers(33, 127, int(rng.integers(3, 18))))
            td.text((x, y), text, fill=255, font=font)
        for _ in range(int(rng.integers(0, 6))):
            x, y = _u(rng, sx0, sx1), _u(rng, sy0, sy1)
            r = _u(rng, 4, 25) * scale
            if rng.random() < 0.5:
                td.ellipse([x - r, y - r, x + r, y + r], outline=255, width=lw)
            else:
                td.line([(x - r, y - r), (x + r, y + r)], fill=255, width=lw)
                td.line([(x - r, y + r), (x + r, y - r)], fill=255, width=lw)
        (dark if rng.random() < 0.6 else light).paste(tl, (0, 0), tl)
    D = np.asarray(dark, np.float32)[..., None] / 255.0
    L = np.asarray(light, np.float32)[..., None] / 255.0
    if glare is not None:
        L = np.maximum(L, glare)
    img = img * (1 - 0.8 * D)
    return img + L * (240 - img).clip(0, None)


# ----------------------------------------------------------------------------- varied (--varied)
# Variety that the independent evaluation generator (evalgen.py) showed v3 had never seen: other
# surfaces under the phone and a lamp's light fall-off, list UIs with thin divider lines (v3's most
# confident false rejects), keyboards, maps, video stills, window reflections with mullions on dark
# screens; cracks as smooth random walks and shatter meshes drawn anti-aliased at sub-pixel widths;
# strip-light glare bands, ridged fingerprints, fibres and faint scratches on the glass. Written for
# this generator (no evalgen.py code), from two streams of its own: [seed, i, 11] for the scene
# (both twins alike) and [seed, i, 13] for the crack, so frames without --varied stay byte-identical.
SS = 4  # supersampling of anti-aliased strokes


def _aa_layer(size, strokes):
    """Anti-aliased coverage (float32 0..1, size = (w, h)) of strokes [(points, width_px, value)]:
    drawn at SS x and box-reduced, so a 0.7 px line comes out as a faint 1-2 px trace."""
    w, h = size
    big = Image.new("L", (w * SS, h * SS), 0)
    d = ImageDraw.Draw(big)
    for pts, width, value in strokes:
        if len(pts) >= 2:
            d.line([(x * SS, y * SS) for x, y in pts], fill=int(255 * value), width=max(1, int(round(width * SS))), joint="curve")
    return np.asarray(big.reduce(SS), np.float32) / 255.0


def _momentum_walk(rng, p, heading, length, step, drift):
    """A path that keeps its direction (glass fractures run straight-ish) with slow drift and rare snaps."""
    pts = [p]
    x, y = p
    turn = 0.0
    for _ in range(max(2, int(length / step))):
        turn = 0.7 * turn + rng.normal(0, drift)
        heading += turn
        if rng.random() < 0.05:
            heading += rng.normal(0, 0.6)
        x, y = x + math.cos(heading) * step, y + math.sin(heading) * step
        pts.append((x, y))
    return pts


def lay_fracture(r, img, line, strength, lit, p_dark, pale_lo):
    """img under a fracture's coverage `line`: on a lit screen darkened (with chance p_dark), else lightened toward a
    grey of pale_lo-240."""
    if lit and r.random() < p_dark:
        return img * (1 - strength * line)[..., None]
    return img + (strength * line)[..., None] * (_u(r, pale_lo, 240) - img)


def varied_crack(vc, sx0, sy0, sx1, sy1, scale):
    """(kind for meta, style, polylines in phone-local coords) of a walk-style crack inside the screen."""
    sw, sh = sx1 - sx0, sy1 - sy0
    diag = math.hypot(sw, sh)
    style = str(vc.choice(["star", "run", "mesh", "hair"], p=[0.3, 0.3, 0.2, 0.2]))
    st = max(2.0, _u(vc, 4, 12) * scale)
    paths = []
    if style == "star":
        c = (_u(vc, sx0 + 0.1 * sw, sx1 - 0.1 * sw), _u(vc, sy0 + 0.1 * sh, sy1 - 0.1 * sh))
        for _ in range(int(vc.integers(3, 12))):
            h = _u(vc, 0, 2 * math.pi)
            p = _momentum_walk(vc, c, h, _u(vc, 0.1, 0.7) * diag, st, 0.04)
            paths.append(p)
            for _ in range(int(vc.integers(0, 3))):
                q = p[int(vc.integers(1, len(p)))]
                paths.append(_momentum_walk(vc, q, h + vc.choice([-1, 1]) * _u(vc, 0.4, 1.3), _u(vc, 0.05, 0.3) * diag, st, 0.05))
        for _ in range(int(vc.integers(0, 3))):  # arcs around the impact
            r = _u(vc, 0.03, 0.2) * diag
            a0 = _u(vc, 0, 2 * math.pi)
            paths.append([(c[0] + r * _u(vc, 0.93, 1.07) * math.cos(a0 + t), c[1] + r * _u(vc, 0.93, 1.07) * math.sin(a0 + t))
                          for t in np.linspace(0, _u(vc, 0.4, 2.5), 14)])
        kind = "spider"
    elif style == "run":  # from an edge across the screen, sometimes with a side branch
        for _ in range(int(vc.integers(1, 3))):
            e = int(vc.integers(0, 4))
            t = _u(vc, 0, 1)
            p = [(sx0 + t * sw, sy0), (sx1, sy0 + t * sh), (sx0 + t * sw, sy1), (sx0, sy0 + t * sh)][e]
            h = math.atan2((sy0 + sy1) / 2 - p[1], (sx0 + sx1) / 2 - p[0]) + vc.normal(0, 0.5)
            path = _momentum_walk(vc, p, h, _u(vc, 0.4, 1.2) * diag, st * 1.3, 0.03)
            paths.append(path)
            if vc.random() < 0.6:
                q = path[int(vc.integers(1, len(path)))]
                paths.append(_momentum_walk(vc, q, h + _u(vc, -1.2, 1.2), _u(vc, 0.1, 0.4) * diag, st, 0.04))
        kind = "edge"
    elif style == "mesh":  # shattered glass: nearby points joined by slightly kinked segments
        c = np.array([_u(vc, sx0, sx1), _u(vc, sy0, sy1)])
        pts = c + vc.normal(0, _u(vc, 0.06, 0.25) * diag, (int(vc.integers(10, 40)), 2))
        for i, p in enumerate(pts):
            for j in np.argsort(np.hypot(*(pts - p).T))[1:4]:
                if j > i or vc.random() < 0.3:
                    mid = (p + pts[j]) / 2 + vc.normal(0, 2.5 * scale, 2)
                    paths.append([tuple(p), tuple(mid), tuple(pts[j])])
        kind = "corner" if min(abs(c[0] - sx0), abs(c[0] - sx1)) < 0.2 * sw and min(abs(c[1] - sy0), abs(c[1] - sy1)) < 0.2 * sh else "spider"
    else:  # one long, nearly straight hairline
        p = (_u(vc, sx0, sx1), _u(vc, sy0, sy1))
        paths.append(_momentum_walk(vc, p, _u(vc, 0, 2 * math.pi), _u(vc, 0.3, 1.0) * diag, st * 1.5, 0.015))
        kind = "hairline"
    return kind, style, paths


def varied_screen(vr, sw, sh, lit, scale):
    """RGB uint8 (sh, sw): list UIs, keyboards, maps, video stills, text pages; dark glass with a reflected window."""
    if not lit:
        img = np.full((sh, sw, 3), _u(vr, 2, 20), np.float32)
        if vr.random() < 0.75:
            refl = Image.new("L", (sw, sh), 0)
            d = ImageDraw.Draw(refl)
            x0, y0 = _u(vr, -0.3, 0.7) * sw, _u(vr, -0.3, 0.7) * sh
            x1, y1 = x0 + _u(vr, 0.2, 0.9) * sw, y0 + _u(vr, 0.1, 0.7) * sh
            d.rectangle([x0, y0, x1, y1], fill=int(_u(vr, 40, 200)))
            if vr.random() < 0.6:  # window mullions: thin dark lines across the reflection
                lw = max(1, int(_u(vr, 1, 6) * scale))
                for _ in range(int(vr.integers(1, 4))):
                    if vr.random() < 0.5:
                        x = _u(vr, x0, x1)
                        d.line([(x, y0), (x, y1)], fill=0, width=lw)
                    else:
                        y = _u(vr, y0, y1)
                        d.line([(x0, y), (x1, y)], fill=0, width=lw)
            refl = refl.filter(ImageFilter.GaussianBlur(_u(vr, 0.5, 6) * max(scale, 0.5)))
            img += (np.asarray(refl, np.float32) / 255.0 * _u(vr, 15, 80))[..., None] * np.array(
                [_u(vr, 0.85, 1.0), _u(vr, 0.9, 1.0), 1.0], np.float32)
        return np.clip(img, 0, 255).astype(np.uint8)
    font = ImageFont.load_default()
    layout = str(vr.choice(["list", "keyboard", "map", "video", "page"], p=[0.35, 0.15, 0.15, 0.15, 0.2]))
    dark = vr.random() < 0.4 and layout in ("list", "keyboard", "page")
    bg = _jitter_color(vr, (22, 22, 28) if dark else (244, 244, 246), 8)
    fg = _jitter_color(vr, (225, 225, 225) if dark else (28, 28, 30), 15)
    im = Image.new("RGB", (sw, sh), bg)
    d = ImageDraw.Draw(im)

    def text(x, y, n, col):
        d.text((x, y), "".join(chr(int(c)) for c in vr.integers(97, 123, n)), fill=col, font=font)

    if layout == "list":
        d.rectangle([0, 0, sw, sh * _u(vr, 0.05, 0.1)], fill=_rand_color(vr))
        row = max(10.0, sh * _u(vr, 0.045, 0.1))
        y = sh * 0.1
        div = tuple(int(0.5 * a + 0.5 * b) for a, b in zip(fg, bg))
        while y < sh - row:
            if vr.random() < 0.8:
                r = row * _u(vr, 0.25, 0.4)
                d.ellipse([sw * 0.05, y + row / 2 - r, sw * 0.05 + 2 * r, y + row / 2 + r], fill=_rand_color(vr))
            text(sw * 0.08 + row * 0.8, y + row * 0.25, int(vr.integers(4, 22)), fg)
            d.line([(sw * _u(vr, 0.0, 0.2), y + row), (sw * _u(vr, 0.9, 1.0), y + row)], fill=div, width=1)
            y += row
    elif layout == "keyboard":
        top = sh * _u(vr, 0.5, 0.7)
        for k in range(int(vr.integers(3, 12))):
            text(sw * 0.05, sh * 0.1 + k * sh * 0.04, int(vr.integers(5, 30)), fg)
        d.rectangle([0, top, sw, sh], fill=_jitter_color(vr, (45, 45, 50) if dark else (210, 213, 220), 6))
        rows, cols = 4, 10
        kw, kh = sw / cols, (sh - top) / rows
        for r in range(rows):
            for c in range(cols):
                d.rounded_rectangle([c * kw + 2, top + r * kh + 2, (c + 1) * kw - 2, top + (r + 1) * kh - 2], radius=3,
                                    fill=_jitter_color(vr, (85, 85, 90) if dark else (252, 252, 252), 4))
                d.text((c * kw + kw * 0.4, top + r * kh + kh * 0.3), chr(65 + int(vr.integers(0, 26))), fill=fg, font=font)
    elif layout == "map":
        d.rectangle([0, 0, sw, sh], fill=_jitter_color(vr, (230, 226, 212), 8))
        for _ in range(int(vr.integers(1, 5))):
            x, y, r = _u(vr, 0, sw), _u(vr, 0, sh), _u(vr, 0.05, 0.3) * sw
            d.ellipse([x - r, y - r * _u(vr, 0.4, 1), x + r, y + r], fill=_jitter_color(vr, (170, 210, 160), 10))
        for _ in range(int(vr.integers(5, 20))):
            pts = [(_u(vr, -0.1, 1.1) * sw, _u(vr, -0.1, 1.1) * sh) for _ in range(int(vr.integers(2, 4)))]
            d.line(pts, fill=(255, 255, 255) if vr.random() < 0.7 else (248, 200, 95), width=max(1, int(_u(vr, 1, 12) * scale)))
    elif layout == "video":
        gh, gw = 24, max(8, int(24 * sw / max(sh, 1)))
        yy, xx = np.mgrid[0:gh, 0:gw].astype(np.float32)
        arr = np.zeros((gh, gw, 3), np.float32) + np.array(_rand_color(vr, 0, 120), np.float32)
        for _ in range(int(vr.integers(3, 9))):
            cx, cy, s = _u(vr, 0, gw), _u(vr, 0, gh), _u(vr, 0.05, 0.4) * gw
            arr += np.array([_u(vr, -80, 160) for _ in range(3)], np.float32) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))[..., None]
        im = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8), "RGB").resize((sw, sh), Image.BICUBIC)
    else:  # page of text, sometimes with rules
        lh = max(8.0, sh * _u(vr, 0.02, 0.04))
        y = sh * 0.05
        while y < sh * 0.95:
            if vr.random() < 0.1:
                d.line([(sw * 0.05, y + lh / 2), (sw * 0.95, y + lh / 2)], fill=fg, width=1)
            else:
                text(sw * _u(vr, 0.04, 0.1), y, int(vr.integers(5, 40)), fg)
            y += lh
    return np.asarray(im, np.uint8)


def varied_glass(vr, iw, ih, screen, scale):
    """What lies on the glass, alike in both twins: (lighten layer 0..1, glare layer 0..1), phone-local."""
    sx0, sy0, sx1, sy1 = screen
    sw, sh = sx1 - sx0, sy1 - sy0
    strokes = []
    if vr.random() < 0.5:  # faint straight scratches, sub-pixel to 1.3 px
        for _ in range(int(vr.integers(1, 6))):
            a, L = _u(vr, 0, math.pi), _u(vr, 0.05, 0.5) * sh
            x, y = _u(vr, sx0, sx1), _u(vr, sy0, sy1)
            strokes.append(([(x, y), (x + math.cos(a) * L, y + math.sin(a) * L)], _u(vr, 0.6, 1.3) * max(scale, 0.6), _u(vr, 0.1, 0.35)))
    if vr.random() < 0.5:  # dust specks and curled fibres
        for _ in range(int(vr.integers(5, 40))):
            x, y = _u(vr, sx0 - 0.05 * sw, sx1 + 0.05 * sw), _u(vr, sy0 - 0.05 * sh, sy1 + 0.05 * sh)
            if vr.random() < 0.25:
                a, bend, L = _u(vr, 0, 2 * math.pi), vr.normal(0, 0.6), _u(vr, 8, 45) * scale
                pts = [(x + math.cos(a + bend * t) * L * t, y + math.sin(a + bend * t) * L * t) for t in np.linspace(0, 1, 8)]
                strokes.append((pts, max(0.7, scale), _u(vr, 0.2, 0.6)))
            else:
                strokes.append(([(x, y), (x + 0.4, y)], _u(vr, 1, 3) * max(scale, 0.5), _u(vr, 0.3, 0.8)))
    lay = _aa_layer((iw, ih), strokes) if strokes else np.zeros((ih, iw), np.float32)
    if vr.random() < 0.4:  # fingerprints: ridges as a sine of the distance, fading out
        for _ in range(int(vr.integers(1, 4))):
            r = _u(vr, 20, 65) * scale + 4
            cx, cy = _u(vr, sx0, sx1), _u(vr, sy0, sy1)
            x0, x1 = int(max(0, cx - 2 * r)), int(min(iw, cx + 2 * r))
            y0, y1 = int(max(0, cy - 2 * r)), int(min(ih, cy + 2 * r))
            if x1 <= x0 or y1 <= y0:
                continue
            yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
            dist = np.hypot((xx - cx) / _u(vr, 0.7, 0.9), yy - cy)
            ridge = 0.5 + 0.5 * np.sin(dist / (_u(vr, 1.8, 2.6) * max(scale, 0.5)) * math.pi)
            lay[y0:y1, x0:x1] += _u(vr, 0.05, 0.12) * ridge * np.exp(-(dist / r) ** 4)
    glare = None
    if vr.random() < 0.5:  # a soft reflection, often with the bright band of a strip light
        yy, xx = np.mgrid[0:ih, 0:iw].astype(np.float32)
        qx, qy = _u(vr, sx0, sx1), _u(vr, sy0, sy1)
        r1, r2 = _u(vr, 0.05, 0.3) * sh, _u(vr, 0.02, 0.15) * sh
        glare = np.exp(-(((xx - qx) / r1) ** 2 + ((yy - qy) / r2) ** 2)) * _u(vr, 0.15, 0.7)
        if vr.random() < 0.6:
            ba = _u(vr, 0, math.pi)
            dist = (xx - qx) * math.cos(ba) + (yy - qy) * math.sin(ba)
            glare = np.maximum(glare, np.exp(-(dist / (_u(vr, 1.5, 15) * scale)) ** 2) * _u(vr, 0.2, 0.65))
        glare = glare.astype(np.float32)
    return np.clip(lay, 0, 1), glare


def varied_surface(vr, W, H, quad):
    """Another surface under the phone: wood, woven fabric, brushed metal or a plain table, with a soft phone shadow."""
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    kind = str(vr.choice(["wood", "fabric", "metal", "plain"]))
    if kind == "wood":
        a = _u(vr, 0, math.pi)
        warp = _upsample(vr.random((4, 6)).astype(np.float32), (W, H), Image.BICUBIC) * _u(vr, 15, 80)
        grain = np.sin((xx * math.cos(a) + yy * math.sin(a) + warp) / _u(vr, 5, 25) * (H / 1080 + 0.3))
        img = np.array([_u(vr, 90, 175), _u(vr, 55, 115), _u(vr, 25, 75)], np.float32) * (0.82 + 0.14 * grain[..., None])
    elif kind == "fabric":
        p = _u(vr, 2.5, 7) * max(H / 1080, 0.5)
        weave = np.sin(xx / p * math.pi) * np.sin(yy / p * math.pi)
        img = np.array(_rand_color(vr, 30, 200), np.float32) * (0.9 + 0.07 * weave + 0.04 * vr.standard_normal((H, W)).astype(np.float32))[..., None]
    elif kind == "metal":
        a = _u(vr, 0, math.pi)
        t = (xx * math.cos(a) + yy * math.sin(a)).astype(np.int64)
        t -= t.min()
        line = vr.standard_normal(int(t.max()) + 1).astype(np.float32)
        img = np.repeat((_u(vr, 100, 195) + _u(vr, 4, 12) * line[t])[..., None], 3, axis=2)
    else:
        img = np.broadcast_to(np.array(_rand_color(vr, 40, 230), np.float32), (H, W, 3)).copy()
    m = Image.new("L", (W, H), 0)
    ox, oy = vr.normal(0, 0.02 * H, 2)
    ImageDraw.Draw(m).polygon([(x + ox, y + oy) for x, y in quad], fill=255)
    m = np.asarray(m.filter(ImageFilter.GaussianBlur(_u(vr, 4, 30) * H / 1080)), np.float32) / 255.0
    img *= (1 - _u(vr, 0.2, 0.6) * m)[..., None]
    return Image.fromarray(np.clip(img, 0, 255).astype(np.uint8), "RGB")


def lamp(vr, img):
    """A lamp's broad fall-off over the whole scene (phone included), float HxWx3 in place."""
    H, W = img.shape[:2]
    cx, cy = _u(vr, -0.3, 1.3) * W, _u(vr, -0.3, 1.3) * H
    y = (np.arange(H, dtype=np.float32) - cy)[:, None]
    x = (np.arange(W, dtype=np.float32) - cx)[None, :]
    img *= (1.15 - _u(vr, 0.2, 0.7) * np.sqrt(x * x + y * y) / math.hypot(W, H))[..., None]
    return img


# ----------------------------------------------------------------------------- curled lines on the glass (--curls)
# Smooth thin lines that bend far more than generate.py's other nuisances: hairs that curl and loop, and the long arcs a
# wiping cloth or a polishing pad scratches into the glass, alone or as a family of nearly concentric arcs. A crack kinks
# and branches; these never do. Drawn alike into both twins from the stream [seed, i, 19] (make_frame curls=True).
def _curled_hair(cr, x, y, length, n=64):
    """A hair: its heading turns by a curvature that itself wanders, so it bends gently, curls, and at times loops."""
    a, k = _u(cr, 0, 2 * math.pi), cr.normal(0, 0.08)
    pts = [(x, y)]
    for _ in range(n):
        k = 0.9 * k + cr.normal(0, 0.06)
        a += k
        x, y = x + math.cos(a) * length / n, y + math.sin(a) * length / n
        pts.append((x, y))
    return pts


def curled_lines(cr, iw, ih, screen, scale):
    """(darken layer, lighten layer), 0..1, phone-local: curled hairs (dark, sometimes pale) and arc scratches (light)."""
    sx0, sy0, sx1, sy1 = screen
    sw, sh = sx1 - sx0, sy1 - sy0
    dark, light = [], []
    if cr.random() < 0.4:  # hairs and fibres
        for _ in range(int(cr.integers(1, 4))):
            pts = _curled_hair(cr, _u(cr, sx0, sx1), _u(cr, sy0, sy1), _u(cr, 0.1, 0.7) * sh)
            stroke = (pts, _u(cr, 0.5, 1.6) * max(scale, 0.5), _u(cr, 0.3, 0.9))
            (dark if cr.random() < 0.7 else light).append(stroke)
    if cr.random() < 0.4:  # arc scratches: one, or a family around one centre
        cx, cy = _u(cr, sx0 - sw, sx1 + sw), _u(cr, sy0 - sh, sy1 + sh)
        r0 = _u(cr, 0.2, 1.5) * sh
        a0 = math.atan2((sy0 + sy1) / 2 - cy, (sx0 + sx1) / 2 - cx) + cr.normal(0, 0.5)
        for _ in range(1 if cr.random() < 0.5 else int(cr.integers(2, 7))):
            r = r0 * _u(cr, 0.85, 1.15)
            a1 = a0 + cr.normal(0, 0.2)
            span = _u(cr, 0.15, 1.0) * min(1.0, sh / r)
            ts = np.linspace(a1 - span / 2, a1 + span / 2, 48)
            light.append(([(cx + math.cos(t) * r, cy + math.sin(t) * r) for t in ts], _u(cr, 0.5, 1.2) * max(scale, 0.5),
                          _u(cr, 0.1, 0.45)))
    layer = lambda strokes: _aa_layer((iw, ih), strokes) if strokes else np.zeros((ih, iw), np.float32)
    return layer(dark), layer(light)


def lay_curls(img, dark, light):
    """img (float RGB) under curled_lines' layers: the dark lines darken it, the light ones lighten it toward 235."""
    return img * (1 - 0.85 * dark[..., None]) + light[..., None] * (235 - img)


# ----------------------------------------------------------------------------- cracks seen as refraction (--refract)
# On a lit page the glass along a crack bends the light: the content in a band beside the fracture is shifted by a pixel
# or two and the fracture itself is barely darker (HISTORY.md, twentieth session: the package misses such cracks).
# Drawn into the cracked twin only, from the stream [seed, i, 23] (make_frame refract=True).
REFRACT_SHARE = 0.7  # of the cracked twins; the others keep the --varied cracks


def _shifted(img, dx, dy):
    """img (float HxWx3) sampled at (x - dx, y - dy), bilinear, edges repeated."""
    h, w = img.shape[:2]
    ix, iy = int(math.floor(dx)), int(math.floor(dy))
    fx, fy = dx - ix, dy - iy
    xs = lambda k: np.clip(np.arange(w) - ix - k, 0, w - 1)
    ys = lambda k: np.clip(np.arange(h) - iy - k, 0, h - 1)
    at = lambda kx, ky: img[ys(ky)][:, xs(kx)]
    return (at(0, 0) * (1 - fx) + at(1, 0) * fx) * (1 - fy) + (at(0, 1) * (1 - fx) + at(1, 1) * fx) * fy


def refracted_crack(fr, img, glass, screen, scale, lit):
    """(img with a walk-style crack drawn mostly as refraction, kind, style): the content within a band along the
    crack's paths moved by 1-2.5 px (at 1080p) one way, and a faint dark or pale line on the fracture itself."""
    kind, style, paths = varied_crack(fr, *screen, scale)
    band = _aa_layer((img.shape[1], img.shape[0]), [(p, max(2.0, _u(fr, 3, 12) * scale), 1.0) for p in paths]) * glass
    a, r = _u(fr, 0, 2 * math.pi), _u(fr, 1.0, 2.5) * max(scale, 0.5)
    img = img + band[..., None] * (_shifted(img, r * math.cos(a), r * math.sin(a)) - img)
    line = _aa_layer((img.shape[1], img.shape[0]), [(p, max(0.7, _u(fr, 0.7, 1.5) * scale), 1.0) for p in paths]) * glass
    return lay_fracture(fr, img, line, _u(fr, 0.08, 0.35), lit, 0.7, 150), kind, "refract-" + style


# ----------------------------------------------------------------------------- thin-stroked screen content
# Crack-like lines that belong to the screen: big segment digits (clocks, calculators, counters), key grids, chart and
# map grids with thin curves, outlined icons. Drawn over the screen from the stream [seed, i, 17] (make_frame glyphs=True).
SEGMENTS = {"0": "abcdef", "1": "bc", "2": "abdeg", "3": "abcdg", "4": "bcfg", "5": "acdfg", "6": "acdefg", "7": "abc",
            "8": "abcdefg", "9": "abcdfg"}


def _digit(d, x, y, h, digit, width, col):
    """One seven-segment digit of height h with its top-left corner at (x, y)."""
    w = 0.55 * h
    ends = {"a": ((0, 0), (w, 0)), "b": ((w, 0), (w, h / 2)), "c": ((w, h / 2), (w, h)), "d": ((0, h), (w, h)),
            "e": ((0, h / 2), (0, h)), "f": ((0, 0), (0, h / 2)), "g": ((0, h / 2), (w, h / 2))}
    for seg in SEGMENTS[digit]:
        (x0, y0), (x1, y1) = ends[seg]
        d.line([(x + x0, y + y0), (x + x1, y + y1)], fill=col, width=width)


def glyph_screen(gr, scr, scale):
    """The screen (RGB uint8, sh x sw) with thin-stroked content drawn over it, in a colour that stands out from it."""
    sh, sw = scr.shape[:2]
    im = Image.fromarray(scr, "RGB")
    d = ImageDraw.Draw(im)
    bright = scr.mean() < 110
    col = _jitter_color(gr, (230, 230, 225) if bright else (25, 25, 30), 20)
    thin = max(1, int(round(_u(gr, 0.6, 2.5) * max(scale, 0.5))))
    for _ in range(int(gr.integers(1, 3))):
        kind = str(gr.choice(["digits", "keys", "grid", "icons"]))
        if kind == "digits":
            h = _u(gr, 0.06, 0.3) * sh
            n = int(gr.integers(2, 7))
            x, y = _u(gr, 0, max(1, sw - n * 0.8 * h)), _u(gr, 0, max(1, sh - h))
            for k in range(n):
                _digit(d, x + k * 0.8 * h, y, h, str(gr.integers(0, 10)), max(thin, int(h * _u(gr, 0.03, 0.12))), col)
        elif kind == "keys":
            rows, cols = int(gr.integers(3, 6)), int(gr.integers(3, 5))
            top = _u(gr, 0.3, 0.6) * sh
            kw, kh = sw / cols, (sh - top) / rows
            for r in range(rows):
                for c in range(cols):
                    box = [c * kw + 0.1 * kw, top + r * kh + 0.1 * kh, (c + 0.9) * kw, top + (r + 0.9) * kh]
                    if gr.random() < 0.5:
                        d.ellipse(box, outline=col, width=thin)
                    else:
                        d.rounded_rectangle(box, radius=0.2 * min(kw, kh), outline=col, width=thin)
                    _digit(d, box[0] + 0.35 * kw, box[1] + 0.25 * kh, 0.35 * kh, str(gr.integers(0, 10)), thin, col)
        elif kind == "grid":
            p = _u(gr, 0.04, 0.2) * sw
            a = _u(gr, 0, math.pi) if gr.random() < 0.3 else 0.0
            ca, sa = math.cos(a), math.sin(a)
            L = 2 * (sw + sh)
            for t in np.arange(-L, L, p):
                d.line([(sw / 2 + t * ca - L * sa, sh / 2 + t * sa + L * ca), (sw / 2 + t * ca + L * sa, sh / 2 + t * sa - L * ca)],
                       fill=col, width=1)
                d.line([(sw / 2 - t * sa - L * ca, sh / 2 + t * ca - L * sa), (sw / 2 - t * sa + L * ca, sh / 2 + t * ca + L * sa)],
                       fill=col, width=1)
            for _ in range(int(gr.integers(0, 3))):  # a plotted curve or an arc across the grid
                if gr.random() < 0.5:
                    xs = np.linspace(0, sw, 30)
                    ys = sh * _u(gr, 0.2, 0.8) + np.cumsum(gr.normal(0, 0.03 * sh, 30))
                    d.line(list(zip(xs.tolist(), ys.tolist())), fill=col, width=thin)
                else:
                    r = _u(gr, 0.2, 0.8) * sw
                    cx, cy = _u(gr, 0, sw), _u(gr, 0, sh)
                    d.arc([cx - r, cy - r, cx + r, cy + r], _u(gr, 0, 360), _u(gr, 0, 360), fill=col, width=thin)
        else:
            s_ = _u(gr, 0.08, 0.2) * sw
            for _ in range(int(gr.integers(2, 9))):
                x, y = _u(gr, 0, sw - s_), _u(gr, 0, sh - s_)
                d.rounded_rectangle([x, y, x + s_, y + s_], radius=0.25 * s_, outline=col, width=thin)
                for _ in range(int(gr.integers(1, 4))):
                    d.line([(x + _u(gr, 0.2, 0.8) * s_, y + _u(gr, 0.2, 0.8) * s_) for _ in range(2)], fill=col, width=thin)
    return np.asarray(im, np.uint8)


def _streams(seed, index, width, height, cracked_share, force_label, wide, varied):
    """make_frame's random streams, frame size and label, drawn in the order its frames depend on."""
    vr = np.random.default_rng([int(seed), int(index), 11]) if varied else None
    vc = np.random.default_rng([int(seed), int(index), 13]) if varied else None
    rng = np.random.default_rng([int(seed), int(index)])
    crng = np.random.default_rng([int(seed), int(index), 3])
    wrng = np.random.default_rng([int(seed), int(index), 7]) if wide else None
    if width and height:
        W, H = int(width), int(height)
    else:
        W, H = RESOLUTIONS[int(rng.integers(0, len(RESOLUTIONS)))]
        if wide and wrng.random() < 0.3:  # the production camera's size, where 1 px cracks are hardest
            W, H = 1920, 1080
    cracked = bool(rng.random() < cracked_share)
    if force_label is not None:
        cracked = force_label == "cracked"
    return rng, crng, wrng, vr, vc, W, H, cracked


def scene_quads(seed, index, wide=False, varied=False):
    """(frame size, phone quad, screen quad) of make_frame(seed, index, force_label="ok", ...) without drawing the
    rest of the frame: the phone alone, about a third of the time (the labels of a screen localiser)."""
    wide = wide or varied
    rng, crng, wrng, vr, vc, W, H, cracked = _streams(seed, index, None, None, 0.5, "ok", wide, varied)
    meta = render_phone(rng, W, H, cracked, crng, wrng, vr, vc)[4]
    return (W, H), meta["phone_quad"], meta["screen_quad"]


# ----------------------------------------------------------------------------- frame
def make_frame(seed, index, width=None, height=None, cracked_share=0.5, jpeg_roundtrip=True, force_label=None, wide=False,
               varied=False, glyphs=False, curls=False, refract=False):
    """One synthetic frame. Returns (rgb uint8 HxWx3, label str, meta dict).

    The crack is drawn from its own random stream, so force_label='ok' / 'cracked' gives the
    same scene without / with a crack (counterfactual pairs for training).
    wide=True adds the v3 variations (smaller phones, crack-like hard negatives, more 1080p frames,
    stronger noise and blur, lower JPEG quality) from a third stream [seed, i, 7]; wide=False
    frames are byte-identical to the frames v1 and v2 were measured on.
    varied=True (implies wide) adds the evalgen-like variety (see varied_crack and below) from the
    streams [seed, i, 11] (scene) and [seed, i, 13] (crack); wide frames without it are unchanged.
    glyphs=True (implies varied) draws thin-stroked screen content over the screen (see glyph_screen) from the stream
    [seed, i, 17]; frames without it are unchanged. curls=True (implies varied) draws curled hairs and arc scratches on the
    glass (see curled_lines) from the stream [seed, i, 19]; frames without it are unchanged. refract=True (implies varied)
    draws most cracks as refraction (see refracted_crack) from the stream [seed, i, 23]; ok frames are unchanged."""
    varied = varied or glyphs or curls or refract
    wide = wide or varied
    rng, crng, wrng, vr, vc, W, H, cracked = _streams(seed, index, width, height, cracked_share, force_label, wide, varied)
    gr = np.random.default_rng([int(seed), int(index), 17]) if glyphs else None
    cr = np.random.default_rng([int(seed), int(index), 19]) if curls else None
    fr = np.random.default_rng([int(seed), int(index), 23]) if refract else None
    rgb_t, a_t, (x0, y0), quad, meta = render_phone(rng, W, H, cracked, crng, wrng, vr, vc, gr, cr, fr)
    frame = render_belt(rng, W, H, quad, _u(rng, 0.0, 0.6))
    if vr is not None and vr.random() < 0.5:
        frame = varied_surface(vr, W, H, quad)
    frame.paste(rgb_t, (x0, y0), a_t)
    d = ImageDraw.Draw(frame)
    scale = H / 1080.0
    # dust specks anywhere (belt and phone)
    for _ in range(int(rng.integers(0, 60))):
        x, y = _u(rng, 0, W), _u(rng, 0, H)
        r = _u(rng, 0.4, 2.5) * max(scale, 0.5)
        d.ellipse([x - r, y - r, x + r, y + r], fill=_rand_color(rng, 150, 255) if rng.random() < 0.6 else _rand_color(rng, 0, 60))
    if vr is not None and vr.random() < 0.5:
        frame = Image.fromarray(np.clip(lamp(vr, np.asarray(frame, np.float32).copy()), 0, 255).astype(np.uint8), "RGB")
    # optics: defocus or motion blur
    r = rng.random()
    if r < 0.25:
        frame = frame.filter(ImageFilter.GaussianBlur(_u(rng, 0.3, 1.1) * max(scale, 0.5)))
        meta["blur"] = "defocus"
    elif r < 0.4:
        k = np.zeros((5, 5), np.float32)
        if rng.random() < 0.5:
            k[2, 1:4] = 1
            k[2, 0] = k[2, 4] = _u(rng, 0, 1)
        else:
            k[1:4, 2] = 1
            k[0, 2] = k[4, 2] = _u(rng, 0, 1)
        frame = frame.filter(ImageFilter.Kernel((5, 5), k.ravel().tolist(), float(k.sum())))
        meta["blur"] = "motion"
    else:
        meta["blur"] = "none"
    if wide and wrng.random() < 0.2:  # extra defocus on top (a worn lens), up to ~1.5 px at 1080p
        frame = frame.filter(ImageFilter.GaussianBlur(_u(wrng, 0.4, 1.5) * max(scale, 0.5)))
        meta["blur"] += "+defocus"
    img = np.asarray(frame, np.float32)
    # vignetting (separable), sensor noise: gaussian read noise + shot noise (luma)
    vig = _u(rng, 0, 0.45)
    vx = 1 - vig * np.linspace(-1, 1, W, dtype=np.float32) ** 2 * _u(rng, 0.5, 1)
    vy = 1 - vig * np.linspace(-1, 1, H, dtype=np.float32) ** 2 * _u(rng, 0.5, 1)
    v = vy[:, None] * vx[None, :]
    sig = _u(rng, 0.5, 5)
    shot = _u(rng, 0.0, 0.25)
    n = rng.standard_normal((H, W), dtype=np.float32)
    s2 = img[..., 1] * (shot * v)
    s2 += sig * sig
    n *= np.sqrt(s2)
    img *= v[..., None]
    img += n[..., None]
    np.clip(img, 0, 255, out=img)
    img = img.astype(np.uint8)
    # exposure, white balance and gamma as per-channel LUTs
    gain = float(np.exp(rng.normal(0, 0.3)))
    wb = np.array([_u(rng, 0.82, 1.18), 1.0, _u(rng, 0.82, 1.18)]) * gain
    gamma = float(np.exp(rng.normal(0, 0.2)))
    x = np.arange(256) / 255.0
    lut = []
    for c in range(3):
        lut += np.clip(255.0 * np.clip(x * wb[c], 0, 1) ** gamma + 0.5, 0, 255).astype(np.uint8).tolist()
    img = np.asarray(Image.fromarray(img, "RGB").point(lut))
    meta.update(width=W, height=H, gain=round(gain, 3), gamma=round(gamma, 3))
    if wide and wrng.random() < 0.4:  # a noisier sensor (gain in a dim hall)
        img = np.clip(img + wrng.normal(0, _u(wrng, 2, 8), img.shape[:2])[..., None], 0, 255).astype(np.uint8)
    if wide and wrng.random() < 0.3:  # a harsher camera-side JPEG
        q = int(wrng.integers(20, 60))
        buf = io.BytesIO()
        Image.fromarray(img, "RGB").save(buf, format="JPEG", quality=q)
        img = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
        meta["wide_jpeg"] = q
    if jpeg_roundtrip and rng.random() < 0.35:
        q = int(rng.integers(35, 96))
        buf = io.BytesIO()
        Image.fromarray(img, "RGB").save(buf, format="JPEG", quality=q)
        img = np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert("RGB"))
        meta["inner_jpeg"] = q
    label = "cracked" if cracked else "ok"
    return img, label, meta


def file_quality(seed, index):
    """JPEG quality generate.py writes frame `index` with (50..95)."""
    return int(np.random.default_rng([int(seed), int(index), 1]).integers(50, 96))


def encode_frame(seed, index, width=None, height=None, cracked_share=0.5, fmt="jpg", wide=False, varied=False):
    """Exact bytes generate.py writes for frame `index`. Returns (bytes, label, meta)."""
    img, label, meta = make_frame(seed, index, width, height, cracked_share, wide=wide, varied=varied)
    buf = io.BytesIO()
    if fmt == "png":
        Image.fromarray(img, "RGB").save(buf, format="PNG")
        meta["quality"] = 0
    else:
        q = file_quality(seed, index)
        Image.fromarray(img, "RGB").save(buf, format="JPEG", quality=q)
        meta["quality"] = q
    return buf.getvalue(), label, meta


META_FIELDS = ["file", "label", "kind", "kinds", "crack_width", "crack_width_px", "screen", "width", "height",
               "quality", "blur", "phone_angle"]


def _job(args):
    seed, i, w, h, share, fmt, wide, varied = args
    data, label, meta = encode_frame(seed, i, w, h, share, fmt, wide, varied)
    return i, data, label, meta


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--width", type=int)
    ap.add_argument("--height", type=int)
    ap.add_argument("--format", choices=["jpg", "png"], default="jpg")
    ap.add_argument("--cracked-share", type=float, default=0.5)
    ap.add_argument("--workers", type=int, default=1, help="processes (output is identical for any value)")
    ap.add_argument("--wide", action="store_true", help="v3 variations: smaller phones, hard negatives, more 1080p, noise, blur, low JPEG quality")
    ap.add_argument("--varied", action="store_true",
                    help="--wide plus evalgen-like variety: surfaces, lamp light, list UIs, keyboards, maps, walk and mesh "
                         "cracks drawn anti-aliased, glare bands, ridged fingerprints, fibres (v6)")
    a = ap.parse_args(argv)
    if (a.width is None) != (a.height is None):
        ap.error("--width and --height go together")
    os.makedirs(a.out, exist_ok=True)
    jobs = [(a.seed, i, a.width, a.height, a.cracked_share, a.format, a.wide, a.varied) for i in range(a.count)]
    rows = []

    def consume(it):
        for i, data, label, meta in it:
            name = "%05d_%s.%s" % (i, label, a.format)
            with open(os.path.join(a.out, name), "wb") as f:
                f.write(data)
            meta = dict(meta, file=name, label=label)
            rows.append(meta)

    if a.workers > 1:
        import multiprocessing as mp
        with mp.Pool(a.workers) as pool:
            consume(pool.imap(_job, jobs, chunksize=4))
    else:
        consume(map(_job, jobs))
    with open(os.path.join(a.out, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "label"])
        for r in rows:
            w.writerow([r["file"], r["label"]])
    with open(os.path.join(a.out, "meta.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=META_FIELDS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow(r)
    print("wrote %d frames to %s" % (len(rows), a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
