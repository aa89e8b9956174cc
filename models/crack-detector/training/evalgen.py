#!/usr/bin/env python3
"""A second, independently written frame generator, written for evaluation (see twins below).

    python3 evalgen.py --out DIR --count N --seed S [--workers 2]

Shares no drawing code with generate.py, so a model that only learnt generate.py's style fails
here: the phone, its shadow and the screen are placed by signed distance fields in rotated
coordinates (no PIL transforms), screen contents are other layouts (UI lists, maps, keyboards,
video stills, white pages, window reflections on dark screens), backgrounds are wood, fabric,
brushed steel or a lit table, and cracks are random walks with momentum drawn as anti-aliased
distance-field strokes in frame coordinates (impact stars, long diagonals, shatter meshes,
hairlines; 1-3 px at 1080p). Nuisances on ok and cracked screens alike: straight scratches, dust
and fibres, fingerprints (ridged ovals), glare (soft ellipses, bright bands).

Writes DIR/NNNNN_<label>.jpg, DIR/labels.csv (file,label) and DIR/meta.csv (kind, crack_width at
1080p scale, screen lit/dark, size, JPEG quality, nuisances). Frame i depends only on (seed, i).

`make_eval_frame(seed, i, twins=True)` draws the frame cracked and returns it with its crack-free twin, for training
pairs (train_v3.py --source evalgen); a network trained on those no longer meets an unseen generator here.
"""
import argparse
import csv
import io
import math
import multiprocessing as mp
import os
import sys

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

SIZES = [(640, 480), (800, 600), (1024, 768), (1280, 720), (1280, 960), (1366, 768), (1600, 900),
         (1920, 1080), (1920, 1080), (1920, 1080)]
KINDS = ("impact", "diagonal", "shatter", "hairline")
FIELDS = ["file", "label", "kind", "crack_width", "screen", "width", "height", "quality", "nuisances"]


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def rounded_box_sdf(lx, ly, hw, hh, r):
    """Signed distance to a rounded rectangle centred at 0 with half sizes hw, hh."""
    qx = np.abs(lx) - (hw - r)
    qy = np.abs(ly) - (hh - r)
    out = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    return out + np.minimum(np.maximum(qx, qy), 0) - r


def lowres_noise(rng, h, w, cells_y, cells_x):
    small = rng.random((cells_y, cells_x)).astype(np.float32)
    return np.asarray(Image.fromarray(small, "F").resize((w, h), Image.BICUBIC))


# ----------------------------------------------------------------------------- background
def background(rng, W, H):
    yy, xx = np.mgrid[0:H, 0:W].astype(np.float32)
    kind = rng.choice(["wood", "fabric", "steel", "table"])
    if kind == "wood":
        warp = lowres_noise(rng, H, W, 4, 6) * rng.uniform(20, 80)
        rings = np.sin((xx * math.cos(rng.uniform(0, 3.14)) + yy * 0.3 + warp) / rng.uniform(6, 25))
        base = np.array([rng.uniform(90, 170), rng.uniform(60, 110), rng.uniform(30, 70)], np.float32)
        img = base * (0.8 + 0.15 * rings[..., None])
    elif kind == "fabric":
        p = rng.uniform(2.5, 6)
        weave = np.sin(xx / p * math.pi) * np.sin(yy / p * math.pi)
        base = rng.uniform(30, 200, 3).astype(np.float32)
        img = base * (0.9 + 0.08 * weave[..., None] + 0.05 * rng.standard_normal((H, W, 1)).astype(np.float32))
    elif kind == "steel":
        ang = rng.uniform(0, math.pi)
        t = (xx * math.cos(ang) + yy * math.sin(ang)).astype(np.int64)
        t -= t.min()
        line = rng.standard_normal(int(t.max()) + 1).astype(np.float32)
        g = rng.uniform(110, 190)
        img = np.repeat((g + 10 * line[t])[..., None], 3, axis=2)
    else:
        base = rng.uniform(40, 230, 3).astype(np.float32)
        img = np.broadcast_to(base, (H, W, 3)).copy()
    # lamp: a broad light gradient over the scene
    cx, cy = rng.uniform(-0.3, 1.3) * W, rng.uniform(-0.3, 1.3) * H
    d = np.hypot(xx - cx, yy - cy) / math.hypot(W, H)
    light = 1.15 - rng.uniform(0.2, 0.7) * d
    return img * light[..., None], light


