"""Counterfactual twins of a phone's front glass on a factory line, ok and cracked, for the crack detector.

What it draws: one phone or small tablet lying screen-up (many sizes and aspect ratios, thin or thick bezels, notches and
punch-holes, bare or in a case) on a fabric or modular plastic belt, an ESD mat with a printed grid, an anti-static tray,
an inspection jig with clamps and pins at the phone's edge or a brushed steel table, with cables, labels, barcode stickers
and now and then a neighbouring phone at the border. A colour or monochrome line camera looks down, tilted up to 25 degrees
and turned any way. The screen shows a test pattern (solid colours, gradients, checkerboards, 1-px grids, crosshatch,
bars), lit app content (lists, text, home screens, charts, maps, photos, a lock screen, banners), or is dark and mirrors
the ceiling (lamp tubes, trusses, long straight edges). Hard negatives are part of the scene and so alike in both twins:
straight and curved scratches, swirls, fingerprints, smudges, dust, lint, hairs, protector edges and bubbles, glare,
specular highlights, reflected edges, cable shadows, pixel structure and the thin lines of the content itself. The crack
grows from an impact point by a branching random walk and shows as a dark, bright or two-sided line, or as refraction that
shifts the content on one side, with chips near the impact; its contrast is measured after the camera and a JPEG round
trip and held between about 6 and 40 grey levels, faint more often than not. The camera: lateral chromatic aberration,
defocus or motion blur, vignetting, exposure and white-balance errors, shot and read noise on a Bayer mosaic (bilinear
demosaic, with its colour fringes) or a monochrome sensor, a tone curve and unsharp-mask sharpening with its halos.

The cracked twin is the ok frame with a window around the crack drawn again through the same camera, with the same fixed
noise field, and pasted back on the phone only.

API:
    KINDS              the crack kinds
    twins(seed, j)     -> (ok_rgb, cracked_rgb, quality, meta): uint8 H x W x 3 each, one scene
    render(seed, i)    -> (jpeg_bytes, label, meta): the twin of a label drawn with odds 1/2, as JPEG at meta's quality
    python3 evalgen12.py --out DIR --count N --seed S    writes a frame set (frameset.py)
"""
import io
import math

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from planar import project

KINDS = ['spider', 'traverse', 'corner_star', 'meander', 'hairline', 'fork', 'edge_chip']
SIZES = [(1280, 720), (1440, 1080), (1280, 960), (1024, 768), (800, 600), (640, 480)]
FIXTURES = ['belt_fabric', 'belt_modular', 'esd_mat', 'tray', 'jig', 'steel']
_STREAMS = ('layout', 'background', 'screen', 'light', 'nuisance', 'crack', 'kind', 'camera', 'noise', 'quality', 'label')
_SS = 3         # thin strokes (cracks, hairs, scratches) are drawn this much finer, so they are anti-aliased alike
_MARGIN = 32    # frame pixels of context around a re-rendered window: more than any camera filter reaches
_FONT = ImageFont.load_default()


def _rng(seed, j, stream):
    """One independent stream per concern, so that drawing the crack moves no other draw."""
    return np.random.default_rng([seed, j, _STREAMS.index(stream)])


def _pick(rng, items, p=None):
    return items[int(rng.choice(len(items), p=p))]


def _colour(rng, base, spread=12):
    return tuple(min(255, max(0, int(c + rng.normal(0, spread)))) for c in base)


def _any_colour(rng):
    return tuple(int(c) for c in rng.integers(0, 256, 3))


def _shade(c, f, add=0):
    return tuple(min(255, max(0, int(v * f + add))) for v in c)


# ---------------------------------------------------------------- geometry

def _rrect(x0, y0, x1, y1, r, n=7):
    """A rounded rectangle's outline as an (N, 2) polygon, clockwise on screen from the top right corner."""
    r = max(0.0, min(r, (x1 - x0) / 2, (y1 - y0) / 2))
    arcs = []
    for cx, cy, a in ((x1 - r, y0 + r, -90), (x1 - r, y1 - r, 0), (x0 + r, y1 - r, 90), (x0 + r, y0 + r, 180)):
        t = np.radians(np.linspace(a, a + 90, n))
        arcs.append(np.c_[cx + r * np.cos(t), cy + r * np.sin(t)])
    return np.vstack(arcs)


def _inside(p, box):
    """Whether point p lies in the rounded rectangle box = (x0, y0, x1, y1, r)."""
    x0, y0, x1, y1, r = box
    qx = max(x0 + r - p[0], p[0] - (x1 - r), 0.0)
    qy = max(y0 + r - p[1], p[1] - (y1 - r), 0.0)
    return x0 <= p[0] <= x1 and y0 <= p[1] <= y1 and qx * qx + qy * qy <= r * r


def _poly(pts):
    return [(float(x), float(y)) for x, y in pts]


def _closed(pts):
    return np.vstack([pts, pts[:1]])


def _unit(a):
    return np.array([math.cos(a), math.sin(a)])


def _rot(a):
    c, s = math.cos(a), math.sin(a)
    return np.array([[c, -s, 0.0], [s, c, 0.0], [0.0, 0.0, 1.0]])


def _scale(s, tx=0.0, ty=0.0):
    return np.array([[s, 0.0, tx], [0.0, s, ty], [0.0, 0.0, 1.0]])


def _bezier(ctrl, n=80):
    """n points along the Bezier curve with control points ctrl (de Casteljau for all parameters at once)."""
    p = np.broadcast_to(np.asarray(ctrl, float), (n, len(ctrl), 2))
    t = np.linspace(0, 1, n)[:, None, None]
    while p.shape[1] > 1:
        p = p[:, :-1] * (1 - t) + p[:, 1:] * t
    return p[:, 0]


def _curve(rng, start, length, bend, k=5):
    """A smooth wandering curve (hair, cable, road) of up to the given length: a Bezier whose k control points are a
    random walk that turns by about `bend` radians a step."""
    ang = rng.uniform(0, 2 * math.pi)
    pts = [np.asarray(start, float)]
    for _ in range(k - 1):
        ang += rng.normal(0, bend)
        pts.append(pts[-1] + length / (k - 1) * _unit(ang))
    return _bezier(pts)


def _pose(rng, corners, thick, W, H):
    """World plane (mm, z into the table) to frame homographies at the table (z = 0) and at the glass (z = -thick): a pinhole
    camera tilted up to 25 degrees and turned any way, scaled and shifted so the device (corners) lies in the frame."""
    tilt = math.radians(rng.uniform(0, 6) if rng.random() < 0.4 else rng.uniform(6, 25))
    az = rng.uniform(0, 2 * math.pi)
    # line cameras are usually square to the belt; the device may lie any way on it
    turn = math.radians(rng.integers(4) * 90 + rng.normal(0, 4)) if rng.random() < 0.6 else rng.uniform(0, 2 * math.pi)
    dist = rng.uniform(250, 650)
    centre = -dist * np.array([math.sin(tilt) * math.cos(az), math.sin(tilt) * math.sin(az), math.cos(tilt)])
    fwd = -centre / dist
    right = np.cross([0.0, 1.0, 0.0], fwd)
    right /= np.linalg.norm(right)
    down = np.cross(fwd, right)
    c, s = math.cos(turn), math.sin(turn)
    rot = np.array([c * right + s * down, -s * right + c * down, fwd])
    t = -rot @ centre
    top, base = [np.column_stack([rot[:, 0], rot[:, 1], rot[:, 2] * z + t]) for z in (-thick, 0.0)]
    q = project(top, corners)
    pts = np.vstack([q, project(base, corners)])
    long_side = (np.linalg.norm(q[3] - q[0]) + np.linalg.norm(q[2] - q[1])) / 2
    ext = pts.max(0) - pts.min(0)
    m = 0.025 * H + 4
    s = min(rng.uniform(0.5, 0.92) * H / long_side, (W - 2 * m) / ext[0], (H - 2 * m) / ext[1])
    lo = m - s * pts.min(0)
    hi = np.array([W - m, H - m]) - s * pts.max(0)
    off = lo + rng.random(2) * (hi - lo)
    fit = _scale(s, off[0], off[1])
    return fit @ top, fit @ base


