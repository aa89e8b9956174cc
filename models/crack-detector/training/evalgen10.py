"""evalgen10: procedural, noise-driven frames of one phone (or small tablet) lying screen-up on a conveyor,
seen from above by a line camera, rendered as counterfactual twins for training a screen-crack detector.

Each twin pair is one scene drawn twice: the 'ok' twin and the 'cracked' twin share every random draw (background
material, device, screen content, lighting, glare, shadows, hard negatives, camera, sensor noise) and differ only where
a glass fracture is drawn. The cracked twin is made by re-rendering only a window around the crack through the same
camera, so every pixel outside the crack's reach is bit-identical.

What it draws
  - background: value/fractal noise materials - belt rubber, woven fabric, plastic tray, brushed steel, wood, ESD mat;
    a broad light gradient; sometimes cables or tools beside the device (label-independent);
  - device: rounded rectangle with a metal or plastic rim, glass, bezel of varying width (modern, chin, classic with a
    home button), notch / punch hole / none, any in-plane rotation, mild perspective, soft drop shadow; the device is
    15-70 % of the frame width and always fully inside the frame;
  - screen: lit (UI: colour blocks, icon grids, text-like rows of dashes, photos of smooth noise, keyboards, thin
    dividers) or dark (near-black glass with a faint blurred reflection of a room: window, ceiling lamps, shapes);
  - cracks (cracked twin only), kinds in KINDS: fracture polylines whose direction changes in small random steps with
    occasional kinks and branches, ending on other lines, on the glass edge or fading out; a thin bright or dark core,
    a faint one-sided highlight, a refraction shift of the content under the line, tiny shard brightness steps;
    widths 1, 2 or 3 px at 1080p drawn supersampled (sub-pixel at lower resolutions); a visibility floor re-strengthens
    a crack whose contrast after the camera stage is too low;
  - hard negatives (both twins, each with its own probability): straight/curved fine scratches, swirl marks, dust,
    lint, a hair, fingerprints, smudges, glare spots and streaks, a screen-protector edge with bubbles, stickers,
    moire, cables/tools, UI lines and text;
  - camera: auto exposure, white balance, vignetting, sometimes defocus or motion blur, shot+read noise, tone curve;
    a JPEG quality 40-95 per frame.

Written from a brief, without reading the project's other generators. Only numpy and Pillow.

  twins(seed, j)  -> (ok_rgb, cracked_rgb, quality, meta)
      meta: kind (one of KINDS), crack_width (1/2/3 px at 1080p), screen ('lit'/'dark'), phone and screen_quad
      (4x2 corners tl, tr, br, bl in frame pixels, in the DEVICE's own orientation: top = earpiece/notch end, so
      under rotation 'tl' need not be the image's top-left), nuisances, width, height, quality, plus crack_box
      (x0, y0, x1, y1 of the re-rendered window), visibility (75th percentile grey-level difference on the crack
      core before JPEG), boost (crack strength factor from the visibility floor; negative = forced dark), background.
  render(seed, i) -> (jpeg_bytes, label, meta)          for frameset.write_set
  /usr/bin/python3 evalgen10.py --out DIR --count N --seed S [--workers 2]

Kind shares: impact 14 %, web 10 %, corner 12 %, edge 12 %, crossing 12 %, branch 10 %, hairline 14 %, shatter 6 %,
star 10 %; widths 1/2/3 px about 49/35/16 %. The device's long side is 15-70 % of the frame width (shrunk when the
rotation would not fit). Randomness: np.random.default_rng([seed, j, k]) with one k per concern (K_* below).
"""
import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from planar import homography

KINDS = ['impact', 'web', 'corner', 'edge', 'crossing', 'branch', 'hairline', 'shatter', 'star']
KIND_P = [0.14, 0.10, 0.12, 0.12, 0.12, 0.10, 0.14, 0.06, 0.10]

SIZES = [(1920, 1080), (1280, 720), (1440, 1080), (1280, 960), (1024, 768), (800, 600), (640, 480)]
SIZE_P = [0.34, 0.22, 0.10, 0.09, 0.09, 0.08, 0.08]

# label-independent hard negatives: (name, probability); each draws from its own random stream
NUISANCES = [('scratch', 0.35), ('curved_scratch', 0.20), ('swirl', 0.15), ('dust', 0.50), ('lint', 0.20),
             ('hair', 0.12), ('fingerprint', 0.30), ('smudge', 0.30), ('glare_spot', 0.55), ('glare_streak', 0.45),
             ('protector', 0.18), ('sticker', 0.12), ('moire', 0.15), ('cable', 0.20), ('tool', 0.15)]

# random streams: one k per concern
K_FRAME, K_BG, K_LIGHT, K_PHONE, K_UI, K_REFL, K_CRACK, K_CRACK_LOOK, K_CAM, K_NOISE, K_JPEG, K_LABEL = range(1, 13)
K_NUIS = 40

F32 = np.float32
SRGB2LIN = ((np.arange(256) / 255.0) ** 2.2).astype(F32)
# 256 equiprobable standard-normal quantiles: sensor noise drawn as one random byte per pixel and channel
NOISE_Q = np.array([__import__('statistics').NormalDist().inv_cdf((b + 0.5) / 256) for b in range(256)])


def _rng(seed, j, k):
    return np.random.default_rng([int(seed), int(j), int(k)])


# ----------------------------------------------------------------------------------------------------------- noise

def _resize_f(a, w, h, resample=Image.BICUBIC):
    return np.array(Image.fromarray(np.ascontiguousarray(a, dtype=F32)).resize((int(w), int(h)), resample))


def _fbm(rng, h, w, cell, octaves=4, gain=0.5, sx=1.0, sy=1.0):
    """Fractal value noise (h, w), zero mean, unit std; coarsest features ~cell px (times sx, sy along x, y)."""
    gh = max(2, int(h / (cell * sy)) + 2)
    gw = max(2, int(w / (cell * sx)) + 2)
    acc = rng.standard_normal((gh, gw)).astype(F32)
    amp = 1.0
    for _ in range(octaves - 1):
        if gh * 2 > h + 2 or gw * 2 > w + 2:
            break
        gh, gw = gh * 2, gw * 2
        acc = _resize_f(acc, gw, gh, Image.BILINEAR)
        amp *= gain
        acc += amp * rng.standard_normal((gh, gw)).astype(F32)
    out = _resize_f(acc, w, h, Image.BICUBIC)
    sub = out[::7, ::7]
    return (out - sub.mean()) / (sub.std() + 1e-6)


def _isect(a, b):
    x0, y0, x1, y1 = max(a[0], b[0]), max(a[1], b[1]), min(a[2], b[2]), min(a[3], b[3])
    return (x0, y0, x1, y1) if x1 > x0 and y1 > y0 else None


def _sl(b, ref):
    return slice(b[1] - ref[1], b[3] - ref[1]), slice(b[0] - ref[0], b[2] - ref[0])


def _pts_box(pts_list, pad, clip):
    allp = np.concatenate([np.asarray(p, float).reshape(-1, 2) for p in pts_list])
    b = (int(math.floor(allp[:, 0].min() - pad)), int(math.floor(allp[:, 1].min() - pad)),
         int(math.ceil(allp[:, 0].max() + pad)) + 1, int(math.ceil(allp[:, 1].max() + pad)) + 1)
    return _isect(b, clip)


def _strokes(lines, box, ss, chunk=3):
    """Coverage (h, w) in 0..1 of polylines in frame coords, drawn supersampled ss x and box-averaged.
    lines: (pts (N, 2), width px, vals per vertex (N,) or scalar)."""
    x0, y0, x1, y1 = box
    im = Image.new('L', ((x1 - x0) * ss, (y1 - y0) * ss), 0)
    d = ImageDraw.Draw(im)
    for pts, wpx, vals in lines:
        q = (np.asarray(pts, float) - (x0, y0)) * ss - 0.5
        n = len(q)
        if n < 2:
            continue
        wsub = max(1, int(round(wpx * ss)))
        v = np.broadcast_to(np.asarray(vals, float), (n,))
        joint = 'curve' if wsub > 2 else None
        for k in range(0, n - 1, chunk):
            seg = q[k:k + chunk + 1]
            f = int(round(255 * min(1.0, max(0.0, float(v[k:k + chunk + 1].mean())))))
            if f <= 0:
                continue
            d.line(seg.ravel().tolist(), fill=f, width=wsub, joint=joint)
    if ss > 1:
        im = im.reduce(ss)
    return np.asarray(im, dtype=F32) * (1.0 / 255.0)


def _apply_h(hm, pts):
    p = np.asarray(pts, float).reshape(-1, 2)
    q = p @ hm[:, :2].T + hm[:, 2]
    return q[:, :2] / q[:, 2:3]


def _blur_l(a, radius):
    """Gaussian blur of a 0..1 float map through an 8-bit PIL image (for soft masks)."""
    im = Image.fromarray(np.clip(a * 255 + 0.5, 0, 255).astype(np.uint8))
    return np.asarray(im.filter(ImageFilter.GaussianBlur(radius)), dtype=F32) * (1.0 / 255.0)


# ------------------------------------------------------------------------------------------------------ background

MATS = ['belt', 'fabric', 'tray', 'steel', 'wood', 'mat']
MAT_P = [0.34, 0.12, 0.16, 0.16, 0.08, 0.14]


def _background(rng, W, H, s):
    """Background material: (texture multiplier (H, W), base colour (3,), name). Noise is built at half
    resolution and upsampled once; fine periodic structure (weave, ribs, grid) is added at full resolution."""
    kind = str(rng.choice(MATS, p=MAT_P))
    along_x = rng.random() < 0.5
    w2, h2 = (W + 1) // 2, (H + 1) // 2

    def fb(cell, octaves, sx=1.0, sy=1.0):
        return _fbm(rng, h2, w2, max(1.0, cell / 2), octaves, sx=sx, sy=sy)
    full = []
    if kind == 'belt':
        col = np.array([0.05, 0.05, 0.055]) * rng.uniform(0.6, 2.4)
        if rng.random() < 0.2:
            col = col * np.array([0.8, 1.3, 0.85])
        st = (40.0, 1.0) if along_x else (1.0, 40.0)
        tex = 0.10 * fb(3 * s, 3) + rng.uniform(0.02, 0.08) * fb(3 * s, 2, *st) + 0.10 * fb(200 * s, 2)
        if rng.random() < 0.4:   # ribs across the belt
            per = rng.uniform(8, 30) * s
            coord = np.arange(W if along_x else H, dtype=F32)
            rib = (0.06 * np.sin(2 * np.pi * coord / per)).astype(F32)
            full.append(rib[None, :] if along_x else rib[:, None])
    elif kind == 'fabric':
        col = rng.uniform(0.05, 0.5, 3)
        per = rng.uniform(2.5, 7) * s
        xs = np.sin(2 * np.pi * np.arange(W) / per).astype(F32)
        ys = (0.10 * np.sin(2 * np.pi * np.arange(H) / (per * rng.uniform(0.8, 1.25)))).astype(F32)
        full.append(ys[:, None] * xs[None, :])
        tex = 0.06 * fb(2 * s, 2) + 0.12 * fb(120 * s, 3)
    elif kind == 'tray':
        col = np.array([[0.5, 0.5, 0.52], [0.1, 0.2, 0.45], [0.03, 0.03, 0.035], [0.75, 0.75, 0.72],
                        [0.55, 0.25, 0.3], [0.2, 0.4, 0.25]][rng.integers(6)]) * rng.uniform(0.7, 1.2)
        tex = 0.05 * fb(150 * s, 3) + 0.025 * fb(2 * s, 2)
    elif kind == 'steel':
        col = np.array([0.42, 0.43, 0.45]) * rng.uniform(0.6, 1.4)
        st = (60.0, 1.0) if along_x else (1.0, 60.0)
        tex = 0.12 * fb(2 * s, 3, *st) + 0.15 * fb(300 * s, 2)
    elif kind == 'wood':
        col = np.array([0.36, 0.2, 0.09]) * rng.uniform(0.6, 1.5)
        per = rng.uniform(15, 60) * s / 2
        warp = fb(250 * s, 2)
        c = (np.arange(h2, dtype=F32)[:, None] if along_x else np.arange(w2, dtype=F32)[None, :]) / per
        st = (30.0, 1.0) if along_x else (1.0, 30.0)
        tex = 0.18 * np.sin(2 * np.pi * (c + 1.2 * warp)).astype(F32) + 0.08 * fb(3 * s, 2, *st)
    else:  # ESD mat
        col = np.array([[0.12, 0.3, 0.16], [0.1, 0.18, 0.38], [0.25, 0.26, 0.27]][rng.integers(3)]) \
            * rng.uniform(0.6, 1.3)
        tex = 0.04 * fb(100 * s, 3) + 0.06 * fb(2 * s, 1)
        if rng.random() < 0.35:
            per = rng.uniform(40, 120) * s
            gx = (np.abs(((np.arange(W) / per) % 1.0) - 0.5) > 0.49).astype(F32)
            gy = (np.abs(((np.arange(H) / per) % 1.0) - 0.5) > 0.49).astype(F32)
            full.append(-0.2 * np.maximum(gx[None, :], gy[:, None]))
    tex = _resize_f(tex, W, H, Image.BICUBIC)
    for f in full:
        tex += f
    tex += F32(1.0)
    np.clip(tex, 0.2, 3.0, out=tex)
    return tex, col.astype(F32), kind