# ----------------------------------------------------------------------------- screen content
def screen_content(rng, sw, sh, lit):
    """RGB float image (sh, sw) of what the screen shows."""
    if not lit:
        img = np.full((sh, sw, 3), rng.uniform(3, 18), np.float32)
        if rng.random() < 0.7:  # a window or ceiling lamp reflected in the black glass
            x0, y0 = rng.uniform(-0.3, 0.8) * sw, rng.uniform(-0.3, 0.8) * sh
            x1, y1 = x0 + rng.uniform(0.2, 0.8) * sw, y0 + rng.uniform(0.1, 0.6) * sh
            yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
            inside = smoothstep(-8, 8, np.minimum.reduce([xx - x0, x1 - xx, yy - y0, y1 - yy]))
            img += (rng.uniform(15, 70) * inside * (0.7 + 0.3 * yy / sh))[..., None]
        return img
    layout = rng.choice(["ui", "map", "keyboard", "video", "white", "darkui"])
    im = Image.new("RGB", (sw, sh))
    d = ImageDraw.Draw(im)
    font = ImageFont.load_default()
    if layout in ("ui", "darkui", "white"):
        bg = (245, 245, 245) if layout != "darkui" else (25, 25, 30)
        fg = (30, 30, 30) if layout != "darkui" else (220, 220, 220)
        d.rectangle([0, 0, sw, sh], fill=tuple(int(c + rng.integers(-10, 10)) for c in bg))
        if layout != "white":
            d.rectangle([0, 0, sw, int(sh * 0.08)], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
            y = int(sh * 0.1)
            row = max(10, int(sh * rng.uniform(0.05, 0.09)))
            while y < sh - row:
                d.ellipse([sw * 0.04, y + 2, sw * 0.04 + row - 4, y + row - 2], fill=tuple(int(c) for c in rng.integers(0, 255, 3)))
                d.text((sw * 0.06 + row, y + row * 0.25), "".join(chr(int(c)) for c in rng.integers(97, 123, int(rng.integers(4, 20)))), fill=fg, font=font)
                d.line([(sw * 0.04, y + row), (sw * 0.96, y + row)], fill=tuple(int(c * 0.6 + 100) for c in fg), width=1)
                y += row
    elif layout == "map":
        d.rectangle([0, 0, sw, sh], fill=(232, 226, 210))
        for _ in range(int(rng.integers(6, 20))):
            pts = [(float(rng.uniform(0, sw)), float(rng.uniform(0, sh))) for _ in range(3)]
            d.line(pts, fill=(255, 255, 255) if rng.random() < 0.7 else (250, 200, 90), width=int(rng.integers(3, 12)))
        for _ in range(int(rng.integers(1, 4))):
            x, y, r = rng.uniform(0, sw), rng.uniform(0, sh), rng.uniform(10, 60)
            d.ellipse([x - r, y - r, x + r, y + r * 0.6], fill=(170, 210, 160))
    elif layout == "keyboard":
        d.rectangle([0, 0, sw, sh], fill=(210, 213, 220))
        rows, cols = 4, 10
        top = sh * 0.6
        kw, kh = sw / cols, (sh - top) / rows
        for r in range(rows):
            for c in range(cols):
                d.rounded_rectangle([c * kw + 2, top + r * kh + 2, (c + 1) * kw - 2, top + (r + 1) * kh - 2], radius=3, fill=(252, 252, 252))
                d.text((c * kw + kw * 0.4, top + r * kh + kh * 0.3), chr(65 + (r * cols + c) % 26), fill=(20, 20, 20), font=font)
    else:  # video still: colourful soft blobs
        yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
        arr = np.zeros((sh, sw, 3), np.float32) + rng.uniform(0, 120, 3).astype(np.float32)
        for _ in range(int(rng.integers(3, 9))):
            cx, cy, s = rng.uniform(0, sw), rng.uniform(0, sh), rng.uniform(0.05, 0.4) * sw
            arr += rng.uniform(-80, 160, 3).astype(np.float32) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * s * s))[..., None]
        return np.clip(arr, 0, 255)
    return np.asarray(im, np.float32)