def _warp(img, hm, box, resample=Image.BILINEAR):
    """img (PIL) seen through the homography hm (img px to frame px) over the frame box (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    inv = np.linalg.inv(hm) @ np.array([[1.0, 0, x0], [0, 1, y0], [0, 0, 1]])
    inv /= inv[2, 2]
    return img.transform((x1 - x0, y1 - y0), Image.PERSPECTIVE, tuple(inv.ravel()[:8]), resample)


# ---------------------------------------------------------------- texture helpers

def _field(rng, w, h, cell):
    """A smooth random field (mean 0, std about 1) with features about cell px across."""
    small = rng.standard_normal((int(h / cell) + 3, int(w / cell) + 3)).astype(np.float32)
    return np.asarray(Image.fromarray(small, 'F').resize((w, h), Image.BICUBIC))


def _smooth_rgb(rng, w, h, cells, lo=0, hi=255):
    """A soft colour image (wallpaper, photo) from a few random colours."""
    small = rng.uniform(lo, hi, (cells[1], cells[0], 3)).astype(np.uint8)
    return Image.fromarray(small).resize((w, h), Image.BICUBIC)


def _words(rng, n):
    letters = list('abcdefghijklmnopqrstuvwxyzeeeaaoointsr')
    out = []
    while sum(len(x) + 1 for x in out) < n:
        out.append(''.join(rng.choice(letters, rng.integers(1, 10))))
    return ' '.join(out)[:n]


def _text(img, rng, items, height, colour):
    """Random words in the bitmap font scaled to x-height about `height` px: items are (x, y, characters)."""
    if not items:
        return
    f = max(height / 7.0, 0.3)
    w, h = img.size
    x_min = min(x for x, _, _ in items)
    y_min = max(0.0, min(y for _, y, _ in items) - 2 * height)
    y_max = min(h, max(y for _, y, _ in items) + 3 * height)
    bw, bh = w - int(x_min), int(y_max - y_min) + 1
    if bw < 2 or bh < 2:
        return
    canvas = Image.new('L', (max(1, int(bw / f)), max(1, int(bh / f))), 0)
    d = ImageDraw.Draw(canvas)
    for x, y, n in items:
        d.text(((x - x_min) / f, (y - y_min) / f), _words(rng, int(n)), fill=255, font=_FONT)
    img.paste(tuple(int(c) for c in colour), (int(x_min), int(y_min), int(x_min) + bw, int(y_min) + bh),
              canvas.resize((bw, bh), Image.BILINEAR))


_SEGMENTS = dict(a=(0, 0, 1, 0), b=(1, 0, 1, 1), c=(1, 1, 1, 2), d=(0, 2, 1, 2), e=(0, 1, 0, 2), f=(0, 0, 0, 1),
                 g=(0, 1, 1, 1))
_DIGITS = ['abcdef', 'bc', 'abdeg', 'abcdg', 'bcfg', 'acdfg', 'acdefg', 'abc', 'abcdefg', 'abcdfg']


def _clock(d, x, y, size, colour, digits):
    """A lock-screen clock in seven-segment digits of height size, left edge x, top y."""
    dw, t = size * 0.5, max(1, int(size * 0.09))
    for ch in digits:
        if ch == ':':
            for fy in (0.6, 1.4):
                d.ellipse([x, y + fy * size / 2 - t, x + 2 * t, y + fy * size / 2 + t], fill=colour)
            x += 4 * t
            continue
        for seg in _DIGITS[int(ch)]:
            ax, ay, bx, by = _SEGMENTS[seg]
            d.line([(x + ax * dw, y + ay * size / 2), (x + bx * dw, y + by * size / 2)], fill=colour, width=t)
        x += dw + 3 * t


# ---------------------------------------------------------------- screen content

def _pattern(rng, w, h):
    """A factory test pattern: (RGB array, name)."""
    name = _pick(rng, ['solid', 'gradient', 'checker', 'grid', 'crosshatch', 'bars'], [.34, .14, .14, .16, .11, .11])
    x = np.arange(w)[None, :]
    y = np.arange(h)[:, None]
    pair = [np.array(c, np.float32) for c in _pick(rng, [((0, 0, 0), (255, 255, 255)), ((255, 255, 255), (0, 0, 0)),
                                                            ((40, 40, 40), (200, 200, 200))])]
    if name == 'solid':
        level = int(rng.integers(40, 220))
        col = _pick(rng, [(255, 255, 255), (level,) * 3, (0, 0, 0), (255, 0, 0), (0, 255, 0), (0, 0, 255)],
                    [.25, .2, .15, .14, .13, .13])
        name = 'black' if col == (0, 0, 0) else name
        return np.broadcast_to(np.array(col, np.uint8), (h, w, 3)).copy(), name
    if name == 'gradient':
        t = np.broadcast_to(x / (w - 1) if rng.random() < 0.5 else y / (h - 1), (h, w))
        end = np.array(_pick(rng, [(255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 0, 255)]), np.float32)
        return (t[..., None] * end).astype(np.uint8), name
    if name == 'checker':
        s = int(rng.integers(2, 48))
        m = ((x // s + y // s) % 2).astype(bool)
    elif name == 'grid':
        s = int(rng.integers(6, 40))
        m = (x % s == 0) | (y % s == 0)
    elif name == 'crosshatch':
        s = int(rng.integers(8, 40))
        m = ((x + y) % s == 0) | ((x - y) % s == 0)
    else:
        bars = np.array([(192, 192, 192), (192, 192, 0), (0, 192, 192), (0, 192, 0), (192, 0, 192), (192, 0, 0),
                         (0, 0, 192), (16, 16, 16)], np.uint8)
        return np.broadcast_to(bars[(x * 8 // w)[0]][None], (h, w, 3)).copy(), name
    return np.where(m[..., None], pair[1], pair[0]).astype(np.uint8), name


def _app(rng, w, h, ppm):
    """Lit app content: (PIL image, name)."""
    dark = rng.random() < 0.35
    bg = _colour(rng, (18, 18, 22) if dark else (246, 246, 248), 6)
    fg = (228, 228, 232) if dark else (24, 24, 30)
    sub = (130, 132, 140)
    accent = _any_colour(rng)
    th = rng.uniform(0.9, 1.8) * ppm     # x-height of body text
    name = _pick(rng, ['list', 'text', 'home', 'chart', 'map', 'photo', 'lock'])
    img = Image.new('RGB', (w, h), bg)
    d = ImageDraw.Draw(img)
    top = int(rng.uniform(5, 9) * ppm)
    if name in ('home', 'lock', 'photo'):
        img.paste(_smooth_rgb(rng, w, h, (int(rng.integers(2, 7)), int(rng.integers(3, 10)))))
    if name == 'list':
        rh, y, titles, subs = th * rng.uniform(3.5, 6), top, [], []
        while y + rh < h:
            r = rh * 0.3
            cx = 1.8 * th + r
            d.ellipse([cx - r, y + rh / 2 - r, cx + r, y + rh / 2 + r], fill=_any_colour(rng))
            titles.append((cx + r + th, y + rh * 0.22, rng.integers(8, 30)))
            subs.append((cx + r + th, y + rh * 0.56, rng.integers(10, 44)))
            d.line([(cx + r + th, y + rh), (w, y + rh)], fill=(60, 60, 64) if dark else (222, 222, 226), width=1)
            y += rh
        _text(img, rng, titles, th, fg)
        _text(img, rng, subs, th * 0.8, sub)
    elif name == 'text':
        lines, y = [], top + 3 * th
        while y < h - 2 * th:
            n = int(rng.integers(5, 12))
            for _ in range(n):
                if y >= h - 2 * th:
                    break
                lines.append((1.5 * th, y, rng.integers(int(w / th * 0.8), int(w / th * 1.3) + 2)))
                y += th * 2.1
            y += th * 2
        _text(img, rng, lines, th, fg)
    elif name == 'home':
        cols = int(rng.integers(4, 6))
        cell = w / cols
        s = cell * rng.uniform(0.55, 0.7)
        labels = []
        for row in range(int((h - top) / (cell * 1.3)) - 1):
            for col in range(cols):
                x0, y0 = col * cell + (cell - s) / 2, top + row * cell * 1.3 + cell * 0.2
                d.rounded_rectangle([x0, y0, x0 + s, y0 + s], s * 0.22, fill=_any_colour(rng))
                g = s * rng.uniform(0.2, 0.32)
                d.ellipse([x0 + s / 2 - g, y0 + s / 2 - g, x0 + s / 2 + g, y0 + s / 2 + g], outline=(255, 255, 255),
                          width=max(1, int(s * 0.06)))
                labels.append((x0, y0 + s + th * 0.6, rng.integers(4, 9)))
        _text(img, rng, labels, th * 0.7, (250, 250, 250))
        d.rounded_rectangle([w * 0.04, h - cell * 1.15, w * 0.96, h - cell * 0.1], cell * 0.3, fill=(200, 200, 205))
    elif name == 'chart':
        x0, y0, x1, y1 = 2.5 * th, top + 5 * th, w - 1.5 * th, h * rng.uniform(0.5, 0.8)
        _text(img, rng, [(1.5 * th, top + th, rng.integers(8, 20))], th * 1.3, fg)
        for gy in np.linspace(y0, y1, int(rng.integers(4, 9))):
            d.line([(x0, gy), (x1, gy)], fill=(70, 70, 76) if dark else (225, 225, 230), width=1)
        d.line([(x0, y0), (x0, y1), (x1, y1)], fill=fg, width=1)
        for k in range(int(rng.integers(1, 4))):
            n = int(rng.integers(8, 40))
            v = np.cumsum(rng.normal(0, 1, n))
            v = (v - v.min()) / (np.ptp(v) + 1e-6)
            pts = np.c_[np.linspace(x0, x1, n), y1 - (0.1 + 0.8 * v) * (y1 - y0)]
            d.line(_poly(pts), fill=accent if k == 0 else _any_colour(rng),
                   width=int(rng.integers(1, 5)), joint='curve')
        legend = [(x0, y1 + th * (1 + 2.2 * i), rng.integers(10, 40)) for i in range(int(rng.integers(2, 7)))]
        _text(img, rng, legend, th, sub)
    elif name == 'map':
        land = _colour(rng, (236, 232, 222), 6)
        d.rectangle([0, 0, w, h], fill=land)
        for _ in range(int(rng.integers(5, 20))):
            cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(0.05, 0.25) * w
            d.polygon(_poly(np.c_[cx + r * np.cos(np.linspace(0, 6.28, 7)) * rng.uniform(0.5, 1.5, 7),
                                  cy + r * np.sin(np.linspace(0, 6.28, 7)) * rng.uniform(0.5, 1.5, 7)]),
                      fill=_pick(rng, [(200, 228, 190), (170, 205, 240), (228, 224, 214)]))
        for _ in range(int(rng.integers(8, 25))):
            pts = _curve(rng, (rng.uniform(-0.2, 1.2) * w, rng.uniform(-0.2, 1.2) * h), rng.uniform(0.5, 2) * w, 0.15, 3)
            rw = int(rng.uniform(0.4, 1.6) * ppm)
            d.line(_poly(pts), fill=(200, 200, 200), width=rw + 2, joint='curve')
            d.line(_poly(pts), fill=_pick(rng, [(255, 255, 255), (255, 220, 120)], [.8, .2]), width=rw, joint='curve')
        route = _curve(rng, (rng.uniform(0.2, 0.8) * w, rng.uniform(0.2, 0.8) * h), rng.uniform(0.3, 0.8) * h, 0.6, 4)
        d.line(_poly(route), fill=(40, 120, 240), width=int(ppm * 1.2), joint='curve')
    elif name == 'photo' and rng.random() < 0.5:    # a gallery grid: thin straight gaps between thumbnails
        cols = int(rng.integers(3, 5))
        cell, gap = w / cols, max(1, int(rng.integers(1, 4)))
        for row in range(int(h / cell) + 1):
            for col in range(cols):
                img.paste(_smooth_rgb(rng, int(cell) - gap, int(cell) - gap, (3, 3)),
                          (int(col * cell), int(top + row * cell)))
    elif name == 'lock':
        size = rng.uniform(0.12, 0.2) * w
        _clock(d, w * rng.uniform(0.12, 0.3), h * rng.uniform(0.1, 0.2), size, (250, 250, 250),
               '%d:%02d' % (rng.integers(1, 13), rng.integers(0, 60)))
        _text(img, rng, [(w * 0.25, h * 0.28, rng.integers(10, 20))], th, (245, 245, 245))
    if rng.random() < 0.3 or name == 'lock':       # notification banner
        y0 = top + rng.uniform(0, 0.3) * h
        d.rounded_rectangle([0.03 * w, y0, 0.97 * w, y0 + 5 * th], 1.5 * th, fill=_colour(rng, (238, 238, 240), 8))
        d.rounded_rectangle([0.06 * w, y0 + th, 0.06 * w + 3 * th, y0 + 4 * th], 0.6 * th, fill=accent)
        _text(img, rng, [(0.06 * w + 4 * th, y0 + th, rng.integers(10, 30)),
                         (0.06 * w + 4 * th, y0 + 2.8 * th, rng.integers(15, 40))], th * 0.8, (30, 30, 36))
    if rng.random() < 0.8:                          # status bar
        col = (250, 250, 250) if dark or name in ('home', 'lock', 'photo') else (20, 20, 24)
        _text(img, rng, [(w * 0.08, top * 0.35, 5)], th * 0.8, col)
        bx = w * 0.8
        d.rectangle([bx, top * 0.35, bx + 2.2 * th, top * 0.35 + th], outline=col, width=1)
    return img, name


def _screen(rng, w, h, ppm, names):
    """What the display shows: (PIL RGB image, lit?). Names of thin-line content go to names."""
    u = rng.random()
    if u < 0.2:
        level = int(rng.integers(0, 6))
        return Image.new('RGB', (w, h), (level,) * 3), False
    if u < 0.52:
        arr, name = _pattern(rng, w, h)
        if name in ('grid', 'crosshatch', 'checker'):
            names.append('pattern_lines')
        lit = name != 'black'
    else:
        img, name = _app(rng, w, h, ppm)
        arr, lit = np.asarray(img), True
        if name in ('list', 'chart', 'map', 'text', 'photo'):
            names.append('content_lines')
    arr = arr.astype(np.float32) * rng.uniform(0.7, 1.0)          # backlight level
    if lit and rng.random() < 0.3:     # subpixel stripes and row gaps: moire once the camera samples them
        p = rng.uniform(1.3, 3.5)
        x = 2 * np.pi * np.arange(w, dtype=np.float32) / p
        k = rng.uniform(0.04, 0.14)
        rows = 1 - k * 0.5 * (1 + np.cos(2 * np.pi * np.arange(h, dtype=np.float32) / p))[:, None]
        for c in range(3):
            arr[..., c] *= rows * (1 - k * np.cos(x - c * 2.094))[None, :]
        names.append('pixel_grid')
    return Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8)), lit


# ---------------------------------------------------------------- the device

def _device_spec(rng):
    """A phone or small tablet: sizes in mm, bezels, corner radius, cut-outs, colours and case."""
    tablet = rng.random() < 0.18
    if tablet:
        aspect, bw = float(_pick(rng, [4 / 3, 4 / 3, 1.43, 1.6])), rng.uniform(125, 175)
        side = rng.uniform(4, 11)
        top = bot = side + rng.uniform(0, 5)
        thick_bezel, radius = True, rng.uniform(5, 13)
    else:
        aspect, bw = float(_pick(rng, [19.5 / 9, 20 / 9, 2.0, 16 / 9, 19 / 9, 21 / 9])), rng.uniform(64, 78)
        thick_bezel = rng.random() < (0.7 if aspect < 1.8 else 0.08)
        side = rng.uniform(2.5, 4.5) if thick_bezel else rng.uniform(0.8, 2.2)
        top = rng.uniform(9, 17) if thick_bezel else side + rng.uniform(0, 2.5)
        bot = rng.uniform(9, 17) if thick_bezel else side + rng.uniform(0, 3)
        radius = rng.uniform(3, 11)
    sw = bw - 2 * side
    bh = sw * aspect + top + bot
    case = rng.random() < 0.3
    c = rng.uniform(1.0, 2.8) if case else 0.0
    inset = c + (rng.uniform(0.6, 1.8) if case else rng.uniform(0.3, 0.9))     # case lip or metal rim over the glass
    w, h = bw + 2 * c, bh + 2 * c
    white = rng.random() < 0.15
    metal = _pick(rng, [(180, 182, 186), (60, 62, 66), (200, 180, 140), (60, 80, 120), (150, 40, 50), (70, 110, 90),
                        (230, 230, 228)])
    edge = _pick(rng, [(28, 28, 30), (60, 60, 66), (30, 60, 140), (200, 90, 120), (225, 225, 220), (40, 90, 60)]) \
        if case else metal
    return dict(w=w, h=h, radius=radius + c, thick=(rng.uniform(6, 8) if tablet else rng.uniform(7, 9.5)) + 2 * c,
                glass=(inset, inset, w - inset, h - inset, max(radius + c - inset, 0.5)),
                screen=(c + side, c + top, c + side + sw, c + top + sw * aspect,
                        max(radius - side, 0.0) * (0.3 if thick_bezel else 1.0)),
                cutout='none' if thick_bezel else _pick(rng, ['none', 'notch', 'punch', 'punch_side', 'drop'],
                                                       [.2, .25, .35, .1, .1]),
                thick_bezel=thick_bezel, home=thick_bezel and not tablet and rng.random() < 0.4,
                front=(232, 232, 230) if white else _colour(rng, (10, 10, 12), 3), edge=_colour(rng, edge, 8),
                side=_colour(rng, tuple(0.55 * v for v in edge), 6))


def _device_raster(spec, ppm, rs, rl, rn, names):
    """The device's top face in its own raster (ppm px per mm): RGB (uint8), alpha, glass mask and boxes in px."""
    w, h = int(round(spec['w'] * ppm)), int(round(spec['h'] * ppm))
    px = lambda box: tuple(v * ppm for v in box)
    glass, (sx0, sy0, sx1, sy1, sr) = px(spec['glass']), px(spec['screen'])
    img = Image.new('RGB', (w, h), spec['edge'])    # the border too, so bilinear sampling at the edge bleeds no colour
    alpha = Image.new('L', (w, h), 0)
    ImageDraw.Draw(alpha).polygon(_poly(_rrect(0, 0, w, h, spec['radius'] * ppm)), fill=255)
    gmask = Image.new('L', (w, h), 0)
    ImageDraw.Draw(gmask).polygon(_poly(_rrect(*glass)), fill=255)
    img.paste(spec['front'], (0, 0, w, h), gmask)
    sw, sh = int(round(sx1 - sx0)), int(round(sy1 - sy0))
    content, lit = _screen(rs, sw, sh, ppm, names)
    mask = Image.new('L', (sw, sh), 0)
    md = ImageDraw.Draw(mask)
    md.polygon(_poly(_rrect(0, 0, sw, sh, sr)), fill=255)
    cut, mm = spec['cutout'], ppm
    if cut == 'notch':
        nw = rs.uniform(18, 34) * mm
        md.rounded_rectangle([sw / 2 - nw / 2, -3 * mm, sw / 2 + nw / 2, rs.uniform(4, 6) * mm], 2 * mm, fill=0)
    elif cut in ('punch', 'punch_side', 'drop'):
        r = rs.uniform(1.3, 2.4) * mm
        cx = sw / 2 if cut != 'punch_side' else rs.uniform(4, 8) * mm
        cy = r + (0.3 * mm if cut == 'drop' else rs.uniform(1.5, 3.5) * mm)
        md.ellipse([cx - r, cy - r, cx + r, cy + r], fill=0)
    img.paste(content, (int(round(sx0)), int(round(sy0))), mask)
    d = ImageDraw.Draw(img)
    if spec['thick_bezel']:      # earpiece slot, front camera and maybe a home button on the bezel
        cx, ey = w / 2, sy0 / 2
        d.rounded_rectangle([cx - 6 * mm, ey - 0.6 * mm, cx + 6 * mm, ey + 0.6 * mm], 0.6 * mm, fill=(45, 45, 48))
        d.ellipse([cx - 12 * mm, ey - 1.3 * mm, cx - 9.4 * mm, ey + 1.3 * mm], fill=(20, 22, 30))
        if spec['home']:
            hy, r = (sy1 + h) / 2, min(5.5 * mm, (h - sy1) * 0.35)
            d.ellipse([cx - r, hy - r, cx + r, hy + r], outline=(90, 90, 92), width=max(1, int(0.3 * mm)))
    light = _glass_light(rl, w, h, not lit, names)
    bright, dark = _glass_marks(rn, w, h, ppm, glass, lit, names)
    gm = np.asarray(gmask, np.float32) / 255
    rgb = np.asarray(img, np.float32) * (1 - dark * gm)[..., None] + ((light + bright) * gm)[..., None]
    return dict(rgb=np.clip(rgb + 0.5, 0, 255).astype(np.uint8), alpha=alpha, gmask=gm, glass=glass,
                screen=(sx0, sy0, sx1, sy1), lit=lit, size=(w, h))


