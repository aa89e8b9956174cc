#!/usr/bin/env python3
"""Synthetic factory-line photos of phone/tablet screens, some with cracked glass.

Written for evaluation: to test how well the crack detector generalises to a
rendering style it has never been trained on. It was written independently,
without looking at the project's other generators or training code, so its
scenes, devices, crack shapes and camera model are its own. `scene(seed, i,
cracked)` also draws a frame's twin without or with its crack, for training
pairs (train_v3.py --source evalgen3); a network trained on those no longer
meets an unseen generator here.

Usage:
    python3 evalgen3.py --out DIR --count N --seed S [--workers 2]

Output:
    DIR/NNNNN_<label>.jpg   label is "ok" or "cracked" (about 50/50)
    DIR/labels.csv          file,label
    DIR/meta.csv            file,label,kind,crack_width,screen,width,height,
                            quality,nuisances

Frame i depends only on (seed, i): every random decision comes from
numpy.random.default_rng([seed, i, stream]), so the output is byte-identical
for any --workers.

What a frame contains:
  * a conveyor/jig background (ribbed belt, perforated plate, rubber mat,
    anodised tray with a device pocket, ESD mat) under one or two coloured,
    uneven lights with vignetting;
  * a phone or tablet seen from above: any in-plane rotation, a mild 3-D tilt
    (projective warp, inverse-mapped with bilinear sampling), rounded corners,
    bezel and metal rim, notch / punch-hole / classic bezel, soft drop shadow;
  * screen content: lit UIs (home screen, chat, settings list, web page,
    photo, calculator, spreadsheet, test pattern) or a dark screen (off,
    always-on clock, dimmed UI) with soft room reflections;
  * on cracked frames one crack system on the glass: "branch" (recursive
    fracture tree), "spider" (radials plus concentric arcs around an impact),
    "edge" (runs in from a side or corner) or "hairline" (one long thin
    fracture). Strokes are rendered supersampled in frame space; the core is
    1-3 px at 1080p and scaled by height/1080 for smaller frames. Cracks darken
    bright glass and brighten dark glass, sometimes with a refracted bright edge;
  * nuisances drawn independently of the label: scratch, dust, lint,
    fingerprint, glare, moire, protector (screen-protector edge), sticker;
  * camera: occasional defocus or motion blur, chromatic aberration,
    exposure/gamma/white-balance error, luma + chroma noise, JPEG 50-95.
"""
import argparse
import colorsys
import copy
import csv
import io
import math
import multiprocessing
import os
from functools import lru_cache

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from planar import homography

SIZES = [(640, 480), (800, 600), (1024, 768), (1280, 720), (1280, 960),
         (1600, 900), (1920, 1080)]
SIZE_P = [0.10, 0.10, 0.12, 0.14, 0.10, 0.14, 0.30]

NUISANCES = ["scratch", "dust", "lint", "fingerprint", "glare", "moire",
             "protector", "sticker"]
NUISANCE_P = [0.35, 0.45, 0.20, 0.30, 0.35, 0.12, 0.20, 0.15]

# Independent random streams per frame, so e.g. the crack stream never shifts
# the nuisance or scene draws (nuisances must not depend on the label).
S_FRAME, S_SCENE, S_DEVICE, S_CRACK, S_NUIS, S_CAMERA = range(6)
KINDS = ("branch", "spider", "edge", "hairline")

FONT_DIR = "/usr/share/fonts/truetype/dejavu"
FONT_FILES = {"sans": "DejaVuSans.ttf", "bold": "DejaVuSans-Bold.ttf",
              "light": "DejaVuSans-ExtraLight.ttf", "mono": "DejaVuSansMono.ttf",
              "serif": "DejaVuSerif.ttf"}
LETTERS = np.array(list("eeeettaaooiinnsshrrdlucmfwypvbgkqjxz"))


# ----------------------------------------------------------------- helpers

@lru_cache(maxsize=256)
def font(size, style="sans"):
    try:
        return ImageFont.truetype(os.path.join(FONT_DIR, FONT_FILES[style]),
                                  max(4, int(size)))
    except OSError:
        return ImageFont.load_default()


def words(rng, n_chars):
    """Pseudo-words filling about n_chars characters (looks like text, reads as none)."""
    out, total = [], 0
    while total < n_chars:
        w = "".join(rng.choice(LETTERS, size=int(rng.integers(2, 9))))
        out.append(w)
        total += len(w) + 1
    return " ".join(out)


def fit_words(rng, size, width, style="sans"):
    """Pseudo-words set in font(size, style) trimmed to fit width px."""
    f = font(size, style)
    txt = words(rng, max(2, width / (size * 0.5)))
    while len(txt) > 1 and f.getlength(txt) > width:
        txt = txt[:int(len(txt) * 0.9)].rstrip()
    return txt


def hsv(h, s, v):
    return np.array(colorsys.hsv_to_rgb(h % 1.0, s, v), np.float32)


def rgb8(c):
    return tuple(int(round(255 * min(1.0, max(0.0, x)))) for x in c)


def rand_rgb8(rng, s=(0.45, 0.9), v=(0.55, 1.0)):
    return rgb8(hsv(rng.random(), rng.uniform(*s), rng.uniform(*v)))


def smooth_noise(rng, h, w, cells, ch=1):
    """Smooth value noise in [~0,1]: a coarse random grid upsampled bicubically."""
    gh = max(2, int(round(cells * h / max(h, w))) + 2)
    gw = max(2, int(round(cells * w / max(h, w))) + 2)
    out = np.empty((h, w, ch), np.float32)
    for c in range(ch):
        grid = Image.fromarray(rng.random((gh, gw)).astype(np.float32), "F")
        out[..., c] = np.asarray(grid.resize((w, h), Image.BICUBIC))
    return out[..., 0] if ch == 1 else out


def noise1d(rng, n, smooth):
    """Unit-variance 1-D noise smoothed over ~smooth samples (brushing, streaks)."""
    smooth = max(1, int(smooth))
    a = rng.standard_normal(n + 2 * smooth).astype(np.float32)
    k = np.ones(2 * smooth + 1, np.float32) / math.sqrt(2 * smooth + 1)
    return np.convolve(a, k, "valid")[:n]


def along(n1, coord):
    """Index 1-D noise by a (rotated) coordinate array."""
    idx = (coord - coord.min()).astype(np.int32)
    return n1[np.minimum(idx, len(n1) - 1)]


def smoothstep(e0, e1, x):
    t = np.clip((x - e0) / (e1 - e0), 0.0, 1.0)
    return t * t * (3 - 2 * t)


def blur_float(a, radius):
    """Gaussian blur of a float image in [0,1] via PIL (8-bit is plenty before noise)."""
    if radius <= 0.05:
        return a
    u8 = (np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8)
    mode = "L" if u8.ndim == 2 else "RGB"
    out = Image.fromarray(u8, mode).filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(out, np.float32) / 255.0


def apply_h(hm, pts):
    p = np.asarray(pts, float) @ hm[:, :2].T + hm[:, 2]
    return p[:, :2] / p[:, 2:3]


def rrect_sdf(u, v, w, h, r):
    """Signed distance to a rounded rectangle [0,w]x[0,h] with corner radius r."""
    qx = np.abs(u - w / 2) - (w / 2 - r)
    qy = np.abs(v - h / 2) - (h / 2 - r)
    return (np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
            + np.minimum(np.maximum(qx, qy), 0) - r)


def stroke_mask(strokes, bbox, ss):
    """Anti-aliased coverage of polylines over bbox (frame px), drawn at ss x.

    strokes: list of (points (n,2) in frame px, widths (n-1,) in frame px).
    Consecutive segments with the same rounded width go in one PIL call so the
    joints are continuous; box-reducing the supersampled mask gives coverage,
    which is how sub-pixel widths stay proportionally thin.
    """
    x0, y0, x1, y1 = bbox
    im = Image.new("L", ((x1 - x0) * ss, (y1 - y0) * ss), 0)
    d = ImageDraw.Draw(im)
    for pts, wid in strokes:
        q = (np.asarray(pts, float) - (x0, y0)) * ss
        wi = np.maximum(1, np.rint(np.asarray(wid) * ss)).astype(int)
        start = 0
        for j in range(1, len(wi) + 1):
            if j == len(wi) or wi[j] != wi[start]:
                seg = [tuple(p) for p in q[start:j + 1]]
                d.line(seg, fill=255, width=int(wi[start]), joint="curve")
                start = j
    return np.asarray(im.reduce(ss), np.float32) / 255.0


def pick_ss(min_width_px, area):
    """Supersampling so the thinnest stroke spans >= ~3 sub-pixels, capped in memory."""
    ss = int(np.clip(math.ceil(3.0 / max(min_width_px, 1e-3)), 4, 8))
    while ss > 4 and area * ss * ss > 40e6:
        ss -= 1
    return ss


def strokes_bbox(strokes, pad, limit):
    pts = np.concatenate([s[0] for s in strokes])
    x0, y0 = np.floor(pts.min(0) - pad).astype(int)
    x1, y1 = np.ceil(pts.max(0) + pad).astype(int)
    lx0, ly0, lx1, ly1 = limit
    return (max(x0, lx0), max(y0, ly0), min(x1, lx1), min(y1, ly1))


# ------------------------------------------------------------- the device

def device_params(rng):
    """Physical layout in device-width units (portrait; width == 1)."""
    p = {}
    r = rng.random()
    if r < 0.65:                      # modern full-screen phone
        p.update(kind="phone", aspect=rng.uniform(1.95, 2.25),
                 width_mm=rng.uniform(66, 78), radius=rng.uniform(0.10, 0.17))
        side = rng.uniform(0.015, 0.05)
        p.update(side=side, top=side * rng.uniform(1.0, 1.8),
                 bottom=side * rng.uniform(1.0, 1.8),
                 camera=rng.choice(["notch", "punch", "punch", "none"]))
    elif r < 0.82:                    # classic phone with a home button
        p.update(kind="phone", aspect=rng.uniform(1.95, 2.1),
                 width_mm=rng.uniform(62, 72), radius=rng.uniform(0.12, 0.18),
                 side=rng.uniform(0.04, 0.07), top=rng.uniform(0.18, 0.26),
                 bottom=rng.uniform(0.18, 0.26), camera="classic")
    else:                             # tablet
        side = rng.uniform(0.035, 0.09)
        p.update(kind="tablet", aspect=rng.uniform(1.33, 1.6),
                 width_mm=rng.uniform(150, 185), radius=rng.uniform(0.035, 0.08),
                 side=side, top=side * rng.uniform(1.0, 1.3),
                 bottom=side * rng.uniform(1.0, 1.3), camera="bezel")
    c = rng.random()
    if c < 0.55:
        bezel = hsv(rng.random(), rng.uniform(0, 0.3), rng.uniform(0.03, 0.1))
    elif c < 0.72:
        bezel = hsv(rng.random(), rng.uniform(0, 0.06), rng.uniform(0.86, 0.95))
    else:
        bezel = hsv(rng.random(), rng.uniform(0.05, 0.5), rng.uniform(0.15, 0.6))
    p["bezel"] = bezel
    p["rim"] = hsv(rng.uniform(0.05, 0.15), rng.uniform(0, 0.35), rng.uniform(0.3, 0.85))
    p["rim_mm"] = rng.uniform(0.4, 1.3)
    return p