# ----------------------------------------------------------------------------- strokes
def stroke(canvas, pts, width, value=1.0):
    """Anti-aliased stroke of a polyline into canvas (max-composited coverage * value)."""
    h, w = canvas.shape
    half = width / 2.0
    for (ax, ay), (bx, by) in zip(pts[:-1], pts[1:]):
        x0, x1 = int(max(0, math.floor(min(ax, bx) - half - 1))), int(min(w, math.ceil(max(ax, bx) + half + 2)))
        y0, y1 = int(max(0, math.floor(min(ay, by) - half - 1))), int(min(h, math.ceil(max(ay, by) + half + 2)))
        if x0 >= x1 or y0 >= y1:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
        xx += 0.5
        yy += 0.5
        dx, dy = bx - ax, by - ay
        L2 = dx * dx + dy * dy
        t = np.clip(((xx - ax) * dx + (yy - ay) * dy) / L2, 0, 1) if L2 > 0 else np.zeros_like(xx)
        dist = np.hypot(xx - ax - t * dx, yy - ay - t * dy)
        cov = np.clip(half + 0.5 - dist, 0, 1) * min(1.0, width) * value
        np.maximum(canvas[y0:y1, x0:x1], cov, out=canvas[y0:y1, x0:x1])


def walk(rng, start, heading, length, step, wiggle):
    """Random walk with momentum: the heading drifts and sometimes snaps (glass fractures)."""
    pts = [start]
    x, y = start
    for _ in range(max(2, int(length / step))):
        heading += rng.normal(0, wiggle)
        if rng.random() < 0.06:
            heading += rng.normal(0, 0.7)
        x, y = x + math.cos(heading) * step, y + math.sin(heading) * step
        pts.append((x, y))
    return pts


def crack_paths(rng, kind, sw, sh):
    """Polylines in screen coordinates (0..sw, 0..sh)."""
    diag = math.hypot(sw, sh)
    paths = []
    if kind == "impact":
        c = (rng.uniform(0.1, 0.9) * sw, rng.uniform(0.1, 0.9) * sh)
        for k in range(int(rng.integers(4, 12))):
            h = rng.uniform(0, 2 * math.pi)
            p = walk(rng, c, h, rng.uniform(0.15, 0.7) * diag, rng.uniform(4, 10), 0.08)
            paths.append(p)
            for _ in range(int(rng.integers(0, 3))):
                q = p[int(rng.integers(1, len(p)))]
                paths.append(walk(rng, q, h + rng.choice([-1, 1]) * rng.uniform(0.4, 1.2), rng.uniform(0.05, 0.25) * diag, 5, 0.1))
        for _ in range(int(rng.integers(0, 3))):
            r = rng.uniform(0.03, 0.2) * diag
            a0 = rng.uniform(0, 2 * math.pi)
            arc = [(c[0] + r * math.cos(a0 + t) * rng.uniform(0.95, 1.05), c[1] + r * math.sin(a0 + t)) for t in np.linspace(0, rng.uniform(0.5, 2.5), 16)]
            paths.append(arc)
    elif kind == "diagonal":
        for _ in range(int(rng.integers(1, 3))):
            side = rng.integers(0, 4)
            start = [(rng.uniform(0, sw), 0), (sw, rng.uniform(0, sh)), (rng.uniform(0, sw), sh), (0, rng.uniform(0, sh))][side]
            h = math.atan2(sh / 2 - start[1], sw / 2 - start[0]) + rng.normal(0, 0.4)
            p = walk(rng, start, h, rng.uniform(0.5, 1.2) * diag, rng.uniform(5, 14), 0.05)
            paths.append(p)
            if rng.random() < 0.6:
                q = p[int(rng.integers(1, len(p)))]
                paths.append(walk(rng, q, h + rng.uniform(-1, 1), rng.uniform(0.1, 0.4) * diag, 6, 0.06))
    elif kind == "shatter":
        c = np.array([rng.uniform(0, sw), rng.uniform(0, sh)])
        pts = c + rng.normal(0, rng.uniform(0.08, 0.25) * diag, (int(rng.integers(12, 40)), 2))
        for i, p in enumerate(pts):
            dist = np.hypot(*(pts - p).T)
            for j in np.argsort(dist)[1:4]:
                if j > i or rng.random() < 0.3:
                    q = pts[j]
                    mid = (p + q) / 2 + rng.normal(0, 2, 2)
                    paths.append([tuple(p), tuple(mid), tuple(q)])
    else:  # hairline: one long, barely bending line
        start = (rng.uniform(0, sw), rng.uniform(0, sh))
        paths.append(walk(rng, start, rng.uniform(0, 2 * math.pi), rng.uniform(0.3, 0.9) * diag, rng.uniform(6, 15), 0.03))
    return paths