def _glass_light(rng, w, h, dark, names):
    """Light the glass sends back (grey levels, raster size): the ceiling's mirror image (lamp tubes, trusses, long straight
    edges; strong on a dark screen), glare streaks, specular highlights. Drawn at half size: it is all soft."""
    hw, hh = w // 2 + 1, h // 2 + 1
    diag = math.hypot(hw, hh)
    total = np.zeros((hh, hw), np.float32)
    ceiling = Image.new('L', (hw, hh), int(rng.uniform(2, 14) if dark else rng.uniform(0, 5)))
    d = ImageDraw.Draw(ceiling)
    if rng.random() < (0.85 if dark else 0.35):
        names.append('ceiling_reflection')
        a = rng.uniform(0, math.pi)
        u, n = _unit(a), np.array([-math.sin(a), math.cos(a)])
        c = np.array([hw / 2, hh / 2]) + rng.uniform(-0.3, 0.3, 2) * diag
        spacing, lamp_w = rng.uniform(0.2, 0.6) * diag, rng.uniform(0.015, 0.06) * diag
        for k in range(int(rng.integers(0, 4))):
            m = c + n * spacing * (k - 1)
            grow = rng.uniform(0.6, 1.6)          # perspective: the far end of a tube looks thinner
            d.polygon(_poly([m - u * diag - n * lamp_w, m + u * diag - n * lamp_w * grow, m + u * diag + n * lamp_w * grow,
                             m - u * diag + n * lamp_w]), fill=int(rng.integers(110, 256)))
        if rng.random() < 0.5:                 # a truss: two chords and their zigzag bracing
            m, depth = c + n * rng.uniform(-0.4, 0.4) * diag, rng.uniform(0.04, 0.12) * diag
            level, lw = int(rng.integers(25, 80)), int(rng.integers(1, 4))
            for side in (-1, 1):
                d.line(_poly([m - u * diag + side * n * depth, m + u * diag + side * n * depth]), fill=level, width=lw)
            zig = [m + u * t * diag + n * depth * (1 if i % 2 else -1) for i, t in enumerate(np.linspace(-1, 1, 24))]
            d.line(_poly(zig), fill=level, width=max(1, lw - 1))
    if rng.random() < 0.35:
        names.append('edge_reflection')       # a window or wall edge: a long straight step in the reflection
        a = rng.uniform(0, 2 * math.pi)
        p = np.array([rng.uniform(0, hw), rng.uniform(0, hh)])
        u, n = _unit(a) * 2 * diag, np.array([-math.sin(a), math.cos(a)]) * 2 * diag
        d.polygon(_poly([p - u, p + u, p + u + n, p - u + n]), fill=int(rng.uniform(15, 50)))
    total += np.asarray(ceiling.filter(ImageFilter.GaussianBlur(rng.uniform(0.2, 3.0))), np.float32) \
        * (1.0 if dark else rng.uniform(0.3, 1.0))
    for name, odds in (('glare', 0.3), ('specular', 0.2)):
        if rng.random() < odds:
            names.append(name)
            layer = Image.new('L', (hw, hh), 0)
            ld = ImageDraw.Draw(layer)
            p = np.array([rng.uniform(0, hw), rng.uniform(0, hh)])
            if name == 'glare':
                a = rng.uniform(0, math.pi)
                u = _unit(a) * diag
                ld.line(_poly([p - u, p + u]), fill=int(rng.uniform(20, 70)), width=int(rng.uniform(0.02, 0.12) * diag) + 1)
                blur = rng.uniform(0.01, 0.04) * diag
            else:
                r = rng.uniform(0.01, 0.05) * diag
                ld.ellipse([p[0] - r, p[1] - r * rng.uniform(0.3, 1), p[0] + r, p[1] + r], fill=255)
                blur = r * rng.uniform(0.2, 0.8)
            total += np.asarray(layer.filter(ImageFilter.GaussianBlur(blur)), np.float32)
    return np.asarray(Image.fromarray(total, 'F').resize((w, h), Image.BILINEAR))