def layout(rng, dev, W, H):
    """Place the device: 3-D tilt, rotation, scale to 30-90 % of frame height."""
    a = dev["aspect"]
    corners = np.array([[-0.5, -a / 2, 0], [0.5, -a / 2, 0], [0.5, a / 2, 0], [-0.5, a / 2, 0]])
    tx, ty = np.radians(rng.uniform(-12, 12, 2))
    rz = rng.uniform(0, 2 * np.pi)
    rx = np.array([[1, 0, 0], [0, math.cos(tx), -math.sin(tx)], [0, math.sin(tx), math.cos(tx)]])
    ry = np.array([[math.cos(ty), 0, math.sin(ty)], [0, 1, 0], [-math.sin(ty), 0, math.cos(ty)]])
    rzm = np.array([[math.cos(rz), -math.sin(rz), 0], [math.sin(rz), math.cos(rz), 0], [0, 0, 1]])
    pts = corners @ (rzm @ ry @ rx).T
    dist = rng.uniform(2.5, 6.0) * a          # camera distance: how strong the keystone is
    proj = pts[:, :2] * dist / (dist + pts[:, 2:3])
    lo, hi = proj.min(0), proj.max(0)
    span = hi - lo
    k = rng.uniform(0.3, 0.9) * H / span[1]
    k = min(k, 0.96 * W / span[0], 0.96 * H / span[1])
    m = 0.01 * H
    cx = rng.uniform(m - lo[0] * k, W - m - hi[0] * k)
    cy = rng.uniform(m - lo[1] * k, H - m - hi[1] * k)
    quad = proj * k + (cx, cy)
    return quad, k