# ----------------------------------------------------------------------------- frame
def make_eval_frame(seed, index, twins=False):
    """Frame `index` of `seed`: (RGB, label, meta). With `twins`, the frame is drawn cracked and returned as
    ((RGB without its crack, RGB with it), meta, (phone corners, screen corners)): the same scene, nuisances and camera
    on both, for training pairs."""
    rng = np.random.default_rng([int(seed), int(index), 101])
    W, H = SIZES[int(rng.integers(0, len(SIZES)))]
    s = H / 1080.0
    cracked = bool(rng.random() < 0.5) or twins
    img, light = background(rng, W, H)
    # phone geometry in frame coordinates
    long_side = rng.uniform(0.3, 0.95) * H
    ph, pw = long_side, long_side / rng.uniform(1.6, 2.2)
    ang = rng.uniform(0, 2 * math.pi) if rng.random() < 0.6 else rng.integers(0, 4) * math.pi / 2 + rng.normal(0, 0.05)
    ext = 0.5 * (abs(pw * math.cos(ang)) + abs(ph * math.sin(ang))), 0.5 * (abs(pw * math.sin(ang)) + abs(ph * math.cos(ang)))
    cx = rng.uniform(min(ext[0], W / 2), max(W - ext[0], W / 2))
    cy = rng.uniform(min(ext[1], H / 2), max(H - ext[1], H / 2))
    ca, sa = math.cos(ang), math.sin(ang)
    corner = rng.uniform(0.05, 0.15) * pw
    # shadow then body
    sh_off = rng.normal(0, 0.02 * H, 2)
    shade, soft = rng.uniform(0.2, 0.6), rng.uniform(5, 30) * s
    # Everything the phone changes lies within `soft` of its shadow or 1 px of its body: the window around both is all
    # that is drawn (outside it each step below multiplies by 1 or adds 0, so the frame is the same to the bit).
    shx, shy = cx + sh_off[0] * ca - sh_off[1] * sa, cy + sh_off[0] * sa + sh_off[1] * ca
    x0 = max(0, math.floor(min(cx - ext[0] - 1, shx - ext[0] - soft)) - 2)
    y0 = max(0, math.floor(min(cy - ext[1] - 1, shy - ext[1] - soft)) - 2)
    x1 = min(W, math.ceil(max(cx + ext[0] + 1, shx + ext[0] + soft)) + 2)
    y1 = min(H, math.ceil(max(cy + ext[1] + 1, shy + ext[1] + soft)) + 2)
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    lx = (xx + 0.5 - cx) * ca + (yy + 0.5 - cy) * sa
    ly = -(xx + 0.5 - cx) * sa + (yy + 0.5 - cy) * ca
    body = rounded_box_sdf(lx, ly, pw / 2, ph / 2, corner)
    shadow = rounded_box_sdf(lx - sh_off[0], ly - sh_off[1], pw / 2, ph / 2, corner)
    win = img[y0:y1, x0:x1]
    win *= (1 - shade * (1 - smoothstep(0, soft, shadow)))[..., None]
    body_rgb = rng.uniform(10, 230) * np.array([1, rng.uniform(0.9, 1.05), rng.uniform(0.85, 1.1)], np.float32)
    a_body = 1 - smoothstep(-0.5, 0.5, body)
    win[...] = win * (1 - a_body[..., None]) + body_rgb * light[y0:y1, x0:x1, None] * a_body[..., None]
    bezel = rng.uniform(0.03, 0.08) * pw
    sw, sh = pw - 2 * bezel, ph - 2 * bezel - rng.uniform(0, 0.06) * ph
    scr = rounded_box_sdf(lx, ly, sw / 2, sh / 2, max(1.0, corner - bezel))
    a_scr = 1 - smoothstep(-0.5, 0.5, scr)
    lit = bool(rng.random() < 0.6)
    tw, th = max(8, int(sw)), max(8, int(sh))
    tex = screen_content(rng, tw, th, lit)
    u = np.clip(lx + sw / 2, 0, tw - 1.001)
    v = np.clip(ly + sh / 2, 0, th - 1.001)
    u0, v0 = u.astype(np.int64), v.astype(np.int64)
    fu, fv = (u - u0)[..., None], (v - v0)[..., None]
    samp = (tex[v0, u0] * (1 - fu) * (1 - fv) + tex[v0, u0 + 1] * fu * (1 - fv) + tex[v0 + 1, u0] * (1 - fu) * fv + tex[v0 + 1, u0 + 1] * fu * fv)
    if lit:
        scr_rgb = samp * rng.uniform(0.75, 1.1)
    else:
        scr_rgb = samp * light[y0:y1, x0:x1, None]
    # the bilinear weights are float64 (int64 indices), so from here on the frame is, as when it was drawn whole
    img = img.astype(np.result_type(img, scr_rgb, a_scr))
    win = img[y0:y1, x0:x1]
    win[...] = win * (1 - a_scr[..., None]) + scr_rgb * a_scr[..., None]

    def to_frame(pts):
        out = []
        for px, py in pts:
            qx, qy = px - sw / 2, py - sh / 2
            out.append((cx + qx * ca - qy * sa, cy + qx * sa + qy * ca))
        return out

    meta = {"screen": "lit" if lit else "dark", "width": W, "height": H}
    imgs = [img]
    if cracked:
        kind = KINDS[int(rng.integers(0, 4))]
        cw = 1 if kind == "hairline" else int(rng.choice([1, 2, 3]))
        px_w = max(0.8, cw * s)
        cov = np.zeros((H, W), np.float32)
        for p in crack_paths(rng, kind, sw, sh):
            stroke(cov, to_frame(p), px_w)
        cov = cov[y0:y1, x0:x1] * a_scr
        strength = rng.uniform(0.35, 0.9)
        if twins:
            img = img.copy()
            imgs.append(img)
        win = img[y0:y1, x0:x1]
        if lit and rng.random() < 0.75:
            win *= (1 - strength * cov)[..., None]
        else:
            tone = rng.uniform(120, 240)
            win += (strength * cov)[..., None] * (tone - win)
        meta.update(kind=kind, crack_width=cw)
    else:
        meta.update(kind="none", crack_width=0)

    # nuisances, independent of the label
    nuis = []
    glass = np.zeros((H, W), np.float32)
    if rng.random() < 0.5:
        nuis.append("scratches")
        for _ in range(int(rng.integers(1, 6))):
            a, L = rng.uniform(0, math.pi), rng.uniform(0.05, 0.5) * sh
            p0 = (rng.uniform(0, sw), rng.uniform(0, sh))
            stroke(glass, to_frame([p0, (p0[0] + math.cos(a) * L, p0[1] + math.sin(a) * L)]), rng.uniform(0.7, 1.3) * max(s, 0.6), rng.uniform(0.1, 0.35))
    if rng.random() < 0.5:
        nuis.append("dust")
        for _ in range(int(rng.integers(5, 40))):
            p0 = (rng.uniform(-0.1, 1.1) * sw, rng.uniform(-0.1, 1.1) * sh)
            if rng.random() < 0.2:  # fibre
                bend = rng.normal(0, 0.3)
                pts = [(p0[0] + t * 20 * s, p0[1] + bend * (t * 20 * s) ** 1.3 / 5) for t in np.linspace(0, rng.uniform(0.5, 2), 8)]
                stroke(glass, to_frame(pts), max(0.8, s), rng.uniform(0.2, 0.6))
            else:
                stroke(glass, to_frame([p0, (p0[0] + 0.5, p0[1])]), rng.uniform(1, 3) * max(s, 0.5), rng.uniform(0.3, 0.8))
    if rng.random() < 0.4:
        nuis.append("fingerprints")
        for _ in range(int(rng.integers(1, 4))):
            fx, fy = rng.uniform(0, sw), rng.uniform(0, sh)
            q = to_frame([(fx, fy)])[0]
            r = rng.uniform(20, 60) * s
            d = np.hypot((xx - q[0]) / 0.8, yy - q[1])
            glass[y0:y1, x0:x1] += (0.08 * (0.5 + 0.5 * np.sin(d / (2.2 * max(s, 0.5)) * math.pi)) * np.exp(-(d / r) ** 4)).astype(np.float32)
    glass = glass[y0:y1, x0:x1] * a_scr
    for im in imgs:
        win = im[y0:y1, x0:x1]
        win += glass[..., None] * (235 - win)
    if rng.random() < 0.5:
        nuis.append("glare")
        q = to_frame([(rng.uniform(0, sw), rng.uniform(0, sh))])[0]
        r1, r2 = rng.uniform(0.05, 0.3) * H, rng.uniform(0.02, 0.15) * H
        g = np.exp(-(((xx - q[0]) / r1) ** 2 + ((yy - q[1]) / r2) ** 2)) * rng.uniform(0.2, 0.8)
        if rng.random() < 0.5:  # a bright band from a strip light
            ba = rng.uniform(0, math.pi)
            dist = (xx - q[0]) * math.cos(ba) + (yy - q[1]) * math.sin(ba)
            g = np.maximum(g, np.exp(-(dist / (rng.uniform(2, 15) * s)) ** 2) * rng.uniform(0.2, 0.6))
        for im in imgs:
            win = im[y0:y1, x0:x1]
            win += (g * a_scr)[..., None] * (255 - win)
    meta["nuisances"] = "+".join(nuis)

    # camera: blur, noise, gamma
    blur = rng.uniform(0.3, 1.2) * max(s, 0.5) if rng.random() < 0.4 else 0
    noise = rng.normal(0, rng.uniform(1, 6), (H, W, 1)).astype(np.float32)
    gamma = rng.uniform(0.8, 1.25)
    out = []
    for im in imgs:
        frame = Image.fromarray(np.clip(im, 0, 255).astype(np.uint8), "RGB")
        if blur:
            frame = frame.filter(ImageFilter.GaussianBlur(blur))
        arr = np.asarray(frame, np.float32) + noise
        arr = 255 * (np.clip(arr, 0, 255) / 255) ** gamma
        out.append(np.clip(arr + 0.5, 0, 255).astype(np.uint8))
    if twins:
        def corners(hw, hh):
            return [(cx + x * ca - y * sa, cy + x * sa + y * ca) for x, y in ((-hw, -hh), (hw, -hh), (hw, hh), (-hw, hh))]
        return tuple(out), meta, (corners(pw / 2, ph / 2), corners(sw / 2, sh / 2))
    return out[0], ("cracked" if cracked else "ok"), meta


def _job(args):
    seed, i = args
    img, label, meta = make_eval_frame(seed, i)
    q = int(np.random.default_rng([seed, i, 102]).integers(40, 96))
    buf = io.BytesIO()
    Image.fromarray(img, "RGB").save(buf, format="JPEG", quality=q)
    return i, buf.getvalue(), label, dict(meta, quality=q)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--count", type=int, required=True)
    ap.add_argument("--seed", type=int, required=True)
    ap.add_argument("--workers", type=int, default=1)
    a = ap.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    rows = []
    jobs = [(a.seed, i) for i in range(a.count)]
    with mp.get_context("fork").Pool(a.workers) as pool:
        for i, data, label, meta in pool.imap(_job, jobs, chunksize=2):
            name = "%05d_%s.jpg" % (i, label)
            with open(os.path.join(a.out, name), "wb") as f:
                f.write(data)
            rows.append(dict(meta, file=name, label=label))
    with open(os.path.join(a.out, "labels.csv"), "w", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["file", "label"])
        w.writerows([r["file"], r["label"]] for r in rows)
    with open(os.path.join(a.out, "meta.csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print("wrote %d frames to %s" % (len(rows), a.out), file=sys.stderr)


if __name__ == "__main__":
    main()