def _glass_marks(rng, w, h, ppm, glass, lit, names):
    """Hard negatives on the glass, alike in both twins: (added grey levels, darkening fraction) at raster size. Thin
    things are drawn finer (as the crack is) and reduced, so hairs and scratches are as smooth as a crack."""
    S, mm = _SS, ppm
    bright, dark = Image.new('L', (w * S, h * S), 0), Image.new('L', (w * S, h * S), 0)
    db, dd = ImageDraw.Draw(bright), ImageDraw.Draw(dark)
    gx0, gy0, gx1, gy1, gr = glass
    fine = lambda pts: _poly(np.asarray(pts) * S - 0.5)
    anywhere = lambda: np.array([rng.uniform(gx0, gx1), rng.uniform(gy0, gy1)])
    width = lambda lo, hi: max(1, int(round(rng.uniform(lo, hi) * mm * S)))
    if rng.random() < 0.35:
        names.append('hair')
        for _ in range(int(rng.integers(1, 4))):
            pts = _curve(rng, anywhere(), rng.uniform(8, 60) * mm, rng.uniform(0.2, 1.2))
            if lit or rng.random() < 0.3:
                dd.line(fine(pts), fill=int(rng.uniform(120, 255)), width=width(0.05, 0.2), joint='curve')
            else:
                db.line(fine(pts), fill=int(rng.uniform(40, 140)), width=width(0.05, 0.15), joint='curve')
    if rng.random() < 0.3:
        names.append('lint')
        for _ in range(int(rng.integers(1, 6))):
            pts = _curve(rng, anywhere(), rng.uniform(1, 6) * mm, rng.uniform(0.8, 2.0), 6)
            (dd if lit else db).line(fine(pts), fill=int(rng.uniform(40, 180)), width=width(0.02, 0.06), joint='curve')
    if rng.random() < 0.4:
        names.append('scratch')
        a0 = rng.uniform(0, math.pi)
        for _ in range(int(rng.integers(1, 7))):   # scratches from one slide run roughly parallel
            p, a, L = anywhere(), a0 + rng.normal(0, 0.15), rng.uniform(3, 50) * mm
            q = p + L * _unit(a)
            db.line(fine([p, q]), fill=int(rng.uniform(12, 70) if not lit else rng.uniform(6, 30)), width=width(0.02, 0.08))
    if rng.random() < 0.2:
        names.append('arc_scratch')
        for _ in range(int(rng.integers(1, 4))):
            c, r = anywhere(), rng.uniform(5, 60) * mm
            a = rng.uniform(0, 360)
            db.arc(fine([c - r, c + r]), a, a + rng.uniform(10, 60), fill=int(rng.uniform(12, 60)), width=width(0.01, 0.05))
    if rng.random() < 0.15:
        names.append('swirl')
        c = anywhere()
        for _ in range(int(rng.integers(15, 50))):
            r = rng.uniform(2, 20) * mm
            a = rng.uniform(0, 360)
            db.arc(fine([c - r, c + r]), a, a + rng.uniform(15, 90), fill=int(rng.uniform(6, 30)), width=1)
    if rng.random() < 0.3:
        names.append('fingerprint')
        for _ in range(int(rng.integers(1, 4))):
            c, a, level = anywhere(), rng.uniform(4, 9) * mm, rng.uniform(6, 28)
            e = rng.uniform(0.6, 0.85)
            for r in np.arange(0.5 * mm, a, 0.45 * mm):           # ridges about 0.45 mm apart, broken
                fill = int(level * (1 - (r / a) ** 2)) + 1
                start = rng.uniform(0, 360)
                for k in range(int(rng.integers(1, 4))):
                    s = start + k * 120 + rng.uniform(0, 40)
                    db.arc(fine([c - (r, r * e), c + (r, r * e)]), s, s + rng.uniform(40, 110), fill=fill, width=S)
    if rng.random() < 0.5:
        names.append('dust')
        for _ in range(int(rng.integers(5, 120))):
            c, r = anywhere(), rng.uniform(0.03, 0.25) * mm
            if lit and rng.random() < 0.6:
                dd.ellipse(fine([c - r, c + r]), fill=int(rng.uniform(30, 160)))
            else:
                db.ellipse(fine([c - r, c + r]), fill=int(rng.uniform(30, 220)))
    if rng.random() < 0.2:
        names.append('protector_edge')
        i = rng.uniform(0.4, 2.5) * mm
        db.line(fine(_closed(_rrect(gx0 + i, gy0 + i, gx1 - i, gy1 - i, max(gr - i, 0.0)))), fill=int(rng.uniform(15, 55)),
                width=width(0.05, 0.15))
        if rng.random() < 0.6:
            names.append('bubble')
            for _ in range(int(rng.integers(1, 6))):
                c, r = anywhere(), rng.uniform(0.8, 5) * mm * np.array([1, rng.uniform(0.5, 1)])
                db.ellipse(fine([c - r, c + r]), outline=int(rng.uniform(20, 70)), width=width(0.05, 0.2))
    if rng.random() < 0.5:   # the bevel at the glass edge catches light: a bright line where many cracks end
        db.line(fine(_closed(_rrect(*glass))), fill=int(rng.uniform(10, 60)), width=width(0.1, 0.3))
    out_b = np.asarray(bright.reduce(S), np.float32)
    out_d = np.asarray(dark.reduce(S), np.float32) / 255
    if rng.random() < 0.3:
        names.append('smudge')
        haze = Image.new('L', (w // 4 + 1, h // 4 + 1), 0)
        hd = ImageDraw.Draw(haze)
        for _ in range(int(rng.integers(1, 5))):
            c, r = anywhere() / 4, rng.uniform(3, 15) * mm / 4 * np.array([1, rng.uniform(0.3, 1)])
            hd.ellipse(_poly([c - r, c + r]), fill=int(rng.uniform(4, 18)))
        haze = haze.filter(ImageFilter.GaussianBlur(rng.uniform(1, 4)))
        out_b += np.asarray(Image.fromarray(np.asarray(haze, np.float32), 'F').resize((w, h), Image.BILINEAR))
    return out_b, out_d


# ---------------------------------------------------------------- the fixture and what lies on it

def _background(rng, kind, size, ppm, to_px, spec, visible, names):
    """The fixture under the device as an RGB raster aligned with the world plane (ppm px per mm); to_px maps device mm
    (origin at its top left) to raster px, visible(device mm points) tells what fraction of them the camera sees."""
    w, h = size
    mm = ppm
    lum = 1 + 0.03 * _field(rng, w, h, max(4.0, 12 * mm)) + 0.06 * (rng.random((h, w), dtype=np.float32) - 0.5)
    pitch = None
    if kind == 'belt_fabric':
        col = _pick(rng, [(52, 52, 54), (28, 28, 30), (40, 95, 60), (35, 75, 140), (215, 215, 210), (120, 122, 125)])
        a = 2 * np.pi / (rng.uniform(0.7, 1.8) * mm)
        x, y = np.arange(w, dtype=np.float32) * a, (np.arange(h, dtype=np.float32) * a)[:, None]
        sx, cx = np.sin(x)[None], np.cos(x)[None]
        weave = sx * np.sin(y) if rng.random() < 0.5 else sx * np.cos(y) + cx * np.sin(y)      # plain or twill
        lum += rng.uniform(0.04, 0.12) * weave
    elif kind == 'belt_modular':
        col = _pick(rng, [(225, 225, 220), (60, 110, 170), (90, 92, 96), (35, 35, 38), (210, 200, 120)])
    elif kind == 'esd_mat':
        col = _pick(rng, [(60, 110, 160), (60, 120, 90), (120, 125, 130), (35, 35, 38)])
    elif kind == 'tray':
        col = _pick(rng, [(30, 30, 32), (55, 55, 58), (200, 120, 150), (50, 80, 150)])
    elif kind == 'jig':
        col = _pick(rng, [(40, 40, 44), (165, 168, 172), (225, 225, 222), (40, 70, 130)])
        lum += 0.05 * np.asarray(Image.fromarray(rng.standard_normal((h // 2 + 2, w // 50 + 2)).astype(np.float32), 'F')
                                 .resize((w, h), Image.BILINEAR))
    else:   # brushed steel: streaks long along x, fine across
        col = (int(rng.uniform(130, 200)),) * 3
        lum += 0.08 * np.asarray(Image.fromarray(rng.standard_normal((h, w // 80 + 2)).astype(np.float32), 'F')
                                 .resize((w, h), Image.BILINEAR))
    grey = Image.fromarray(np.clip(lum * 128, 0, 255).astype(np.uint8))
    col = _colour(rng, col, 8)
    img = Image.merge('RGB', [grey.point([min(255, int(v * c / 128)) for v in range(256)]) for c in col])
    d = ImageDraw.Draw(img)
    dev_poly = lambda box, r: _poly(project(to_px, _rrect(*box, r)))
    dw, dh = spec['w'], spec['h']
    if kind == 'belt_modular':
        P, gap, brick = rng.uniform(12, 40) * mm, max(1, int(rng.uniform(0.6, 2) * mm)), rng.uniform(15, 50) * mm
        slots = rng.random() < 0.6
        for k, y in enumerate(np.arange(rng.uniform(-P, 0), h, P)):
            d.rectangle([0, y, w, y + gap], fill=_shade(col, 0.3))
            d.line([(0, y + gap + 1), (w, y + gap + 1)], fill=_shade(col, 1.1, 15))
            for x in np.arange((k % 2) * brick / 2 - brick, w, brick):
                d.rectangle([x, y, x + gap, y + P], fill=_shade(col, 0.3))
                if slots:
                    d.rounded_rectangle([x + brick * 0.3, y + P * 0.38, x + brick * 0.7, y + P * 0.62], P * 0.1,
                                        fill=_shade(col, 0.2))
    elif kind == 'esd_mat':
        G, lw = rng.uniform(10, 50) * mm, max(1, int(rng.uniform(0.3, 1) * mm))
        line_col = _shade(col, rng.uniform(0.75, 1.3), 10)
        for x in np.arange(rng.uniform(0, G), w, G):
            d.line([(x, 0), (x, h)], fill=line_col, width=lw)
        for y in np.arange(rng.uniform(0, G), h, G):
            d.line([(0, y), (w, y)], fill=line_col, width=lw)
    elif kind == 'tray':       # pockets aligned with the device, walls between them lit from one side
        gap, wall = rng.uniform(1, 4), rng.uniform(3, 10)
        pitch = (dw + 2 * gap + wall, dh + 2 * gap + wall)
        floor = _shade(col, 0.75)
        for i in range(-2, 3):
            for k in range(-2, 3):
                box = (i * pitch[0] - gap, k * pitch[1] - gap, i * pitch[0] + dw + gap, k * pitch[1] + dh + gap)
                outline = np.asarray(dev_poly(box, spec['radius'] + gap))
                d.polygon(_poly(outline + 2), fill=_shade(col, 0.45))
                d.polygon(_poly(outline), fill=floor)
                d.line(_poly(_closed(outline - 1)), fill=_shade(col, 1.2, 25), width=1)
    elif kind == 'jig':
        s = rng.uniform(15, 30) * mm
        for x in np.arange(rng.uniform(0, s), w, s):
            for y in np.arange(rng.uniform(0, s), h, s):
                r = 1.6 * mm
                d.ellipse([x - r, y - r, x + r, y + r], fill=_shade(col, 0.35), outline=_shade(col, 1.2, 20))
        g = rng.uniform(0.3, 1.5)
        d.line(_poly(_closed(np.asarray(dev_poly((-g, -g, dw + g, dh + g), spec['radius'] + g)))), fill=_shade(col, 0.6),
               width=max(1, int(0.4 * mm)))
        names.append('clamp')
        for _ in range(int(rng.integers(2, 6))):   # pins and clamps touching the device's edge from outside
            side = int(rng.integers(4))
            t = rng.uniform(0.15, 0.85)
            p, n = [((t * dw, 0), (0, -1)), ((dw, t * dh), (1, 0)), ((t * dw, dh), (0, 1)), ((0, t * dh), (-1, 0))][side]
            p, n = np.array(p), np.array(n, float)
            if rng.random() < 0.5:
                r = rng.uniform(1.5, 3.5)
                c = project(to_px, [p + n * r])[0]
                rp = r * mm
                d.ellipse([c[0] - rp, c[1] - rp, c[0] + rp, c[1] + rp], fill=(190, 190, 195), outline=(90, 90, 95))
            else:
                L, cw = rng.uniform(8, 25), rng.uniform(4, 10)
                tng = np.array([-n[1], n[0]])
                arm = [p - tng * cw / 2, p + tng * cw / 2, p + tng * cw / 2 + n * L, p - tng * cw / 2 + n * L]
                d.polygon(_poly(project(to_px, arm)),
                          fill=_pick(rng, [(30, 30, 32), (40, 80, 170), (230, 120, 30), (180, 30, 30)]))
                tip = [p - tng * cw / 2, p + tng * cw / 2, p + tng * cw / 2 + n * 2, p - tng * cw / 2 + n * 2]
                d.polygon(_poly(project(to_px, tip)), fill=(20, 20, 20))
    elif kind == 'steel':
        for _ in range(int(rng.integers(0, 30))):
            p = np.array([rng.uniform(0, w), rng.uniform(0, h)])
            a = rng.uniform(0, math.pi)
            q = p + rng.uniform(5, 80) * mm * _unit(a)
            d.line(_poly([p, q]), fill=_shade(col, rng.uniform(0.8, 1.2)), width=1)
    if rng.random() < 0.3:
        names.append('cable')
        for _ in range(int(rng.integers(1, 3))):
            pts = _curve(rng, (rng.uniform(0, w), rng.uniform(0, h)), rng.uniform(0.6, 1.5) * max(w, h), 0.5, 4)
            cw = rng.uniform(3, 7) * mm
            c = _pick(rng, [(25, 25, 27), (90, 90, 95), (230, 230, 230), (40, 70, 160)])
            d.line(_poly(pts), fill=c, width=int(cw), joint='curve')
            d.line(_poly(pts - cw * 0.18), fill=_shade(c, 1.3, 40), width=max(1, int(cw * 0.2)), joint='curve')
    for what, odds in (('label', 0.25), ('barcode', 0.25)):
        if rng.random() < odds:
            names.append(what)
            sticker = _sticker(rng, mm, what == 'barcode')
            a = rng.uniform(0, 360)
            mask = Image.new('L', sticker.size, 255).rotate(a, expand=True)
            img.paste(sticker.rotate(a, expand=True, resample=Image.BILINEAR),
                      (int(rng.uniform(0, w)), int(rng.uniform(0, h))), mask)
    if rng.random() < 0.2:
        names.append('bg_hair')
        for _ in range(int(rng.integers(1, 4))):
            pts = _curve(rng, (rng.uniform(0, w), rng.uniform(0, h)), rng.uniform(5, 50) * mm, 0.8)
            d.line(_poly(pts), fill=_pick(rng, [(20, 18, 16), (200, 200, 200), (90, 60, 40)]), width=1, joint='curve')
    if rng.random() < 0.3 and _neighbour(rng, d, to_px, spec, visible, pitch):
        names.append('neighbour_phone')
    return img


def _sticker(rng, ppm, barcode):
    """A label with lines of text, or a barcode sticker with its digits."""
    w, h = int(rng.uniform(25, 50) * ppm) + 2, int(rng.uniform(10, 25) * ppm) + 2
    img = Image.new('RGB', (w, h), _pick(rng, [(245, 245, 240), (250, 230, 90), (235, 240, 255)]))
    d = ImageDraw.Draw(img)
    th = max(2.0, h * 0.1)
    if barcode:
        x, module = w * 0.08, max(1.0, 0.25 * ppm)
        while x < w * 0.92:
            bw = module * int(rng.integers(1, 5))
            d.rectangle([x, h * 0.1, x + bw - 1, h * 0.7], fill=(15, 15, 15))
            x += bw + module * int(rng.integers(1, 4))
        _text(img, rng, [(w * 0.15, h * 0.78, 13)], th, (15, 15, 15))
    else:
        _text(img, rng, [(w * 0.06, h * (0.12 + 0.22 * i), rng.integers(6, 20)) for i in range(4)], th, (20, 20, 20))
    return img


def _neighbour(rng, d, to_px, spec, visible, pitch):
    """Another device beside this one (in the next tray pocket, or a few mm away), drawn only if the frame shows part
    of it; True if drawn."""
    dw, dh = spec['w'], spec['h']
    for _ in range(4):
        axis, sign = int(rng.integers(2)), rng.choice([-1, 1])
        step = pitch[axis] if pitch else (dw, dh)[axis] + rng.uniform(6, 30)
        off = np.zeros(2)
        off[axis] = sign * step
        off[1 - axis] = 0 if pitch else rng.uniform(-0.3, 0.3) * (dw, dh)[1 - axis]
        outline = _rrect(0, 0, dw, dh, spec['radius']) + off
        if 0.05 < visible(outline) < 0.75:
            d.polygon(_poly(project(to_px, outline)), fill=_colour(rng, spec['edge'], 40))
            g = spec['glass']
            d.polygon(_poly(project(to_px, _rrect(g[0] + off[0], g[1] + off[1], g[2] + off[0], g[3] + off[1], g[4]))),
                      fill=spec['front'])
            s = spec['screen']
            d.polygon(_poly(project(to_px, _rrect(s[0] + off[0], s[1] + off[1], s[2] + off[0], s[3] + off[1], s[4]))),
                      fill=_pick(rng, [(8, 8, 10), (235, 235, 235), _any_colour(rng)]))
            return True
    return False


# ---------------------------------------------------------------- the crack

def _normals(pts):
    t = np.gradient(pts, axis=0)
    t /= np.linalg.norm(t, axis=1, keepdims=True) + 1e-9
    return np.c_[-t[:, 1], t[:, 0]]


def _fracture(rng, kind, glass, ppm, base_w):
    """The crack's paths [(points (n, 2), widths (n,))] and chip polygons in device raster px: fracture paths grown from
    an impact point by a random walk that turns and branches, each stopped where it reaches the glass edge."""
    gx0, gy0, gx1, gy1, gr = glass
    mm = ppm
    diag = math.hypot(gx1 - gx0, gy1 - gy0)
    paths, chips, queue = [], [], []

    def to_edge(p, q):
        for _ in range(10):
            m = (p + q) / 2
            p, q = (m, q) if _inside(m, glass) else (p, m)
        return p

    def grow(p, ang, length, wiggle, w, branch, depth=0, forks=()):
        pts, ws, run, forks = [np.asarray(p, float)], [w], 0.0, list(forks)
        while run < length:
            ang += rng.normal(0, wiggle)
            if rng.random() < 0.07:       # glass cracks run straight and turn in kinks, not in smooth curves
                ang += rng.choice([-1, 1]) * rng.uniform(0.15, 0.5)
            step = rng.uniform(0.5, 1.5) * mm
            q = pts[-1] + step * _unit(ang)
            if not _inside(q, glass):
                pts.append(to_edge(pts[-1], q))
                ws.append(w)
                break
            run += step
            pts.append(q)
            ws.append(w * min(1.0, 0.35 + (length - run) / (0.25 * length)) * rng.uniform(0.7, 1.25))   # thins to its tip
            if forks and run >= forks[0]:
                forks.pop(0)
                queue.append((q, ang + rng.choice([-1, 1]) * math.radians(rng.uniform(15, 45)),
                              (length - run) * rng.uniform(0.5, 1), wiggle, w * 0.8, branch, depth + 1))
            elif depth < 2 and rng.random() < branch:
                queue.append((q, ang + rng.choice([-1, 1]) * math.radians(rng.uniform(20, 60)),
                              (length - run) * rng.uniform(0.15, 0.5), wiggle, w * 0.7, branch * 0.5, depth + 1))
        if len(pts) > 1:
            paths.append((np.array(pts), np.convolve(np.pad(ws, 1, mode='edge'), np.ones(3) / 3, 'valid')))

    def edge_point(inset=0.0):
        """A point on the glass edge away from its round corners, moved inwards by inset, and the inward direction."""
        lengths = np.array([gx1 - gx0, gy1 - gy0] * 2)
        side = int(rng.choice(4, p=lengths / lengths.sum()))
        t = rng.uniform(gr + mm, (gx1 - gx0 if side % 2 == 0 else gy1 - gy0) - gr - mm)
        e = 0.05 * mm + inset
        return [(np.array([gx0 + t, gy0 + e]), math.pi / 2), (np.array([gx1 - e, gy0 + t]), math.pi),
                (np.array([gx0 + t, gy1 - e]), -math.pi / 2), (np.array([gx0 + e, gy0 + t]), 0.0)][side]

    def corner_point():
        k = int(rng.integers(4))
        corner = np.array([(gx0, gy0), (gx1, gy0), (gx1, gy1), (gx0, gy1)][k], float)
        a = [math.pi / 4, 3 * math.pi / 4, -3 * math.pi / 4, -math.pi / 4][k]
        return corner + _unit(a) * (gr * 0.42 + rng.uniform(1, 5) * mm), a

    def interior():
        return np.array([rng.uniform(gx0 + 5 * mm, gx1 - 5 * mm), rng.uniform(gy0 + 5 * mm, gy1 - 5 * mm)])

    def spall(c, n, spread):
        for _ in range(n):
            cc = c + rng.normal(0, spread, 2)
            a = np.sort(rng.uniform(0, 2 * math.pi, int(rng.integers(4, 8))))
            r = rng.uniform(0.15, 0.7) * mm * rng.uniform(0.5, 1, len(a))
            chips.append(cc + np.c_[r * np.cos(a), r * np.sin(a)])

    if kind == 'spider':
        u = rng.random()
        c = edge_point(rng.uniform(2, 12) * mm)[0] if u < 0.45 else corner_point()[0] if u < 0.65 else interior()
        n, a0 = int(rng.integers(5, 11)), rng.uniform(0, 2 * math.pi)
        for k in range(n):
            grow(c, a0 + 2 * math.pi * k / n + rng.normal(0, 0.25), rng.uniform(0.12, 0.7) * diag, 0.05,
                 base_w * rng.uniform(0.8, 1.2), 0.04)
        for r in np.sort(rng.uniform(1.5, 9, int(rng.integers(1, 4)))) * mm:     # concentric arcs: the spider's web
            for k in range(n):
                if rng.random() < 0.65:
                    a = a0 + 2 * math.pi * (k + np.linspace(0, 1, 8)) / n
                    arc = c + (r * (1 + rng.normal(0, 0.06, 8)))[:, None] * np.c_[np.cos(a), np.sin(a)]
                    keep = np.cumprod([_inside(p, glass) for p in arc]).astype(bool)
                    if keep.sum() > 1:
                        paths.append((arc[keep], np.full(keep.sum(), base_w * 0.6)))
        spall(c, int(rng.integers(3, 9)), 1.2 * mm)
    elif kind == 'traverse':
        p, a = edge_point()
        grow(p, a + rng.normal(0, 0.45), 3 * diag, 0.035, base_w, 0.012)
    elif kind == 'corner_star':
        c, a = corner_point()
        for _ in range(int(rng.integers(2, 6))):
            grow(c, a + rng.uniform(-0.9, 0.9), rng.uniform(0.15, 0.75) * diag, 0.05, base_w * rng.uniform(0.7, 1.2), 0.02)
        spall(c, int(rng.integers(2, 6)), 0.8 * mm)
    elif kind in ('meander', 'hairline'):
        p, a = edge_point() if rng.random() < (0.7 if kind == 'meander' else 0.5) else (interior(), rng.uniform(0, 6.3))
        if kind == 'meander':
            grow(p, a + rng.normal(0, 0.5), rng.uniform(15, 90) * mm, rng.uniform(0.08, 0.16), base_w, 0)
        else:
            grow(p, a + rng.normal(0, 0.4), rng.uniform(5, 35) * mm, 0.03, base_w, 0)
    elif kind == 'fork':
        p, a = edge_point()
        length = rng.uniform(25, 80) * mm
        grow(p, a + rng.normal(0, 0.4), length, 0.05, base_w, 0,
             forks=np.sort(rng.uniform(0.25, 0.7, int(rng.integers(1, 3)))) * length)
    else:       # edge_chip: a shell of glass broken out at the edge, short cracks running from it
        p, a = edge_point()
        r = rng.uniform(1, 3.5) * mm
        ang = a + np.linspace(-math.pi / 2, math.pi / 2, 9)
        rad = r * rng.uniform(0.55, 1.1, 9)
        chips.append(np.vstack([p - _unit(a) * r, p + np.c_[rad * np.cos(ang), rad * np.sin(ang)], p - _unit(a) * r]))
        for _ in range(int(rng.integers(1, 5))):
            b = a + rng.uniform(-1.2, 1.2)
            grow(p + _unit(b) * r * 0.8, b, rng.uniform(3, 20) * mm, 0.06, base_w * rng.uniform(0.6, 1), 0.02)
    while queue:
        grow(*queue.pop())
    return paths, chips


def _draw_paths(size, origin, paths, shift=0.0, widen=1.0):
    """Anti-aliased coverage (0..1) of the paths over a raster box of size at origin, drawn _SS times finer and reduced;
    shift moves each vertex that many local widths along its normal (one flank of a two-sided line)."""
    S = _SS
    img = Image.new('L', (size[0] * S, size[1] * S), 0)
    d = ImageDraw.Draw(img)
    for pts, ws in paths:
        q = (pts + _normals(pts) * (shift * ws)[:, None] - origin) * S - 0.5
        for i in range(len(q) - 1):
            wi = max(1, int(round((ws[i] + ws[i + 1]) / 2 * widen * S)))
            d.line([tuple(q[i]), tuple(q[i + 1])], fill=255, width=wi)
            if wi > 2:
                r = wi / 2
                d.ellipse([q[i + 1][0] - r, q[i + 1][1] - r, q[i + 1][0] + r, q[i + 1][1] + r], fill=255)
    return np.asarray(img.reduce(S), np.float32) / 255


def _band(size, origin, paths, width):
    """A band on one side of the crack that fades away from it: the shard whose tilt shifts the content."""
    img = Image.new('L', size, 0)
    d = ImageDraw.Draw(img)
    for frac, fill in ((1.0, 90), (0.6, 170), (0.3, 255)):
        for pts, _ in paths:
            q, n = pts - origin - 0.5, _normals(pts) * width * frac
            for i in range(len(q) - 1):
                d.polygon(_poly([q[i], q[i + 1], q[i + 1] + n[i], q[i] + n[i]]), fill=fill)
    return np.asarray(img.filter(ImageFilter.BoxBlur(1)), np.float32) / 255


def _shifted(a, dx, dy):
    """a (h, w, 3) sampled at (x - dx, y - dy), bilinear; the wrapped edges lie outside the band that uses it."""
    ix, iy = math.floor(dx), math.floor(dy)
    fx, fy = dx - ix, dy - iy
    r = lambda sx, sy: np.roll(a, (sy, sx), axis=(0, 1))
    return (r(ix, iy) * (1 - fx) * (1 - fy) + r(ix + 1, iy) * fx * (1 - fy) + r(ix, iy + 1) * (1 - fx) * fy
            + r(ix + 1, iy + 1) * fx * fy)


def _jpeg_grey(rgb, quality):
    buf = io.BytesIO()
    Image.fromarray(rgb, 'RGB').save(buf, format='JPEG', quality=quality)
    return np.asarray(Image.open(buf).convert('L'), np.int16)


def _crack(ctx):
    """The cracked twin: the ok frame with a window around the crack drawn again through the same camera and noise,
    pasted back on the phone only. The crack's strength is searched so that its contrast (over the pixels its centre
    line crosses, the median of the largest grey step between the twins' JPEGs in each one's 3 x 3 neighbourhood) comes
    near a target drawn between 6 and 36 grey levels."""
    seed, j = ctx['id']
    W, H = ctx['size']
    kind = KINDS[int(_rng(seed, j, 'kind').integers(len(KINDS)))]
    rng = _rng(seed, j, 'crack')
    dev = ctx['dev']
    width = 1 if kind == 'hairline' else int(rng.choice([1, 2, 3], p=[.45, .35, .2]))
    base_w = width * H / 1080 * ctx['rf']
    paths, chips = _fracture(rng, kind, dev['glass'], ctx['ppm'], base_w)
    lit = dev['lit']
    look = _pick(rng, ['dark', 'bright', 'edge', 'refract'], [.35, .15, .25, .25] if lit else [.0, .5, .3, .2])
    target = rng.uniform(6, 12) if kind == 'hairline' else 6 + 30 * rng.random() ** 1.8
    band_w = rng.uniform(1, 4) * ctx['ppm']
    shift = rng.uniform(0.7, 2.0) * ctx['rf'] * H / 1080 * _unit(rng.uniform(0, 2 * math.pi))
    # the box of raster the crack touches
    allp = np.vstack([p for p, _ in paths] + chips)
    pad = band_w + base_w * 3 + 4
    rw, rh = dev['size']
    x0, y0 = [int(max(0, math.floor(v - pad))) for v in allp.min(0)]
    x1, y1 = int(min(rw, math.ceil(allp[:, 0].max() + pad))), int(min(rh, math.ceil(allp[:, 1].max() + pad)))
    size, origin = (x1 - x0, y1 - y0), np.array([x0, y0], float)
    # the frame window: the crack box seen by the camera, a few px more for its blur, on a 16 px grid like JPEG's blocks
    corners = project(ctx['H_dev'], [(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    lo, hi = corners.min(0) - 8, corners.max(0) + 8
    ix0, iy0 = int(max(0, lo[0] // 16 * 16)), int(max(0, lo[1] // 16 * 16))
    ix1, iy1 = int(min(W, -(-hi[0] // 16) * 16)), int(min(H, -(-hi[1] // 16) * 16))
    ox0, oy0, ox1, oy1 = max(0, ix0 - _MARGIN), max(0, iy0 - _MARGIN), min(W, ix1 + _MARGIN), min(H, iy1 + _MARGIN)
    inner = (slice(iy0 - oy0, iy1 - oy0), slice(ix0 - ox0, ix1 - ox0))
    # the phone as drawn by its outline, one pixel in, so the twins differ strictly inside it
    mask = Image.new('L', (ix1 - ix0 + 2, iy1 - iy0 + 2), 0)
    ImageDraw.Draw(mask).polygon([(x - ix0 + 1, y - iy0 + 1) for x, y in ctx['meta']['phone']], fill=1, outline=1)
    on_phone = np.asarray(mask.filter(ImageFilter.MinFilter(3)), bool)[1:-1, 1:-1]
    ok = ctx['ok'][iy0:iy1, ix0:ix1]
    # the crack's core pixels in the window, for its contrast
    dense = np.vstack([p[:-1] + (p[1:] - p[:-1]) * t for p, _ in paths for t in (0, 0.25, 0.5, 0.75)])
    px = np.round(project(ctx['H_dev'], dense) - 0.5).astype(int) - [ix0, iy0]
    px = px[(px[:, 0] >= 0) & (px[:, 1] >= 0) & (px[:, 0] < ix1 - ix0) & (px[:, 1] < iy1 - iy0)]
    px = np.unique(px[on_phone[px[:, 1], px[:, 0]]], axis=0)
    crop = dev['rgb'][y0:y1, x0:x1].astype(np.float32)
    core = _draw_paths(size, origin, paths)
    # where the camera sees the glass white there is no light to add, where black none to take away
    lum = float(np.median(ok[px[:, 1], px[:, 0]].mean(1))) if len(px) else 128.0
    if look == 'bright' and lum > 225 or look == 'dark' and lum < 30:
        look = 'dark' if look == 'bright' else 'bright'
    shade = 0.35 + 0.65 * crop / 255            # a dark line takes light away in proportion (a little even from black)
    gm = dev['gmask'][y0:y1, x0:x1, None]
    spall = np.zeros_like(core)[..., None]
    if chips:
        img = Image.new('L', (size[0] * _SS, size[1] * _SS), 0)
        cd = ImageDraw.Draw(img)
        for c in chips:
            cd.polygon(_poly((c - origin) * _SS - 0.5), fill=255)
        spall = np.asarray(img.reduce(_SS), np.float32)[..., None] / 255

    def appearance(look):
        """The change one unit of strength makes to the raster crop, and the refraction's fixed change."""
        if look == 'edge':
            unit = (-_draw_paths(size, origin, paths, -0.55, 0.6)[..., None] * shade
                    + _draw_paths(size, origin, paths, 0.55, 0.6)[..., None])
        elif look == 'bright' or look == 'refract' and lum < 128:
            unit = np.repeat(core[..., None], 3, 2) * (0.5 if look == 'refract' else 1.0)
        else:
            unit = -core[..., None] * shade * (0.5 if look == 'refract' else 1.0)
        unit += spall * (-shade if look == 'dark' else 0.9)
        fixed = 0.0
        if look == 'refract':
            fixed = _band(size, origin, paths, band_w)[..., None] * gm * (_shifted(crop, shift[0], shift[1]) - crop)
        return unit * gm, fixed

    g_ok = _jpeg_grey(ok, ctx['quality'])
    cam, box = ctx['cam'], (slice(oy0, oy1), slice(ox0, ox1))

    def shoot(a, unit, fixed):
        cracked = dev['rgb'].copy()
        # below the first strength tried the shift weakens too: on busy content it alone can make a strong step
        cracked[y0:y1, x0:x1] = np.clip(crop + a * unit + min(1.0, a / first) * fixed + 0.5, 0, 255).astype(np.uint8)
        outer = (ox0, oy0, ox1, oy1)
        scene = ctx['bg'].crop(outer)
        scene.paste(_warp(Image.fromarray(cracked), ctx['H_dev'], outer), (0, 0), ctx['alpha'].crop(outer))
        shot = _camera(scene, ox0, oy0, cam, ctx['gain'][box], ctx['noise'][box])[inner]
        out = ok.copy()
        out[on_phone] = shot[on_phone]
        step = np.abs(_jpeg_grey(out, ctx['quality']) - g_ok).astype(np.uint8)
        step = np.asarray(Image.fromarray(step).filter(ImageFilter.MaxFilter(3)))
        return out, float(np.median(step[px[:, 1], px[:, 0]])) if len(px) else 0.0

    first, best = target * 8, None
    worse = lambda t: (max(6 - t[2], t[2] - 40, 0), abs(t[2] - target))     # out of 6..40, then off target
    # a line that cannot show (a bright one on glass the camera sees white) gives way to one of the other sign
    for look in (look, 'dark' if look == 'bright' or look != 'dark' and lum > 128 else 'bright'):
        unit, fixed = appearance(look)
        tries, a = [], first
        for _ in range(6):
            tries.append((a,) + shoot(a, unit, fixed))
            contrast = tries[-1][2]
            if 6 <= contrast <= 40 and abs(contrast - target) <= 0.4 * target + 1:
                break
            # the step grows with the strength, but not in proportion (JPEG drops faint detail, a clipped white takes
            # a strong line to show at all): interpolate between the closest tries either side of the target (no
            # crack, no step) once there is one above it, else grow by up to 6 times
            below = max((t for t in tries if t[2] < target), key=lambda t: t[0], default=(0.0, None, 0.0))
            above = min((t for t in tries if t[2] > target), key=lambda t: t[0], default=None)
            if above is None:
                a = below[0] * min(6.0, max(1.5, target / max(below[2], 0.5)))
            else:
                f = (target - below[2]) / (above[2] - below[2])
                a = below[0] + min(0.9, max(0.1, f)) * (above[0] - below[0])
        tried = min(tries, key=worse) + (look,)
        best = tried if best is None or worse(tried) < worse(best) else best
        if 6 <= best[2] <= 40:
            break
    _, out, contrast, look = best
    frame = ctx['ok'].copy()
    frame[iy0:iy1, ix0:ix1] = out
    return frame, dict(kind=kind, crack_width=width, contrast=round(contrast, 2), look=look)


# ---------------------------------------------------------------- the camera

def _motion(length, angle):
    """A 5 x 5 kernel that smears along a line of the given length (px) and angle."""
    k = np.zeros((5, 5))
    for t in np.linspace(-length / 2, length / 2, 41):
        x, y = 2 + t * math.cos(angle), 2 + t * math.sin(angle)
        ix, iy = int(math.floor(x)), int(math.floor(y))
        fx, fy = x - ix, y - iy
        for dx, dy, wgt in ((0, 0, (1 - fx) * (1 - fy)), (1, 0, fx * (1 - fy)), (0, 1, (1 - fx) * fy), (1, 1, fx * fy)):
            if 0 <= ix + dx < 5 and 0 <= iy + dy < 5:
                k[iy + dy, ix + dx] += wgt
    return ImageFilter.Kernel((5, 5), list((k / k.sum()).ravel()), scale=1)


def _disc(r):
    """Defocus: a pillbox of radius r px as a 3 x 3 or 5 x 5 kernel, each cell weighted by how much of it the disc
    covers (PIL's kernels are much faster than its box blur on RGB)."""
    n = 3 if r <= 1.2 else 5
    g = (np.arange(n * 8) + 0.5) / 8 - n / 2
    cover = ((g[None, :] ** 2 + g[:, None] ** 2) <= r * r).reshape(n, 8, n, 8).mean((1, 3))
    return ImageFilter.Kernel((n, n), list((cover / cover.sum()).ravel()), scale=1)


def _camera_params(rng, W, H):
    """One camera: optics, sensor and ISP settings."""
    k = math.sqrt(H / 1080)
    mono = rng.random() < 0.3
    u = rng.random()
    blur = None if u < 0.35 else _disc(rng.uniform(0.6, 2.0) * k) if u < 0.82 else \
        _motion(rng.uniform(1, 4) * H / 1080, rng.uniform(0, math.pi))
    if blur is None and not mono and rng.random() < 0.4:
        blur = _disc(0.7)       # an optical low-pass filter: sharp, but without the demosaic's worst fringes
    ca = rng.uniform(0.4, 1.8) / (0.5 * math.hypot(W, H))     # lateral CA: up to ~2 px of R/B shift at the corners
    sens = np.array([rng.uniform(0.5, 0.7), 1.0, rng.uniform(0.4, 0.6)])
    scene = sens * [math.exp(rng.normal(0, 0.12)), 1.0, math.exp(rng.normal(0, 0.12))]    # sensor response x light colour
    x = np.linspace(0, 320 / 255, 1024)
    y = np.clip(x, 0, 1) ** rng.uniform(0.8, 1.2)
    y = y - rng.uniform(0, 0.3) * np.sin(2 * np.pi * y) / (2 * np.pi)         # S-curve
    black = rng.uniform(0, 8)
    return dict(mono=mono, centre=(W / 2, H / 2), blur=blur,
                ca=None if mono or rng.random() < 0.45 else (ca, -ca * rng.uniform(0.5, 1.2)),
                exposure=math.exp(rng.normal(0, 0.22)), vignette=rng.uniform(0, 0.35),
                scene=scene, wb=(1 + rng.normal(0, 0.05, 3)) / scene, read=rng.uniform(0.5, 3.0),
                shot=rng.uniform(0.02, 0.3), bggr=rng.random() < 0.5,
                spectral=tuple(float(v) for v in rng.dirichlet([6, 10, 3])),
                lut=(black + (255 - black) * y).astype(np.float32),
                sharpen=(rng.uniform(0.7, 2.2) * k, rng.uniform(0.3, 1.6), rng.uniform(0, 3))
                if rng.random() < 0.65 else None)


def _tone(v, lut):
    """The tone curve, by table, of grey levels v (0..320, changed in place)."""
    v *= 1023 / 320
    return np.take(lut, v.astype(np.int32), mode='clip')


def _magnify(band, m, x0, y0, centre, pad=4):
    """Lateral chromatic aberration: one colour band (a crop at x0, y0) scaled by m about the frame centre."""
    w, h = band.size
    src = Image.fromarray(np.pad(np.asarray(band), pad, mode='edge'))
    cx, cy = centre
    box = (cx + (x0 - cx) / m - x0 + pad, cy + (y0 - cy) / m - y0 + pad,
           cx + (x0 + w - cx) / m - x0 + pad, cy + (y0 + h - cy) / m - y0 + pad)
    return src.resize((w, h), Image.BILINEAR, box=box)


def _demosaic(p00, p01, p10, p11):
    """Bilinear demosaic of a Bayer mosaic given as its four site planes (colour A at (0, 0), G at (0, 1) and (1, 0),
    colour B at (1, 1)): the full planes A, G, B. Its guesses at fine detail are the colour fringes."""
    nx = lambda p: np.concatenate([p[:, 1:], p[:, -1:]], 1)      # the next site to the right, the edge repeated
    px = lambda p: np.concatenate([p[:, :1], p[:, :-1]], 1)
    ny = lambda p: np.concatenate([p[1:], p[-1:]], 0)
    py = lambda p: np.concatenate([p[:1], p[:-1]], 0)
    h, w = p00.shape

    def interleave(e0, e1, o0, o1):     # values at (even row, even column), (even, odd), (odd, even), (odd, odd)
        out = np.empty((2 * h, 2 * w), np.float32)
        out[0::2, 0::2], out[0::2, 1::2], out[1::2, 0::2], out[1::2, 1::2] = e0, e1, o0, o1
        return out

    a_r, a_d, b_l, b_u = nx(p00), ny(p00), px(p11), py(p11)
    return [interleave(p00, (p00 + a_r) * 0.5, (p00 + a_d) * 0.5, (p00 + a_r + a_d + nx(a_d)) * 0.25),
            interleave((p01 + px(p01) + p10 + py(p10)) * 0.25, p01, p10, (p10 + nx(p10) + p01 + ny(p01)) * 0.25),
            interleave((p11 + b_l + b_u + px(b_u)) * 0.25, (p11 + b_u) * 0.5, (p11 + b_l) * 0.5, p11)]


def _camera(im, x0, y0, cam, gain, noise):
    """The camera's picture (uint8 array) of the scene crop im (PIL) at frame offset (x0, y0, both even); gain is the
    light on the crop times exposure and vignetting, noise the scene's fixed unit noise over the crop. Every step is
    local, so a crop comes out as the same crop of the whole picture, away from its border."""
    if cam['ca']:
        bands = list(im.split())
        for c, k in ((0, cam['ca'][0]), (2, cam['ca'][1])):
            bands[c] = _magnify(bands[c], 1 + k, x0, y0, cam['centre'])
        im = Image.merge('RGB', bands)
    if cam['blur'] is not None:
        im = im.filter(cam['blur'])

    def sense(v, g, n, c):      # light to grey levels: gain, shot and read noise, the ISP's white balance and tone curve
        v *= g
        v *= cam['scene'][c]
        sd = np.maximum(v, 0)
        sd *= cam['shot']
        sd += cam['read'] ** 2
        np.sqrt(sd, out=sd)
        sd *= n
        v += sd
        v *= cam['wb'][c]
        return _tone(v, cam['lut'])

    if cam['mono']:
        planes = [sense(np.asarray(im.convert('L', cam['spectral'] + (0,)), np.float32), gain, noise, 1)]
    else:      # a Bayer mosaic: one colour per site, demosaiced again
        a = np.asarray(im)
        first, last = (2, 0) if cam['bggr'] else (0, 2)
        planes = _demosaic(*[sense(a[dy::2, dx::2, c].astype(np.float32), gain[dy::2, dx::2], noise[dy::2, dx::2], c)
                             for dy, dx, c in ((0, 0, first), (0, 1, 1), (1, 0, 1), (1, 1, last))])
        if cam['bggr']:
            planes.reverse()
    if cam['sharpen']:
        radius, amount, core = cam['sharpen']
        y = planes[0] if cam['mono'] else planes[0] * 0.299 + planes[1] * 0.587 + planes[2] * 0.114
        y8 = Image.fromarray(np.clip(y, 0, 255).astype(np.uint8))
        detail = y - np.asarray(y8.filter(ImageFilter.GaussianBlur(radius)), np.float32)
        detail -= np.clip(detail, -core, core)       # coring: the ISP leaves small (noise) detail alone
        detail *= amount
        for p in planes:
            p += detail
    for p in planes:
        p += 0.5
        np.clip(p, 0, 255, out=p)
    return np.dstack([p.astype(np.uint8) for p in planes] * (3 if cam['mono'] else 1))


# ---------------------------------------------------------------- the scene

def _scene(seed, j):
    """The ok frame and everything the cracked twin needs to draw its window again."""
    lay = _rng(seed, j, 'layout')
    W, H = (1920, 1080) if lay.random() < 1 / 3 else SIZES[int(lay.integers(len(SIZES)))]
    spec = _device_spec(lay)
    fixture = _pick(lay, FIXTURES)
    if fixture in ('tray', 'jig'):
        beta = math.radians(lay.integers(2) * 180 + lay.normal(0, 1.5))
    elif lay.random() < 0.5:
        beta = math.radians(lay.integers(4) * 90 + lay.normal(0, 8))
    else:
        beta = lay.uniform(0, 2 * math.pi)
    dw, dh = spec['w'], spec['h']
    place = _rot(beta) @ _scale(1, -dw / 2, -dh / 2)          # device mm (origin top left) to world mm
    rect = np.array([[0, 0], [dw, 0], [dw, dh], [0, dh]], float)
    top, base = _pose(lay, project(place, rect), spec['thick'], W, H)
    q = project(top @ place, rect)
    scale = max(np.linalg.norm(q[(i + 1) % 4] - q[i]) / (dw, dh)[i % 2] for i in range(4))   # frame px per mm, at most
    ppm = 1.25 * scale          # the device raster a little finer than the frame, so its 1-px lines alias as on camera
    names = []
    light = _rng(seed, j, 'light')
    dev = _device_raster(spec, ppm, _rng(seed, j, 'screen'), light, _rng(seed, j, 'nuisance'), names)
    rw, rh = dev['size']
    h_dev = top @ place @ _scale(1 / ppm)
    # the fixture: a raster aligned with the world, a little coarser than the frame, covering what the camera sees
    ppm_b = 0.7 * scale
    seen = project(np.linalg.inv(base), [(0, 0), (W, 0), (W, H), (0, H)])
    lo = seen.min(0) - 2
    size_b = tuple(int(v) for v in np.ceil((seen.max(0) + 2 - lo) * ppm_b))
    raster_to_world = _scale(1 / ppm_b, lo[0], lo[1])

    def visible(pts):
        f = project(base @ place, pts)
        return float(np.mean((f[:, 0] >= 0) & (f[:, 0] < W) & (f[:, 1] >= 0) & (f[:, 1] < H)))

    bg_img = _background(_rng(seed, j, 'background'), fixture, size_b, ppm_b, np.linalg.inv(raster_to_world) @ place,
                         spec, visible, names)
    bg = _warp(bg_img, base @ raster_to_world, (0, 0, W, H))
    outline = _rrect(0, 0, dw, dh, spec['radius'])
    # the device's shadow: its outline moved away from the light, soft, plus a tight contact shadow; at quarter size
    quarter = _scale(0.25)
    away = _scale(1, *(light.uniform(1, 8) * _unit(light.uniform(0, 2 * math.pi))))
    soft, contact = Image.new('L', (W // 4, H // 4), 0), Image.new('L', (W // 4, H // 4), 0)
    ImageDraw.Draw(soft).polygon(_poly(project(quarter @ base @ away @ place, outline)), fill=int(light.uniform(80, 200)))
    ImageDraw.Draw(contact).polygon(_poly(project(quarter @ base @ place, outline)), fill=200)
    shadow = ImageChops.lighter(soft.filter(ImageFilter.GaussianBlur(light.uniform(1, 5))),
                                contact.filter(ImageFilter.GaussianBlur(0.8)))
    shadow = ImageChops.invert(shadow.resize((W, H), Image.BILINEAR))
    sbox = ImageChops.invert(shadow).getbbox()
    if sbox:
        lit_part = ImageChops.multiply(bg.crop(sbox), Image.merge('RGB', [shadow.crop(sbox)] * 3))
        bg.paste(lit_part, sbox[:2])
    # the device's side wall: its outline swept from the table up to the glass
    sd = ImageDraw.Draw(bg)
    for t in np.linspace(0, 1, 6):
        sd.polygon(_poly(project((base + (top - base) * t) @ place, outline) - 0.5), fill=spec['side'])
    corners = project(h_dev, [(0, 0), (rw, 0), (rw, rh), (0, rh)])
    box = (max(0, int(corners[:, 0].min()) - 40), max(0, int(corners[:, 1].min()) - 40),
           min(W, int(corners[:, 0].max()) + 40), min(H, int(corners[:, 1].max()) + 40))
    alpha = Image.new('L', (W, H), 0)
    alpha.paste(_warp(dev['alpha'], h_dev, box), box[:2])
    scene = bg.copy()
    scene.paste(_warp(Image.fromarray(dev['rgb']), h_dev, box), box[:2], alpha.crop(box))
    # light on the scene (a slow gradient, the lamp's falloff, sometimes the soft shadow of a cable above) and the
    # lens's vignetting, all smooth, so drawn at quarter size
    ys = (np.arange(H // 4, dtype=np.float32)[:, None] + 0.5) * 4
    xs = (np.arange(W // 4, dtype=np.float32)[None, :] + 0.5) * 4
    gx, gy = xs / H, ys / H
    illum = 1 + light.normal(0, 0.08) * gx + light.normal(0, 0.08) * gy - light.uniform(0, 0.15) * (
        (gx - light.uniform(0, W / H)) ** 2 + (gy - light.uniform(0, 1)) ** 2)
    if light.random() < 0.25:
        names.append('cable_shadow')
        band = Image.new('L', (W // 4, H // 4), 0)
        pts = _curve(light, (light.uniform(0, W / 4), light.uniform(0, H / 4)), light.uniform(0.6, 1.5) * W / 4, 0.4, 4)
        ImageDraw.Draw(band).line(_poly(pts), fill=255, width=int(light.uniform(2, 8)), joint='curve')
        illum *= 1 - light.uniform(0.15, 0.5) * np.asarray(band.filter(ImageFilter.GaussianBlur(light.uniform(1, 4))),
                                                           np.float32) / 255
    cam = _camera_params(_rng(seed, j, 'camera'), W, H)
    illum *= cam['exposure'] * (1 - cam['vignette'] * ((xs - W / 2) ** 2 + (ys - H / 2) ** 2) / ((W / 2) ** 2 + (H / 2) ** 2))
    gain = np.asarray(Image.fromarray(illum.astype(np.float32), 'F').resize((W, H), Image.BILINEAR))
    noise = _rng(seed, j, 'noise').standard_normal((H, W), dtype=np.float32)
    ok = _camera(scene, 0, 0, cam, gain, noise)
    phone = [tuple(float(v) for v in p) for p in corners - 0.5]
    sx0, sy0, sx1, sy1 = dev['screen']
    quality = int(_rng(seed, j, 'quality').integers(35, 96))
    meta = dict(screen='lit' if dev['lit'] else 'dark', phone=phone,
                screen_quad=[tuple(float(v) for v in p) for p in
                             project(h_dev, [(sx0, sy0), (sx1, sy0), (sx1, sy1), (sx0, sy1)]) - 0.5],
                width=W, height=H, quality=quality, nuisances=names, fixture=fixture)
    return dict(id=(seed, j), size=(W, H), ok=ok, dev=dev, H_dev=h_dev, ppm=ppm, rf=ppm / scale, bg=bg, alpha=alpha,
                gain=gain, noise=noise, cam=cam, quality=quality, meta=meta)


# ---------------------------------------------------------------- the API

def twins(seed, j):
    """(ok_rgb, cracked_rgb, quality, meta): one scene, ok and with one crack; the two are equal away from the crack."""
    ctx = _scene(seed, j)
    cracked, info = _crack(ctx)
    meta = dict(ctx['meta'], **info)
    return ctx['ok'], cracked, ctx['quality'], meta


def render(seed, i):
    """(jpeg_bytes, label, meta): the twin of a label drawn with odds 1/2, encoded at its quality."""
    label = 'cracked' if _rng(seed, i, 'label').random() < 0.5 else 'ok'
    ctx = _scene(seed, i)
    meta = {k: ctx['meta'][k] for k in ('screen', 'width', 'height', 'quality', 'nuisances')}
    if label == 'cracked':
        rgb, info = _crack(ctx)
        meta.update(kind=info['kind'], crack_width=info['crack_width'])
    else:
        rgb = ctx['ok']
        meta.update(kind='none', crack_width=0)
    buf = io.BytesIO()
    Image.fromarray(rgb, 'RGB').save(buf, format='JPEG', quality=meta['quality'])
    return buf.getvalue(), label, meta


if __name__ == '__main__':
    import frameset
    frameset.main(render, __doc__.split('\n')[0], workers=2)