def dark_content(rng, w, h):
    """Off / always-on / dimmed screen plus soft reflections of the room."""
    tint = hsv(rng.uniform(0.5, 0.7), rng.uniform(0, 0.5), rng.uniform(0.0, 0.035))
    img = np.broadcast_to(tint, (h, w, 3)).copy()
    mode = rng.random()                                 # below 0.5 the screen is simply off
    if 0.5 <= mode < 0.85:                              # always-on clock
        pil = Image.new("RGB", (w, h), (0, 0, 0))
        d = ImageDraw.Draw(pil)
        g = int(rng.uniform(45, 120))
        fs = w * rng.uniform(0.18, 0.28)
        t = "%d:%02d" % (rng.integers(1, 13), rng.integers(0, 60))
        y = h * rng.uniform(0.12, 0.35)
        d.text((w / 2, y), t, fill=(g, g, g), font=font(fs, "light"), anchor="mt")
        d.text((w / 2, y + fs * 1.3), words(rng, 14), fill=(g // 2,) * 3,
               font=font(w * 0.045), anchor="mt")
        for j in range(int(rng.integers(0, 4))):
            d.ellipse([w / 2 - w * 0.02 + (j - 1) * w * 0.07, y + fs * 2.0,
                       w / 2 + w * 0.02 + (j - 1) * w * 0.07, y + fs * 2.0 + w * 0.04],
                      fill=(g // 2,) * 3)
        if rng.random() < 0.5:
            cy = h * 0.87
            d.ellipse([w * 0.44, cy - w * 0.06, w * 0.56, cy + w * 0.06], outline=(g // 3,) * 3,
                      width=max(1, int(w * 0.006)))
        img += np.asarray(pil, np.float32) / 255.0
    elif mode >= 0.85:                                  # a UI at minimum brightness
        ui = CONTENT[int(rng.integers(0, 4))](rng, w, h)
        img += np.asarray(ui, np.float32) / 255.0 * rng.uniform(0.03, 0.08)
    # reflections: a window rectangle, a ceiling lamp streak, a broad sheen
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    xn, yn = xx / w, yy / w
    ang = rng.uniform(0, np.pi)
    ca, sa = math.cos(ang), math.sin(ang)
    rx = (xn - rng.uniform(0, 1)) * ca + (yn - rng.uniform(0, h / w)) * sa
    ry = -(xn - rng.uniform(0, 1)) * sa + (yn - rng.uniform(0, h / w)) * ca
    soft = rng.uniform(0.03, 0.12)
    hw, hh = rng.uniform(0.15, 0.5), rng.uniform(0.1, 0.6)
    win = (smoothstep(hw + soft, hw - soft, np.abs(rx)) * smoothstep(hh + soft, hh - soft, np.abs(ry)))
    refl = win[..., None] * rng.uniform(0.02, 0.12) * hsv(rng.uniform(0.5, 0.65), rng.uniform(0, 0.3), 1.0)
    if rng.random() < 0.6:
        d = (xn - rng.uniform(0, 1)) * math.sin(ang + 1.2) - (yn - rng.uniform(0, h / w)) * math.cos(ang + 1.2)
        refl = refl + np.exp(-(d / rng.uniform(0.01, 0.04)) ** 2)[..., None] * rng.uniform(0.03, 0.15)
    sheen = (xn * math.cos(ang * 2) + yn * math.sin(ang * 2))
    refl = refl + (sheen - sheen.min())[..., None] * rng.uniform(0.0, 0.05)
    return Image.fromarray(rgb_u8(img + refl))


def rgb_u8(a):
    return (np.clip(a, 0, 1) * 255 + 0.5).astype(np.uint8)


def photo_array(rng, w, h):
    """A 'photo': landscape (sky, ridge, ground) or an abstract colour field."""
    y = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    if rng.random() < 0.5:
        hue = rng.random()
        top, hor = hsv(hue, rng.uniform(0.3, 0.8), rng.uniform(0.5, 0.9)), hsv(hue + 0.08, 0.2, 0.95)
        gnd = hsv(rng.uniform(0.05, 0.4), rng.uniform(0.3, 0.8), rng.uniform(0.2, 0.6))
        horizon = rng.uniform(0.3, 0.7)
        knots = rng.uniform(-0.15, 0.02, int(rng.integers(4, 12)))
        ridge = horizon + np.interp(np.linspace(0, 1, w), np.linspace(0, 1, len(knots)), knots)
        sky = top + (hor - top) * np.clip(y / horizon, 0, 1)
        ground = gnd * (0.55 + 0.7 * smooth_noise(rng, h, w, 10)[..., None])
        img = np.where(y > ridge[None, :, None], ground, sky)
        if rng.random() < 0.5:
            sx, sy, sr = rng.uniform(0.1, 0.9), rng.uniform(0.05, horizon), rng.uniform(0.03, 0.08)
            xx = np.linspace(0, 1, w, dtype=np.float32)[None, :]
            sun = np.exp(-(((xx - sx) * w / h) ** 2 + (y[..., 0] - sy) ** 2) / (2 * sr * sr))
            img = img + sun[..., None] * hsv(0.12, 0.3, 1.0)
    else:
        f = smooth_noise(rng, h, w, int(rng.integers(2, 6)), 3)
        a, b = hsv(rng.random(), rng.uniform(0.4, 0.9), 0.9), hsv(rng.random(), rng.uniform(0.4, 0.9), 0.5)
        img = a * f[..., :1] + b * f[..., 1:2] + 0.25 * f
    img = img * (0.92 + 0.16 * smooth_noise(rng, h, w, max(4, w // 6))[..., None])
    return rgb_u8(img)


def status_bar(d, w, h, fg, rng):
    sh = max(3, h * 0.03)
    fs = sh * 0.7
    d.text((w * 0.07, sh * 0.6), "%d:%02d" % (rng.integers(1, 13), rng.integers(0, 60)),
           fill=fg, font=font(fs, "bold"), anchor="lm")
    x = w * 0.78
    for j in range(4):                                   # signal bars
        bh = sh * 0.2 * (j + 1)
        d.rectangle([x + j * sh * 0.25, sh * 0.9 - bh, x + j * sh * 0.25 + sh * 0.15, sh * 0.9], fill=fg)
    bx = w * 0.87
    d.rectangle([bx, sh * 0.35, bx + sh * 0.9, sh * 0.85], outline=fg, width=max(1, int(sh * 0.06)))
    d.rectangle([bx, sh * 0.35, bx + sh * 0.9 * rng.uniform(0.2, 1), sh * 0.85], fill=fg)
    return sh * 1.4


def icon(d, rng, x, y, s):
    """Rounded app icon with a simple white glyph."""
    d.rounded_rectangle([x, y, x + s, y + s], radius=s * 0.23, fill=rand_rgb8(rng))
    g, m = rng.integers(0, 4), s * 0.28
    white = (250, 250, 250)
    if g == 0:
        d.ellipse([x + m, y + m, x + s - m, y + s - m], fill=white)
    elif g == 1:
        d.rectangle([x + m, y + m * 1.2, x + s - m, y + s - m * 1.2], outline=white, width=max(1, int(s * 0.07)))
    elif g == 2:
        d.polygon([(x + s / 2, y + m), (x + s - m, y + s - m), (x + m, y + s - m)], fill=white)
    else:
        d.line([(x + m, y + s / 2), (x + s - m, y + s / 2)], fill=white, width=max(1, int(s * 0.1)))
        d.line([(x + s / 2, y + m), (x + s / 2, y + s - m)], fill=white, width=max(1, int(s * 0.1)))


def c_home(rng, w, h):
    if rng.random() < 0.6:
        img = Image.fromarray(photo_array(rng, w, h))
    else:
        a, b = hsv(rng.random(), 0.7, 0.8), hsv(rng.random(), 0.6, 0.3)
        t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
        img = Image.fromarray(rgb_u8(a + (b - a) * t + np.zeros((1, w, 1), np.float32)))
    d = ImageDraw.Draw(img, "RGBA")
    top = status_bar(d, w, h, (255, 255, 255), rng)
    cols = 4 if w / h < 0.6 else int(rng.integers(5, 7))
    cell = w / cols
    s = cell * rng.uniform(0.55, 0.7)
    rows = int(min(rng.integers(3, 7), (h * 0.72 - top) // (cell * 1.25)))
    for r in range(rows):
        for c in range(cols):
            if rng.random() < 0.9:
                x, y = c * cell + (cell - s) / 2, top + h * 0.02 + r * cell * 1.25
                icon(d, rng, x, y, s)
                d.text((x + s / 2, y + s * 1.08), words(rng, 5)[:7], fill=(255, 255, 255),
                       font=font(s * 0.2), anchor="mt")
    dy = h - cell * 1.3
    d.rounded_rectangle([w * 0.03, dy, w * 0.97, h - cell * 0.15], radius=cell * 0.3,
                        fill=(255, 255, 255, int(rng.integers(40, 90))))
    for c in range(4):
        icon(d, rng, w * 0.03 + (c + 0.5) * w * 0.94 / 4 - s / 2, dy + (cell * 1.15 - s) / 2, s)
    for j in range(int(rng.integers(2, 5))):
        d.ellipse([w / 2 + (j - 1.5) * w * 0.03 - 2, dy - w * 0.04, w / 2 + (j - 1.5) * w * 0.03 + 2,
                   dy - w * 0.04 + 4], fill=(255, 255, 255, 200 if j == 0 else 90))
    return img


def c_chat(rng, w, h):
    dark = rng.random() < 0.3
    bg, fg = ((0, 0, 0), (235, 235, 235)) if dark else (rand_rgb8(rng, (0, 0.08), (0.93, 1)), (20, 20, 20))
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    top = status_bar(d, w, h, fg, rng)
    hb = h * 0.08
    d.rectangle([0, top, w, top + hb], fill=(28, 28, 30) if dark else (246, 246, 246))
    d.ellipse([w * 0.12, top + hb * 0.15, w * 0.12 + hb * 0.7, top + hb * 0.85], fill=rand_rgb8(rng))
    d.text((w * 0.12 + hb, top + hb / 2), words(rng, 10)[:12], fill=fg, font=font(hb * 0.33, "bold"), anchor="lm")
    mine = rand_rgb8(rng, (0.5, 0.9), (0.6, 0.95))
    theirs = (58, 58, 60) if dark else (229, 229, 234)
    fs = w * rng.uniform(0.035, 0.05)
    y = top + hb + h * 0.02
    bottom = h - h * 0.09
    while True:
        n = int(rng.integers(1, 4))
        bh = n * fs * 1.3 + fs * 0.8
        if y + bh > bottom:
            break
        me = rng.random() < 0.5
        bw = w * rng.uniform(0.3, 0.72)
        x0 = w * 0.96 - bw if me else w * 0.04
        d.rounded_rectangle([x0, y, x0 + bw, y + bh], radius=fs * 0.9, fill=mine if me else theirs)
        tc = (255, 255, 255) if me or dark else (15, 15, 15)
        for j in range(n):
            d.text((x0 + fs * 0.6, y + fs * 0.4 + j * fs * 1.3), fit_words(rng, fs, bw - fs * 1.2),
                   fill=tc, font=font(fs))
        y += bh + fs * rng.uniform(0.4, 1.4)
    d.rounded_rectangle([w * 0.04, bottom + h * 0.015, w * 0.82, h - h * 0.02], radius=h * 0.03,
                        outline=(90, 90, 90) if dark else (200, 200, 200), width=max(1, int(w * 0.004)))
    d.ellipse([w * 0.85, bottom + h * 0.015, w * 0.85 + h * 0.055, h - h * 0.02], fill=mine)
    return img


def c_settings(rng, w, h):
    dark = rng.random() < 0.35
    bg, card = ((0, 0, 0), (28, 28, 30)) if dark else ((242, 242, 247), (255, 255, 255))
    fg, div = ((235, 235, 235), (56, 56, 58)) if dark else ((15, 15, 15), (200, 200, 205))
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    y = status_bar(d, w, h, fg, rng)
    d.text((w * 0.05, y + h * 0.01), words(rng, 8).capitalize()[:10], fill=fg, font=font(w * 0.08, "bold"))
    y += w * 0.14
    rh = h * rng.uniform(0.05, 0.07)
    line_w = max(1, int(round(w / 500)))
    while y < h - rh * 2:
        n = int(rng.integers(2, 6))
        n = min(n, int((h - y) // rh) - 1)
        if n < 1:
            break
        d.rounded_rectangle([w * 0.04, y, w * 0.96, y + n * rh], radius=rh * 0.3, fill=card)
        for j in range(n):
            ry = y + j * rh
            s = rh * 0.55
            d.rounded_rectangle([w * 0.07, ry + (rh - s) / 2, w * 0.07 + s, ry + (rh + s) / 2],
                                radius=s * 0.25, fill=rand_rgb8(rng))
            tx = w * 0.07 + s + w * 0.04
            d.text((tx, ry + rh / 2), fit_words(rng, rh * 0.34, w * rng.uniform(0.2, 0.55)), fill=fg,
                   font=font(rh * 0.34), anchor="lm")
            if rng.random() < 0.3:                          # toggle switch
                on = rng.random() < 0.6
                tw, th = rh * 0.85, rh * 0.5
                x1 = w * 0.93
                d.rounded_rectangle([x1 - tw, ry + (rh - th) / 2, x1, ry + (rh + th) / 2], radius=th / 2,
                                    fill=(52, 199, 89) if on else (120, 120, 128))
                cx = x1 - th / 2 if on else x1 - tw + th / 2
                d.ellipse([cx - th * 0.42, ry + rh / 2 - th * 0.42, cx + th * 0.42, ry + rh / 2 + th * 0.42],
                          fill=(255, 255, 255))
            else:                                           # chevron
                cx, cy, cs = w * 0.91, ry + rh / 2, rh * 0.12
                d.line([(cx - cs, cy - cs * 1.6), (cx + cs * 0.6, cy), (cx - cs, cy + cs * 1.6)],
                       fill=(150, 150, 155), width=max(1, int(rh * 0.05)))
            if j < n - 1:                                   # hairline dividers: a crack look-alike
                d.line([(tx, ry + rh), (w * 0.96, ry + rh)], fill=div, width=line_w)
        y += n * rh + rh * rng.uniform(0.5, 1.0)
    return img


def c_web(rng, w, h):
    sepia = rng.random() < 0.2
    bg = (248, 241, 227) if sepia else (255, 255, 255)
    img = Image.new("RGB", (w, h), bg)
    d = ImageDraw.Draw(img)
    y = status_bar(d, w, h, (20, 20, 20), rng)
    d.rounded_rectangle([w * 0.04, y, w * 0.96, y + h * 0.04], radius=h * 0.012, fill=(235, 235, 238))
    d.text((w * 0.5, y + h * 0.02), words(rng, 12).replace(" ", ".")[:18], fill=(60, 60, 60),
           font=font(h * 0.018), anchor="mm")
    y += h * 0.05
    d.rectangle([0, y, w, y + h * 0.06], fill=rand_rgb8(rng, v=(0.3, 0.8)))
    d.text((w * 0.05, y + h * 0.03), words(rng, 8)[:9].upper(), fill=(255, 255, 255),
           font=font(h * 0.03, "bold"), anchor="lm")
    y += h * 0.08
    serif = "serif" if rng.random() < 0.4 else "sans"
    for _ in range(2):
        d.text((w * 0.05, y), fit_words(rng, w * 0.065, w * 0.9, "bold"), fill=(10, 10, 10),
               font=font(w * 0.065, "bold"))
        y += w * 0.085
    fs = w * rng.uniform(0.03, 0.045)
    link = (26, 13, 171)
    while y < h - fs * 2:
        if rng.random() < 0.2:                               # inline image
            ih = min(h - y - fs, w * rng.uniform(0.3, 0.6))
            if ih > 8:
                img.paste(Image.fromarray(photo_array(rng, int(w * 0.9), int(ih))), (int(w * 0.05), int(y)))
            y += ih + fs
            continue
        for _ in range(int(rng.integers(2, 7))):
            if y > h - fs * 2:
                break
            txt = fit_words(rng, fs, w * 0.9 * rng.uniform(0.6, 1.0) if rng.random() < 0.2 else w * 0.9, serif)
            d.text((w * 0.05, y), txt, fill=link if rng.random() < 0.08 else (40, 40, 40), font=font(fs, serif))
            y += fs * 1.45
        y += fs
    return img


def c_photo(rng, w, h):
    img = Image.fromarray(photo_array(rng, w, h))
    if rng.random() < 0.5:                                   # viewer chrome
        d = ImageDraw.Draw(img, "RGBA")
        d.rectangle([0, 0, w, h * 0.08], fill=(0, 0, 0, 120))
        d.rectangle([0, h * 0.9, w, h], fill=(0, 0, 0, 120))
        for j in range(4):
            x = w * (0.15 + 0.23 * j)
            d.rounded_rectangle([x, h * 0.93, x + w * 0.06, h * 0.93 + w * 0.06], radius=w * 0.01,
                                outline=(255, 255, 255, 220), width=max(1, int(w * 0.006)))
    return img


def c_calculator(rng, w, h):
    dark = rng.random() < 0.7
    img = Image.new("RGB", (w, h), (0, 0, 0) if dark else (245, 245, 245))
    d = ImageDraw.Draw(img)
    fg = (255, 255, 255) if dark else (20, 20, 20)
    status_bar(d, w, h, fg, rng)
    num = "%d" % rng.integers(0, 10 ** int(rng.integers(1, 8)))
    if rng.random() < 0.4:
        num += ".%d" % rng.integers(0, 100)
    bs = min(w / 4, h * 0.6 / 5)                     # button pitch: fit 4x5 keys in the lower 60 %
    gx = (w - 4 * bs) / 2
    y0 = h - bs * 5 - h * 0.03
    nfs = min(w * 0.17, (y0 - h * 0.06) * 0.45)
    d.text((w * 0.93, y0 - bs * 0.15), num, fill=fg, font=font(nfs, "light"), anchor="rb")
    d.text((w * 0.93, y0 - bs * 0.15 - nfs * 1.15), "%d+%d" % tuple(rng.integers(0, 999, 2)), fill=(140, 140, 140),
           font=font(nfs * 0.35), anchor="rb")
    op = rand_rgb8(rng, (0.7, 1.0), (0.85, 1.0)) if rng.random() < 0.4 else (255, 159, 10)
    num_c, top_c = ((51, 51, 51), (165, 165, 165)) if dark else ((255, 255, 255), (210, 210, 215))
    labels = ["C", "+/-", "%", "/", "7", "8", "9", "x", "4", "5", "6", "-", "1", "2", "3", "+", "0", "0", ".", "="]
    round_btn = rng.random() < 0.7
    for r in range(5):
        for c in range(4):
            x, y = gx + c * bs + bs * 0.08, y0 + r * bs + bs * 0.08
            col = op if c == 3 else (top_c if r == 0 else num_c)
            box = [x, y, x + bs * 0.84, y + bs * 0.84]
            if round_btn:
                d.ellipse(box, fill=col)
            else:
                d.rounded_rectangle(box, radius=bs * 0.12, fill=col)
            d.text((x + bs * 0.42, y + bs * 0.42), labels[r * 4 + c], fill=(0, 0, 0) if col == top_c and dark else fg,
                   font=font(bs * 0.32), anchor="mm")
    return img


def c_sheet(rng, w, h):
    img = Image.new("RGB", (w, h), (255, 255, 255))
    d = ImageDraw.Draw(img)
    y = status_bar(d, w, h, (20, 20, 20), rng)
    band = rand_rgb8(rng, (0.5, 0.8), (0.35, 0.6))
    d.rectangle([0, y, w, y + h * 0.07], fill=band)
    for j in range(5):
        d.rectangle([w * (0.05 + 0.12 * j), y + h * 0.02, w * (0.13 + 0.12 * j), y + h * 0.05], fill=(255, 255, 255))
    y += h * 0.08
    cw, ch = w * rng.uniform(0.18, 0.3), h * rng.uniform(0.028, 0.04)
    rw = w * 0.08
    grid, head = (218, 220, 224), (248, 249, 250)
    d.rectangle([0, y, w, y + ch], fill=head)
    d.rectangle([0, y, rw, h], fill=head)
    line_w = max(1, int(round(w / 600)))
    fs = ch * 0.55
    ncol = int((w - rw) // cw) + 1
    nrow = int((h - y) // ch) + 1
    for c in range(ncol):
        d.text((rw + (c + 0.5) * cw, y + ch / 2), chr(65 + c % 26), fill=(90, 90, 90), font=font(fs), anchor="mm")
    for r in range(1, nrow):
        d.text((rw / 2, y + (r + 0.5) * ch), str(r), fill=(90, 90, 90), font=font(fs * 0.9), anchor="mm")
        for c in range(ncol):
            if rng.random() < 0.55:
                d.text((rw + (c + 1) * cw - fs * 0.3, y + (r + 0.5) * ch), "%.2f" % (rng.random() * 10 ** rng.integers(0, 5)),
                       fill=(30, 30, 30), font=font(fs), anchor="rm")
    for c in range(ncol + 1):
        d.line([(rw + c * cw, y), (rw + c * cw, h)], fill=grid, width=line_w)
    for r in range(nrow + 1):
        d.line([(0, y + r * ch), (w, y + r * ch)], fill=grid, width=line_w)
    sc, sr = rng.integers(0, max(1, ncol - 1)), rng.integers(1, max(2, nrow - 1))
    d.rectangle([rw + sc * cw, y + sr * ch, rw + (sc + 1) * cw, y + (sr + 1) * ch], outline=(16, 124, 16),
                width=max(2, line_w * 2))
    return img


def c_testpattern(rng, w, h):
    mode = rng.integers(0, 4)
    if mode == 0:                                            # colour bars + ramp
        img = Image.new("RGB", (w, h))
        d = ImageDraw.Draw(img)
        bars = [(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192), (192, 0, 0), (0, 0, 192)]
        for j, c in enumerate(bars):
            d.rectangle([j * w / 7, 0, (j + 1) * w / 7, h * 0.66], fill=c)
        ramp = np.linspace(0, 255, w).astype(np.uint8)
        img.paste(Image.fromarray(np.repeat(np.stack([ramp] * 3, -1)[None], int(h * 0.34) + 1, 0)), (0, int(h * 0.66)))
        return img
    if mode == 1:                                            # crosshatch + circle
        img = Image.new("RGB", (w, h), (0, 0, 0))
        d = ImageDraw.Draw(img)
        p = w / rng.integers(6, 14)
        lw = max(1, int(w / 400))
        for x in np.arange(0, w, p):
            d.line([(x, 0), (x, h)], fill=(230, 230, 230), width=lw)
        for y in np.arange(0, h, p):
            d.line([(0, y), (w, y)], fill=(230, 230, 230), width=lw)
        r = w * 0.4
        d.ellipse([w / 2 - r, h / 2 - r, w / 2 + r, h / 2 + r], outline=(230, 230, 230), width=lw)
        return img
    if mode == 2:                                            # checkerboard
        n = int(rng.integers(4, 12))
        yy, xx = np.mgrid[0:h, 0:w]
        chk = ((xx * n // w + yy * n // w) % 2).astype(np.float32)
        a, b = hsv(rng.random(), rng.uniform(0, 0.6), 0.95), hsv(rng.random(), rng.uniform(0, 0.6), 0.15)
        return Image.fromarray(rgb_u8(a * chk[..., None] + b * (1 - chk[..., None])))
    solid = [(255, 255, 255), (128, 128, 128), (255, 0, 0), (0, 255, 0), (0, 0, 255), (200, 200, 200)]
    return Image.new("RGB", (w, h), solid[int(rng.integers(0, len(solid)))])   # display QC solid field


CONTENT = [c_settings, c_chat, c_web, c_sheet, c_home, c_photo, c_calculator, c_testpattern]
CONTENT_P = [0.14, 0.14, 0.14, 0.1, 0.18, 0.12, 0.08, 0.1]


def draw_sticker(rng, canvas, occ, box):
    """A QC label or dot stuck over the given canvas box (x0,y0,x1,y1)."""
    x0, y0, x1, y1 = box
    sw, sh = max(4, int(x1 - x0)), max(3, int(y1 - y0))
    st = Image.new("RGBA", (sw, sh), (0, 0, 0, 0))
    d = ImageDraw.Draw(st)
    bgc = [(245, 245, 240), (250, 225, 60), (150, 220, 140), (240, 120, 90)][int(rng.integers(0, 4))]
    if rng.random() < 0.3:
        r = min(sw, sh)
        d.ellipse([0, 0, r - 1, r - 1], fill=rand_rgb8(rng, (0.6, 1), (0.6, 1)) + (255,))
    else:
        d.rectangle([0, 0, sw - 1, sh - 1], fill=bgc + (255,))
        if rng.random() < 0.6:                               # barcode
            x = sw * 0.1
            while x < sw * 0.9:
                bw = max(1, sw * rng.uniform(0.008, 0.03))
                d.rectangle([x, sh * 0.2, x + bw, sh * 0.7], fill=(20, 20, 20, 255))
                x += bw * rng.uniform(1.5, 3)
            d.text((sw / 2, sh * 0.85), words(rng, 8)[:10].upper(), fill=(20, 20, 20, 255),
                   font=font(sh * 0.2, "mono"), anchor="mm")
        else:
            d.text((sw / 2, sh / 2), rng.choice(["QC", "OK", "PASS", "T2", "INSP"]), fill=(20, 20, 20, 255),
                   font=font(sh * 0.5, "bold"), anchor="mm")
    st = st.rotate(rng.uniform(-6, 6), resample=Image.BILINEAR, expand=True)
    canvas.paste(st, (int(x0), int(y0)), st)
    occ.paste(255, (int(x0), int(y0)), st.getchannel("A"))


def render_canvas(rng, rng_n, dev, wc, hc, lit, sticker):
    """Flat, front-on device image: uint8 RGBA with A = screen (emissive) mask,
    plus the sticker occluder mask (None without a sticker)."""
    canvas = Image.new("RGB", (wc, hc), rgb8(dev["bezel"]))
    d = ImageDraw.Draw(canvas)
    emis = Image.new("L", (wc, hc), 0)
    occ = Image.new("L", (wc, hc), 0)
    ppm = wc / dev["width_mm"]
    sx0, sx1 = round(dev["side"] * wc), wc - round(dev["side"] * wc)
    sy0, sy1 = round(dev["top"] * wc), hc - round(dev["bottom"] * wc)
    ws, hs = max(4, sx1 - sx0), max(4, sy1 - sy0)
    r_out = dev["radius"] * wc
    r_scr = max(0.0, r_out - dev["side"] * wc) * rng.uniform(0.7, 1.0)
    if lit:
        fn = CONTENT[rng.choice(len(CONTENT), p=CONTENT_P)]
        if fn in (c_photo, c_sheet, c_testpattern) and rng.random() < 0.3:
            content = fn(rng, hs, ws).rotate(90, expand=True)   # landscape app
        else:
            content = fn(rng, ws, hs)
    else:
        content = dark_content(rng, ws, hs)
    # anti-aliased rounded screen mask, drawn 4x and box-reduced
    m4 = Image.new("L", (ws * 4, hs * 4), 0)
    ImageDraw.Draw(m4).rounded_rectangle([0, 0, ws * 4 - 1, hs * 4 - 1], radius=r_scr * 4, fill=255)
    smask = m4.reduce(4)
    canvas.paste(content, (sx0, sy0), smask)
    emis.paste(smask, (sx0, sy0))
    cam = dev["camera"]
    de = ImageDraw.Draw(emis)
    cx = wc / 2
    if cam == "notch":
        nw, nh = ws * rng.uniform(0.25, 0.45), hs * rng.uniform(0.025, 0.04)
        box = [cx - nw / 2, sy0 - nh, cx + nw / 2, sy0 + nh]
        d.rounded_rectangle(box, radius=nh * 0.8, fill=rgb8(dev["bezel"]))
        de.rounded_rectangle(box, radius=nh * 0.8, fill=0)
    if cam in ("notch", "punch", "classic", "bezel"):
        r = max(1.0, ws * rng.uniform(0.012, 0.022))
        py = sy0 + hs * 0.02 if cam == "punch" else (sy0 / 2 if cam != "notch" else sy0 + r * 0.5)
        px = cx if cam != "punch" or rng.random() < 0.7 else sx0 + ws * 0.08
        d.ellipse([px - r, py - r, px + r, py + r], fill=(4, 4, 6))
        d.ellipse([px - r * 0.45, py - r * 0.45, px + r * 0.1, py + r * 0.1], fill=(20, 24, 48))
        de.ellipse([px - r, py - r, px + r, py + r], fill=0)
    if cam == "classic":                              # speaker slot and home button
        d.rounded_rectangle([cx - ws * 0.1, sy0 * 0.45, cx + ws * 0.1, sy0 * 0.45 + max(2, sy0 * 0.07)],
                            radius=sy0 * 0.035, fill=tuple(int(c * 0.5) for c in rgb8(dev["bezel"])))
        hb = (hc - sy1) * 0.32
        d.ellipse([cx - hb, (hc + sy1) / 2 - hb, cx + hb, (hc + sy1) / 2 + hb],
                  outline=rgb8(dev["rim"]), width=max(1, int(hb * 0.08)))
    if sticker:
        sw, sh = rng_n.uniform(10, 22) * ppm, rng_n.uniform(5, 10) * ppm
        bottom = hc - sy1
        if bottom >= sh * 1.1:                        # fits on the bottom bezel
            y0 = sy1 + (bottom - sh) / 2
        else:                                         # overlaps the screen edge
            y0 = hc - sh - rng_n.uniform(0.01, 0.06) * hc
        x0 = rng_n.uniform(0.15, 0.85) * wc - sw / 2
        draw_sticker(rng_n, canvas, occ, (x0, y0, x0 + sw, y0 + sh))
        emis.paste(0, (0, 0), occ)                   # a sticker over the screen is lit by the room
    rgba = np.ascontiguousarray(np.asarray(Image.merge("RGBA", (*canvas.split(), emis))))
    return rgba, (np.asarray(occ) if sticker else None), r_out


def bilinear(flat, wc, idx, au, av, nch):
    """Bilinear blend of the 4 texels right/below idx in a flattened canvas."""
    def tex(j):
        t = flat[j]
        return t.view(np.uint8).reshape(-1, 4).astype(np.float32) if nch == 4 else t.astype(np.float32)[:, None]
    top = tex(idx) * (1 - au) + tex(idx + 1) * au
    bot = tex(idx + wc) * (1 - au) + tex(idx + wc + 1) * au
    return (top * (1 - av) + bot * av) * np.float32(1 / 255)


def warp_device(canvas, occ, hinv, bbox, r_out, rim_px, rim_col):
    """Inverse-map frame pixels in bbox onto the canvas; bilinear sampling.

    The device outline comes from an analytic rounded-rect SDF evaluated at the
    mapped coordinate, so edges are anti-aliased independently of sampling.
    RGBA texels are gathered as packed uint32 (one fancy-index per corner).
    Returns colour+screen (h,w,4), occluder (h,w), alpha and the signed distance
    (in canvas px, which the layout keeps close to frame px).
    """
    x0, y0, x1, y1 = bbox
    hc, wc, _ = canvas.shape
    xs = np.arange(x0, x1, dtype=np.float32) + 0.5
    ys = np.arange(y0, y1, dtype=np.float32)[:, None] + 0.5
    den = hinv[2, 0] * xs + hinv[2, 1] * ys + hinv[2, 2]
    u = (hinv[0, 0] * xs + hinv[0, 1] * ys + hinv[0, 2]) / den
    v = (hinv[1, 0] * xs + hinv[1, 1] * ys + hinv[1, 2]) / den
    sdf = rrect_sdf(u, v, wc, hc, r_out).astype(np.float32)
    alpha = np.clip(0.5 - sdf, 0, 1)
    sel = np.flatnonzero(sdf < 1.0)
    su = np.clip(u.ravel()[sel] - 0.5, 0, wc - 1.001)
    sv = np.clip(v.ravel()[sel] - 0.5, 0, hc - 1.001)
    iu, iv = su.astype(np.int32), sv.astype(np.int32)
    au, av = (su - iu)[:, None], (sv - iv)[:, None]
    idx = iv * wc + iu
    out = np.zeros(sdf.shape + (4,), np.float32)
    out.reshape(-1, 4)[sel] = bilinear(canvas.view(np.uint32).reshape(-1), wc, idx, au, av, 4)
    occ_px = np.zeros(sdf.shape, np.float32)
    if occ is not None:
        occ_px.reshape(-1)[sel] = bilinear(occ.reshape(-1), wc, idx, au, av, 1)[:, 0]
    # metal rim: a band at the very edge, shaded by position like a bevel
    rim = np.clip(sdf + rim_px + 0.5, 0, 1) * (sdf < 1)
    shade = 0.75 + 0.5 * (u / wc * 0.6 + v / hc * 0.4)
    out[..., :3] = out[..., :3] * (1 - rim[..., None]) + (rim * shade)[..., None] * rim_col
    return out, occ_px, alpha, sdf


# --------------------------------------------------------------- the scene

def background(rng, W, H, ppm, quad, sc):
    """Conveyor / jig surface; returns (H,W,3) float32 in [0,1].

    Large frames render it at half resolution and upsample: it is the costliest
    full-frame step, and the mat sits a few mm below the focused glass anyway.
    """
    f = 0.5 if H >= 900 else 1.0
    if f == 1.0:
        return surface(rng, W, H, ppm, quad, sc)
    small = surface(rng, int(math.ceil(W * f)), int(math.ceil(H * f)), ppm * f, quad * f, sc * f)
    big = Image.fromarray(rgb_u8(small)).resize((W, H), Image.BICUBIC)
    return np.asarray(big, np.float32) * np.float32(1 / 255)


def surface(rng, W, H, ppm, quad, sc):
    kind = rng.choice(["belt", "perforated", "rubber", "tray", "esd"])
    th = rng.uniform(0, np.pi)
    c, s = np.float32(math.cos(th)), np.float32(math.sin(th))
    x = np.arange(W, dtype=np.float32)[None, :]
    y = np.arange(H, dtype=np.float32)[:, None]
    xr = x * c + y * s
    yr = y * c - x * s
    n = int(W + H + 4)
    mottle = 0.88 + 0.24 * smooth_noise(rng, H, W, int(rng.integers(3, 9)))
    if kind == "belt":
        base = [hsv(0, 0, rng.uniform(0.05, 0.12)), hsv(rng.uniform(0.3, 0.4), 0.5, rng.uniform(0.2, 0.35)),
                hsv(0.1, 0.05, rng.uniform(0.7, 0.85)), hsv(0.58, 0.6, rng.uniform(0.3, 0.5)),
                hsv(0, 0, rng.uniform(0.3, 0.45))][int(rng.integers(0, 5))]
        period = max(4.0, rng.uniform(4, 14) * ppm)
        pos = (xr % period)
        rw = period * rng.uniform(0.25, 0.6)
        rib = np.clip(pos + 0.5, 0, 1) * np.clip(rw - pos + 0.5, 0, 1)
        hl = np.exp(-((pos - 0.8) / (0.1 * rw + 0.7)) ** 2)
        sh = np.exp(-((pos - rw - 1.2) / (0.15 * rw + 0.8)) ** 2)
        v = 0.85 + 0.12 * rib + rng.uniform(0.1, 0.3) * hl - rng.uniform(0.1, 0.3) * sh
        v = v * (1 + 0.04 * along(noise1d(rng, n, 2 * sc), yr))
        img = base * (v * mottle)[..., None]
        if rng.random() < 0.5:                         # side rails beyond the belt edge
            qc = quad.mean(0)
            yc = qc[1] * c - qc[0] * s
            half = rng.uniform(0.35, 0.6) * max(W, H)
            dist = np.abs(yr - yc + rng.uniform(-0.1, 0.1) * half) - half
            rail = np.clip(dist + 0.5, 0, 1)
            rc = hsv(0.6, 0.05, rng.uniform(0.45, 0.7)) * (1 + 0.05 * along(noise1d(rng, n, sc), xr))[..., None]
            gap = np.exp(-(dist / (2 * sc + 1)) ** 2)
            img = img * (1 - rail[..., None]) + rc * rail[..., None]
            img = img * (1 - 0.6 * gap[..., None])
    elif kind == "perforated":
        p = max(5.0, rng.uniform(3, 8) * ppm)
        gy = yr / (p * 0.866)
        row = np.floor(gy)
        gx = xr / p + 0.5 * (row % 2)
        fx, fy = (gx % 1) - 0.5, ((gy % 1) - 0.5) * 0.866
        d = np.sqrt(fx * fx + fy * fy) * p
        r = p * rng.uniform(0.22, 0.38)
        hole = np.clip(r - d + 0.5, 0, 1)
        rimh = np.exp(-((d - r - 0.8) / 0.8) ** 2) * (fy < 0)
        metal = hsv(0.6, 0.04, rng.uniform(0.45, 0.7)) * (1 + 0.05 * along(noise1d(rng, n, sc), yr))[..., None]
        under = hsv(0, 0, rng.uniform(0.02, 0.1))
        img = metal * (1 - hole[..., None]) + under * hole[..., None] + 0.12 * rimh[..., None]
        img = img * mottle[..., None]
    elif kind == "rubber":
        base = hsv(rng.uniform(0, 1), rng.uniform(0, 0.15), rng.uniform(0.05, 0.13))
        grain = smooth_noise(rng, H, W, max(W, H) // 3)
        p = max(6.0, rng.uniform(5, 12) * ppm)
        ix, iy = np.floor(xr / p), np.floor(yr / p)
        fx, fy = (xr / p % 1) - 0.5, (yr / p % 1) - 0.5
        if rng.random() < 0.5:                          # coin pattern
            d = np.sqrt(fx * fx + fy * fy) * p
            raised = np.clip(p * 0.3 - d + 0.5, 0, 1)
            lit_side = raised * (0.7 + 0.6 * (fx + fy + 0.5))
        else:                                           # diamond tread bars
            flip = np.where((ix + iy) % 2 == 0, 1.0, -1.0).astype(np.float32)
            a = (fx + flip * fy) * 0.7071
            b = (fx - flip * fy) * 0.7071
            raised = np.clip((0.32 - np.abs(a)) * p + 0.5, 0, 1) * np.clip((0.07 - np.abs(b)) * p + 0.5, 0, 1)
            lit_side = raised * (0.8 + 0.8 * (b > 0))
        v = (0.85 + 0.3 * grain) * (1 + 0.45 * lit_side)
        img = base * (v * mottle)[..., None]
    elif kind == "tray":
        base = [hsv(0.6, 0.6, 0.55), hsv(0.0, 0.7, 0.5), hsv(0, 0, 0.08), hsv(0, 0, 0.6),
                hsv(0.11, 0.5, 0.6), hsv(0.78, 0.5, 0.4)][int(rng.integers(0, 6))]
        brushed = 1 + rng.uniform(0.02, 0.06) * along(noise1d(rng, n, 0.5), yr)
        img = base * (brushed * mottle)[..., None]
        grow = rng.uniform(1.03, 1.1)
        cen = quad.mean(0)
        pq = (quad - cen) * grow + cen
        off = np.array([rng.uniform(1.5, 4), rng.uniform(1.5, 4)]) * max(sc, 0.5)
        m = Image.new("L", (W, H), 0)
        ImageDraw.Draw(m).polygon([tuple(p) for p in pq], fill=255)
        m2 = Image.new("L", (W, H), 0)
        ImageDraw.Draw(m2).polygon([tuple(p) for p in pq + off], fill=255)
        m = np.asarray(m.filter(ImageFilter.GaussianBlur(1.0)), np.float32) / 255.0
        m2 = np.asarray(m2.filter(ImageFilter.GaussianBlur(1.0)), np.float32) / 255.0
        img = img * (1 - 0.15 * m[..., None])
        img = img + 0.25 * np.clip(m - m2, 0, 1)[..., None]       # lit pocket wall
        img = img * (1 - 0.45 * np.clip(m2 - m, 0, 1))[..., None]  # shadowed pocket wall
    else:                                                # ESD mat
        base = [hsv(0.58, 0.55, rng.uniform(0.4, 0.6)), hsv(0.55, 0.2, 0.45), hsv(0.4, 0.45, 0.4),
                hsv(0, 0, 0.35)][int(rng.integers(0, 4))]
        speck = rng.random((H, W), dtype=np.float32)
        v = 0.96 + 0.07 * speck
        if rng.random() < 0.6:                           # conductive grid
            p = max(8.0, rng.uniform(8, 25) * ppm)
            lw = max(0.6, 0.4 * ppm)
            dx = np.abs((xr % p) - p / 2)
            dy = np.abs((yr % p) - p / 2)
            grid = np.maximum(np.clip(dx - p / 2 + lw / 2 + 0.5, 0, 1), np.clip(dy - p / 2 + lw / 2 + 0.5, 0, 1))
            v = v * (1 - 0.25 * grid)
        img = base * (v * mottle)[..., None]
    return np.clip(img, 0, 1).astype(np.float32)


def lighting(rng, W, H):
    """Low-frequency light field (H,W,3): 1-2 tinted sources, ambient, vignetting."""
    h, w = H // 8 + 2, W // 8 + 2
    yn = (np.arange(h, dtype=np.float32)[:, None] * 8 - H / 2) / H
    xn = (np.arange(w, dtype=np.float32)[None, :] * 8 - W / 2) / H
    temps = [(1.1, 1.0, 0.82), (1.0, 1.0, 1.0), (0.88, 0.97, 1.12), (0.95, 1.05, 0.93)]
    field = np.zeros((h, w, 3), np.float32)
    field += rng.uniform(0.25, 0.55) * np.array(temps[int(rng.integers(0, 4))], np.float32)
    main = None
    for _ in range(int(rng.integers(1, 3))):
        lx, ly = rng.uniform(-1.0, 1.0), rng.uniform(-0.8, 0.8)
        sig = rng.uniform(0.4, 1.3)
        g = np.exp(-((xn - lx) ** 2 + (yn - ly) ** 2) / (2 * sig * sig))
        tint = np.array(temps[int(rng.integers(0, 4))], np.float32) * rng.uniform(0.95, 1.05, 3)
        field += (rng.uniform(0.4, 0.9) * g)[..., None] * tint
        if main is None:
            main = np.array([lx, ly])
    r2 = (xn ** 2 + yn ** 2) / (0.25 * (W / H) ** 2 + 0.25)
    field *= (1 - rng.uniform(0.05, 0.4) * r2)[..., None]
    field /= field.mean()
    out = np.empty((H, W, 3), np.float32)
    for ch in range(3):
        out[..., ch] = np.asarray(Image.fromarray(field[..., ch], "F").resize((W, H), Image.BILINEAR))
    return out, main


# --------------------------------------------------------------- cracks

def fracture(rng, p, ang, length, step, kink_p, jag, bounds):
    """Jagged fracture polyline that stops at the glass edge.

    A heading changes in occasional sharp kinks (weakly pulled back, since glass
    cracks keep a general direction); every step deviates from it independently,
    which gives a zig-zag rather than a smooth wave.
    """
    w, h = bounds
    pts, heading, done, hit = [np.array(p, float)], ang, 0.0, False
    while done < length:
        if rng.random() < kink_p:
            heading += rng.choice([-1, 1]) * rng.uniform(0.15, 0.6)
        heading += rng.normal(0, 0.015) + 0.03 * (ang - heading)
        a = heading + rng.normal(0, jag)
        s = step * rng.uniform(0.4, 1.3)
        q = pts[-1] + s * np.array([math.cos(a), math.sin(a)])
        if not (0 <= q[0] <= w and 0 <= q[1] <= h):
            d = q - pts[-1]
            t = 1.0
            for k, lim in ((0, w), (1, h)):
                if q[k] < 0:
                    t = min(t, -pts[-1][k] / d[k])
                elif q[k] > lim:
                    t = min(t, (lim - pts[-1][k]) / d[k])
            pts.append(pts[-1] + max(t, 0) * d)
            hit = True
            break
        pts.append(q)
        done += s
    return np.array(pts), hit


def crack_paths(rng, kind, wc, hc, step):
    """Crack system in canvas coordinates: list of (points, width factor, tapered)."""
    D = min(wc, hc)
    bounds = (wc, hc)
    paths = []

    def tree(p, ang, length, depth, wf, p_branch, kink_p):
        pts, hit = fracture(rng, p, ang, length, step, kink_p, 0.18, bounds)
        paths.append((pts, wf, not hit))
        if depth >= 2 or len(paths) > 40:
            return
        for j in range(1, len(pts) - 2):
            if rng.random() < p_branch:
                d = pts[j + 1] - pts[j]
                a = math.atan2(d[1], d[0]) + rng.choice([-1, 1]) * rng.uniform(0.35, 1.0)
                tree(pts[j], a, length * rng.uniform(0.2, 0.55), depth + 1, wf * 0.75, p_branch * 0.6, kink_p)

    def room(p, a):
        """Distance from p along heading a to the glass boundary."""
        d = (math.cos(a), math.sin(a))
        ts = [((wc if d[k] > 0 else 0) - p[k]) / d[k] if k == 0 else ((hc if d[k] > 0 else 0) - p[k]) / d[k]
              for k in (0, 1) if abs(d[k]) > 1e-9]
        return min(ts)

    def edge_point(min_room):
        """Start on the glass edge (30 % near a corner), heading inwards with
        at least min_room of glass ahead so the crack really crosses the screen."""
        for _ in range(12):
            p, a = edge_start()
            if room(p, a) >= min_room:
                break
        return p, a

    def edge_start():
        if rng.random() < 0.3:                                  # near a corner
            cx, cy = rng.choice([0, 1]), rng.choice([0, 1])
            p = np.array([cx * wc, cy * hc]) + np.array([1 - 2 * cx, 1 - 2 * cy]) * rng.uniform(0.02, 0.1, 2) * D
            side = rng.integers(0, 2)
            p[side] = [0, wc, 0, hc][side * 2 + [cx, cy][side]]
            ang = math.atan2((1 - 2 * cy) * hc, (1 - 2 * cx) * wc) + rng.normal(0, 0.3)
            return p, ang
        side = rng.integers(0, 4)
        t = rng.uniform(0.05, 0.95)
        p = [np.array([t * wc, 0]), np.array([wc, t * hc]), np.array([t * wc, hc]), np.array([0, t * hc])][side]
        inward = [math.pi / 2, math.pi, -math.pi / 2, 0][side]
        return p, inward + rng.uniform(-0.7, 0.7)

    if kind == "branch":
        p = np.array([rng.uniform(0.15, 0.85) * wc, rng.uniform(0.15, 0.85) * hc])
        a = rng.uniform(0, 2 * np.pi)
        nm = int(rng.integers(1, 4))
        for j in range(nm):
            aj = a + j * 2 * np.pi / nm + rng.normal(0, 0.3)
            if room(p, aj) < 0.3 * D:          # run into the glass, not straight off the nearest edge
                aj += np.pi
            tree(p, aj, rng.uniform(0.4, 1.2) * D, 0, 1.0, rng.uniform(0.03, 0.08), 0.12)
    elif kind == "spider":
        if rng.random() < 0.4:
            p = np.array([rng.choice([0.1, 0.9]) * wc, rng.choice([0.08, 0.92]) * hc]) + rng.normal(0, 0.04, 2) * D
        else:
            p = np.array([rng.uniform(0.15, 0.85) * wc, rng.uniform(0.15, 0.85) * hc])
        nr = int(rng.integers(5, 13))
        angs = np.sort(rng.uniform(0, 2 * np.pi) + np.arange(nr) * 2 * np.pi / nr + rng.normal(0, 0.2, nr))
        radials = []
        for a in angs:
            pts, hit = fracture(rng, p, a, rng.uniform(0.15, 0.9) * D, step, 0.06, 0.12, bounds)
            paths.append((pts, 1.0, not hit))
            radials.append(pts)
        for r in np.sort(rng.uniform(0.04, 0.35, int(rng.integers(1, 5)))) * D:
            for j in range(nr):
                a_pts, b_pts = radials[j], radials[(j + 1) % nr]
                if rng.random() > 0.55:
                    continue
                da = np.linalg.norm(a_pts - p, axis=1)
                db = np.linalg.norm(b_pts - p, axis=1)
                if da.max() < r or db.max() < r:
                    continue
                pa, pb = a_pts[np.argmin(np.abs(da - r))], b_pts[np.argmin(np.abs(db - r))]
                n = max(3, int(np.linalg.norm(pb - pa) / step))
                t = np.linspace(0, 1, n + 1)[:, None]
                chord = pa + (pb - pa) * t
                outward = chord - p
                outward /= np.linalg.norm(outward, axis=1, keepdims=True) + 1e-6
                bulge = np.sin(np.pi * t) * np.linalg.norm(pb - pa) * rng.uniform(0.05, 0.2)
                arc = chord + outward * bulge + rng.normal(0, 0.12, (n + 1, 2)) * step
                arc[0], arc[-1] = pa, pb
                paths.append((arc, 0.7, False))
        for _ in range(int(rng.integers(4, 12))):              # crushed zone at the impact
            a = rng.uniform(0, 2 * np.pi)
            l = rng.uniform(0.01, 0.04) * D
            q = p + rng.normal(0, 0.006, 2) * D
            paths.append((np.array([q, q + l * np.array([math.cos(a), math.sin(a)])]), 0.8, True))
    elif kind == "edge":
        p, a = edge_point(0.35 * D)
        tree(p, a, rng.uniform(0.35, 1.1) * D, 1, 1.0, rng.uniform(0.0, 0.04), 0.1)
    else:                                                      # hairline
        p, a = edge_point(0.6 * D)
        pts, hit = fracture(rng, p, a, rng.uniform(0.6, 1.8) * D, step, 0.03, 0.07, bounds)
        paths.append((pts, 1.0, not hit))
    return paths


def draw_crack(rng, kind, img, reg, hm, wc, hc, glass, lit_screen, core_px):
    """Render a crack system of the given kind onto img[region] (in place)."""
    step = max(2.0, rng.uniform(0.008, 0.02) * min(wc, hc))
    paths = crack_paths(rng, kind, wc, hc, step)
    x0, y0, x1, y1 = reg
    strokes, edge_strokes = [], []
    for pts, wf, taper in paths:
        fp = apply_h(hm, pts) - (x0, y0)
        nseg = len(fp) - 1
        if nseg < 1:
            continue
        wid = np.full(nseg, core_px * wf)
        if taper and nseg > 2:                     # free ends thin out
            nt = max(1, nseg // 5)
            wid[-nt:] *= np.linspace(1.0, 0.45, nt)
        strokes.append((fp, wid))
        if lit_screen and rng.random() < 0.35:     # refracted bright edge beside the core
            ang = rng.uniform(0, 2 * np.pi)
            off = np.array([math.cos(ang), math.sin(ang)]) * max(0.8, core_px * rng.uniform(0.8, 1.3))
            edge_strokes.append((fp + off, wid * 0.7))
    rh, rw = y1 - y0, x1 - x0
    bb = strokes_bbox(strokes + edge_strokes, 3 + 3 * core_px, (0, 0, rw, rh))
    bx0, by0, bx1, by1 = bb
    if bx1 <= bx0 or by1 <= by0:
        return
    ss = pick_ss(core_px * 0.45, (bx1 - bx0) * (by1 - by0))
    m = stroke_mask([(p - (bx0, by0), w) for p, w in strokes], (0, 0, bx1 - bx0, by1 - by0), ss)
    clip = glass[by0:by1, bx0:bx1]
    # visibility varies along the crack but never drops below ~55 %
    m = m * (0.55 + 0.45 * smooth_noise(rng, by1 - by0, bx1 - bx0, 6)) * clip
    halo = blur_float(m, max(0.8, 1.5 * core_px))
    sub = img[y0 + by0:y0 + by1, x0 + bx0:x0 + bx1]
    lum = sub @ np.array([0.3, 0.59, 0.11], np.float32)
    # thin (sub-pixel) cracks get more contrast so they stay visible after blur/JPEG
    boost = 1.0 / math.sqrt(min(1.0, core_px))
    dark_k = min(0.95, rng.uniform(0.5, 0.85) * boost)
    bright_k = min(0.9, rng.uniform(0.3, 0.6) * boost)
    hk = rng.uniform(0.1, 0.3)
    pol = smoothstep(0.18, 0.32, lum) if lit_screen else np.zeros_like(lum)
    eff = (m + hk * halo)[..., None]
    polv = pol[..., None]
    sub *= 1 - dark_k * eff * polv
    sub += bright_k * eff * (1 - polv) * (1 - sub)
    if edge_strokes:
        e = stroke_mask([(p - (bx0, by0), w) for p, w in edge_strokes], (0, 0, bx1 - bx0, by1 - by0), ss) * clip
        sub += rng.uniform(0.25, 0.55) * e[..., None] * (1 - sub)


# ------------------------------------------------------------ nuisances

def glass_points(rng, n, hm, wc, hc, margin=0.03):
    """n random points on the glass (canvas fractions inside margin), in frame px."""
    cp = np.stack([rng.uniform(margin, 1 - margin, n) * wc, rng.uniform(margin, 1 - margin, n) * hc], 1)
    return apply_h(hm, cp)


def smooth_curve(rng, p, ang, length, curl, step):
    """Curly random-walk polyline (lint fibre) starting at p."""
    n = max(3, int(length / step))
    a = ang + np.cumsum(rng.normal(0, curl, n))
    a = np.convolve(np.pad(a, 1, mode="edge"), np.ones(3) / 3, "valid")
    d = np.stack([np.cos(a), np.sin(a)], 1) * step
    return np.vstack([p, p + np.cumsum(d, 0)])


def blend_stroke(img, strokes, colour, amount, clip=None, min_w=0.5):
    """Alpha-blend a stroke set of one colour onto img; clip: optional full-frame mask."""
    H, W = img.shape[:2]
    bb = strokes_bbox(strokes, 3, (0, 0, W, H))
    x0, y0, x1, y1 = bb
    if x1 <= x0 or y1 <= y0:
        return
    ss = pick_ss(min_w, (x1 - x0) * (y1 - y0))
    m = stroke_mask(strokes, bb, ss) * amount
    if clip is not None:
        m = m * clip[y0:y1, x0:x1]
    sub = img[y0:y1, x0:x1]
    sub += m[..., None] * (np.asarray(colour, np.float32) - sub)


def nuisances(rng, flags, img, reg, hm, wc, hc, glass, screen, ppm, sc, light):
    """Draw the non-crack distractors listed in flags onto img (in place)."""
    H, W = img.shape[:2]
    x0, y0, x1, y1 = reg
    full_glass = np.zeros((H, W), np.float32)
    full_glass[y0:y1, x0:x1] = glass
    D = min(wc, hc)
    drawn = []
    for name, on in zip(NUISANCES, flags):
        if not on:
            continue
        drawn.append(name)
        if name == "scratch":
            strokes = []
            for _ in range(int(rng.integers(1, 5))):
                p = glass_points(rng, 1, hm, wc, hc, 0.08)[0]
                ang, length = rng.uniform(0, 2 * np.pi), rng.uniform(0.05, 0.35) * D
                cnt = int(rng.integers(3, 8)) if rng.random() < 0.3 else 1    # wiping swirl: parallel bundle
                for j in range(cnt):
                    q = p + rng.normal(0, 2.5 * max(sc, 0.5), 2) * (j > 0)
                    bend = rng.uniform(-0.3, 0.3)
                    t = np.linspace(0, 1, 24)[:, None]
                    dvec = np.array([math.cos(ang), math.sin(ang)])
                    nvec = np.array([-dvec[1], dvec[0]])
                    pts = q + dvec * t * length + nvec * (bend * length * t * (1 - t))
                    strokes.append((pts, np.full(23, rng.uniform(0.35, 0.8) * sc)))
            tint = np.clip(light[int(strokes[0][0][0, 1]) % H, int(strokes[0][0][0, 0]) % W] * 0.8, 0, 1)
            blend_stroke(img, strokes, tint, rng.uniform(0.2, 0.5), full_glass, min_w=0.35 * sc)
        elif name == "dust":
            nd = int(rng.integers(5, 60))
            on_glass = rng.random(nd) < 0.65
            pts = np.where(on_glass[:, None], glass_points(rng, nd, hm, wc, hc, 0.0),
                           np.stack([rng.uniform(0, W, nd), rng.uniform(0, H, nd)], 1))
            for (px, py), g in zip(pts, on_glass):
                r = rng.uniform(0.5, 2.2) * max(sc, 0.5)
                k = int(math.ceil(3 * r)) + 1
                ix, iy = int(px), int(py)
                if not (k <= ix < W - k and k <= iy < H - k):
                    continue
                yy, xx = np.mgrid[-k:k + 1, -k:k + 1].astype(np.float32)
                blob = np.exp(-(((xx + ix - px) ** 2 + (yy + iy - py) ** 2) / (2 * (0.6 * r) ** 2)))
                sub = img[iy - k:iy + k + 1, ix - k:ix + k + 1]
                if g or rng.random() < 0.6:
                    col = rng.uniform(0.55, 0.9)
                else:
                    col = rng.uniform(0.02, 0.15)
                sub += (rng.uniform(0.3, 0.8) * blob)[..., None] * (col - sub)
        elif name == "lint":
            for _ in range(int(rng.integers(1, 4))):
                p = glass_points(rng, 1, hm, wc, hc)[0] if rng.random() < 0.6 else \
                    np.array([rng.uniform(0, W), rng.uniform(0, H)])
                pts = smooth_curve(rng, p, rng.uniform(0, 2 * np.pi), rng.uniform(15, 90) * sc, 0.25, 1.5 * sc)
                wid = np.full(len(pts) - 1, rng.uniform(0.6, 1.4) * sc)
                col = [(0.85, 0.85, 0.85), (0.6, 0.6, 0.65), (0.2, 0.25, 0.45), (0.1, 0.1, 0.1)][int(rng.integers(0, 4))]
                blend_stroke(img, [(pts, wid)], col, rng.uniform(0.5, 0.9), min_w=0.6 * sc)
        elif name == "fingerprint":
            for _ in range(int(rng.integers(1, 4))):
                c = glass_points(rng, 1, hm, wc, hc, 0.1)[0]
                ax, ay = rng.uniform(5, 9) * ppm, rng.uniform(7, 11) * ppm
                k = int(max(ax, ay) * 1.3) + 2
                bx0, by0 = max(0, int(c[0]) - k), max(0, int(c[1]) - k)
                bx1, by1 = min(W, int(c[0]) + k), min(H, int(c[1]) + k)
                if bx1 - bx0 < 4 or by1 - by0 < 4:
                    continue
                yy, xx = np.mgrid[by0:by1, bx0:bx1].astype(np.float32)
                a = rng.uniform(0, np.pi)
                u = (xx - c[0]) * math.cos(a) + (yy - c[1]) * math.sin(a)
                v = -(xx - c[0]) * math.sin(a) + (yy - c[1]) * math.cos(a)
                rr = np.sqrt((u / ax) ** 2 + (v / ay) ** 2)
                env = np.exp(-rr ** 4 * 1.5) * (0.4 + 0.6 * smooth_noise(rng, by1 - by0, bx1 - bx0, 4))
                period = rng.uniform(0.45, 0.55) * ppm
                if period >= 2.2:                      # ridges only where the camera can resolve them
                    warp = smooth_noise(rng, by1 - by0, bx1 - bx0, 3) * period * 2
                    ridge = 0.5 + 0.5 * np.sin(2 * np.pi * (rr * ax + warp) / period)
                    env = env * (0.35 + 0.65 * ridge)
                env = env * full_glass[by0:by1, bx0:bx1] * rng.uniform(0.15, 0.4)
                sub = img[by0:by1, bx0:bx1]
                haze = 0.15 + 0.35 * light[by0:by1, bx0:bx1]
                sub += env[..., None] * (haze - sub)
        elif name == "glare":
            sub = img[y0:y1, x0:x1]
            yy = np.arange(y0, y1, dtype=np.float32)[:, None]
            xx = np.arange(x0, x1, dtype=np.float32)[None, :]
            tint = hsv(rng.uniform(0.05, 0.6), rng.uniform(0, 0.12), 1.0)
            size = math.sqrt(wc * hc)
            add = np.zeros((y1 - y0, x1 - x0), np.float32)
            if rng.random() < 0.6:                      # specular blob
                c = glass_points(rng, 1, hm, wc, hc, 0.0)[0]
                sx, sy = rng.uniform(0.03, 0.15, 2) * size
                a = rng.uniform(0, np.pi)
                u = (xx - c[0]) * math.cos(a) + (yy - c[1]) * math.sin(a)
                v = -(xx - c[0]) * math.sin(a) + (yy - c[1]) * math.cos(a)
                add += rng.uniform(0.3, 1.0) * np.exp(-0.5 * ((u / sx) ** 2 + (v / sy) ** 2))
            if rng.random() < 0.6 or not add.any():    # reflections of overhead tubes
                c = glass_points(rng, 1, hm, wc, hc, 0.1)[0]
                a = rng.uniform(0, np.pi)
                dist = (xx - c[0]) * math.sin(a) - (yy - c[1]) * math.cos(a)
                along_ = (xx - c[0]) * math.cos(a) + (yy - c[1]) * math.sin(a)
                fade = 0.7 + 0.3 * np.cos(along_ / size * rng.uniform(1, 3))
                sep = rng.uniform(0.05, 0.25) * size
                bw = rng.uniform(0.012, 0.05) * size
                for j in range(int(rng.integers(1, 3))):
                    add += rng.uniform(0.15, 0.6) * smoothstep(bw, bw * 0.4, np.abs(dist - j * sep)) * fade
            # capped so glare never burns the glass to pure white (a crack under it stays visible)
            sub += (np.minimum(add, 0.6) * glass)[..., None] * tint * (1.05 - sub)
        elif name == "moire":
            sub = img[y0:y1, x0:x1]
            hh, ww = y1 - y0, x1 - x0
            yy = np.arange(hh, dtype=np.float32)[:, None]
            xx = np.arange(ww, dtype=np.float32)[None, :]
            a = rng.uniform(0, np.pi)
            per = rng.uniform(5, 25) * max(sc, 0.5)
            ph = (xx * math.cos(a) + yy * math.sin(a)) / per + smooth_noise(rng, hh, ww, 3) * rng.uniform(1, 5)
            contrast = rng.uniform(0.04, 0.1)
            for ch in range(3):                        # per-channel phase: coloured fringes
                pat = 0.5 + 0.5 * np.cos(2 * np.pi * (ph + ch * rng.uniform(0, 0.3)))
                # multiplicative on lit pixels, a faint additive part so it shows on dark glass too
                sub[..., ch] *= 1 - contrast * pat * screen
                sub[..., ch] += 0.3 * contrast * pat * screen
        elif name == "protector":
            ins = rng.uniform(0.6, 2.5) * ppm
            r = max(1.0, D * 0.1)
            t = np.linspace(0, 2 * np.pi, 400, endpoint=False)
            hw, hh = wc / 2 - ins, hc / 2 - ins
            # rounded-rect perimeter via a superellipse (close enough for a film edge)
            e = 2 / rng.uniform(6, 12)
            px = wc / 2 + hw * np.sign(np.cos(t)) * np.abs(np.cos(t)) ** e
            py = hc / 2 + hh * np.sign(np.sin(t)) * np.abs(np.sin(t)) ** e
            pts = np.stack([px, py], 1)
            if rng.random() < 0.5:                      # film lifted/trimmed: only part of the edge shows
                s0 = int(rng.integers(0, 400))
                pts = np.roll(pts, -s0, 0)[:int(rng.integers(150, 330))]
            else:
                pts = np.vstack([pts, pts[:1]])
            fp = apply_h(hm, pts)
            wid = np.full(len(fp) - 1, rng.uniform(0.5, 1.0) * sc)
            blend_stroke(img, [(fp, wid)], (0.85, 0.85, 0.85), rng.uniform(0.2, 0.45), full_glass, min_w=0.5 * sc)
            blend_stroke(img, [(fp + rng.normal(0, 1.0, 2) * max(sc, 0.5), wid)], (0.05, 0.05, 0.05),
                         rng.uniform(0.1, 0.3), full_glass, min_w=0.5 * sc)
    return drawn


# ---------------------------------------------------------------- camera

def camera(rng, img, sc):
    """Optics + sensor; returns the frame as 8-bit RGB, before JPEG."""
    H, W = img.shape[:2]
    r = rng.random()
    if r < 0.18:                                        # slight defocus
        img = blur_float(img, rng.uniform(0.4, 0.9) * sc)
    elif r < 0.3:                                       # slight motion blur (line moving)
        length = rng.uniform(1.5, 3.5) * sc
        a = rng.uniform(0, np.pi)
        n = int(math.ceil(length)) + 1
        pad = n + 1
        padded = np.pad(img, ((pad, pad), (pad, pad), (0, 0)), mode="edge")
        acc = np.zeros_like(img)
        for t in np.linspace(-length / 2, length / 2, n):
            dx, dy = int(round(t * math.cos(a))), int(round(t * math.sin(a)))
            acc += padded[pad + dy:pad + dy + H, pad + dx:pad + dx + W]
        img = acc / n
    if rng.random() < 0.5:                              # lateral chromatic aberration
        e = rng.uniform(0.0004, 0.0015)
        for ch, s in ((0, 1 + e), (2, 1 - e)):
            cx, cy = W / 2, H / 2
            band = Image.fromarray(np.ascontiguousarray(img[..., ch]), "F")
            band = band.transform((W, H), Image.AFFINE, (1 / s, 0, cx - cx / s, 0, 1 / s, cy - cy / s), Image.BILINEAR)
            img[..., ch] = np.asarray(band)
    img *= rng.uniform(0.8, 1.2) * rng.uniform(0.95, 1.05, 3).astype(np.float32)
    img = np.clip(img, 0, 1) ** np.float32(rng.uniform(0.85, 1.15))
    luma = img @ np.array([0.3, 0.59, 0.11], np.float32)
    sig = np.sqrt(rng.uniform(0.002, 0.012) ** 2 + rng.uniform(0.0, 0.0003) * luma)   # read + shot
    img += (rng.standard_normal((H, W), dtype=np.float32) * sig)[..., None]
    # chroma noise is blotchy after demosaicing: draw it at half size and upsample
    # it as one 8-bit RGB image (offset 128, 1 step = 0.0005), far cheaper than float
    cn = rng.standard_normal((H // 2, W // 2, 3), dtype=np.float32) * (rng.uniform(0.002, 0.008) / 0.0005)
    cn = Image.fromarray(np.clip(cn + 128.5, 0, 255).astype(np.uint8)).resize((W, H), Image.BILINEAR)
    img += (np.asarray(cn, np.float32) - 128) * np.float32(0.0005)
    return rgb_u8(img)


# ----------------------------------------------------------------- frame

def stream(seed, i, k):
    return np.random.default_rng([seed, i, k])


def render_frame(seed, i):
    rgb, quality, row, _ = scene(seed, i)
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, "JPEG", quality=int(quality))
    return buf.getvalue(), row


def scene(seed, i, cracked=None):
    """Frame i before JPEG: (8-bit RGB, JPEG quality, meta row, (device corners, screen corners) in frame pixels).
    `cracked` True or False draws the frame's twin with or without its crack (same scene, nuisances and camera: the
    crack has its own stream), for training pairs; None keeps the frame's own label."""
    return scenes(seed, i, (cracked,))[0]


def scenes(seed, i, which):
    """scene(seed, i, cracked) for each `cracked` of `which`, the same to the bit, with the scene they share (everything
    up to the crack: device, background, light, shadow) drawn once: twins at a bit more than half the cost of two
    scenes."""
    rf = stream(seed, i, S_FRAME)
    W, H = SIZES[rf.choice(len(SIZES), p=SIZE_P)]
    own = rf.random() < 0.5
    lit = rf.random() < 0.6
    quality = int(rf.integers(50, 96))
    sc = H / 1080.0

    rs, rd, rn = stream(seed, i, S_SCENE), stream(seed, i, S_DEVICE), stream(seed, i, S_NUIS)
    flags = rn.random(len(NUISANCES)) < np.array(NUISANCE_P)

    dev = device_params(rd)
    quad, k = layout(rs, dev, W, H)
    wc, hc = max(8, int(round(k))), max(16, int(round(k * dev["aspect"])))
    ppm = k / dev["width_mm"]
    canvas, occ, r_out = render_canvas(rd, rn, dev, wc, hc, lit, flags[NUISANCES.index("sticker")])
    hm = homography([(0, 0), (wc, 0), (wc, hc), (0, hc)], quad)
    hinv = np.linalg.inv(hm)
    x0, y0 = np.maximum(np.floor(quad.min(0)).astype(int) - 2, 0)
    x1, y1 = np.minimum(np.ceil(quad.max(0)).astype(int) + 2, (W, H))
    reg = (x0, y0, x1, y1)
    dev_px, occ_px, alpha, sdf = warp_device(canvas, occ, hinv, reg, r_out, max(1.0, dev["rim_mm"] * ppm), dev["rim"])

    img = background(rs, W, H, ppm, quad, sc)
    light, main = lighting(rs, W, H)
    # soft drop shadow, pushed away from the main light
    sh = Image.new("L", (W, H), 0)
    away = (quad.mean(0) / H - (W / H / 2, 0.5)) - main
    away = away / (np.linalg.norm(away) + 1e-6) * rs.uniform(0.005, 0.03) * k
    sh.paste(Image.fromarray((alpha * 255).astype(np.uint8)), (int(x0 + away[0]), int(y0 + away[1])))
    sh = np.asarray(sh.filter(ImageFilter.GaussianBlur(rs.uniform(0.01, 0.05) * k)), np.float32) / 255
    img *= (1 - rs.uniform(0.25, 0.6) * sh)[..., None]
    img *= light

    # device: lit by the room except where the screen emits
    sub, lsub = img[y0:y1, x0:x1], light[y0:y1, x0:x1]
    scr = dev_px[..., 3]
    e = (scr * (rs.uniform(0.85, 0.97) if lit else 0.9))[..., None]
    gain = rs.uniform(0.75, 1.0)
    col = dev_px[..., :3] * (lsub * (1 - e) + e * gain) + rs.uniform(0.005, 0.03) * lsub
    sub += alpha[..., None] * (col - sub)

    glass = np.clip(-0.5 - sdf, 0, 1) * (1 - occ_px)
    sx, sy0, sy1 = dev["side"] * wc, dev["top"] * wc, hc - dev["bottom"] * wc
    screen = apply_h(hm, np.array([(sx, sy0), (wc - sx, sy0), (wc - sx, sy1), (sx, sy1)], float))
    out = []
    for cracked in which:
        cracked = own if cracked is None else cracked
        # the crack, the nuisances and the camera draw in place, each twin on its own copy, from the same streams
        im = img.copy() if len(which) > 1 else img
        rk, rn_twin = stream(seed, i, S_CRACK), copy.deepcopy(rn)
        kind, cw = "none", 0
        if cracked:
            kind = str(rk.choice(KINDS, p=[0.3, 0.2, 0.3, 0.2]))
            cw = int(rk.choice([1, 2], p=[0.75, 0.25]) if kind == "hairline"
                     else rk.choice([1, 2, 3], p=[0.4, 0.35, 0.25]))
            draw_crack(rk, kind, im, reg, hm, wc, hc, glass, lit, cw * sc)
        drawn = nuisances(rn_twin, flags, im, reg, hm, wc, hc, glass, scr * alpha, ppm, sc, light)
        rgb = camera(stream(seed, i, S_CAMERA), im, sc)
        label = "cracked" if cracked else "ok"
        out.append((rgb, quality, [label, kind, cw, "lit" if lit else "dark", W, H, quality, ";".join(drawn)], (quad, screen)))
    return out


def work(job):
    seed, i, out = job
    jpg, row = render_frame(seed, i)
    name = "%05d_%s.jpg" % (i, row[0])
    with open(os.path.join(out, name), "wb") as f:
        f.write(jpg)
    return [name] + row


def positive(text):
    v = int(text)
    if v < 1:
        raise argparse.ArgumentTypeError("must be >= 1, got %s" % text)
    return v


def main(argv=None):
    ap = argparse.ArgumentParser(description="Synthetic cracked/ok phone-screen frames (evaluation only).")
    ap.add_argument("--out", required=True, help="output directory")
    ap.add_argument("--count", required=True, type=positive, help="number of frames")
    ap.add_argument("--seed", required=True, type=int, help="base seed")
    ap.add_argument("--workers", type=positive, default=2, help="worker processes (default 2)")
    args = ap.parse_args(argv)
    if args.seed < 0:
        ap.error("argument --seed: must be >= 0, got %d" % args.seed)
    os.makedirs(args.out, exist_ok=True)
    jobs = [(args.seed, i, args.out) for i in range(args.count)]
    if args.workers == 1:
        rows = map(work, jobs)
        pool = None
    else:
        pool = multiprocessing.get_context("fork").Pool(args.workers)
        rows = pool.imap(work, jobs)
    with open(os.path.join(args.out, "labels.csv"), "w", newline="") as fl, \
            open(os.path.join(args.out, "meta.csv"), "w", newline="") as fm:
        wl = csv.writer(fl, lineterminator="\n")
        wm = csv.writer(fm, lineterminator="\n")
        wl.writerow(["file", "label"])
        wm.writerow(["file", "label", "kind", "crack_width", "screen", "width", "height", "quality", "nuisances"])
        for row in rows:
            wl.writerow(row[:2])
            wm.writerow(row)
    if pool is not None:
        pool.close()
        pool.join()


if __name__ == "__main__":
    main()