def _light(rng, W, H):
    ang = rng.uniform(0, 2 * np.pi)
    g = rng.uniform(0.1, 0.6)
    lw, lh = 33, 19
    X = (np.arange(lw) / (lw - 1) - 0.5)[None, :] * (W / max(W, H))
    Y = (np.arange(lh) / (lh - 1) - 0.5)[:, None] * (H / max(W, H))
    lin = 1.0 + g * (X * math.cos(ang) + Y * math.sin(ang))
    blob = rng.standard_normal((4, 6))
    blob = _resize_f(blob, lw, lh, Image.BICUBIC)
    low = (lin * (1 + 0.08 * blob)).astype(F32) * rng.uniform(0.8, 1.2)
    gain = _resize_f(low, W, H, Image.BILINEAR)
    temp = rng.uniform(-1, 1)
    rgb = np.array([1 + 0.12 * temp, 1.0, 1 - 0.12 * temp], F32)
    return gain, rgb, ang


# --------------------------------------------------------------------------------------------------------- objects

def _objects(rng_c, rng_t, base, light, lrgb, lang, s, pbox, mm, want_c, want_t):
    """Cables and tools beside the device, drawn on the background (identical in both twins)."""
    H, W = base.shape[:2]
    shapes = []   # (kind, geometry, colour sRGB 0..255, width)
    if want_c:
        rng = rng_c
        for _ in range(rng.integers(1, 3)):
            side = rng.integers(4)
            t0 = rng.uniform(0.1, 0.9)
            p = np.array([[t0 * W, -20.0], [W + 20.0, t0 * H], [t0 * W, H + 20.0], [-20.0, t0 * H]][side])
            a = [np.pi / 2, np.pi, -np.pi / 2, 0.0][side] + rng.normal(0, 0.5)
            wc = rng.uniform(3.0, 6.0) * mm
            pts = [p.copy()]
            curv = 0.0
            for _ in range(400):
                curv = 0.85 * curv + rng.normal(0, 0.03)
                a += curv
                p = p + 6 * s * np.array([math.cos(a), math.sin(a)])
                pts.append(p.copy())
                if not (-40 < p[0] < W + 40 and -40 < p[1] < H + 40):
                    break
            colr = [(20, 20, 22), (235, 235, 230), (90, 90, 95), (30, 60, 160)][rng.integers(4)]
            shapes.append(('cable', np.array(pts), colr, wc))
    if want_t:
        rng = rng_t
        tkind = ['screwdriver', 'tweezers', 'spudger', 'pin'][rng.integers(4)]
        best = None
        for _ in range(12):   # place beside the device if there is room
            c = np.array([rng.uniform(0.05, 0.95) * W, rng.uniform(0.05, 0.95) * H])
            d = max(pbox[0] - c[0], c[0] - pbox[2], pbox[1] - c[1], c[1] - pbox[3])
            if best is None or d > best[0]:
                best = (d, c)
        c = best[1]
        a = rng.uniform(0, 2 * np.pi)
        u = np.array([math.cos(a), math.sin(a)])
        v = np.array([-u[1], u[0]])

        def quad(p0, length, w0, w1):
            return np.array([p0 + v * w0 / 2, p0 + u * length + v * w1 / 2, p0 + u * length - v * w1 / 2,
                             p0 - v * w0 / 2])
        if tkind == 'screwdriver':
            hl, hw, sl, sw = rng.uniform(70, 100) * mm, rng.uniform(14, 22) * mm, rng.uniform(40, 80) * mm, 3.5 * mm
            handle = [(200, 30, 30), (240, 200, 20), (20, 20, 20), (30, 90, 200)][rng.integers(4)]
            shapes.append(('poly', quad(c - u * hl, hl, hw * 0.9, hw), handle, 0))
            shapes.append(('poly', quad(c, sl, sw, sw * 0.8), (170, 170, 175), 0))
        elif tkind == 'tweezers':
            L = rng.uniform(100, 130) * mm
            for sgn in (-1, 1):
                tip = c + u * L / 2
                root = c - u * L / 2 + v * sgn * 4 * mm
                shapes.append(('poly', np.array([root + v * 1.5 * mm, tip + v * 0.4 * mm, tip - v * 0.4 * mm,
                                                 root - v * 1.5 * mm]), (175, 178, 182), 0))
        elif tkind == 'spudger':
            L = rng.uniform(90, 130) * mm
            shapes.append(('poly', quad(c - u * L / 2, L, 7 * mm, 3 * mm),
                           [(20, 20, 20), (40, 90, 200), (230, 230, 230)][rng.integers(3)], 0))
        else:
            shapes.append(('poly', quad(c, 25 * mm, 0.8 * mm, 0.8 * mm), (180, 180, 185), 0))
            circ = np.array([c + 4 * mm * np.array([math.cos(t), math.sin(t)]) for t in np.linspace(0, 6.28, 16)])
            shapes.append(('poly', circ, (180, 180, 185), 0))
    if not shapes:
        return
    allp = np.concatenate([g for _, g, _, _ in shapes])
    pad = 12 * s + 10 * mm
    box = _pts_box([allp], pad, (0, 0, W, H))
    if box is None:
        return
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    ss = 2
    am = Image.new('L', (bw * ss, bh * ss), 0)
    da = ImageDraw.Draw(am)
    ci = Image.new('RGB', (bw, bh), (0, 0, 0))
    dc = ImageDraw.Draw(ci)
    off = np.array([x0, y0], float)
    hl_dir = np.array([math.cos(lang), math.sin(lang)])
    for kind, g, colr, wc in shapes:
        q = g - off
        if kind == 'cable':
            da.line((q * ss).ravel().tolist(), fill=255, width=max(1, int(wc * ss)), joint='curve')
            dc.line(q.ravel().tolist(), fill=colr, width=max(1, int(wc) + 2), joint='curve')
            hi = tuple(int(min(255, c_ * 0.6 + 110)) for c_ in colr)
            q2 = q - hl_dir * wc * 0.22
            dc.line(q2.ravel().tolist(), fill=hi, width=max(1, int(wc * 0.25)), joint='curve')
        else:
            da.polygon((q * ss).ravel().tolist(), fill=255)
            dc.polygon(q.ravel().tolist(), fill=colr, outline=colr, width=2)
    a = np.asarray(am.reduce(ss), dtype=F32) * (1 / 255.0)
    col = SRGB2LIN[np.asarray(ci)]
    # soft shadow away from the light, blurred at quarter resolution
    small = am.resize((max(1, bw // 4), max(1, bh // 4)), Image.BOX).filter(ImageFilter.GaussianBlur(max(0.5, s)))
    sh = np.asarray(small.resize((bw, bh), Image.BILINEAR), dtype=F32) * (1 / 255.0)
    sh = _shift_int(sh, int(round(-hl_dir[0] * 4 * s)), int(round(-hl_dir[1] * 4 * s)))
    reg = base[y0:y1, x0:x1]
    m = (1 - 0.45 * sh) * (1 - a)
    reg *= m[..., None]
    reg += (a[..., None] * col) * (light[y0:y1, x0:x1, None] * lrgb)


def _shift_int(a, dx, dy):
    """a moved by whole pixels (dx, dy), zeros shifted in."""
    out = np.zeros_like(a)
    h, w = a.shape[:2]
    if abs(dx) >= w or abs(dy) >= h:
        return out
    out[max(0, dy):h + min(0, dy), max(0, dx):w + min(0, dx)] = a[max(0, -dy):h - max(0, dy), max(0, -dx):w - max(0, dx)]
    return out


# ----------------------------------------------------------------------------------------------------- screen / UI

def _photo(rng, w, h):
    gw, gh = int(rng.integers(2, 6)), int(rng.integers(2, 6))
    top, bot = rng.uniform(0, 255, 3), rng.uniform(0, 255, 3)
    t = np.linspace(0, 1, gh)[:, None, None]
    pal = (1 - t) * top + t * bot + rng.normal(0, 45, (gh, gw, 3))
    im = np.asarray(Image.fromarray(np.clip(pal, 0, 255).astype(np.uint8)).resize((w, h), Image.BICUBIC), F32)
    fine = 0
    for div, amp in ((rng.uniform(6, 10), 40), (rng.uniform(25, 40), 12)):
        fh, fw = max(2, int(h / w * div)), max(2, int(div))
        fine = fine + np.asarray(Image.fromarray(np.clip(128 + rng.normal(0, amp, (fh, fw, 3)), 0, 255)
                                                 .astype(np.uint8)).resize((w, h), Image.BICUBIC), F32) - 128
    return Image.fromarray(np.clip(im + fine, 0, 255).astype(np.uint8))


def _text(d, rng, x0, x1, y, th, cw, col, maxw=None):
    x = x0
    end = x1 if maxw is None else min(x1, x0 + maxw)
    while True:
        n = int(rng.integers(1, 9))
        ww = n * cw
        if x + ww > end:
            break
        d.rectangle([int(x), int(y), int(x + ww) - 1, int(y + th) - 1], fill=col)
        x += ww + cw
        if rng.random() < 0.06:
            break


def _ui(rng, w, h):
    """Lit screen content (sRGB uint8 image w x h) and the name of its layout."""
    u = w / 360.0
    dark = rng.random() < 0.35
    bg = (int(rng.integers(10, 30)),) * 3 if dark else [(250, 250, 250), (242, 242, 247), (255, 255, 255),
                                                         (236, 240, 245)][rng.integers(4)]
    fg = (225, 225, 228) if dark else (28, 28, 30)
    sub = (140, 140, 145) if dark else (120, 120, 125)
    div = (55, 55, 60) if dark else (215, 215, 220)
    acc = tuple(int(c) for c in rng.choice([[0, 122, 255], [52, 199, 89], [255, 59, 48], [88, 86, 214],
                                            [255, 149, 0], [0, 150, 136], [233, 30, 99]]))
    img = Image.new('RGB', (w, h), bg)
    d = ImageDraw.Draw(img)
    layout = str(rng.choice(['home', 'list', 'chat', 'photo', 'article', 'settings', 'video', 'keyboard']))
    cw = max(1.0, 6.5 * u)
    th = max(1.0, 7 * u)
    sb = int(26 * u)
    y = sb
    if layout == 'home':
        img.paste(_photo(rng, w, h), (0, 0))
        cols = int(rng.integers(4, 6))
        cell = w / cols
        isz = cell * rng.uniform(0.55, 0.7)
        rows = int((h * 0.75 - sb) / (cell * 1.3))
        for r in range(rows):
            for c in range(cols):
                if rng.random() < 0.12:
                    continue
                cx, cy = (c + 0.5) * cell, sb + 20 * u + r * cell * 1.3 + isz / 2
                colr = tuple(int(v) for v in rng.integers(20, 255, 3))
                d.rounded_rectangle([cx - isz / 2, cy - isz / 2, cx + isz / 2, cy + isz / 2], radius=isz * 0.22,
                                    fill=colr)
                if rng.random() < 0.5:
                    d.ellipse([cx - isz / 5, cy - isz / 5, cx + isz / 5, cy + isz / 5], fill=(255, 255, 255))
                _text(d, rng, cx - isz / 2, cx + isz / 2, cy + isz / 2 + 5 * u, max(1, th * 0.6), cw * 0.7,
                      (240, 240, 240), maxw=isz)
        dy0 = h - cell * 1.2
        d.rounded_rectangle([8 * u, dy0, w - 8 * u, h - 14 * u], radius=20 * u, fill=(200, 200, 205))
        for c in range(4):
            cx = w * (c + 0.5) / 4
            d.rounded_rectangle([cx - isz / 2, dy0 + 8 * u, cx + isz / 2, dy0 + 8 * u + isz], radius=isz * 0.22,
                                fill=tuple(int(v) for v in rng.integers(20, 255, 3)))
        fg = (250, 250, 250)
    elif layout in ('list', 'settings', 'chat', 'keyboard'):
        ab = int(56 * u)
        if rng.random() < 0.6:
            d.rectangle([0, 0, w, sb + ab], fill=acc if rng.random() < 0.5 else bg)
        _text(d, rng, 16 * u, w * 0.6, sb + ab * 0.4, th * 1.3, cw * 1.2, fg)
        y = sb + ab
        kb_top = h * rng.uniform(0.55, 0.65) if layout == 'keyboard' else h
        if layout == 'chat' or (layout == 'keyboard' and rng.random() < 0.5):
            while y < kb_top - 60 * u:
                left = rng.random() < 0.5
                nl = int(rng.integers(1, 4))
                bh = nl * th * 2 + 14 * u
                bw = w * rng.uniform(0.35, 0.75)
                x0 = 10 * u if left else w - 10 * u - bw
                d.rounded_rectangle([x0, y + 6 * u, x0 + bw, y + 6 * u + bh], radius=14 * u,
                                    fill=(div if left else acc))
                for li in range(nl):
                    _text(d, rng, x0 + 10 * u, x0 + bw - 10 * u, y + 13 * u + li * th * 2, th, cw,
                          fg if left else (255, 255, 255))
                y += bh + 10 * u
        else:
            rh = (72 if layout == 'list' else 52) * u
            while y + rh < kb_top:
                if layout == 'settings' and rng.random() < 0.15:
                    y += 18 * u
                    _text(d, rng, 16 * u, w * 0.4, y, th * 0.8, cw * 0.8, sub)
                    y += 18 * u
                    continue
                x = 16 * u
                if layout == 'list':
                    r_ = 20 * u
                    d.ellipse([x, y + rh / 2 - r_, x + 2 * r_, y + rh / 2 + r_],
                              fill=tuple(int(v) for v in rng.integers(40, 230, 3)))
                    x += 2 * r_ + 14 * u
                    _text(d, rng, x, w - 50 * u, y + rh * 0.3, th, cw, fg)
                    _text(d, rng, x, w - 16 * u, y + rh * 0.58, th * 0.85, cw * 0.9, sub)
                else:
                    _text(d, rng, x, w * 0.7, y + rh * 0.42, th, cw, fg)
                    if rng.random() < 0.5:
                        tx = w - 56 * u
                        on = rng.random() < 0.5
                        d.rounded_rectangle([tx, y + rh / 2 - 11 * u, tx + 40 * u, y + rh / 2 + 11 * u],
                                            radius=11 * u, fill=acc if on else div)
                        cx = tx + (29 if on else 11) * u
                        d.ellipse([cx - 9 * u, y + rh / 2 - 9 * u, cx + 9 * u, y + rh / 2 + 9 * u],
                                  fill=(255, 255, 255))
                y += rh
                d.line([(16 * u if rng.random() < 0.7 else 0), int(y), w, int(y)], fill=div, width=1)
        if layout == 'keyboard' or (layout == 'chat' and rng.random() < 0.4):
            ky = int(kb_top if layout == 'keyboard' else h * 0.62)
            kbg = (45, 45, 48) if dark else (210, 212, 218)
            key = (90, 90, 95) if dark else (252, 252, 252)
            d.rectangle([0, ky, w, h], fill=kbg)
            kh = (h - ky - 40 * u) / 4.6
            for r, n in enumerate([10, 9, 9, 5]):
                kw = w / 10.0
                x0 = (w - n * kw) / 2
                for c in range(n):
                    ww = kw * (4.5 if (r == 3 and c == 2) else 1)
                    if r == 3 and c > 2:
                        x0 += kw * 3.5 if c == 3 else 0
                    k0 = x0 + c * kw
                    d.rounded_rectangle([k0 + 3 * u, ky + 8 * u + r * kh * 1.12, k0 + min(ww, w - k0) - 3 * u,
                                         ky + 8 * u + r * kh * 1.12 + kh], radius=5 * u, fill=key)
                    if ww == kw:
                        gx, gy = k0 + kw / 2, ky + 8 * u + r * kh * 1.12 + kh / 2
                        d.rectangle([gx - 2.5 * u, gy - 4 * u, gx + 2.5 * u, gy + 4 * u], fill=fg)
        elif layout == 'chat':
            d.rectangle([0, h - 56 * u, w, h], fill=bg)
            d.line([0, int(h - 56 * u), w, int(h - 56 * u)], fill=div, width=1)
            d.rounded_rectangle([12 * u, h - 46 * u, w - 60 * u, h - 12 * u], radius=17 * u, outline=div,
                                width=max(1, int(u)))
    elif layout == 'photo':
        img.paste(_photo(rng, w, h), (0, 0))
        if rng.random() < 0.5:
            d.rectangle([0, h - 70 * u, w, h], fill=(0, 0, 0))
            for c in range(4):
                cx = w * (c + 0.5) / 4
                d.rectangle([cx - 9 * u, h - 44 * u, cx + 9 * u, h - 26 * u], outline=(230, 230, 230),
                            width=max(1, int(2 * u)))
        fg = (250, 250, 250)
    elif layout == 'article':
        _text(d, rng, 16 * u, w - 16 * u, sb + 20 * u, th * 2, cw * 2, fg)
        y = sb + 60 * u
        while y < h - 30 * u:
            if rng.random() < 0.2:
                ph = int(w * rng.uniform(0.4, 0.6))
                ph = int(min(ph, h - y - 10 * u))
                if ph > 8:
                    img.paste(_photo(rng, max(2, int(w - 32 * u)), ph), (int(16 * u), int(y)))
                    y += ph + 14 * u
                    continue
            for _ in range(int(rng.integers(2, 7))):
                _text(d, rng, 16 * u, w - 16 * u, y, th, cw, fg)
                y += th * 2.2
            y += th * 2
    else:  # video
        d.rectangle([0, 0, w, h], fill=(0, 0, 0))
        vh = int(w * 9 / 16)
        vy = int(h * rng.uniform(0.2, 0.4))
        img.paste(_photo(rng, w, vh), (0, vy))
        py = vy + vh + 12 * u
        d.line([16 * u, py, w - 16 * u, py], fill=(90, 90, 90), width=max(1, int(3 * u)))
        px = 16 * u + (w - 32 * u) * rng.random()
        d.line([16 * u, py, px, py], fill=(255, 0, 0), width=max(1, int(3 * u)))
        d.ellipse([px - 6 * u, py - 6 * u, px + 6 * u, py + 6 * u], fill=(255, 0, 0))
        _text(d, rng, 16 * u, w - 16 * u, py + 26 * u, th * 1.3, cw * 1.2, (230, 230, 230))
        fg = (230, 230, 230)
    # status bar and navigation hint
    _text(d, rng, 18 * u, 70 * u, sb * 0.35, th, cw * 0.8, fg, maxw=40 * u)
    for k in range(3):
        x = w - 20 * u - k * 20 * u
        d.rectangle([x - 12 * u, sb * 0.35, x, sb * 0.35 + th], fill=fg)
    if rng.random() < 0.6:
        d.rounded_rectangle([w * 0.35, h - 10 * u, w * 0.65, h - 6 * u], radius=2 * u, fill=fg)
    return img, layout


def _room_reflection(rng, cw, ch, strength):
    """A faint blurred room seen in the glass: window, ceiling lamps, dim shapes (linear RGB, (ch, cw, 3))."""
    lw, lh = max(8, cw // 8), max(8, ch // 8)
    base = int(rng.integers(8, 40))
    im = Image.new('RGB', (lw, lh), (base, base, base))
    d = ImageDraw.Draw(im)
    if rng.random() < 0.65:
        x0, y0 = rng.uniform(-0.3, 0.7) * lw, rng.uniform(-0.3, 0.7) * lh
        x1, y1 = x0 + rng.uniform(0.3, 0.8) * lw, y0 + rng.uniform(0.2, 0.6) * lh
        b = int(rng.integers(120, 256))
        d.rectangle([x0, y0, x1, y1], fill=(b, b, int(b * rng.uniform(0.85, 1.0))))
        mw = max(1, lw // 40)
        d.rectangle([(x0 + x1) / 2 - mw, y0, (x0 + x1) / 2 + mw, y1], fill=(base, base, base))
        d.rectangle([x0, (y0 + y1) / 2 - mw, x1, (y0 + y1) / 2 + mw], fill=(base, base, base))
    for _ in range(int(rng.integers(0, 5))):
        cx, cy = rng.uniform(0, lw), rng.uniform(0, lh)
        a = rng.uniform(0.5, 4)
        bl = rng.uniform(0.2, 0.6) * lw
        d.rectangle([cx - bl / 2, cy - a / 2, cx + bl / 2, cy + a / 2], fill=(255, 255, 250))
    for _ in range(int(rng.integers(0, 3))):
        cx, cy = rng.uniform(0, lw), rng.uniform(0, lh)
        r = rng.uniform(0.1, 0.3) * lw
        v = int(rng.integers(0, 20))
        d.ellipse([cx - r, cy - r * 1.5, cx + r, cy + r * 3], fill=(v, v, v))
    im = im.filter(ImageFilter.GaussianBlur(rng.uniform(0.7, 2.5)))
    lin = SRGB2LIN[np.asarray(im.resize((cw, ch), Image.BICUBIC))]
    return lin * F32(strength)


# --------------------------------------------------------------------------------------------------------- device

def _rrect_sdf(X, Y, box, r):
    x0, y0, x1, y1 = box
    cx, cy, hx, hy = (x0 + x1) / 2, (y0 + y1) / 2, (x1 - x0) / 2, (y1 - y0) / 2
    r = max(0.0, min(r, hx, hy))
    qx = np.abs(X - cx) - (hx - r)
    qy = np.abs(Y - cy) - (hy - r)
    out = np.hypot(np.maximum(qx, 0), np.maximum(qy, 0))
    ins = np.minimum(np.maximum(qx, qy), 0)
    return (out + ins - r).astype(F32)


def _cov(sdf):
    return np.clip(0.5 - sdf, 0, 1)


def _device(rng, W, H, s):
    """Device geometry: sizes in canvas px, homography canvas -> frame."""
    tablet = rng.random() < 0.12
    aspect = rng.uniform(1.3, 1.6) if tablet else (rng.uniform(1.95, 2.25) if rng.random() < 0.7
                                                   else rng.uniform(1.72, 1.95))
    frac = 0.15 + 0.55 * rng.beta(1.6, 1.6)
    L = frac * W
    Wp = L / aspect
    theta = (rng.integers(4) * np.pi / 2 + rng.normal(0, 0.07)) if rng.random() < 0.5 else rng.uniform(0, 2 * np.pi)
    c, sn = abs(math.cos(theta)), abs(math.sin(theta))
    bw, bh = c * Wp + sn * L, sn * Wp + c * L
    k = min(1.0, 0.9 * W / bw, 0.9 * H / bh)
    L, Wp = L * k, Wp * k
    pad = 3.0
    cw, ch = int(math.ceil(Wp + 2 * pad)), int(math.ceil(L + 2 * pad))
    src = np.array([[pad, pad], [pad + Wp, pad], [pad + Wp, pad + L], [pad, pad + L]])
    ctr_l = np.array([pad + Wp / 2, pad + L / 2])
    R = np.array([[math.cos(theta), -math.sin(theta)], [math.sin(theta), math.cos(theta)]])
    rel = (src - ctr_l) @ R.T
    rel = rel + np.clip(rng.normal(0, 0.01 * L, (4, 2)), -0.025 * L, 0.025 * L)
    ext = rel.max(0) - rel.min(0)
    fit = min(1.0, 0.96 * W / ext[0], 0.96 * H / ext[1])
    rel = rel * fit
    lo, hi = rel.min(0), rel.max(0)
    mx, my = 0.02 * W, 0.02 * H
    cx = rng.uniform(mx - lo[0], W - mx - hi[0]) if W - mx - hi[0] > mx - lo[0] else W / 2 - (lo[0] + hi[0]) / 2
    cy = rng.uniform(my - lo[1], H - my - hi[1]) if H - my - hi[1] > my - lo[1] else H / 2 - (lo[1] + hi[1]) / 2
    dst = rel + np.array([cx, cy])
    hm = homography(src, dst)
    return dict(tablet=tablet, Wp=Wp, L=L, pad=pad, cw=cw, ch=ch, theta=theta, hm=hm, corners=dst,
                scale=fit)


def _device_canvas(rng, rng_ui, rng_refl, dev, lit, lang, sticker_rng):
    """Premultiplied linear colour (ch, cw, 3), alpha, glass and display masks on the device canvas."""
    Wp, L, pad, cw, ch = dev['Wp'], dev['L'], dev['pad'], dev['cw'], dev['ch']
    X = (np.arange(cw, dtype=F32) + 0.5)[None, :]
    Y = (np.arange(ch, dtype=F32) + 0.5)[:, None]
    outer = (pad, pad, pad + Wp, pad + L)
    ro = (rng.uniform(0.03, 0.07) if dev['tablet'] else rng.uniform(0.07, 0.14)) * Wp
    rim = max(0.8, rng.uniform(0.012, 0.03) * Wp)
    gbox = (outer[0] + rim, outer[1] + rim, outer[2] - rim, outer[3] - rim)
    rg = max(0.0, ro - rim)
    gw = gbox[2] - gbox[0]
    style = 'tablet' if dev['tablet'] else str(rng.choice(['modern', 'chin', 'classic'], p=[0.6, 0.25, 0.15]))
    if style == 'modern':
        bs = rng.uniform(0.015, 0.035) * gw
        bt, bb = bs * rng.uniform(1.0, 1.5), bs * rng.uniform(1.0, 1.6)
    elif style == 'chin':
        bs = rng.uniform(0.02, 0.04) * gw
        bt, bb = rng.uniform(0.04, 0.07) * L, rng.uniform(0.05, 0.09) * L
    elif style == 'classic':
        bs = rng.uniform(0.03, 0.06) * gw
        bt, bb = rng.uniform(0.09, 0.13) * L, rng.uniform(0.09, 0.14) * L
    else:
        bs = rng.uniform(0.04, 0.08) * gw
        bt = bb = bs * rng.uniform(1.0, 1.3)
    bs, bt, bb = max(bs, 0.6), max(bt, 0.6), max(bb, 0.6)
    dbox = (gbox[0] + bs, gbox[1] + bt, gbox[2] - bs, gbox[3] - bb)
    rd = max(0.0, rg - bs) if style in ('modern', 'tablet') else rng.uniform(0, 0.01) * Wp
    sd_o = _rrect_sdf(X, Y, outer, ro)
    sd_g = _rrect_sdf(X, Y, gbox, rg)
    sd_d = _rrect_sdf(X, Y, dbox, rd)
    a_o, a_g, a_d = _cov(sd_o), _cov(sd_g), _cov(sd_d)
    dw_, dh_ = dbox[2] - dbox[0], dbox[3] - dbox[1]
    cut = None
    cutout = 'none'
    if style == 'modern':
        cutout = str(rng.choice(['notch', 'punch', 'none'], p=[0.35, 0.45, 0.2]))
    elif style == 'chin' and rng.random() < 0.5:
        cutout = 'punch'
    if cutout == 'notch':
        nw, nh = rng.uniform(0.25, 0.42) * dw_, rng.uniform(0.03, 0.05) * dh_
        cxn = (dbox[0] + dbox[2]) / 2
        cut = _rrect_sdf(X, Y, (cxn - nw / 2, dbox[1] - nh, cxn + nw / 2, dbox[1] + nh), nh * 0.6)
    elif cutout == 'punch':
        pr = rng.uniform(0.012, 0.02) * dw_
        px = (dbox[0] + dbox[2]) / 2 if rng.random() < 0.7 else dbox[0] + rng.uniform(0.06, 0.12) * dw_
        py = dbox[1] + rng.uniform(0.015, 0.03) * dh_ + pr
        cut = (np.hypot(X - px, Y - py) - pr).astype(F32)
    if cut is not None:
        a_d = a_d * (1 - _cov(cut))
    # rim shading from an analytic normal of the outer rounded rectangle
    lx, ly = math.cos(lang - dev['theta']), math.sin(lang - dev['theta'])
    cxo, cyo = (outer[0] + outer[2]) / 2, (outer[1] + outer[3]) / 2
    qx = np.abs(X - cxo) - (Wp / 2 - ro)
    qy = np.abs(Y - cyo) - (L / 2 - ro)
    ax, ay = np.maximum(qx, 0), np.maximum(qy, 0)
    corner = (ax > 0) & (ay > 0)
    nrm = np.hypot(ax, ay) + 1e-6
    nx = np.where(corner, ax / nrm, (qx >= qy).astype(F32)) * np.sign(X - cxo)
    ny = np.where(corner, ay / nrm, (qy > qx).astype(F32)) * np.sign(Y - cyo)
    nl = (nx * lx + ny * ly).astype(F32)
    metal = rng.random() < 0.55
    if metal:
        rimc = np.array([[0.55, 0.56, 0.58], [0.1, 0.1, 0.11], [0.6, 0.5, 0.35], [0.15, 0.2, 0.32],
                         [0.6, 0.42, 0.4]][rng.integers(5)], F32)
        shade = 0.6 + 0.45 * nl
    else:
        rimc = np.array([[0.025, 0.025, 0.028], [0.72, 0.72, 0.7], [0.5, 0.1, 0.1], [0.1, 0.25, 0.5],
                         [0.3, 0.45, 0.3]][rng.integers(5)], F32)
        shade = 0.8 + 0.25 * nl
    # a chamfer highlight where the rim meets the glass
    t = np.clip(1.0 - np.abs(sd_g + rim * 0.35) / max(0.6, rim * 0.3), 0, 1)
    spec = (t * np.clip(nl, 0, 1) * rng.uniform(0.05, 0.25)).astype(F32)
    C = rimc[None, None, :] * shade[..., None] + spec[..., None]
    bezel = np.array([0.012, 0.012, 0.014], F32) * rng.uniform(0.7, 1.5) if rng.random() < 0.88 or \
        style in ('modern',) else np.array([0.72, 0.72, 0.7], F32)
    ag = a_g[..., None]
    C = C * (1 - ag) + bezel * ag
    # details on a wide top bezel: earpiece slot, camera; home button on a classic chin
    extra = []
    if bt > 0.03 * L:
        gcx = (gbox[0] + gbox[2]) / 2
        ey = gbox[1] + bt * 0.5
        extra.append((_rrect_sdf(X, Y, (gcx - 0.1 * gw, ey - 0.012 * L, gcx + 0.1 * gw, ey + 0.012 * L),
                                 0.012 * L), np.array([0.05, 0.05, 0.055], F32)))
        extra.append(((np.hypot(X - (gcx - 0.22 * gw), Y - ey) - 0.02 * gw).astype(F32),
                      np.array([0.02, 0.02, 0.04], F32)))
    if style == 'classic':
        hy = gbox[3] - bb * 0.5
        rr = min(bb * 0.32, 0.08 * gw)
        ring = (np.abs(np.hypot(X - (gbox[0] + gbox[2]) / 2, Y - hy) - rr) - max(0.5, 0.06 * rr)).astype(F32)
        extra.append((ring, bezel * 0.5 + 0.06))
    for sdf, colr in extra:
        a = _cov(sdf)[..., None] * ag
        C = C * (1 - a) + colr * a
    # display content
    x0i, y0i = int(round(dbox[0])), int(round(dbox[1]))
    wi, hi = max(2, int(round(dw_))), max(2, int(round(dh_)))
    wi, hi = min(wi, cw - x0i), min(hi, ch - y0i)
    E = np.zeros((ch, cw, 3), F32)
    layout = None
    if lit:
        ui, layout = _ui(rng_ui, wi, hi)
        E[y0i:y0i + hi, x0i:x0i + wi] = SRGB2LIN[np.asarray(ui)] * F32(rng_ui.uniform(0.35, 1.0))
        if rng_ui.random() < 0.15:   # night-shift tint
            E *= np.array([1.0, 0.9, 0.7], F32)
        refl = _room_reflection(rng_refl, cw, ch, rng_refl.uniform(0.02, 0.07))
    else:
        E[:] = rng_ui.uniform(0.002, 0.008)
        refl = _room_reflection(rng_refl, cw, ch, rng_refl.uniform(0.015, 0.1))
    ad = a_d[..., None]
    C = C * (1 - ad) + E * ad + refl * ag
    # a sticker on the bezel / glass border
    sticker = None
    if sticker_rng is not None:
        srng = sticker_rng
        im = Image.new('L', (cw * 2, ch * 2), 0)
        dd = ImageDraw.Draw(im)
        side = srng.integers(4)
        size = srng.uniform(0.05, 0.12) * gw
        if side == 0:
            p = (srng.uniform(gbox[0] + size, gbox[2] - size), gbox[1] + min(bt, size) * 0.55)
        elif side == 1:
            p = (srng.uniform(gbox[0] + size, gbox[2] - size), gbox[3] - min(bb, size) * 0.55)
        elif side == 2:
            p = (gbox[0] + min(bs, size) * 0.6, srng.uniform(gbox[1] + size, gbox[3] - size))
        else:
            p = (gbox[2] - min(bs, size) * 0.6, srng.uniform(gbox[1] + size, gbox[3] - size))
        if srng.random() < 0.5:
            r = size / 2
            dd.ellipse([(p[0] - r) * 2, (p[1] - r) * 2, (p[0] + r) * 2, (p[1] + r) * 2], fill=255)
        else:
            a_ = srng.uniform(-0.3, 0.3)
            hw, hh = size * 0.8, size * 0.4
            u_ = np.array([math.cos(a_), math.sin(a_)])
            v_ = np.array([-u_[1], u_[0]])
            poly = [np.array(p) + sx * u_ * hw + sy * v_ * hh for sx, sy in ((-1, -1), (1, -1), (1, 1), (-1, 1))]
            dd.polygon((np.array(poly) * 2).ravel().tolist(), fill=255)
        sa = np.asarray(im.reduce(2), F32)[..., None] / 255.0
        scol = np.array([[0.1, 0.6, 0.15], [0.8, 0.8, 0.78], [0.75, 0.15, 0.1], [0.8, 0.65, 0.1]][srng.integers(4)],
                        F32)
        C = C * (1 - sa) + scol * sa
        sticker = True
    C *= a_o[..., None]
    glass_local = gbox
    return dict(C=C, A=a_o, G=a_g, D=a_d, gbox=glass_local, dbox=dbox, layout=layout, style=style,
                cutout=cutout, metal=metal, sticker=sticker)


def _pil_persp(box, hm):
    x0, y0, x1, y1 = box
    T = np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1]], float)
    m = np.linalg.inv(hm) @ T
    m = m / m[2, 2]
    return tuple(m.ravel()[:8])


def _warp_masks(maps, box, hm):
    """Three 0..1 canvas masks warped together as one 8-bit RGB image."""
    rgb = np.clip(np.stack(maps, -1) * 255 + 0.5, 0, 255).astype(np.uint8)
    im = Image.fromarray(rgb).transform((box[2] - box[0], box[3] - box[1]), Image.PERSPECTIVE, _pil_persp(box, hm),
                                        Image.BILINEAR)
    a = np.asarray(im, dtype=F32) * (1 / 255.0)
    return a[..., 0], a[..., 1], a[..., 2]


def _warp(arr, box, hm):
    """Sample a canvas map into the frame box through homography hm (canvas -> frame)."""
    x0, y0, x1, y1 = box
    T = np.array([[1, 0, x0], [0, 1, y0], [0, 0, 1]], float)
    m = np.linalg.inv(hm) @ T
    m = m / m[2, 2]
    data = tuple(m.ravel()[:8])
    im = Image.fromarray(np.ascontiguousarray(arr, dtype=F32))
    return np.array(im.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, data, Image.BILINEAR))


# -------------------------------------------------------------------------------------------------- surface layer

class _Surface:
    """What lies on the glass (and around it): img' = img * M + A over a box; identical for both twins."""

    def __init__(self, box, G, D):
        self.box = box
        h, w = box[3] - box[1], box[2] - box[0]
        self.M = np.ones((h, w, 1), F32)
        self.A = np.zeros((h, w, 3), F32)
        self.G, self.D = G, D

    def sub(self, b):
        return _sl(b, self.box)

    def add(self, b, amt, col):
        ys, xs = self.sub(b)
        self.A[ys, xs] += amt[..., None] * col

    def over(self, b, a, col):
        ys, xs = self.sub(b)
        a3 = a[..., None]
        self.M[ys, xs] *= 1 - a3
        self.A[ys, xs] = self.A[ys, xs] * (1 - a3) + a3 * col

    def haze(self, b, amt, col, loss):
        ys, xs = self.sub(b)
        self.A[ys, xs] += amt[..., None] * col
        self.M[ys, xs] *= (1 - loss * amt)[..., None]

    def apply(self, img, ibox):
        b = _isect(ibox, self.box)
        if b is None:
            return
        ys, xs = _sl(b, ibox)
        my, mx = _sl(b, self.box)
        img[ys, xs] = img[ys, xs] * self.M[my, mx] + self.A[my, mx]


def _glass_pts(rng, g, n=1, margin=0.0):
    x0, y0, x1, y1 = g
    w, h = x1 - x0, y1 - y0
    return np.stack([rng.uniform(x0 + margin * w, x1 - margin * w, n), rng.uniform(y0 + margin * h, y1 - margin * h, n)], 1)


def _smooth_vals(rng, n, lo=0.3, hi=1.0, corr=0.9):
    v = np.empty(n)
    x = rng.normal()
    for i in range(n):
        x = corr * x + math.sqrt(1 - corr * corr) * rng.normal()
        v[i] = x
    return lo + (hi - lo) * (0.5 + 0.5 * np.tanh(v))


def _glass_strokes(surf, lines, box):
    """The box of stroked `lines` (clipped to `box`) and their coverage on the glass there; None when they miss it."""
    b = _pts_box([l_[0] for l_ in lines], 3, box)
    if b is None:
        return None
    return b, _strokes(lines, b, 3) * surf.G[surf.sub(b)]


def _nuisance(name, rng, surf, dev, cv, s, lit, lrgb):
    """Draw one hard negative onto the surface layer. Returns True if drawn."""
    hm, box = dev['hm'], surf.box
    gb = cv['gbox']
    gw, gh = gb[2] - gb[0], gb[3] - gb[1]
    Lp = dev['L']
    spec_col = lrgb * F32(1.0)
    if name in ('scratch', 'curved_scratch'):
        lines = []
        for _ in range(int(rng.integers(1, 6))):
            p0 = _glass_pts(rng, gb)[0]
            a = rng.uniform(0, 2 * np.pi)
            ln = rng.uniform(0.06, 0.6) * min(gw, gh) * (1.6 if rng.random() < 0.3 else 1)
            n = max(3, int(ln / 4))
            t = np.linspace(0, ln, n)
            if name == 'scratch':
                pts = p0 + t[:, None] * np.array([math.cos(a), math.sin(a)])
            else:
                R = rng.uniform(0.3, 2.5) * min(gw, gh) * rng.choice([-1, 1])
                ang = a + t / R
                pts = p0 + R * np.stack([np.sin(ang) - math.sin(a), -np.cos(ang) + math.cos(a)], 1)
            v = _smooth_vals(rng, n, 0.0, 1.0, 0.85)
            lines.append((_apply_h(hm, pts), rng.uniform(0.25, 0.9) * s, v))
        drawn = _glass_strokes(surf, lines, box)
        if drawn is None:
            return False
        b, cov = drawn
        if rng.random() < 0.75:
            surf.add(b, cov * F32(rng.uniform(0.01, 0.07)), spec_col)
        else:
            surf.over(b, cov * F32(rng.uniform(0.1, 0.3)), np.zeros(3, F32))
        return True
    if name == 'swirl':
        c = _glass_pts(rng, gb, margin=-0.1)[0]
        lines = []
        for _ in range(int(rng.integers(15, 60))):
            r = rng.uniform(0.02, 0.45) * Lp
            a0 = rng.uniform(0, 2 * np.pi)
            span = rng.uniform(0.15, 0.9)
            n = max(3, int(r * span / 4))
            ang = a0 + np.linspace(0, span, n)
            pts = c + r * np.stack([np.cos(ang), np.sin(ang)], 1)
            lines.append((_apply_h(hm, pts), rng.uniform(0.2, 0.5) * s, _smooth_vals(rng, n, 0.2, 1.0)))
        drawn = _glass_strokes(surf, lines, box)
        if drawn is None:
            return False
        b, cov = drawn
        surf.add(b, cov * F32(rng.uniform(0.006, 0.03)), spec_col)
        return True
    if name == 'dust':
        n = int(rng.integers(4, 70))
        pts = np.concatenate([_glass_pts(rng, gb, n), ])
        fp = _apply_h(hm, pts)
        out = rng.random(n) < 0.2
        fp[out] = np.stack([rng.uniform(box[0], box[2], out.sum()), rng.uniform(box[1], box[3], out.sum())], 1)
        rad = np.where(rng.random(n) < 0.1, rng.uniform(1.5, 4.0, n), rng.uniform(0.3, 1.5, n)) * s
        b = _pts_box([fp], 6 * s + 2, box)
        if b is None:
            return False
        ss = 3
        for dark in (False, True):
            sel = (rng.random(n) < 0.3) == dark
            if not sel.any():
                continue
            im = Image.new('L', ((b[2] - b[0]) * ss, (b[3] - b[1]) * ss), 0)
            d = ImageDraw.Draw(im)
            for (x, y), r in zip(fp[sel], rad[sel]):
                r2 = r * rng.uniform(0.7, 1.3)
                d.ellipse([(x - b[0] - r) * ss, (y - b[1] - r2) * ss, (x - b[0] + r) * ss, (y - b[1] + r2) * ss],
                          fill=int(rng.integers(150, 256)))
            a = np.asarray(im.reduce(ss), F32) / 255.0
            col = np.full(3, 0.02 if dark else rng.uniform(0.25, 0.7), F32)
            surf.over(b, a, col)
        return True
    if name in ('lint', 'hair'):
        lines = []
        if name == 'lint':
            for _ in range(int(rng.integers(1, 4))):
                p = _apply_h(hm, _glass_pts(rng, gb))[0]
                a = rng.uniform(0, 2 * np.pi)
                ln = rng.uniform(10, 70) * s
                n = max(4, int(ln / (1.5 * s)))
                pts = [p]
                cur = 0
                for _ in range(n):
                    cur = 0.8 * cur + rng.normal(0, 0.12)
                    a += cur
                    p = p + 1.5 * s * np.array([math.cos(a), math.sin(a)])
                    pts.append(p)
                lines.append((np.array(pts), rng.uniform(0.8, 2.2) * s, 1.0))
            col = np.array([[0.7, 0.7, 0.7], [0.35, 0.45, 0.7], [0.5, 0.5, 0.5], [0.75, 0.7, 0.6]][rng.integers(4)],
                           F32)
            alpha = rng.uniform(0.4, 0.9)
        else:
            c = _apply_h(hm, _glass_pts(rng, gb, margin=0.1))[0]
            ln = rng.uniform(0.3, 1.0) * Lp * dev['scale']
            a = rng.uniform(0, 2 * np.pi)
            ctrl = [c - 0.5 * ln * np.array([math.cos(a), math.sin(a)])]
            for k in range(3):
                a += rng.normal(0, 0.6)
                ctrl.append(ctrl[-1] + ln / 3 * np.array([math.cos(a), math.sin(a)]))
            ctrl = np.array(ctrl)
            t = np.linspace(0, 1, max(8, int(ln / (3 * s))))[:, None]
            pts = ((1 - t) ** 3 * ctrl[0] + 3 * (1 - t) ** 2 * t * ctrl[1] + 3 * (1 - t) * t ** 2 * ctrl[2]
                   + t ** 3 * ctrl[3])
            lines.append((pts, rng.uniform(0.6, 1.6) * s, _smooth_vals(rng, len(pts), 0.7, 1.0)))
            col = np.array([[0.01, 0.008, 0.006], [0.05, 0.03, 0.015], [0.35, 0.25, 0.12]][rng.integers(3)], F32)
            alpha = rng.uniform(0.75, 0.95)
        b = _pts_box([l_[0] for l_ in lines], 4 * s + 2, box)
        if b is None:
            return False
        a = _strokes(lines, b, 3) * F32(alpha)
        surf.over(b, a, col)
        if name == 'hair':   # specular sheen along the hair
            sh = _strokes([(p_ + 0.3 * s, w_ * 0.4, v_) for p_, w_, v_ in lines], b, 3)
            surf.add(b, sh * F32(rng.uniform(0.01, 0.06)), spec_col)
        return True
    if name in ('fingerprint', 'smudge'):
        for _ in range(int(rng.integers(1, 4 if name == 'smudge' else 5))):
            c = _apply_h(hm, _glass_pts(rng, gb, margin=0.05))[0]
            a = (rng.uniform(0.05, 0.11) if name == 'fingerprint' else rng.uniform(0.1, 0.35)) * Lp * dev['scale']
            bb = a * rng.uniform(0.6, 0.85)
            b = _pts_box([c], a * 1.2 + 2, box)
            if b is None:
                continue
            h_, w_ = b[3] - b[1], b[2] - b[0]
            X = (np.arange(b[0], b[2], dtype=F32) + 0.5 - c[0])[None, :]
            Y = (np.arange(b[1], b[3], dtype=F32) + 0.5 - c[1])[:, None]
            ang = rng.uniform(0, np.pi)
            xr = X * math.cos(ang) + Y * math.sin(ang)
            yr = -X * math.sin(ang) + Y * math.cos(ang)
            rr = np.sqrt((xr / a) ** 2 + (yr / bb) ** 2)
            env = np.exp(-1.5 * rr ** 4)
            blot = np.clip(0.6 + 0.6 * _fbm(rng, h_, w_, max(4.0, a / 3), 2), 0, 1)
            if name == 'fingerprint':
                per = rng.uniform(2.5, 5.5) * s
                warp = _fbm(rng, h_, w_, max(4.0, a / 2), 2) * per * 1.5
                ridges = 0.5 + 0.5 * np.cos(2 * np.pi * (rr * a + warp) / per)
                amt = env * blot * (0.25 + 0.75 * ridges) * rng.uniform(0.004, 0.03)
            else:
                amt = env * blot * rng.uniform(0.003, 0.02)
            amt = (amt * surf.G[surf.sub(b)]).astype(F32)
            surf.haze(b, amt, lrgb * F32(0.9), 3.0)
        return True
    if name == 'glare_spot':
        for _ in range(int(rng.integers(1, 3))):
            c = _apply_h(hm, _glass_pts(rng, gb, margin=-0.05))[0]
            hot = rng.random() < 0.12
            sg = (rng.uniform(0.01, 0.05) if hot else rng.uniform(0.02, 0.2)) * Lp * dev['scale']
            b = _pts_box([c], 3 * sg * 1.6 + 2, box)
            if b is None:
                continue
            X = (np.arange(b[0], b[2], dtype=F32) + 0.5 - c[0])[None, :]
            Y = (np.arange(b[1], b[3], dtype=F32) + 0.5 - c[1])[:, None]
            ang = rng.uniform(0, np.pi)
            el = rng.uniform(1.0, 1.6)
            xr = X * math.cos(ang) + Y * math.sin(ang)
            yr = -X * math.sin(ang) + Y * math.cos(ang)
            g = np.exp(-0.5 * ((xr / (sg * el)) ** 2 + (yr / sg) ** 2)).astype(F32)
            peak = rng.uniform(0.6, 2.0) if hot else math.exp(rng.uniform(math.log(0.01), math.log(0.5)))
            surf.add(b, g * surf.G[surf.sub(b)] * F32(peak), spec_col)
        return True
    if name == 'glare_streak':
        c = _apply_h(hm, _glass_pts(rng, gb, margin=0.0))[0]
        ang = rng.uniform(0, np.pi)
        narrow = rng.random() < 0.35
        X = (np.arange(box[0], box[2], dtype=F32) + 0.5 - c[0])[None, :]
        Y = (np.arange(box[1], box[3], dtype=F32) + 0.5 - c[1])[:, None]
        dperp = -X * math.sin(ang) + Y * math.cos(ang)
        along = X * math.cos(ang) + Y * math.sin(ang)
        Lt = rng.uniform(0.3, 1.5) * Lp
        env = np.exp(-(along / Lt) ** 2)
        tot = np.zeros_like(env, dtype=F32)
        nb = int(rng.integers(1, 4))
        gap = rng.uniform(0.03, 0.15) * Lp
        for k in range(nb):
            if narrow:
                sw, peak = rng.uniform(0.6, 2.5) * s, rng.uniform(0.01, 0.12)
            else:
                sw, peak = rng.uniform(0.01, 0.08) * Lp, math.exp(rng.uniform(math.log(0.02), math.log(0.5)))
            tot += (peak * np.exp(-0.5 * ((dperp - k * gap) / sw) ** 2)).astype(F32)
        surf.add(box, (tot * env * surf.G).astype(F32), spec_col)
        return True
    if name == 'protector':
        d = rng.uniform(0.006, 0.05) * min(gw, gh)
        x0, y0, x1, y1 = gb[0] + d, gb[1] + d, gb[2] - d, gb[3] - d
        r = max(1.0, rng.uniform(0.05, 0.14) * gw)
        pts = []
        for (cx, cy, a0) in ((x1 - r, y0 + r, -np.pi / 2), (x1 - r, y1 - r, 0), (x0 + r, y1 - r, np.pi / 2),
                             (x0 + r, y0 + r, np.pi)):
            for a in np.linspace(a0, a0 + np.pi / 2, 8):
                pts.append((cx + r * math.cos(a), cy + r * math.sin(a)))
        pts.append(pts[0])
        pts = np.array(pts)
        seg = np.cumsum(np.r_[0, np.hypot(*np.diff(pts, axis=0).T)])
        dense = np.stack([np.interp(np.arange(0, seg[-1], 4.0), seg, pts[:, 0]),
                          np.interp(np.arange(0, seg[-1], 4.0), seg, pts[:, 1])], 1)
        v = _smooth_vals(rng, len(dense), -0.3, 1.0, 0.97).clip(0, 1)
        lines = [(_apply_h(hm, dense), rng.uniform(0.5, 1.3) * s, v)]
        if rng.random() < 0.5:   # bubbles under the film: bright rims
            for _ in range(int(rng.integers(1, 7))):
                c = _glass_pts(rng, (x0, y0, x1, y1))[0]
                rb = rng.uniform(2, 15) * s
                ang = np.linspace(0, 2 * np.pi, max(8, int(rb * 1.5)))
                cp = c + rb * np.stack([np.cos(ang), np.sin(ang) * rng.uniform(0.6, 1.0)], 1)
                lines.append((_apply_h(hm, cp), rng.uniform(0.5, 1.0) * s, 1.0))
        drawn = _glass_strokes(surf, lines, box)
        if drawn is None:
            return False
        b, cov = drawn
        surf.add(b, cov * F32(rng.uniform(0.01, 0.06)), spec_col)
        return True
    if name == 'moire':
        if not lit:
            return False
        per = rng.uniform(4, 28) * s
        ang = rng.uniform(0, np.pi)
        X = (np.arange(box[0], box[2], dtype=F32) - box[0])[None, :]
        Y = (np.arange(box[1], box[3], dtype=F32) - box[1])[:, None]
        curv = rng.uniform(-1, 1) / max(1.0, Lp) / per
        ph = (X * math.cos(ang) + Y * math.sin(ang)) / per + curv * (X * X + Y * Y) * 0.5
        amp = rng.uniform(0.02, 0.08)
        m = (1 + amp * np.cos(2 * np.pi * ph) * surf.D).astype(F32)
        surf.M *= m[..., None]
        return True
    return False


# ---------------------------------------------------------------------------------------------------------- cracks

class _Net:
    """Fracture network in glass-local coordinates; an occupancy grid lets growing lines stop on other lines."""

    def __init__(self, box, step):
        self.x0, self.y0, self.x1, self.y1 = box
        self.step = step
        self.cell = step
        self.nx = int((self.x1 - self.x0) / step) + 2
        self.ny = int((self.y1 - self.y0) / step) + 2
        self.own = np.full((self.ny, self.nx), -1, np.int32)
        self.px = np.zeros((self.ny, self.nx))
        self.py = np.zeros((self.ny, self.nx))
        self.lines = []

    def _mark(self, lid, x, y):
        r, c = int((y - self.y0) / self.cell), int((x - self.x0) / self.cell)
        if 0 <= r < self.ny and 0 <= c < self.nx and self.own[r, c] < 0:
            self.own[r, c] = lid
            self.px[r, c], self.py[r, c] = x, y

    def inside(self, p):
        return self.x0 <= p[0] <= self.x1 and self.y0 <= p[1] <= self.y1

    def _clip(self, p, q):
        t = 1.0
        for k, lo, hi in ((0, self.x0, self.x1), (1, self.y0, self.y1)):
            d = q[k] - p[k]
            if q[k] > hi and d > 0:
                t = min(t, (hi - p[k]) / d)
            elif q[k] < lo and d < 0:
                t = min(t, (lo - p[k]) / d)
        return (p[0] + t * (q[0] - p[0]), p[1] + t * (q[1] - p[1]))

    def add(self, pts, role='ring', depth=1, strength=1.0):
        lid = len(self.lines)
        for k, p in enumerate(pts):
            self._mark(lid, p[0], p[1])
            if k:
                self._mark(lid, (p[0] + pts[k - 1][0]) / 2, (p[1] + pts[k - 1][1]) / 2)
        self.lines.append(dict(pts=np.array(pts, float), start='line', end='line', depth=depth, role=role,
                               strength=strength))
        return lid

    def grow(self, rng, p, ang, length, wig, pk, pb, grace=2, start='free', maxdepth=3, role='main',
             strength=1.0):
        queue = [(tuple(p), ang, length, 0, grace, start)]
        ids = []
        while queue:
            p, ang, length, depth, grace, start = queue.pop(0)
            lid = len(self.lines)
            self.lines.append(None)
            pts = [p]
            x, y = p
            went, end, k = 0.0, 'free', 0
            while went < length:
                ang += rng.normal(0, wig)
                if rng.random() < pk:
                    ang += (1 if rng.random() < 0.5 else -1) * rng.uniform(0.25, 0.9)
                st = self.step * rng.uniform(0.7, 1.3)
                q = (x + st * math.cos(ang), y + st * math.sin(ang))
                if not self.inside(q):
                    pts.append(self._clip((x, y), q))
                    end = 'edge'
                    break
                k += 1
                r, c = int((q[1] - self.y0) / self.cell), int((q[0] - self.x0) / self.cell)
                o = self.own[r, c]
                if k > grace and o >= 0 and o != lid:
                    pts.append((self.px[r, c], self.py[r, c]))
                    end = 'line'
                    break
                self._mark(lid, (x + q[0]) / 2, (y + q[1]) / 2)
                self._mark(lid, q[0], q[1])
                pts.append(q)
                x, y = q
                went += st
                if depth < maxdepth and rng.random() < pb:
                    queue.append(((x, y), ang + (1 if rng.random() < 0.5 else -1) * rng.uniform(0.35, 1.2),
                                  (length - went) * rng.uniform(0.2, 0.7) + self.step * 3, depth + 1, 2, 'line'))
            self.lines[lid] = dict(pts=np.array(pts, float), start=start, end=end, depth=depth,
                                   role=role if depth == 0 else 'branch', strength=strength)
            ids.append(lid)
        return ids


def _crack_geometry(rng, kind, gb):
    """Fracture polylines in glass-local coordinates, plus the impact centre and radial line ids if any."""
    x0, y0, x1, y1 = gb
    gw, gh = x1 - x0, y1 - y0
    gs = min(gw, gh)
    diag = math.hypot(gw, gh)
    step = float(np.clip(gs / 80, 2.0, 9.0))
    net = _Net((x0 + 0.5, y0 + 0.5, x1 - 0.5, y1 - 0.5), step)
    wig = rng.uniform(0.03, 0.1)
    pk = rng.uniform(0.02, 0.07)
    info = dict(center=None, radial=[], shard_r=0.0)

    def inner(m):
        return (rng.uniform(x0 + m * gw, x1 - m * gw), rng.uniform(y0 + m * gh, y1 - m * gh))

    def crush(c, r, n):
        for _ in range(n):
            a = rng.uniform(0, 2 * np.pi)
            rr = rng.uniform(0, r)
            p = (c[0] + rr * math.cos(a), c[1] + rr * math.sin(a))
            if net.inside(p):
                net.grow(rng, p, rng.uniform(0, 2 * np.pi), rng.uniform(0.5, 1.5) * r, wig * 2, 0.2, 0.0,
                         grace=1, maxdepth=0, role='crush', strength=rng.uniform(0.6, 1.0))

    def radial(c, n, a_lo, a_hi, lmin, lmax, pb, cr):
        angs = a_lo + (np.arange(n) + rng.uniform(-0.35, 0.35, n) + 0.5) * (a_hi - a_lo) / n
        grace = int(cr / step) + 2
        ids = []
        for a in angs:
            ids.append(net.grow(rng, c, a, rng.uniform(lmin, lmax) * diag, wig, pk, pb, grace=grace,
                                start='impact', role='radial')[0])
        info['center'], info['radial'] = c, ids
        return ids

    def rings(c, ids, nr, r0):
        order = sorted(ids, key=lambda i: math.atan2(net.lines[i]['pts'][min(2, len(net.lines[i]['pts']) - 1), 1]
                                                     - c[1], net.lines[i]['pts'][min(2, len(net.lines[i]['pts']) - 1), 0]
                                                     - c[0]))
        for k in range(1, nr + 1):
            r = r0 * k * rng.uniform(0.85, 1.15)
            for i in range(len(order)):
                if rng.random() > 0.75:
                    continue
                pa, pb_ = net.lines[order[i]]['pts'], net.lines[order[(i + 1) % len(order)]]['pts']
                da, db = np.hypot(*(pa - c).T), np.hypot(*(pb_ - c).T)
                ia, ib = np.argmax(da >= r), np.argmax(db >= r)
                if da[ia] < r or db[ib] < r:
                    continue
                A, B = pa[ia], pb_[ib]
                a1, a2 = math.atan2(A[1] - c[1], A[0] - c[0]), math.atan2(B[1] - c[1], B[0] - c[0])
                dA = (a2 - a1) % (2 * np.pi)
                if dA > np.pi * 0.9 or dA < 0.05:
                    continue
                m = max(2, int(r * dA / step))
                t = np.linspace(0, 1, m + 1)
                rad = da[ia] * (1 - t) + db[ib] * t + np.r_[0, rng.normal(0, 0.2 * step, m - 1), 0]
                ang = a1 + dA * t + np.r_[0, rng.normal(0, 0.15 * step / r, m - 1), 0]
                pts = np.stack([c[0] + rad * np.cos(ang), c[1] + rad * np.sin(ang)], 1)
                pts[0], pts[-1] = A, B
                if all(net.inside(p) for p in pts):
                    net.add(pts, role='ring', strength=rng.uniform(0.5, 0.9))

    if kind in ('impact', 'web', 'shatter'):
        c = inner(0.12)
        n = int(rng.integers(5, 13)) if kind != 'shatter' else int(rng.integers(10, 19))
        cr = rng.uniform(0.01, 0.04) * gs
        ids = radial(c, n, 0, 2 * np.pi, 0.25, 1.3, 0.015, cr)
        crush(c, cr, int(rng.integers(3, 10)))
        if kind in ('web', 'shatter'):
            rings(c, ids, int(rng.integers(2, 5)) if kind == 'web' else int(rng.integers(3, 7)),
                  rng.uniform(0.04, 0.12) * gs)
        info['shard_r'] = rng.uniform(0.12, 0.4) * gs if kind != 'shatter' else rng.uniform(0.3, 0.6) * gs
        if kind == 'shatter':
            for _ in range(int(rng.integers(30, 80))):
                li = net.lines[int(rng.integers(len(net.lines)))]
                pts = li['pts']
                if len(pts) < 4:
                    continue
                kk = int(rng.integers(1, len(pts) - 2))
                tan = math.atan2(pts[kk + 1, 1] - pts[kk, 1], pts[kk + 1, 0] - pts[kk, 0])
                a = tan + (1 if rng.random() < 0.5 else -1) * (np.pi / 2 + rng.normal(0, 0.4))
                net.grow(rng, tuple(pts[kk]), a, rng.uniform(0.05, 0.4) * diag, wig, pk, 0.01, grace=2,
                         start='line', maxdepth=1, role='secondary', strength=rng.uniform(0.5, 0.9))
    elif kind == 'corner':
        cx = x0 if rng.random() < 0.5 else x1
        cy = y0 if rng.random() < 0.5 else y1
        inx, iny = (1 if cx == x0 else -1), (1 if cy == y0 else -1)
        c = (cx + inx * rng.uniform(0.5, 0.06 * gs), cy + iny * rng.uniform(0.5, 0.06 * gs))
        base = math.atan2(iny, inx)
        ids = radial(c, int(rng.integers(3, 9)), base - np.pi / 4 - 0.25, base + np.pi / 4 + 0.25, 0.15, 1.0,
                     0.02, 0.01 * gs)
        crush(c, 0.015 * gs, int(rng.integers(2, 6)))
        info['shard_r'] = rng.uniform(0.08, 0.3) * gs
        if rng.random() < 0.4:
            rings(c, ids, int(rng.integers(1, 3)), rng.uniform(0.05, 0.12) * gs)
    elif kind == 'edge':
        side = int(rng.integers(4))
        t = rng.uniform(0.15, 0.85)
        c = [(x0 + t * gw, y0 + 0.5), (x1 - 0.5, y0 + t * gh), (x0 + t * gw, y1 - 0.5), (x0 + 0.5, y0 + t * gh)][side]
        normal = [np.pi / 2, np.pi, -np.pi / 2, 0.0][side]
        nl = int(rng.integers(1, 5))
        fan = normal + (np.sort(rng.uniform(-1.0, 1.0, nl)) if nl > 1 else rng.uniform(-0.6, 0.6, 1))
        for a in fan:
            net.grow(rng, c, a, rng.uniform(0.25, 0.9) * diag, wig, pk, 0.02, grace=5, start='edge')
    elif kind == 'crossing':
        for _ in range(int(rng.integers(1, 4))):
            side = int(rng.integers(4))
            t = rng.uniform(0.05, 0.95)
            c = [(x0 + t * gw, y0 + 0.5), (x1 - 0.5, y0 + t * gh), (x0 + t * gw, y1 - 0.5), (x0 + 0.5, y0 + t * gh)][side]
            normal = [np.pi / 2, np.pi, -np.pi / 2, 0.0][side]
            net.grow(rng, c, normal + rng.uniform(-0.6, 0.6), 2.5 * diag, wig * 0.7, pk * 0.7, 0.008, grace=2,
                     start='edge')
    elif kind == 'branch':
        if rng.random() < 0.5:
            c, a = inner(0.15), rng.uniform(0, 2 * np.pi)
            st = 'free'
        else:
            side = int(rng.integers(4))
            t = rng.uniform(0.1, 0.9)
            c = [(x0 + t * gw, y0 + 0.5), (x1 - 0.5, y0 + t * gh), (x0 + t * gw, y1 - 0.5), (x0 + 0.5, y0 + t * gh)][side]
            a = [np.pi / 2, np.pi, -np.pi / 2, 0.0][side] + rng.uniform(-0.7, 0.7)
            st = 'edge'
        net.grow(rng, c, a, rng.uniform(0.4, 1.1) * diag, wig, pk, 0.05, grace=2, start=st, maxdepth=3)
    elif kind == 'hairline':
        for _ in range(1 if rng.random() < 0.7 else 2):
            if rng.random() < 0.5:
                c, a, st = inner(0.1), rng.uniform(0, 2 * np.pi), 'free'
            else:
                side = int(rng.integers(4))
                t = rng.uniform(0.1, 0.9)
                c = [(x0 + t * gw, y0 + 0.5), (x1 - 0.5, y0 + t * gh), (x0 + t * gw, y1 - 0.5),
                     (x0 + 0.5, y0 + t * gh)][side]
                a = [np.pi / 2, np.pi, -np.pi / 2, 0.0][side] + rng.uniform(-0.8, 0.8)
                st = 'edge'
            net.grow(rng, c, a, rng.uniform(0.35, 0.95) * diag, rng.uniform(0.015, 0.05), pk * 0.4, 0.004,
                     grace=2, start=st, maxdepth=1)
    else:  # star: a small local impact
        c = inner(0.08)
        n = int(rng.integers(3, 8))
        ln = rng.uniform(0.05, 0.18) * gs
        radial(c, n, 0, 2 * np.pi, ln / diag * 0.5, ln / diag * 1.3, 0.0, 0.005 * gs)
        crush(c, 0.01 * gs + 1, int(rng.integers(1, 5)))
        info['shard_r'] = ln * 0.8
    # a long faint hairline continuing from an existing fracture
    if kind not in ('hairline', 'star') and rng.random() < 0.3 and net.lines:
        li = net.lines[int(rng.integers(len(net.lines)))]
        if len(li['pts']) >= 2:
            p = li['pts'][-1] if li['end'] == 'free' else li['pts'][len(li['pts']) // 2]
            a = math.atan2(*(li['pts'][-1] - li['pts'][-2])[::-1]) + rng.normal(0, 0.5)
            net.grow(rng, tuple(p), a, rng.uniform(0.2, 0.6) * diag, 0.03, pk * 0.4, 0.0, grace=3, start='line',
                     maxdepth=0, role='faint', strength=rng.uniform(0.25, 0.4))
    info['radial_pts'] = [net.lines[i]['pts'] for i in info['radial']]
    lines = [l_ for l_ in net.lines if l_ is not None and len(l_['pts']) >= 2]
    return lines, info


def _vertex_strength(rng, li):
    n = len(li['pts'])
    v = li['strength'] * rng.uniform(0.6, 1.0) * _smooth_vals(rng, n, 0.45, 1.0, 0.9)
    tn = min(max(2, n // 3), 14)
    ramp = np.linspace(0.15, 1.0, tn)
    if li['end'] == 'free':
        v[-tn:] *= ramp[::-1][:len(v[-tn:])] if tn <= n else 1
    if li['start'] == 'free':
        v[:tn] *= ramp[:len(v[:tn])]
    if li['start'] == 'impact':
        v[:min(n, 4)] *= 1.25
    return np.clip(v, 0, 1)


def _shift(a, dx, dy):
    """a sampled at (x - dx, y - dy), bilinear, edges repeated."""
    h, w = a.shape[:2]
    p = np.pad(a, ((3, 3), (3, 3), (0, 0)), mode='edge')
    ix, iy = int(math.floor(dx)), int(math.floor(dy))
    fx, fy = dx - ix, dy - iy

    def at(ox, oy):
        return p[3 - oy:3 - oy + h, 3 - ox:3 - ox + w]
    return ((1 - fy) * ((1 - fx) * at(ix, iy) + fx * at(ix + 1, iy))
            + fy * ((1 - fx) * at(ix, iy + 1) + fx * at(ix + 1, iy + 1))).astype(F32)


# ---------------------------------------------------------------------------------------------------------- camera

def _cam_params(rng, W, H, s):
    cam = dict(wb=np.array([rng.uniform(0.85, 1.15), 1.0, rng.uniform(0.85, 1.15)], F32),
               target=rng.uniform(0.09, 0.28), vign=rng.uniform(0.0, 0.45),
               ks=math.exp(rng.uniform(math.log(4e-5), math.log(1e-3))), kr=rng.uniform(0.0008, 0.005))
    r = rng.random()
    if r < 0.18:
        sg = rng.uniform(0.45, 1.4) * s
        rad = int(math.ceil(2.5 * sg))
        k = np.exp(-0.5 * (np.arange(-rad, rad + 1) / sg) ** 2)
        cam['blur'] = ('defocus', (k / k.sum()).astype(F32), rad)
    elif r < 0.30:
        ln = rng.uniform(1.5, 5.0) * s
        a = rng.uniform(0, np.pi)
        n = max(2, int(math.ceil(ln)) + 1)
        offs = sorted(set((int(round(t * math.cos(a))), int(round(t * math.sin(a))))
                          for t in np.linspace(-ln / 2, ln / 2, n)))
        rad = max(max(abs(o[0]), abs(o[1])) for o in offs)
        cam['blur'] = ('motion', offs, max(1, rad))
    else:
        cam['blur'] = None
    gamma = rng.uniform(2.0, 2.5)
    con = rng.uniform(0.0, 0.35)
    blk = rng.uniform(0.0, 0.02)
    # LUT over (clean level in the sqrt domain, noise byte): shot + read noise, clip, tone curve, 8 bits
    y = np.linspace(0, 1, 4096)
    t = (y * y) ** (1 / gamma)
    t = (1 - con) * t + con * (3 * t * t - 2 * t ** 3)
    t = blk + (1 - blk) * t
    tone = np.clip(np.round(255 * t), 0, 255).astype(np.uint8)
    xc = (y * y).astype(F32)[:, None]
    xn = xc + NOISE_Q.astype(F32)[None, :] * np.sqrt(F32(cam['ks']) * xc + F32(cam['kr'] ** 2))
    np.clip(xn, 0, 1, out=xn)
    np.sqrt(xn, out=xn)
    xn *= F32(4095)
    xn += F32(0.5)
    cam['lut'] = tone[xn.astype(np.int32)].ravel()
    cam['rad'] = cam['blur'][2] if cam['blur'] else 0
    return cam


def _blur(x, cam):
    kind, k, rad = cam['blur']
    h, w = x.shape[:2]
    p = np.pad(x, ((rad, rad), (rad, rad), (0, 0)), mode='edge')
    if kind == 'defocus':   # separable, symmetric taps, fixed order (a window gives the same numbers)
        t = p[:, rad:rad + w] * k[rad]
        tmp = np.empty_like(t)
        for i in range(rad):
            np.add(p[:, i:i + w], p[:, 2 * rad - i:2 * rad - i + w], out=tmp)
            tmp *= k[i]
            t += tmp
        out = t[rad:rad + h] * k[rad]
        tmp = tmp[:h]
        for i in range(rad):
            np.add(t[i:i + h], t[2 * rad - i:2 * rad - i + h], out=tmp)
            tmp *= k[i]
            out += tmp
        return out
    out = np.zeros((h, w, 3), F32)
    for ox, oy in k:
        out += p[rad + oy:rad + oy + h, rad + ox:rad + ox + w]
    out *= F32(1.0 / len(k))
    return out


def _camera(sc, box, cam, noise, W, H):
    """Scene region (linear) -> uint8 through the frame's camera; box is the region's place in the frame."""
    x0, y0, x1, y1 = box
    x = sc * cam['gain']
    vx = ((np.arange(x0, x1, dtype=F32) + 0.5 - W / 2) / (W / 2)) ** 2
    vy = ((np.arange(y0, y1, dtype=F32) + 0.5 - H / 2) / (H / 2)) ** 2
    vig = (1 - F32(cam['vign'] / 2) * (vx[None, :] + vy[:, None] * F32(H * H / (W * W)))) * F32(4095 * 4095)
    x *= vig[..., None]
    if cam['blur'] is not None:
        x = _blur(x, cam)
    np.clip(x, 0, F32(4095 * 4095), out=x)
    np.sqrt(x, out=x)
    x += F32(0.5)
    idx = x.astype(np.int32)
    idx <<= 8
    idx |= noise[y0:y1, x0:x1]
    return cam['lut'][idx]


# ----------------------------------------------------------------------------------------------------------- twins

def _scene(seed, j):
    """Everything both twins share: base scene, surface layer, device, camera, nuisance names."""
    fr = _rng(seed, j, K_FRAME)
    W, H = SIZES[fr.choice(len(SIZES), p=SIZE_P)]
    s = H / 1080.0
    lit = fr.random() < 0.55
    lrng = _rng(seed, j, K_LIGHT)
    light, lrgb, lang = _light(lrng, W, H)
    tex, col, mat = _background(_rng(seed, j, K_BG), W, H, s)
    tex *= light
    base = tex[..., None] * (col * lrgb)
    del tex
    dev = _device(_rng(seed, j, K_PHONE), W, H, s)
    present = []
    nrng = {}
    for idx, (name, p) in enumerate(NUISANCES):
        r = _rng(seed, j, K_NUIS + idx)
        if r.random() < p and not (name == 'moire' and not lit):
            nrng[name] = r
    mm = dev['Wp'] * dev['scale'] / 72.0   # frame px per mm (a phone is ~72 mm wide)
    cx0, cy0 = dev['corners'].min(0)
    cx1, cy1 = dev['corners'].max(0)
    if 'cable' in nrng or 'tool' in nrng:
        _objects(nrng.get('cable'), nrng.get('tool'), base, light, lrgb, lang, s, (cx0, cy0, cx1, cy1), mm,
                 'cable' in nrng, 'tool' in nrng)
        present += [n for n in ('cable', 'tool') if n in nrng]
    prng = _rng(seed, j, K_PHONE + 100)
    cv = _device_canvas(prng, _rng(seed, j, K_UI), _rng(seed, j, K_REFL), dev, lit, lang, nrng.get('sticker'))
    if cv['sticker']:
        present.append('sticker')
    m = int(40 * s) + 4
    box = (max(0, int(cx0) - m), max(0, int(cy0) - m), min(W, int(math.ceil(cx1)) + m), min(H, int(math.ceil(cy1)) + m))
    hm = dev['hm']
    Cw = np.stack([_warp(cv['C'][..., k], box, hm) for k in range(3)], -1)
    Aw, Gw, Dw = _warp_masks([cv['A'], cv['G'], cv['D']], box, hm)
    # drop shadow + contact shadow, away from the light
    bx0, by0, bx1, by1 = box
    reg = base[by0:by1, bx0:bx1]
    sig = prng.uniform(3, 10) * s
    off = prng.uniform(2, 10) * s
    small = Image.fromarray(np.clip(Aw * 255, 0, 255).astype(np.uint8))
    sw_, sh_ = max(1, (bx1 - bx0) // 4), max(1, (by1 - by0) // 4)
    soft = small.resize((sw_, sh_), Image.BOX).filter(ImageFilter.GaussianBlur(sig / 4)).resize(
        (bx1 - bx0, by1 - by0), Image.BILINEAR)
    soft = np.asarray(soft, F32) / 255.0
    dx, dy = int(round(-math.cos(lang) * off)), int(round(-math.sin(lang) * off))
    soft = _shift_int(soft, dx, dy)
    contact = _blur_l(Aw, max(0.8, 1.5 * s))
    shadow = np.clip(prng.uniform(0.25, 0.65) * soft + prng.uniform(0.2, 0.5) * contact, 0, 0.9)
    reg *= (1 - shadow)[..., None]
    lg = light[by0:by1, bx0:bx1, None] * lrgb
    reg *= (1 - Aw)[..., None]
    Dw3 = Dw[..., None]
    reg += Cw * (lg * (1 - Dw3) + Dw3)
    surf = _Surface(box, Gw, Dw)
    drawn_glare = False
    for name, _p in NUISANCES:
        if name in nrng and name not in ('cable', 'tool', 'sticker'):
            if _nuisance(name, nrng[name], surf, dev, cv, s, lit, lrgb):
                present.append(name)
                drawn_glare |= name.startswith('glare')
    if not drawn_glare:   # the lighting always leaves some soft highlight on the glass
        _nuisance('glare_spot', _rng(seed, j, K_LIGHT + 100), surf, dev, cv, s, lit, lrgb * F32(0.3))
    if lit:
        present.append('ui_lines')
    cam = _cam_params(_rng(seed, j, K_CAM), W, H, s)
    return dict(W=W, H=H, s=s, lit=lit, base=base, surf=surf, dev=dev, cv=cv, cam=cam, box=box, Gw=Gw,
                present=present, mat=mat, lang=lang, lrgb=lrgb)


def _crack(seed, j, sc):
    """Crack geometry and look, drawn into a frame window: returns layers on the window."""
    rng = _rng(seed, j, K_CRACK)
    kind = KINDS[rng.choice(len(KINDS), p=KIND_P)]
    if kind == 'hairline':
        width = 1 if rng.random() < 0.8 else 2
    else:
        width = int(rng.choice([1, 2, 3], p=[0.45, 0.35, 0.20]))
    dev, cv, s = sc['dev'], sc['cv'], sc['s']
    lines, info = _crack_geometry(rng, kind, cv['gbox'])
    lk = _rng(seed, j, K_CRACK_LOOK)
    lit = sc['lit']
    hm = dev['hm']
    W, H = sc['W'], sc['H']
    wpx = width * s
    p_bright = 0.35 if lit else 0.8
    hair_k = lk.uniform(0.25, 0.5) if kind == 'hairline' else 1.0
    look = dict(amp_b=(lk.uniform(0.08, 0.4) if lit else lk.uniform(0.03, 0.2)) * hair_k,
                amp_d=lk.uniform(0.3, 0.75) * hair_k,
                hl=lk.uniform(0.01, 0.08) * hair_k,
                tint=np.array([1.0, 1.0, 1.0], F32) * sc['lrgb'],
                refr=lk.uniform(0.5, 1.6) * s if lk.random() < 0.85 else 0.0,
                refr_ang=lk.uniform(0, 2 * np.pi), band=lk.uniform(1.0, 2.5) * s, blend=lk.uniform(0.5, 1.0))
    la = sc['lang']
    hoff = np.array([math.cos(la), math.sin(la)]) * max(0.5, lk.uniform(0.6, 1.2) * s)
    flines = []
    for li in lines:
        v = _vertex_strength(lk, li)
        fp = _apply_h(hm, li['pts'])
        wl = wpx * (1.0 if li['role'] in ('main', 'radial') and li['depth'] == 0 else lk.uniform(0.6, 1.0))
        if li['role'] == 'faint':
            wl = min(wl, s)
        bright = lk.random() < p_bright
        flines.append((fp, wl, v, bright))
    # shard brightness steps around an impact: sectors between the radial lines, fading with distance
    shard = None
    if info['center'] is not None and info['radial'] and lk.random() < 0.7:
        c = _apply_h(hm, [info['center']])[0]
        angs = []
        for rp in info['radial_pts']:
            if len(rp) >= 2:
                pp = _apply_h(hm, rp)
                q = pp[min(3, len(pp) - 1)]
                angs.append(math.atan2(q[1] - c[1], q[0] - c[0]))
        if len(angs) >= 2:
            gains = np.clip(lk.normal(0, 0.012, len(angs)), -0.03, 0.03).astype(F32)
            shard = (c, np.sort(np.array(angs)), gains, max(4.0, info['shard_r'] * dev['scale']))
    allp = np.concatenate([f[0] for f in flines])
    rad = sc['cam']['rad']
    pad = int(math.ceil(look['band'] + wpx + 4 + abs(look['refr']) + np.abs(hoff).max()))
    win = _pts_box([allp], pad, (0, 0, W, H))
    if shard is not None:   # the window must hold the whole (faded) shard disc on the glass
        sq = _apply_h(hm, [[cv['gbox'][0], cv['gbox'][1]], [cv['gbox'][2], cv['gbox'][1]],
                           [cv['gbox'][2], cv['gbox'][3]], [cv['gbox'][0], cv['gbox'][3]]])
        r2 = 2.3 * shard[3]
        disc = _isect((int(shard[0][0] - r2), int(shard[0][1] - r2), int(shard[0][0] + r2) + 1,
                       int(shard[0][1] + r2) + 1), _pts_box([sq], 2, (0, 0, W, H)))
        if disc is not None:
            win = (min(win[0], disc[0]), min(win[1], disc[1]), max(win[2], disc[2]), max(win[3], disc[3]))
    ext = (max(0, win[0] - rad), max(0, win[1] - rad), min(W, win[2] + rad), min(H, win[3] + rad))
    ss = 3 if H >= 900 else 4
    Cb = _strokes([(p, w, v) for p, w, v, b in flines if b], ext, ss)
    Cd = _strokes([(p, w, v) for p, w, v, b in flines if not b], ext, ss)
    Hl = _strokes([(p + hoff, max(w * 0.8, 0.34 * s), v) for p, w, v, b in flines], ext, ss)
    Band = _strokes([(p, w + 2 * look['band'], np.minimum(1, v * 1.6)) for p, w, v, b in flines], ext, 1)
    Band = _blur_l(Band, max(0.5, 0.7 * s))
    # glass mask on the window (the device warp covers sc['box'])
    G = np.zeros((ext[3] - ext[1], ext[2] - ext[0]), F32)
    bi = _isect(ext, sc['box'])
    if bi is not None:
        G[_sl(bi, ext)] = sc['Gw'][_sl(bi, sc['box'])]
    Hs = np.clip(Hl - 1.5 * (Cb + Cd), 0, 1)
    # shard brightness steps around an impact
    Sg = None
    if shard is not None:
        c, angs, gains, Rr = shard
        X = (np.arange(ext[0], ext[2], dtype=F32) + 0.5 - c[0])[None, :]
        Y = (np.arange(ext[1], ext[3], dtype=F32) + 0.5 - c[1])[:, None]
        sect = np.searchsorted(angs, np.arctan2(Y, X)) % len(angs)
        Sg = gains[sect] * np.exp(-(X * X + Y * Y) / F32(Rr * Rr)) * G
    meta = dict(kind=kind, crack_width=width)
    return dict(kind=kind, width=width, win=win, ext=ext, Cb=Cb * G, Cd=Cd * G, Hs=Hs * G, Band=Band * G, Sg=Sg,
                look=look, meta=meta, nlines=len(lines))


def _apply_crack(img, cr, f, force_dark):
    lk = cr['look']
    if lk['refr'] > 0:
        sh = _shift(img, lk['refr'] * math.cos(lk['refr_ang']), lk['refr'] * math.sin(lk['refr_ang']))
        b = (cr['Band'] * F32(lk['blend']))[..., None]
        img += b * (sh - img)
    if cr['Sg'] is not None:
        img *= (1 + cr['Sg'] * F32(min(f, 2.0)))[..., None]
    Cb, Cd = cr['Cb'], cr['Cd']
    if force_dark:
        Cd, Cb = Cb + Cd, Cb * 0
    img *= (1 - Cd * F32(min(0.95, lk['amp_d'] * f)))[..., None]
    img += (Cb * F32(min(1.5, lk['amp_b'] * f)) + cr['Hs'] * F32(min(0.4, lk['hl'] * f)))[..., None] * lk['tint']
    return img


def _make(seed, j, with_crack=True):
    sc = _scene(seed, j)
    W, H, cam = sc['W'], sc['H'], sc['cam']
    base, surf = sc['base'], sc['surf']
    ok_scene = base.copy()
    surf.apply(ok_scene, (0, 0, W, H))
    sub = ok_scene[::8, ::8]
    lum = float((sub[..., 0] * 0.25 + sub[..., 1] * 0.6 + sub[..., 2] * 0.15).mean())
    exp_ = float(np.clip(cam['target'] / max(lum, 1e-4), 0.4, 5.0))
    cam['gain'] = (cam['wb'] * F32(exp_)).astype(F32)
    noise = np.frombuffer(_rng(seed, j, K_NOISE).bytes(H * W * 3), np.uint8).reshape(H, W, 3)
    ok = _camera(ok_scene, (0, 0, W, H), cam, noise, W, H)
    del ok_scene
    dev, cv = sc['dev'], sc['cv']
    hm = dev['hm']
    gb = cv['gbox']
    meta = dict(screen='lit' if sc['lit'] else 'dark',
                phone=_apply_h(hm, [[dev['pad'], dev['pad']], [dev['pad'] + dev['Wp'], dev['pad']],
                                    [dev['pad'] + dev['Wp'], dev['pad'] + dev['L']],
                                    [dev['pad'], dev['pad'] + dev['L']]]).round(2).tolist(),
                screen_quad=_apply_h(hm, [[gb[0], gb[1]], [gb[2], gb[1]], [gb[2], gb[3]], [gb[0], gb[3]]]).round(2)
                .tolist(),
                nuisances=list(sc['present']), width=W, height=H, background=sc['mat'])
    if not with_crack:
        return ok, None, meta, None
    cr = _crack(seed, j, sc)
    win, ext = cr['win'], cr['ext']
    thr = 5.0 if cr['kind'] == 'hairline' else 7.0
    core = cr['Cb'] + cr['Cd']
    iw = _sl(win, ext)
    cw_ = core[iw]
    sel = cw_ >= 0.5 * max(1e-6, float(cw_.max()))
    okw = ok[win[1]:win[3], win[0]:win[2]].astype(F32)
    f, force_dark = 1.0, False
    for attempt in range(5):
        scr = base[ext[1]:ext[3], ext[0]:ext[2]].copy()
        _apply_crack(scr, cr, f, force_dark)
        surf.apply(scr, ext)
        out = _camera(scr, ext, cam, noise, W, H)[iw]
        d = np.abs(out.astype(F32) - okw).mean(-1)
        vis = float(np.percentile(d[sel], 75)) if sel.any() else 0.0
        if vis >= thr:
            break
        if attempt == 2 and not force_dark:
            force_dark = True
        else:
            f *= float(min(3.0, thr / max(vis, 0.5) * 1.2))
    cracked = ok.copy()
    cracked[win[1]:win[3], win[0]:win[2]] = out
    meta.update(cr['meta'])
    meta['crack_box'] = list(win)
    meta['visibility'] = round(vis, 2)   # 75th percentile grey-level difference on the crack core
    meta['boost'] = round(f, 2) if not force_dark else -round(f, 2)
    mask = np.zeros((H, W), bool)
    m = (core + cr['Hs'] + cr['Band']) > 0.004
    if cr['Sg'] is not None:
        m |= np.abs(cr['Sg']) > 0.0005
    mask[ext[1]:ext[3], ext[0]:ext[2]] = m
    return ok, cracked, meta, mask


def twins(seed, j):
    """(ok_rgb, cracked_rgb, jpeg quality, meta) of twin pair j: the same scene with and without a crack."""
    ok, cracked, meta, _mask = _make(seed, j, True)
    q = int(_rng(seed, j, K_JPEG).integers(40, 96))
    meta['quality'] = q
    return ok, cracked, q, meta


def render(seed, i):
    """(jpeg bytes, 'ok' | 'cracked', meta) of test frame i: one twin of pair i, chosen by its own stream."""
    label = 'cracked' if _rng(seed, i, K_LABEL).random() < 0.5 else 'ok'
    ok, cracked, meta, _mask = _make(seed, i, label == 'cracked')
    q = int(_rng(seed, i, K_JPEG).integers(40, 96))
    img = cracked if label == 'cracked' else ok
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, 'JPEG', quality=q)
    out = dict(kind=meta.get('kind', 'none') if label == 'cracked' else 'none',
               crack_width=meta.get('crack_width', 0) if label == 'cracked' else 0,
               screen=meta['screen'], width=meta['width'], height=meta['height'], quality=q,
               nuisances=meta['nuisances'])
    return buf.getvalue(), label, out


if __name__ == '__main__':
    import frameset
    frameset.main(render, __doc__.split('\n')[0], workers=2)
