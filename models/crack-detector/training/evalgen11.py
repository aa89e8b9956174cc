"""Counterfactual twin frames of a phone on a conveyor: each scene is drawn once ok and once with a cracked front glass.

A line camera looks down on a belt, roller bed, tray, mat or table with one phone (sometimes a small tablet) lying
screen-up, bare or in a rubber case, sometimes beside cables, screws, labels or parts. The screen is lit (app lists,
chats, line charts, maps, spreadsheets, code, wireframes, keyboards, photos, home screens, web pages) or dark (faint
reflections of the room); strip lights, a ring light, glare and specular streaks reflect off the glass. Hard
negatives come each with its own odds: scratches, swirl marks, fingerprints, a screen-protector edge and bubbles,
stickers, moire, dust, lint and hairs. The camera adds barrel distortion, vignetting, white balance, exposure
errors, defocus or motion blur, shot and read noise and a tone curve; JPEG quality is drawn from 40-95.

The cracked twin adds one crack of a kind in KINDS to the glass. Only a window around it is rendered again, through
the same camera with the same noise, so the twins agree bit for bit away from the crack; a crack whose median step
after the camera and JPEG falls outside FLOOR..CEILING grey levels is strengthened or weakened.

KINDS             crack kind names (shares in SHARES)
twins(seed, j)    -> (ok_rgb, cracked_rgb, quality, meta) for pair j: uint8 H x W x 3 arrays; meta has kind,
                     crack_width (1-3 px at 1080p), screen ('lit' or 'dark'), phone and screen_quad (corners tl, tr, br,
                     bl in the device's own orientation, frame pixels), width, height, quality, nuisances, contrast
render(seed, i)   -> (jpeg bytes, 'ok' or 'cracked', meta): one twin of pair i, the label from its own stream
python3 evalgen11.py --out DIR --count N --seed S [--workers W] writes a frame set (frameset.py).
"""
import io

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from planar import homography, project

KINDS = ['spider', 'edge_run', 'branching', 'short', 'hairline', 'shattered_corner', 'refraction', 'reflection']
SHARES = [0.15, 0.15, 0.13, 0.12, 0.12, 0.1, 0.11, 0.12]
SIZES = [(1920, 1080), (1280, 720), (1440, 1080), (1280, 960), (1024, 768), (800, 600), (640, 480)]
SIZE_P = [0.34, 0.11, 0.11, 0.11, 0.11, 0.11, 0.11]
# One random stream per concern: drawing the crack (or not) shifts no other draw.
LAYOUT, SCREEN, LIGHT, NUISANCE, CRACK, CAMERA, QUALITY, LABEL = range(8)
NUISANCES = {'scratch': 0.35, 'swirl': 0.15, 'smudge': 0.3, 'protector': 0.25, 'sticker': 0.12, 'moire': 0.15,
             'dust': 0.5, 'lint': 0.25, 'hair': 0.3}
FLOOR, TARGET, CEILING = 8.0, 14.0, 40.0  # median grey step over the crack's core after camera and JPEG
PAD = 3  # canvas margin around the device outline, so that the warp has an edge to blend
FONT = ImageFont.load_default()
BIL, BIC = Image.Resampling.BILINEAR, Image.Resampling.BICUBIC
LETTERS = np.array(list('abcdefghijklmnopqrstuvwxyz    eeeaaoottinnrs'))
DIGITS = np.array(list('0123456789  .,'))


def _rng(seed, j, k):
    return np.random.default_rng([seed, j, k])


def _rgb(a):
    return tuple(int(np.clip(v, 0, 255)) for v in a)


def _color(rng):
    """A saturated colour: one channel high, one low, one anywhere."""
    c = rng.permutation([rng.integers(170, 256), rng.integers(0, 90), rng.integers(0, 256)])
    return _rgb(c)


def _inset(box, e):
    return [box[0] + e, box[1] + e, box[2] - e, box[3] - e]


def _curve(rng, p, length, ang, bend, n=24):
    """A smooth random curve centred on p: a straight run bent by two random harmonics."""
    s = np.linspace(-0.5, 0.5, n)[:, None]
    d = np.array([np.cos(ang), np.sin(ang)])
    m = np.array([-d[1], d[0]])
    off = bend * (rng.normal() * np.cos(np.pi * s) + 0.5 * rng.normal() * np.sin(2 * np.pi * s))
    return np.asarray(p, float) + length * (s * d + off * m)


def _blob(rng, c, r, n=14):
    """A closed, smoothly wobbling outline around c (lakes, parks, shapes in photos)."""
    a = np.linspace(0, 2 * np.pi, n, endpoint=False)
    k = np.arange(1, 4)[:, None]
    rad = r * (1 + (rng.normal(0, 0.25, (3, 1)) / k * np.cos(k * a + rng.uniform(0, 6, (3, 1)))).sum(0))
    return [(c[0] + x, c[1] + y) for x, y in zip(rad * np.cos(a), rad * np.sin(a))]


def _strokes(items, x0, y0, w, h, ss=4):
    """Coverage (h x w, 0..1) of the window at (x0, y0) by polylines [(points N x 2, width px, strength)], drawn ss
    times larger and box-averaged, so that sub-pixel widths come out as faint anti-aliased lines; width 0 fills."""
    img = Image.new('L', (w * ss, h * ss))
    d = ImageDraw.Draw(img)
    for pts, width, val in items:
        xy = ((np.asarray(pts, float) - (x0, y0)) * ss).ravel().tolist()
        if width == 0:
            d.polygon(xy, fill=int(round(255 * val)))
            continue
        iw = max(1, int(round(width * ss)))
        d.line(xy, fill=int(round(255 * val * min(1.0, width * ss / iw))), width=iw, joint='curve' if iw > 2 else None)
    return np.asarray(img.reduce(ss), np.float32) / 255


def _box(pts, reach, W, H, snap=1):
    """Integer window around points, grown by reach, its corner snapped to a multiple of snap, clipped to the frame."""
    lo = np.floor((np.min(pts, 0) - reach) / snap).astype(int) * snap
    hi = np.ceil(np.max(pts, 0) + reach).astype(int)
    return max(0, lo[0]), max(0, lo[1]), min(W, hi[0]), min(H, hi[1])


def _paint(img, items, color, ss=4):
    """Blend anti-aliased strokes of one colour into the frame (in place)."""
    reach = max(w for _, w, _ in items) + 2
    x0, y0, x1, y1 = _box(np.concatenate([p for p, _, _ in items]), reach, img.shape[1], img.shape[0])
    if x1 <= x0 or y1 <= y0:
        return
    a = _strokes(items, x0, y0, x1 - x0, y1 - y0, ss)[..., None]
    win = img[y0:y1, x0:x1]
    win[...] = (win * (1 - a) + np.asarray(color, np.float32) * a + 0.5).astype(np.uint8)


def _text(d, x, y, width, rng, fill, chars=LETTERS):
    """One line of random words (or figures) no wider than width, in the 6 px bitmap font."""
    n = int(width // 6)
    if n > 0:
        d.text((x, y), ''.join(rng.choice(chars, n)).strip() or 'a', fill=fill, font=FONT)


def _big(img, x, y, width, rng, fill, scale):
    """A headline: bitmap text drawn small and enlarged."""
    n = max(1, int(width / scale // 6))
    m = Image.new('L', (6 * n, 11))
    ImageDraw.Draw(m).text((0, 0), ''.join(rng.choice(LETTERS, n)), fill=255, font=FONT)
    m = m.resize((int(6 * n * scale), int(11 * scale)), BIL)
    img.paste(fill, (int(x), int(y)), m)


# ---------------------------------------------------------------- screen contents (logical 360 dp wide, scale u)

def _theme(rng):
    light = rng.random() < 0.7
    g = (lambda lo, hi: _rgb([rng.integers(lo, hi)] * 3))
    return dict(light=light, acc=_color(rng), bg=g(238, 256) if light else g(12, 40),
                card=g(225, 240) if light else g(40, 60), fg=g(15, 60) if light else g(210, 245),
                mute=g(110, 150) if light else g(120, 160), line=g(195, 228) if light else g(50, 80))


def _smooth(rng, w, h):
    """A photo of smooth shapes: a two-colour gradient with soft blobs and hills, drawn small and enlarged."""
    sw, sh = max(4, w // 8), max(4, h // 8)
    t = np.linspace(0, 1, sh)[:, None, None]
    top, bottom = rng.integers(0, 256, (2, 3))
    small = Image.fromarray(((top * (1 - t) + bottom * t) * np.ones((1, sw, 1))).astype(np.uint8))
    d = ImageDraw.Draw(small)
    for _ in range(rng.integers(2, 7)):
        if rng.random() < 0.5:
            d.polygon(_blob(rng, rng.uniform(0, 1, 2) * (sw, sh), rng.uniform(0.1, 0.4) * sw), fill=_color(rng))
        else:
            xs = np.linspace(-1, sw + 1, 8)
            ys = sh * rng.uniform(0.4, 0.9) + rng.normal(0, sh * 0.06, 8).cumsum()
            d.polygon([(-1, sh + 1)] + list(zip(xs, ys)) + [(sw + 1, sh + 1)], fill=_rgb(rng.integers(0, 200, 3)))
    return small.filter(ImageFilter.GaussianBlur(0.7)).resize((w, h), BIC)


def _bars(d, w, h, u, th, rng):
    """Status bar and home indicator, which every app shows."""
    d.text((12 * u, 6 * u), '%d:%02d' % (rng.integers(1, 13), rng.integers(60)), fill=th['fg'], font=FONT)
    for k in range(3):
        d.rectangle([w - (20 + 14 * k) * u, 8 * u, w - (10 + 14 * k) * u, 16 * u], fill=th['fg'])
    d.rounded_rectangle([w * 0.33, h - 9 * u, w * 0.67, h - 5 * u], radius=2 * u, fill=th['fg'])


def _rows(d, y, h, w, u, rng, th):
    """List rows: an icon, a title, a subtitle and a thin divider under each."""
    rh = rng.uniform(40, 72) * u
    icons = rng.random() < 0.7
    x = (60 if icons else 16) * u
    while y + rh < h - 16 * u:
        if icons:
            s, cy = 28 * u, y + rh / 2
            (d.ellipse if rng.random() < 0.5 else d.rectangle)([16 * u, cy - s / 2, 16 * u + s, cy + s / 2],
                                                               fill=_color(rng))
        _text(d, x, y + rh * 0.2, rng.uniform(0.3, 0.8) * (w - x), rng, th['fg'])
        _text(d, x, y + rh * 0.55, rng.uniform(0.3, 0.9) * (w - x), rng, th['mute'])
        d.line([(x, y + rh), (w, y + rh)], fill=th['line'], width=1)
        y += rh


def _header(d, w, u, rng, th):
    y = 24 * u
    d.rectangle([0, y, w, y + 48 * u], fill=th['acc'] if rng.random() < 0.5 else th['card'])
    _text(d, 16 * u, y + 18 * u, w * 0.5, rng, th['fg'])
    return y + 48 * u


def _chat(d, y, y1, w, u, rng, th):
    lh = max(13, 15 * u)
    while y < y1 - 3 * lh:
        n = rng.integers(1, 4)
        bw, bh = rng.uniform(0.35, 0.75) * w, n * lh + 12 * u
        x = w - bw - 10 * u if rng.random() < 0.5 else 10 * u
        d.rounded_rectangle([x, y, x + bw, y + bh], radius=12 * u, fill=th['acc'] if x > w / 3 else th['card'])
        for k in range(n):
            _text(d, x + 10 * u, y + 6 * u + k * lh, bw - 20 * u, rng, th['fg'])
        y += bh + 8 * u


def _app_list(img, d, w, h, u, rng, th):
    _rows(d, _header(d, w, u, rng, th), h, w, u, rng, th)


def _app_chat(img, d, w, h, u, rng, th):
    _chat(d, _header(d, w, u, rng, th) + 8 * u, h - 60 * u, w, u, rng, th)
    d.rounded_rectangle([10 * u, h - 52 * u, w - 10 * u, h - 20 * u], radius=16 * u, outline=th['line'], width=1)


def _app_chart(img, d, w, h, u, rng, th):
    _text(d, 16 * u, 36 * u, w * 0.4, rng, th['fg'])
    _big(img, 16 * u, 52 * u, w * 0.3, rng, th['fg'], 2 * u)
    x0, x1, y0 = 36 * u, w - 10 * u, 90 * u
    y1 = y0 + rng.uniform(0.3, 0.6) * h
    ng = rng.integers(4, 9)
    for k in range(ng):
        y = y0 + (y1 - y0) * k / (ng - 1)
        d.line([(x0, y), (x1, y)], fill=th['line'], width=1)
        _text(d, 4 * u, y - 5, 30 * u, rng, th['mute'], DIGITS)
    for k in range(rng.integers(0, 9)):
        x = x0 + (x1 - x0) * k / 8
        d.line([(x, y0), (x, y1)], fill=th['line'], width=1)
    for _ in range(rng.integers(1, 4)):
        n = rng.integers(20, 150)
        v = rng.normal(0, 1, n).cumsum()
        ys = y1 - (y1 - y0) * (0.1 + 0.8 * (v - v.min()) / (np.ptp(v) + 1e-6))
        pts = list(zip(np.linspace(x0, x1, n), ys))
        col = _color(rng)
        if rng.random() < 0.3:
            d.polygon(pts + [(x1, y1), (x0, y1)], fill=_rgb(np.add(col, th['bg']) / 2))
        d.line(pts, fill=col, width=max(1, int(round(u * rng.uniform(0.8, 2.5)))))
    _rows(d, y1 + 16 * u, h, w, u, rng, th)


def _app_map(img, d, w, h, u, rng, th):
    light = th['light']
    d.rectangle([0, 0, w, h], fill=(236, 233, 226) if light else (36, 40, 48))
    for col, n in (((170, 205, 235) if light else (28, 48, 78), rng.integers(0, 3)),
                   ((200, 228, 190) if light else (36, 58, 44), rng.integers(0, 5))):
        for _ in range(n):
            d.polygon(_blob(rng, rng.uniform(0, 1, 2) * (w, h), rng.uniform(0.05, 0.3) * w), fill=col)
    minor = (255, 255, 255) if light else (72, 78, 90)
    a, sp = rng.uniform(0, np.pi), rng.uniform(22, 60) * u
    for ang in (a, a + np.pi / 2 + rng.normal(0, 0.1)):
        dv, nv = np.array([np.cos(ang), np.sin(ang)]), np.array([-np.sin(ang), np.cos(ang)])
        for k in np.arange(-h, h, sp):
            c = np.array([w, h]) / 2 + nv * (k + rng.normal(0, sp * 0.1))
            if rng.random() < 0.8:
                d.line([tuple(c - dv * 2 * h), tuple(c + dv * 2 * h)], fill=minor, width=int(rng.choice([1, 1, 2])))
    for _ in range(rng.integers(1, 5)):
        pts = [tuple(p) for p in _curve(rng, rng.uniform(0, 1, 2) * (w, h), 2 * h, rng.uniform(0, np.pi), 0.15)]
        wd = int(rng.uniform(3, 7) * u)
        d.line(pts, fill=(190, 190, 190) if light else (20, 20, 24), width=wd + 2, joint='curve')
        d.line(pts, fill=_rgb(rng.choice([[255, 255, 255], [250, 215, 120]])) if light else (110, 110, 100),
               width=wd, joint='curve')
    if rng.random() < 0.5:
        pts = [tuple(p) for p in _curve(rng, (w / 2, h / 2), h * 0.6, rng.uniform(0, np.pi), 0.2)]
        d.line(pts, fill=(66, 133, 244), width=int(5 * u) + 1, joint='curve')
    for _ in range(rng.integers(3, 12)):
        _text(d, rng.uniform(0, w), rng.uniform(0, h), rng.uniform(30, 80) * u, rng, th['mute'])
    px, py = rng.uniform(0.2, 0.8, 2) * (w, h)
    d.ellipse([px - 8 * u, py - 20 * u, px + 8 * u, py - 4 * u], fill=(220, 60, 50))
    d.polygon([(px - 6 * u, py - 10 * u), (px + 6 * u, py - 10 * u), (px, py)], fill=(220, 60, 50))


def _app_sheet(img, d, w, h, u, rng, th):
    y0 = _header(d, w, u, rng, th) + rng.uniform(0, 30) * u
    rh = rng.uniform(15, 24) * u
    xs = np.concatenate([[0, 24 * u], 24 * u + np.cumsum(rng.uniform(40, 90, 12) * u)])
    ys = np.arange(y0, h, rh)
    d.rectangle([0, y0, w, y0 + rh], fill=th['card'])
    d.rectangle([0, y0, 24 * u, h], fill=th['card'])
    grid = _rgb(np.asarray(th['line']) - (10 if th['light'] else -10))
    for y in ys:
        d.line([(0, y), (w, y)], fill=grid, width=1)
    for x in xs:
        d.line([(x, y0), (x, h)], fill=grid, width=1)
    for y in ys[1:-1]:
        for xa, xb in zip(xs[1:-1], xs[2:]):
            if rng.random() < 0.6:
                _text(d, xa + 3, y + (rh - 11) / 2, (xb - xa - 6) * rng.uniform(0.3, 1), rng, th['fg'], DIGITS)
    k, m = rng.integers(1, 6), rng.integers(1, 5)
    d.rectangle([xs[m], y0 + k * rh, xs[m + 1], y0 + (k + 1) * rh], outline=th['acc'], width=2)


def _app_code(img, d, w, h, u, rng, th):
    syntax = [th['fg'], th['mute'], _color(rng), _color(rng), _color(rng)]
    lh, gut = max(12, rng.uniform(12, 18) * u), 28 * u
    d.line([(gut - 4, 0), (gut - 4, h)], fill=th['line'], width=1)
    indent, step = 0, 12 * u
    for i, y in enumerate(np.arange(30 * u, h - 16 * u, lh)):
        d.text((2, y), str(i + 1), fill=th['mute'], font=FONT)
        indent = int(np.clip(indent + rng.integers(-1, 2), 0, 5))
        for g in range(indent):
            d.line([(gut + g * step + 2, y), (gut + g * step + 2, y + lh)], fill=th['line'], width=1)
        x, end = gut + indent * step, w * rng.uniform(0.3, 1.1)
        while x < end and rng.random() < 0.9:
            n = rng.integers(2, 9)
            d.text((x, y), ''.join(rng.choice(LETTERS[:26], n)), fill=syntax[rng.integers(len(syntax))], font=FONT)
            x += 6 * (n + 1)


def _app_wire(img, d, w, h, u, rng, th):
    blue = rng.random() < 0.4
    fg = (200, 220, 255) if blue else th['fg']
    d.rectangle([0, 0, w, h], fill=(18, 50, 110) if blue else th['bg'])
    if rng.random() < 0.5:
        sp, faint = rng.uniform(10, 25) * u, (40, 75, 140) if blue else th['line']
        for x in np.arange(0, w, sp):
            d.line([(x, 0), (x, h)], fill=faint, width=1)
        for y in np.arange(0, h, sp):
            d.line([(0, y), (w, y)], fill=faint, width=1)
    for _ in range(rng.integers(15, 60)):
        p, q = rng.uniform(0, 1, 2) * (w, h), rng.uniform(0, 1, 2) * (w, h)
        box = [min(p[0], q[0]), min(p[1], q[1]), max(p[0], q[0]), max(p[1], q[1])]
        t, wd = rng.integers(5), int(rng.choice([1, 1, 1, 2]))
        if t == 0:
            d.line([tuple(p), tuple(q)], fill=fg, width=wd)
        elif t == 1:
            d.rectangle(box, outline=fg, width=wd)
        elif t == 2:
            d.ellipse(box, outline=fg, width=wd)
        elif t == 3:
            d.arc(box, rng.uniform(0, 360), rng.uniform(0, 360), fill=fg, width=wd)
        else:
            d.line([tuple(p), tuple(q)], fill=fg, width=1)
            for e in (p, q):
                d.ellipse([e[0] - 2 * u, e[1] - 2 * u, e[0] + 2 * u, e[1] + 2 * u], fill=fg)
            _text(d, (p[0] + q[0]) / 2, (p[1] + q[1]) / 2 - 12, 30 * u, rng, fg, DIGITS)


def _app_keyboard(img, d, w, h, u, rng, th):
    ky = h * rng.uniform(0.55, 0.65)
    _chat(d, _header(d, w, u, rng, th) + 8 * u, ky - 44 * u, w, u, rng, th)
    d.rounded_rectangle([8 * u, ky - 40 * u, w - 8 * u, ky - 8 * u], radius=14 * u, outline=th['line'], width=1)
    _text(d, 20 * u, ky - 30 * u, rng.uniform(0.2, 0.7) * w, rng, th['fg'])
    d.rectangle([0, ky, w, h], fill=th['card'])
    kh = (h - ky - 40 * u) / 4
    key = _rgb(np.asarray(th['bg']) + (0 if th['light'] else 25))
    for r, n in enumerate((10, 9, 7, 3)):
        kw = w / 10
        widths = [kw] * n if r < 3 else [kw * 1.5, kw * 5, kw * 1.5]
        x = (w - sum(widths)) / 2
        for kwk in widths:
            y = ky + 8 * u + r * kh
            d.rounded_rectangle([x + 3 * u, y + 4 * u, x + kwk - 3 * u, y + kh - 4 * u], radius=5 * u, fill=key)
            if r < 3:
                d.text((x + kwk / 2 - 3, y + kh / 2 - 6), str(LETTERS[rng.integers(26)]), fill=th['fg'], font=FONT)
            x += kwk


def _app_photo(img, d, w, h, u, rng, th):
    if rng.random() < 0.5:
        img.paste(_smooth(rng, w, h))
        return
    cols = int(rng.integers(3, 5))
    gap = max(1, int(2 * u))
    tw = (w - gap * (cols - 1)) // cols
    for y in range(int(_header(d, w, u, rng, th)), h, tw + gap):
        for c in range(cols):
            img.paste(_smooth(rng, tw, tw), (c * (tw + gap), y))


def _app_home(img, d, w, h, u, rng, th):
    img.paste(_smooth(rng, w, h))
    s = 52 * u
    for r in range(int(rng.integers(3, 7))):
        for c in range(4):
            x, y = (c + 0.5) * w / 4 - s / 2, 50 * u + r * 90 * u
            d.rounded_rectangle([x, y, x + s, y + s], radius=12 * u, fill=_color(rng))
            _text(d, x, y + s + 4 * u, s, rng, (250, 250, 250))
    d.rounded_rectangle([8 * u, h - 100 * u, w - 8 * u, h - 16 * u], radius=24 * u, fill=th['card'])
    for c in range(4):
        x = (c + 0.5) * w / 4 - s / 2
        d.rounded_rectangle([x, h - 84 * u, x + s, h - 84 * u + s], radius=12 * u, fill=_color(rng))


def _app_web(img, d, w, h, u, rng, th):
    d.rounded_rectangle([10 * u, 28 * u, w - 10 * u, 56 * u], radius=14 * u, fill=th['card'])
    _text(d, 24 * u, 36 * u, w * 0.6, rng, th['mute'])
    y = 70 * u
    for _ in range(rng.integers(1, 4)):
        _big(img, 12 * u, y, w - 24 * u, rng, th['fg'], 1.8 * u)
        y += 24 * u
    lh = max(13, 16 * u)
    while y < h - 30 * u:
        if rng.random() < 0.2:
            ih = int(rng.uniform(0.2, 0.4) * w)
            img.paste(_smooth(rng, int(w - 24 * u), ih), (int(12 * u), int(y)))
            y += ih + 10 * u
        for _ in range(rng.integers(2, 7)):
            _text(d, 12 * u, y, (w - 24 * u) * rng.uniform(0.6, 1), rng, th['fg'])
            y += lh
        if rng.random() < 0.5:
            d.line([(12 * u, y + 4 * u), (w - 12 * u, y + 4 * u)], fill=th['line'], width=1)
        y += 12 * u


# Thin-line content (charts, maps, sheets, code, wireframes, keyboards) gets the larger share: it mimics cracks.
APPS = {_app_list: 1, _app_chat: 1, _app_chart: 1.5, _app_map: 1.5, _app_sheet: 1.5, _app_code: 1.2,
        _app_wire: 1.3, _app_keyboard: 1.2, _app_photo: 1, _app_home: 1, _app_web: 1}


def _screen(rng, dw, dh):
    """The display's picture (dw x dh) and whether it is lit; an off screen is near-black glass."""
    if rng.random() >= 0.6:
        v = rng.integers(3, 14)
        return Image.new('RGB', (dw, dh), (int(v), int(v + 1), int(v + rng.integers(1, 5)))), False
    lw = int(np.clip(dw, 180, 540))
    lh = max(1, int(round(lw * dh / dw)))
    u = lw / 360
    th = _theme(rng)
    img = Image.new('RGB', (lw, lh), th['bg'])
    d = ImageDraw.Draw(img)
    apps = list(APPS)
    p = np.array(list(APPS.values()))
    apps[rng.choice(len(apps), p=p / p.sum())](img, d, lw, lh, u, rng, th)
    _bars(d, lw, lh, u, th, rng)
    gain = rng.uniform(0.55, 1.0)
    return img.resize((dw, dh), BIL).point([int(v * gain) for v in range(256)] * 3), True


def _moire(rng, img):
    """Beat bands between the screen's pixel grid and the sensor: curved low-contrast stripes."""
    a = np.asarray(img, np.float32)
    h, w = a.shape[:2]
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    ang, per = rng.uniform(0, np.pi), rng.uniform(6, 30)
    phase = (xx * np.cos(ang) + yy * np.sin(ang)) / per + rng.uniform(0.5, 2) * np.sin(yy / rng.uniform(40, 200))
    m = 1 + rng.uniform(0.04, 0.1) * np.cos(2 * np.pi * phase)
    return Image.fromarray(np.clip(a * m[..., None], 0, 255).astype(np.uint8))


# ---------------------------------------------------------------- background

MATERIALS = {  # (darkest, lightest base colour, grain in grey levels, streaky along the travel)
    'belt': ((22, 22, 22), (75, 80, 75), 9, True),
    'rollers': ((110, 110, 115), (185, 185, 190), 6, True),
    'tray': ((18, 30, 70), (90, 90, 100), 5, False),
    'wood': ((110, 72, 40), (195, 155, 105), 10, True),
    'steel': ((125, 128, 132), (195, 197, 200), 12, True),
    'mat': ((25, 70, 55), (70, 125, 140), 6, False),
    'foam': ((12, 12, 14), (48, 48, 52), 12, False),
}


def _background(rng, W, H, sc):
    """A conveyor, tray or table surface lit unevenly, with grain, as a PIL image."""
    mat = list(MATERIALS)[rng.integers(len(MATERIALS))]
    lo, hi, grain, streaky = MATERIALS[mat]
    base = np.add(lo, rng.random() * np.subtract(hi, lo)) + rng.normal(0, 4, 3)
    along = rng.random() < 0.5  # belt travel along x, else along y
    f = 8
    sw, sh = W // f + 1, H // f + 1
    yy, xx = np.mgrid[0:sh, 0:sw].astype(np.float32)
    light = 1 + rng.uniform(-0.35, 0.35) * (xx / sw - 0.5) + rng.uniform(-0.35, 0.35) * (yy / sh - 0.5)
    cx, cy, r = rng.uniform(0, sw), rng.uniform(0, sh), rng.uniform(0.2, 0.7) * sw
    light += rng.uniform(0, 0.4) * np.exp(-((xx - cx) ** 2 + (yy - cy) ** 2) / (2 * r * r))
    mott = np.asarray(Image.fromarray(rng.normal(0, 1, (sh // 6 + 2, sw // 6 + 2)).astype(np.float32), 'F')
                      .resize((sw, sh), BIC))
    light *= 1 + 0.06 * mott
    travel = xx if along else yy
    if mat == 'rollers':  # lit cylinders with dark gaps between them, across the travel
        per = rng.uniform(6, 14) * sc
        ph = travel % per / per
        light *= 0.7 + 0.3 * np.sin(np.pi * ph) - 0.4 * (ph < 0.1)
    if mat == 'wood':
        g = rng.normal(0, 1, (sh, max(2, sw // 12)) if along else (max(2, sh // 12), sw)).astype(np.float32)
        light *= 1 + 0.12 * np.asarray(Image.fromarray(g, 'F').resize((sw, sh), BIC))
    # the grain (0..2 grain) is added in uint8 to a base kept low enough that the sum cannot wrap
    low = np.clip(base * light[..., None] - grain, 0, 255 - 2 * grain).astype(np.uint8)
    a = np.array(Image.fromarray(low).resize((W, H), BIL))
    # a 128 px tile that wraps seamlessly: per-pixel noise, plus for streaky surfaces per-row streaks whose
    # strength varies periodically along the row
    tile = rng.normal(0, grain / 6, (128, 128))
    if streaky:
        x = np.arange(128) * 2 * np.pi / 128
        tile += rng.normal(0, grain / 2, (128, 1)) * (1 + 0.5 * np.cos(x * rng.integers(1, 4) + rng.uniform(0, 6)))
    tile = np.clip((tile.T if streaky and not along else tile) + grain, 0, 2 * grain).astype(np.uint8)
    a += np.tile(tile, (H // 128 + 1, W // 128 + 1))[:H, :W, None]
    img = Image.fromarray(a)
    d = ImageDraw.Draw(img)
    if mat == 'tray':  # moulded pockets: rounded outlines with a lit and a shaded edge
        pw, ph = rng.uniform(150, 420, 2) * sc
        for x in np.arange(-rng.uniform(0, pw), W, pw):
            for y in np.arange(-rng.uniform(0, ph), H, ph):
                box = [x + 6 * sc, y + 6 * sc, x + pw - 6 * sc, y + ph - 6 * sc]
                d.rounded_rectangle(box, 12 * sc, outline=_rgb(base * 0.6), width=max(1, int(3 * sc)))
                d.rounded_rectangle(_inset(box, 3 * sc), 10 * sc, outline=_rgb(base * 1.3 + 15), width=1)
    if mat == 'mat':  # a printed cutting grid, every fifth line bolder
        sp, col = rng.uniform(15, 40) * sc, _rgb(base * 1.5 + 10)
        for k, x in enumerate(np.arange(rng.uniform(0, sp), W, sp)):
            d.line([(x, 0), (x, H)], fill=col, width=2 if k % 5 == 0 else 1)
        for k, y in enumerate(np.arange(rng.uniform(0, sp), H, sp)):
            d.line([(0, y), (W, y)], fill=col, width=2 if k % 5 == 0 else 1)
    return img


def _objects(rng, img, sc):
    """Things sharing the belt with the device: cables, screws, labels, parts (the device covers any it lands on)."""
    W, H = img.size
    d = ImageDraw.Draw(img)
    for _ in range(rng.integers(1, 4) if rng.random() < 0.45 else 0):
        p, s, t = rng.uniform(0, 1, 2) * (W, H), rng.uniform(30, 160) * sc, rng.integers(4)
        if t == 0:
            pts = [tuple(q) for q in _curve(rng, p, rng.uniform(0.3, 1.2) * W, rng.uniform(0, np.pi), 0.3, 40)]
            wd = int(rng.uniform(6, 16) * sc) + 1
            col = _rgb(rng.choice([[20, 20, 20], [230, 230, 230], [40, 60, 160]]))
            d.line(pts, fill=col, width=wd, joint='curve')
            d.line([(x, y - wd / 4) for x, y in pts], fill=_rgb(np.add(col, 60)), width=max(1, wd // 5))
        elif t == 1:
            for _ in range(rng.integers(1, 6)):
                q, r = p + rng.normal(0, s, 2), rng.uniform(4, 10) * sc
                d.ellipse([q[0] - r, q[1] - r, q[0] + r, q[1] + r], fill=(150, 150, 155), outline=(90, 90, 95))
                d.line([(q[0] - r * 0.6, q[1]), (q[0] + r * 0.6, q[1])], fill=(60, 60, 60), width=max(1, int(r / 4)))
        elif t == 2:
            a, e = rng.uniform(0, np.pi), rng.uniform(0.4, 0.8, 2) * (s, s * 0.6)
            c, sn = np.cos(a), np.sin(a)
            quad = [tuple(p + (x * c - y * sn, x * sn + y * c)) for x, y in
                    ((-e[0], -e[1]), (e[0], -e[1]), (e[0], e[1]), (-e[0], e[1]))]
            d.polygon(quad, fill=(235, 235, 228))
            for k in range(3):
                f = (k + 1) / 4
                d.line([tuple(np.add(quad[0], np.subtract(quad[3], quad[0]) * f)),
                        tuple(np.add(quad[1], np.subtract(quad[2], quad[1]) * f))], fill=(60, 60, 60), width=1)
        else:
            d.rounded_rectangle([p[0], p[1], p[0] + s, p[1] + s * 0.5], radius=s * 0.1,
                                fill=_rgb(rng.integers(20, 90, 3)))
            for k in range(3):
                x = p[0] + s * (0.2 + 0.3 * k)
                d.ellipse([x - 3 * sc, p[1] + s * 0.2, x + 3 * sc, p[1] + s * 0.2 + 6 * sc], fill=(10, 10, 10))


def _reflections(rng, w, h, L, dark):
    """Lights mirrored in the glass over the device's box: strip lights, a ring light, glare, the room (mostly seen
    on a dark screen) and sharp specular streaks."""
    img = Image.new('L', (w, h))
    d = ImageDraw.Draw(img)
    c = np.array([w, h]) / 2
    gain = 1.0 if dark else 0.5
    rect = (lambda p, dv, nv, a, b: [tuple(p + s * dv * a + t * nv * b)
                                     for s, t in ((-1, -1), (1, -1), (1, 1), (-1, 1))])
    if rng.random() < 0.55:
        a = rng.uniform(0, np.pi)
        dv, nv = np.array([np.cos(a), np.sin(a)]), np.array([-np.sin(a), np.cos(a)])
        for _ in range(rng.integers(1, 4)):
            d.polygon(rect(c + nv * rng.uniform(-0.5, 0.5) * L, dv, nv, 2 * L, rng.uniform(0.01, 0.06) * L),
                      fill=int(rng.uniform(25, 110) * gain))
    if rng.random() < 0.15:
        q, r = c + rng.normal(0, 0.2, 2) * L, rng.uniform(0.15, 0.5) * L
        d.ellipse([q[0] - r, q[1] - r, q[0] + r, q[1] + r], outline=int(rng.uniform(40, 120) * gain),
                  width=int(rng.uniform(0.015, 0.05) * L) + 1)
    if rng.random() < (0.6 if dark else 0.2):  # a window of the room: panes split by mullions, fading to one side
        q, e = c + rng.normal(0, 0.3, 2) * L, rng.uniform(0.08, 0.35, 2) * L
        nx, ny = rng.integers(1, 4, 2)
        v, fade = rng.uniform(10, 40), rng.uniform(0.3, 1)
        m = max(1, int(e.min() * rng.uniform(0.03, 0.1)))
        for i in range(nx):
            for k in range(ny):
                x0, y0 = q - e + 2 * e * (i / nx, k / ny)
                x1, y1 = q - e + 2 * e * ((i + 1) / nx, (k + 1) / ny)
                d.rectangle([x0 + m, y0 + m, x1 - m, y1 - m], fill=int(v * (1 - fade * i / max(nx, 1))))
    if rng.random() < (0.4 if dark else 0.1):  # a ceiling lamp
        q, r = c + rng.normal(0, 0.3, 2) * L, rng.uniform(0.02, 0.08) * L
        d.ellipse([q[0] - r, q[1] - r, q[0] + r, q[1] + r], fill=int(rng.uniform(60, 180)))
    if rng.random() < 0.3:
        q = c + rng.normal(0, 0.3, 2) * L
        for k in range(6):
            r = rng.uniform(0.03, 0.12) * L * (1 - k / 6)
            d.ellipse([q[0] - r, q[1] - r * 0.7, q[0] + r, q[1] + r * 0.7],
                      fill=int(40 * (k + 1) * rng.uniform(0.6, 1)))
    img = img.filter(ImageFilter.GaussianBlur(rng.uniform(1, 5) * L / 800))
    if rng.random() < 0.25:
        d = ImageDraw.Draw(img)
        d.line([tuple(q) for q in _curve(rng, c + rng.normal(0, 0.2, 2) * L, rng.uniform(0.3, 1) * L,
                                         rng.uniform(0, np.pi), 0.05)],
               fill=int(rng.uniform(40, 120)), width=int(rng.integers(1, 3)))
    return img


# ---------------------------------------------------------------- camera

# Blur taps along one axis, each set summing to 16 so that two axes of integer sums stay within uint16.
DEFOCUS = ([4, 8, 4], [1, 4, 6, 4, 1], [1, 2, 3, 4, 3, 2, 1])
MOTION = ([8, 8], [5, 6, 5], [4, 4, 4, 4], [3, 3, 4, 3, 3], [2, 3, 3, 3, 3, 2])
# Quantiles of the standard normal: 16-bit uniform draws through this table are Gaussian noise, ten times cheaper.
GAUSS = np.sort(np.random.default_rng(0).standard_normal(65536)).astype(np.float32)


class Camera:
    """Lens, exposure, white balance, blur, noise and tone curve of one frame. develop() works on any window and gives
    there the same pixels as on the whole frame (integer blur sums, per-pixel arithmetic, one fixed noise field),
    which is what keeps the twins identical away from the crack."""

    def __init__(self, rng, W, H):
        self.c = np.array([W / 2, H / 2])
        self.rd2 = (W * W + H * H) / 4
        self.k = -rng.uniform(0.02, 0.12) if rng.random() < 0.3 else 0.0  # barrel distortion
        blur = rng.choice(3, p=[0.6, 0.28, 0.12])
        big = H > 800  # the stronger kernels only where pixels are small
        if blur == 1:
            t = DEFOCUS[rng.integers(3 if big else 2)]
            self.taps = (t, t)
        elif blur == 2:  # motion smear along one image axis: the belt moving under a line camera
            t = MOTION[rng.integers(len(MOTION) if big else 3)]
            self.taps = (t, [16]) if rng.random() < 0.5 else ([16], t)
        else:
            self.taps = ([16], [16])
        self.blurred = blur > 0
        self.margin = max(len(t) for t in self.taps) // 2 + 2
        exposure = np.exp(rng.normal(0, 0.18)) * rng.choice([1, 0.5, 1.8], p=[0.84, 0.08, 0.08])
        wb = np.exp(rng.normal(0, 0.06, 3))
        shot, read2 = rng.uniform(2e-4, 1.2e-3) / min(exposure, 1), rng.uniform(1e-3, 4e-3) ** 2
        g, con, lift = rng.uniform(1.9, 2.5), rng.uniform(0, 0.45), rng.uniform(0, 0.03)
        self.vig, self.vc = rng.uniform(0, 0.45), self.c + rng.normal(0, 0.05, 2) * (W, H)
        self.g = g

        def tone(lin):
            y = np.clip(lin, 0, 1) ** (1 / g)
            return 255 * (lift + (1 - lift) * ((1 - con) * y + con * y * y * (3 - 2 * y)))

        # Per input level (12-bit after a blur, else 8-bit): the output level and the noise sigma there. Noise is
        # shot + read in linear light, carried through the tone curve's slope.
        levels = np.arange(4096) / 4080 if self.blurred else np.arange(256) / 255
        lin = levels ** 2.2 * (exposure * wb / wb[1])[:, None]
        sig = np.sqrt(lin * shot + read2)
        self.tone = (tone(lin) + 0.5).astype(np.float32)  # + 0.5: the cast to uint8 truncates
        self.sigma = ((tone(lin + sig) - tone(lin - sig)) / 2).astype(np.float32)
        self.off = rng.integers(0, 5, (3, 2))  # each channel reads the one noise field at its own offset
        self.noise = GAUSS[rng.integers(0, 65536, (H + 4, W + 4), dtype=np.uint16)]

    def distort(self, p):
        d = np.asarray(p, float) - self.c
        return self.c + d * (1 + self.k * (d * d).sum(-1, keepdims=True) / self.rd2)

    def undistort(self, q):
        q = np.asarray(q, float)
        u = q
        for _ in range(6):
            d = u - self.c
            u = self.c + (q - self.c) / (1 + self.k * (d * d).sum(-1, keepdims=True) / self.rd2)
        return u

    def _blur(self, crop):
        """Integer blur of a uint8 crop to 12-bit levels (0..4080); edges repeat, as at the frame's border."""
        if not self.blurred:
            return crop
        tx, ty = self.taps
        a = np.pad(crop, ((len(ty) // 2, (len(ty) - 1) // 2), (len(tx) // 2, (len(tx) - 1) // 2), (0, 0)),
                   mode='edge').astype(np.uint16)
        for axis, taps in ((1, tx), (0, ty)):
            n = a.shape[axis] - len(taps) + 1
            part = (lambda k: a[:, k:k + n] if axis else a[k:k + n])
            acc = part(0) * np.uint16(taps[0])
            for k, t in enumerate(taps[1:], 1):
                acc += part(k) * np.uint16(t) if t != 1 else part(k)
            a = acc
        a >>= 4
        return a

    def develop(self, crop, cx, cy, box):
        """The camera's output over box = (x0, y0, x1, y1) from a scene crop whose corner is (cx, cy) and which
        reaches at least self.margin beyond box (or the frame's edge)."""
        x0, y0, x1, y1 = box
        a = self._blur(crop)[y0 - cy:y1 - cy, x0 - cx:x1 - cx]
        yy = ((np.arange(y0, y1) + 0.5 - self.vc[1]) ** 2 / self.rd2).astype(np.float32)
        xx = ((np.arange(x0, x1) + 0.5 - self.vc[0]) ** 2 / self.rd2).astype(np.float32)
        # vignetting scales linear light; applied to output levels through the curve's rough gamma
        gain = (1 - np.float32(self.vig) * (yy[:, None] + xx[None, :])) ** np.float32(1 / self.g)
        out = np.empty(a.shape, np.uint8)
        for ch in range(3):
            idx = a[..., ch]
            v = self.tone[ch][idx]
            v *= gain
            s = self.sigma[ch][idx]
            oy, ox = self.off[ch]
            s *= self.noise[y0 + oy:y1 + oy, x0 + ox:x1 + ox]
            v += s
            np.clip(v, 0, 255, out=v)
            out[..., ch] = v
        return out


# ---------------------------------------------------------------- the scene

class Scene:
    """The ok frame before the camera, with the geometry a crack needs: canvas-to-frame map, glass and display."""

    def __init__(self, seed, j):
        lay = _rng(seed, j, LAYOUT)
        self.W, self.H = W, H = SIZES[lay.choice(len(SIZES), p=SIZE_P)]
        self.sc = H / 1080
        self.cam = Camera(_rng(seed, j, CAMERA), W, H)
        nui = _rng(seed, j, NUISANCE)
        on = {n: nui.random() < p for n, p in NUISANCES.items()}
        bg = _background(lay, W, H, self.sc)
        _objects(lay, bg, self.sc)
        self._place(lay)
        can, gloss = self._device(lay, _rng(seed, j, SCREEN), nui, on)
        box = _box(self.to_frame([(0, 0), (can.width, 0), (can.width, can.height), (0, can.height)]), 2, W, H)
        dev, gl = self._warp(can, box), self._warp(gloss, box)
        self._shadow(lay, bg, dev.getchannel('A'), box)
        bg.paste(dev, box[:2], dev.getchannel('A'))
        self.gloss = np.zeros((H, W), np.uint8)
        self.gloss[box[1]:box[3], box[0]:box[2]] = np.asarray(gl)
        self.img = np.array(bg)
        # lights reflected by the glossy glass, screen-blended: they brighten, never darken
        lgt = _rng(seed, j, LIGHT)
        refl = ImageChops.multiply(_reflections(lgt, box[2] - box[0], box[3] - box[1], self.L, not self.lit), gl)
        tint = np.round(np.minimum(np.exp(lgt.normal(0, 0.08, 3)), 2) * 128).astype(np.uint16)
        r = np.minimum(np.asarray(refl, np.uint16)[..., None] * tint >> 7, 255)
        win = self.img[box[1]:box[3], box[0]:box[2]]
        win[...] = 255 - ((255 - win) * (255 - r) + 127) // 255  # products stay within uint16
        self._loose(nui, on)
        self.nuisances = [n for n in NUISANCES if on[n] and (n != 'moire' or self.lit)]

    def to_frame(self, pts):
        return self.cam.distort(project(self.hm, pts))

    def _place(self, rng):
        """Device size, pose and mild perspective, shrunk where needed to stay inside the frame."""
        W, H = self.W, self.H
        self.tablet = rng.random() < 0.15
        aspect = rng.uniform(1.3, 1.6) if self.tablet else rng.uniform(1.75, 2.3)
        L = rng.uniform(0.15, 0.7) * W
        th = rng.uniform(0, 2 * np.pi)
        rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        rel = np.array([[-1, -1], [1, -1], [1, 1], [-1, 1]]) * (0.5 / aspect, 0.5) @ rot.T
        rel += rng.uniform(-0.03, 0.03, (4, 2))
        L = min(L, 0.94 * W / np.ptp(rel[:, 0]), 0.94 * H / np.ptp(rel[:, 1]))
        lo = -rel.min(0) * L + 0.03 * np.array([W, H])
        room = np.maximum(0, 0.94 * np.array([W, H]) - np.ptp(rel, 0) * L)
        pos = lo + rng.uniform(0, 1, 2) * room
        self.L, self.wo, self.ho = L, int(round(L / aspect)), int(round(L))
        self.outline = [(PAD, PAD), (PAD + self.wo, PAD), (PAD + self.wo, PAD + self.ho), (PAD, PAD + self.ho)]
        self.hm = homography(self.outline, pos + rel * L)

    def _device(self, lay, scr, nui, on):
        """The device face-up on a canvas about one frame pixel per canvas pixel: body or case, glass, display,
        cut-outs and what sits on the glass. Returns the RGBA canvas and the glossy-glass mask."""
        wo, ho = self.wo, self.ho
        can = Image.new('RGBA', (wo + 2 * PAD, ho + 2 * PAD), (15, 15, 15, 0))
        gloss = Image.new('L', can.size, 0)
        d, dg = ImageDraw.Draw(can), ImageDraw.Draw(gloss)
        box = [PAD, PAD, PAD + wo - 1, PAD + ho - 1]
        r = wo * (lay.uniform(0.03, 0.07) if self.tablet else lay.uniform(0.08, 0.15))
        if lay.random() < 0.3:  # rubber case: a thick rim whose lip overlaps the glass edge
            col = np.array(lay.choice([[20, 20, 22], [35, 40, 60], [120, 25, 30], [60, 60, 60], [200, 190, 180]]))
            rim = wo * lay.uniform(0.03, 0.06)
            d.rounded_rectangle(box, r, fill=_rgb(col))
            d.rounded_rectangle(_inset(box, rim * 0.3), r, outline=_rgb(col * 1.3 + 20), width=max(1, int(rim * 0.25)))
            d.rounded_rectangle(_inset(box, rim * 0.8), r, fill=_rgb(col * 0.6))
            edge = rim + max(1.0, 0.006 * wo)
        else:
            col = np.array(lay.choice([[30, 30, 32], [190, 192, 196], [200, 175, 140], [60, 70, 95], [230, 230, 228]]))
            d.rounded_rectangle(box, r, fill=_rgb(col))
            d.rounded_rectangle(_inset(box, 1), r, outline=_rgb(col * 1.2 + 25), width=1)
            edge = wo * lay.uniform(0.008, 0.02)
        g = [int(round(v)) for v in _inset(box, edge)]
        rg = max(2, r - edge)
        white = lay.random() < 0.15
        bezel = _rgb([lay.integers(215, 235)] * 3 if white else [lay.integers(6, 20)] * 3)
        d.rounded_rectangle(g, rg, fill=bezel)
        dg.rounded_rectangle(g, rg, fill=255)
        gw = g[2] - g[0]
        side = gw * (lay.uniform(0.012, 0.08) if self.tablet else lay.uniform(0.01, 0.06))
        top, bottom = (side + (gw * lay.uniform(0.05, 0.16) if lay.random() < 0.35 else 0) for _ in range(2))
        disp = [int(round(v)) for v in (g[0] + side, g[1] + top, g[2] - side, g[3] - bottom)]
        dw, dh = disp[2] - disp[0], disp[3] - disp[1]
        rd = max(1, int(rg - side)) if top == side else int(lay.uniform(0, 0.03) * gw)
        content, self.lit = _screen(scr, dw, dh)
        if on['moire'] and self.lit:
            content = _moire(nui, content)
        mask = Image.new('L', (dw, dh))
        ImageDraw.Draw(mask).rounded_rectangle([0, 0, dw - 1, dh - 1], rd, fill=255)
        can.paste(content, disp[:2], mask)
        cx, cut = (disp[0] + disp[2]) / 2, lay.random()
        if cut < 0.25 and top == side:  # notch
            nw, nh = dw * lay.uniform(0.3, 0.5), gw * lay.uniform(0.04, 0.06)
            d.rounded_rectangle([cx - nw / 2, disp[1] - 2, cx + nw / 2, disp[1] + nh], nh * 0.4, fill=(5, 5, 5))
        elif cut < 0.65 and top == side:  # punch hole
            pr = gw * lay.uniform(0.015, 0.03)
            px = cx if lay.random() < 0.7 else disp[0] + gw * 0.08
            d.ellipse([px - pr, disp[1] + 2.5 * pr - pr, px + pr, disp[1] + 2.5 * pr + pr], fill=(3, 3, 3))
        elif top > side + 0.03 * gw:  # earpiece slot and camera on the top bezel
            ey = (g[1] + disp[1]) / 2
            d.rounded_rectangle([cx - gw * 0.08, ey - 1.5, cx + gw * 0.08, ey + 1.5], 1, fill=(40, 40, 42))
            d.ellipse([cx + gw * 0.14, ey - 3, cx + gw * 0.14 + 6, ey + 3], fill=(25, 25, 40))
        self.glass, self.display = g, disp
        ov = Image.new('RGBA', can.size, (0, 0, 0, 0))
        do = ImageDraw.Draw(ov)
        # curved glass catches the light along its border
        do.rounded_rectangle(_inset(g, 1.5), rg, outline=(235, 235, 240, int(lay.uniform(20, 90))), width=1)
        self.stickers = self._on_glass(nui, on, do, g, rg)
        ov.putalpha(ImageChops.multiply(ov.getchannel('A'), gloss))
        for s in self.stickers:  # paper: no gloss, and a crack under it does not show
            dg.rectangle(s, fill=0)
        return Image.alpha_composite(can, ov), gloss

    def _on_glass(self, rng, on, d, g, rg):
        """Hard negatives fixed to the glass, drawn on the overlay in canvas pixels; returns the sticker boxes."""
        gw, gh = g[2] - g[0], g[3] - g[1]
        at = (lambda: np.array([g[0] + rng.uniform(0, gw), g[1] + rng.uniform(0, gh)]))
        s = self.sc
        if on['scratch']:
            for _ in range(rng.integers(1, 7)):
                pts = _curve(rng, at(), gw * rng.uniform(0.05, 0.5), rng.uniform(0, np.pi), rng.choice([0, 0.08]), 12)
                d.line([tuple(p) for p in pts], fill=(235, 235, 235, int(rng.uniform(25, 90))), width=1)
        if on['swirl']:
            c = at()
            for _ in range(rng.integers(20, 70)):
                r = gw * rng.uniform(0.05, 0.45)
                a = rng.uniform(0, 360)
                d.arc([c[0] - r, c[1] - r, c[0] + r, c[1] + r], a, a + rng.uniform(10, 45),
                      fill=(240, 240, 240, int(rng.uniform(12, 40))), width=1)
        if on['smudge']:
            for _ in range(rng.integers(1, 4)):
                c, e = at(), gw * rng.uniform(0.05, 0.12) * np.array([1, rng.uniform(1.1, 1.5)])
                d.ellipse([*(c - e), *(c + e)], fill=(200, 200, 195, int(rng.uniform(8, 18))))
                for k in np.arange(1, e[0], max(2.0, 3.5 * s)):
                    q = e * k / e[0]
                    a = rng.uniform(0, 360)
                    d.arc([*(c - q), *(c + q)], a, a + rng.uniform(90, 300),
                          fill=(210, 210, 205, int(rng.uniform(10, 30))))
        if on['protector']:
            b = _inset(g, gw * rng.uniform(0.004, 0.03))
            rp = max(1, rg - (b[0] - g[0]))
            d.rounded_rectangle(b, rp, outline=(240, 240, 240, int(rng.uniform(60, 140))), width=1)
            d.rounded_rectangle(_inset(b, 1), rp, outline=(0, 0, 0, int(rng.uniform(30, 80))), width=1)
            for _ in range(rng.integers(0, 6)):
                c, e = at(), rng.uniform(2, 12, 2) * s
                d.ellipse([*(c - e), *(c + e)], fill=(255, 255, 255, 18),
                          outline=(245, 245, 245, int(rng.uniform(60, 140))))
        stickers = []
        if on['sticker']:
            e = gw * rng.uniform(0.1, 0.25) * np.array([1, rng.uniform(0.3, 0.7)])
            c = at()
            sb = [float(v) for v in np.concatenate([c - e, c + e])]
            paper = rng.choice([[245, 245, 240], [250, 220, 60], [240, 120, 40], [120, 200, 240]])
            d.rectangle(sb, fill=_rgb(paper) + (255,))
            for k in range(3):
                y = sb[1] + (k + 1) * (sb[3] - sb[1]) / 4
                d.line([(sb[0] + e[0] * 0.2, y), (sb[2] - e[0] * rng.uniform(0.2, 1), y)], fill=(40, 40, 40, 255),
                       width=max(1, int(e[1] * 0.12)))
            stickers.append(sb)
        return stickers

    def _warp(self, img, box):
        """The canvas into the frame box through the homography and the lens, as a mesh of 128 px cells."""
        x0, y0, x1, y1 = box
        xs, ys = np.r_[np.arange(x0, x1, 128), x1], np.r_[np.arange(y0, y1, 128), y1]
        gx, gy = np.meshgrid(xs, ys)
        src = project(np.linalg.inv(self.hm), self.cam.undistort(np.stack([gx, gy], -1).reshape(-1, 2)))
        src = src.reshape(len(ys), len(xs), 2)
        mesh = [((xs[i] - x0, ys[k] - y0, xs[i + 1] - x0, ys[k + 1] - y0),
                 (*src[k, i], *src[k + 1, i], *src[k + 1, i + 1], *src[k, i + 1]))
                for k in range(len(ys) - 1) for i in range(len(xs) - 1)]
        return img.transform((x1 - x0, y1 - y0), Image.Transform.MESH, mesh, BIL)

    def _shadow(self, rng, bg, alpha, box):
        """A soft contact shadow: the device's silhouette, shrunk, blurred and shifted, darkens the belt."""
        f = 8
        m = int(self.L * 0.06) + 2 * f
        x0, y0 = box[0] - m, box[1] - m
        sil = Image.new('L', (box[2] - box[0] + 2 * m, box[3] - box[1] + 2 * m))
        sil.paste(alpha, (m, m))
        small = sil.resize((sil.width // f + 1, sil.height // f + 1), BIL).filter(
            ImageFilter.GaussianBlur(rng.uniform(0.5, 3) * self.L / (200 * f)))
        k = rng.uniform(0.2, 0.55)
        sh = small.resize(sil.size, BIL).point([int(v * k) for v in range(256)])
        off = rng.normal(0, 0.01, 2) * self.L
        bg.paste((8, 8, 8), (int(x0 + off[0]), int(y0 + off[1])), sh)

    def _loose(self, rng, on):
        """Dust, lint and hairs: loose on glass and belt alike, drawn in frame pixels with the crack's own stroke
        renderer (a hair is the negative most like a crack)."""
        g = self.glass
        at = (lambda: self.to_frame([(rng.uniform(g[0], g[2]), rng.uniform(g[1], g[3]))])[0])
        s, L = self.sc, self.L
        bright = not self.lit
        if on['dust']:
            for _ in range(rng.integers(10, 120)):
                p = at() + rng.normal(0, 0.2, 2) * L
                v = rng.normal(0, 0.6, 2) * s
                up = rng.random() < (0.8 if bright else 0.35)
                _paint(self.img, [(np.array([p, p + v]), rng.uniform(0.6, 3) * s, rng.uniform(0.4, 1))],
                       _rgb([rng.uniform(180, 240)] * 3) if up else _rgb([rng.uniform(20, 70)] * 3))
        if on['lint']:
            for _ in range(rng.integers(1, 4)):
                n = 12
                steps = np.cumsum(rng.normal(0, 0.7, n)) + rng.uniform(0, 6)
                seg = rng.uniform(10, 45) * s / n
                pts = at() + np.cumsum(seg * np.stack([np.cos(steps), np.sin(steps)], -1), 0)
                col = _rgb(rng.choice([[225, 225, 225], [90, 110, 170], [150, 150, 150], [200, 120, 120]]))
                _paint(self.img, [(pts, rng.uniform(0.8, 2) * s, rng.uniform(0.5, 0.9))], col)
        if on['hair']:
            for _ in range(rng.integers(1, 3)):
                pts = _curve(rng, at(), rng.uniform(0.15, 0.6) * L, rng.uniform(0, np.pi), rng.uniform(0, 0.25), 48)
                dark = rng.random() < 0.6
                col = _rgb(rng.uniform(15, 60) * np.array([1.3, 1.0, 0.8]) if dark else [rng.uniform(170, 235)] * 3)
                _paint(self.img, [(pts, rng.uniform(0.5, 1.8) * s, rng.uniform(0.5, 0.95))], col)

    def quad(self, box):
        """Corners tl, tr, br, bl of a canvas box, in frame pixels."""
        x0, y0, x1, y1 = box
        return self.to_frame([(x0, y0), (x1, y0), (x1, y1), (x0, y1)]).tolist()


# ---------------------------------------------------------------- cracks

def _exit(p, q, rect):
    """Fraction along p->q where it leaves rect, or None while q is inside."""
    x0, y0, x1, y1 = rect
    if x0 <= q[0] <= x1 and y0 <= q[1] <= y1:
        return None
    d = q - p
    ts = [((hi if d[a] > 0 else lo) - p[a]) / d[a] for a, lo, hi in ((0, x0, x1), (1, y0, y1)) if d[a] != 0]
    return max(0.0, min(ts))


def _hit(p, q, segs):
    """Fraction along p->q where it first crosses one of segs (M x 4), or None."""
    if not len(segs):
        return None
    a, s, r = segs[:, :2], segs[:, 2:] - segs[:, :2], q - p
    den = r[0] * s[:, 1] - r[1] * s[:, 0]
    ap = a - p
    with np.errstate(divide='ignore', invalid='ignore'):
        t = (ap[:, 0] * s[:, 1] - ap[:, 1] * s[:, 0]) / den
        v = (ap[:, 0] * r[1] - ap[:, 1] * r[0]) / den
    ok = (den != 0) & (t > 0.02) & (t <= 1) & (v >= 0) & (v <= 1)
    return float(t[ok].min()) if ok.any() else None


def _walk(rng, p, ang, length, step, rect, segs):
    """A fracture path from p heading ang: a heading that drifts slowly and turns at rare kinks, each step jittered
    a little about it; it ends at the glass edge, on a crack already there (segs) or after length."""
    pts, done = [np.asarray(p, float)], 0.0
    while done < length:
        ang += rng.normal(0, 0.03) + (rng.random() < 0.08) * rng.choice((-1, 1)) * rng.uniform(0.2, 0.6)
        st, a = step * rng.uniform(0.4, 1.3), ang + rng.normal(0, 0.08)
        q = pts[-1] + st * np.array([np.cos(a), np.sin(a)])
        ts = [t for t in (_exit(pts[-1], q, rect), _hit(pts[-1], q, segs)) if t is not None]
        if ts:
            pts.append(pts[-1] + min(ts) * (q - pts[-1]))
            break
        pts.append(q)
        done += st
    return np.array(pts)


def _segs(paths):
    return np.concatenate([np.c_[p[:-1], p[1:]] for p, _ in paths]) if paths else np.zeros((0, 4))


def _at(path, s):
    """The point at arc length s along path, or None if it is shorter."""
    cum = np.r_[0, np.cumsum(np.hypot(*np.diff(path, axis=0).T))]
    if s >= cum[-1]:
        return None
    k = np.searchsorted(cum, s) - 1
    return path[k] + (path[k + 1] - path[k]) * (s - cum[k]) / (cum[k + 1] - cum[k])


def _run(rng, g, disp, gw, length, branches, edge):
    """A crack from the glass edge (edge) or from a point in the display (running both ways), with side branches."""
    step = max(6.0, gw * rng.uniform(0.03, 0.06))
    if edge:
        side = rng.integers(4)
        t = rng.choice([rng.uniform(0.02, 0.08), rng.uniform(0.08, 0.92), rng.uniform(0.92, 0.98)], p=[.15, .7, .15])
        x, y = g[0] + t * (g[2] - g[0]), g[1] + t * (g[3] - g[1])
        p, ang = [(x, g[1]), (g[2], y), (x, g[3]), (g[0], y)][side], np.pi / 2 * (side + 1)
        paths = [(_walk(rng, p, ang + rng.normal(0, 0.4), length, step, g, []), 1.0)]
    else:
        p = rng.uniform(disp[:2], disp[2:])
        ang, share = rng.uniform(0, 2 * np.pi), rng.uniform(0.3, 0.7)
        a = _walk(rng, p, ang, length * share, step, g, [])
        b = _walk(rng, p, ang + np.pi, length * (1 - share), step, g, [])
        paths = [(np.r_[b[::-1], a[1:]], 1.0)]
    for _ in range(branches):
        par = paths[rng.integers(len(paths))][0]
        if len(par) < 3:
            continue
        k = rng.integers(1, len(par) - 1)
        ang = np.arctan2(*(par[k + 1] - par[k])[::-1]) + rng.choice((-1, 1)) * rng.uniform(0.3, 1.0)
        paths.append((_walk(rng, par[k], ang, gw * rng.uniform(0.1, 0.5), step * 0.8, g, _segs(paths)), 0.75))
    return paths, []


def _web(rng, c, a0, span, n, lengths, rings, rmax, gw, g, pieces):
    """Radial cracks from an impact c over the angles a0..a0+span, joined by concentric rings; with pieces, some
    cells between them are tinted (loose fragments tilt and catch the light differently)."""
    step = max(5.0, gw * rng.uniform(0.025, 0.05))
    full = span >= 2 * np.pi - 1e-9
    angles = a0 + span * (np.arange(n) + rng.uniform(0.2, 0.8, n)) / n
    rad = [_walk(rng, c, a, rng.uniform(*lengths), step, g, []) for a in angles]
    paths, polys = [(r, 1.0) for r in rad], []
    radii = np.sort(rng.uniform(0.15, 1, rings)) * rmax
    grid = [[_at(r, rk * rng.uniform(0.9, 1.1)) for r in rad] for rk in radii]
    for k, row in enumerate(grid):
        for i in range(n if full else n - 1):
            p, q = row[i], row[(i + 1) % n]
            if p is None or q is None or rng.random() > 0.75:
                continue
            mid = (p + q) / 2
            out = mid - c
            mid = mid + out / (np.hypot(*out) + 1e-9) * np.hypot(*(q - p)) * rng.uniform(-0.05, 0.15)
            paths.append((np.array([p, mid + rng.normal(0, 0.5, 2), q]), 0.7))
            if pieces and k + 1 < len(grid) and rng.random() < 0.4:
                pr, qr = grid[k + 1][i], grid[k + 1][(i + 1) % n]
                if pr is not None and qr is not None:
                    polys.append((np.array([p, q, qr, pr]), rng.uniform(0.08, 0.3)))
    return paths, polys


def _geometry(rng, kind, g, disp, gw, sc):
    """Fracture paths [(points, width factor)] and tinted fragments [(polygon, tint)] of one crack kind, in canvas
    pixels, on glass g with display disp."""
    if kind in ('spider', 'reflection') and (kind == 'spider' or rng.random() < 0.3):
        c = rng.uniform(disp[:2], disp[2:])
        paths, polys = _web(rng, c, rng.uniform(0, 2 * np.pi), 2 * np.pi, rng.integers(5, 15), (0.15 * gw, 1.2 * gw),
                            rng.integers(1, 5), rng.uniform(0.05, 0.35) * gw, gw, g, False)
        crush = [(np.array([c, c + rng.normal(0, 0.012 * gw, 2)]), 1.0) for _ in range(rng.integers(4, 12))]
        return paths + crush, polys
    if kind == 'shattered_corner':
        k = rng.integers(4)
        corner = np.array([(g[0], g[1]), (g[2], g[1]), (g[2], g[3]), (g[0], g[3])][k], float)
        inward = np.array([(1, 1), (-1, 1), (-1, -1), (1, -1)][k], float)
        reach = np.hypot(*(np.array([(disp[0], disp[1]), (disp[2], disp[1]), (disp[2], disp[3]),
                                     (disp[0], disp[3])][k]) - corner)) + 0.04 * gw
        lengths = (max(0.12 * gw, reach), max(0.35 * gw, reach * 1.5))
        # radials that skirt the glass edge would leave at once: keep them off it
        return _web(rng, corner + inward * 0.01 * gw, np.pi / 2 * k + 0.1, np.pi / 2 - 0.2, rng.integers(7, 15),
                    lengths, rng.integers(4, 9), np.mean(lengths) * 0.9, gw, g, True)
    if kind == 'edge_run':
        return _run(rng, g, disp, gw, rng.uniform(0.5, 1.5) * gw, rng.choice([0, 1, 2], p=[.5, .3, .2]), True)
    if kind == 'short':
        length = max(rng.uniform(0.03, 0.15) * gw, 30 * sc)  # short, but long enough to see at 640 x 480
        return _run(rng, g, disp, gw, length, rng.choice([0, 1], p=[.7, .3]), False)
    if kind == 'hairline':
        return _run(rng, g, disp, gw, rng.uniform(0.1, 0.9) * gw, rng.choice([0, 1], p=[.7, .3]), rng.random() < .5)
    return _run(rng, g, disp, gw, rng.uniform(0.4, 1.2) * gw, rng.integers(2, 7) if kind == 'branching'
                else rng.integers(0, 4), rng.random() < 0.5)


def _over_display(paths, disp, stickers):
    """Whether some point of the crack lies on the display and not under a sticker."""
    pts = np.concatenate([p for p, _ in paths])
    pts = np.r_[pts, np.concatenate([(p[1:] + p[:-1]) / 2 for p, _ in paths if len(p) > 1] or [pts[:0]])]
    ok = (pts >= disp[:2]).all(1) & (pts <= disp[2:]).all(1)
    for s in stickers:
        ok &= ~((pts >= s[:2]).all(1) & (pts <= s[2:]).all(1))
    return ok.any()


def _shift(a, v):
    """a (h x w x 3) resampled at (x - vx, y - vy), edges repeated."""
    ix, iy = int(np.floor(v[0])), int(np.floor(v[1]))
    fx, fy = v[0] - ix, v[1] - iy
    m = abs(ix) + abs(iy) + 2
    p = np.pad(a, ((m, m), (m, m), (0, 0)), mode='edge')
    h, w = a.shape[:2]
    at = (lambda dy, dx: p[m - iy - dy:m - iy - dy + h, m - ix - dx:m - ix - dx + w])
    return ((1 - fy) * ((1 - fx) * at(0, 0) + fx * at(0, 1)) + fy * ((1 - fx) * at(1, 0) + fx * at(1, 1)))


class Crack:
    """One crack on the glass: fracture paths in canvas pixels and how it shows (dark scatter, bright glints where
    the light catches, displaced content by refraction)."""

    def __init__(self, rng, scene):
        self.kind = KINDS[rng.choice(len(KINDS), p=SHARES)]
        self.width = 1 if self.kind == 'hairline' else int(rng.choice([1, 2, 3], p=[0.5, 0.3, 0.2]))
        g, disp = np.array(scene.glass, float), np.array(scene.display, float)
        gw = g[2] - g[0]
        for _ in range(30):  # a crack must show over the display somewhere
            self.paths, self.pieces = _geometry(rng, self.kind, g, disp, gw, scene.sc)
            if _over_display(self.paths, disp, scene.stickers):
                break
        self.px = self.width * scene.sc * (rng.uniform(0.35, 0.7) if self.kind == 'hairline' else 1)
        self.dark, self.bright = rng.uniform(0.3, 0.75), rng.uniform(0.08, 0.4)
        self.offset, self.band = 0.0, 0.0
        if self.kind == 'refraction':
            self.dark, self.bright = rng.uniform(0.05, 0.2), rng.uniform(0.03, 0.1)
            self.offset, self.band = rng.uniform(1, 2.5) * scene.sc, rng.uniform(2, 5) * scene.sc
        elif self.kind == 'reflection':
            self.dark, self.bright = rng.uniform(0.05, 0.15), rng.uniform(0.45, 0.9)
        elif rng.random() < 0.25:
            self.offset, self.band = rng.uniform(0.5, 1.2) * scene.sc, rng.uniform(1.5, 3) * scene.sc
        self.dir = rng.uniform(0, 2 * np.pi)
        # each run of a few segments scatters and glints by its own amount
        self.chunks = []
        for pts, wf in self.paths:
            cuts = np.r_[0, np.cumsum(rng.integers(2, 6, len(pts))), len(pts)]
            for a, b in zip(cuts[:-1], cuts[1:]):
                if a < len(pts) - 1:
                    self.chunks.append((pts[a:min(b, len(pts) - 1) + 1], wf, rng.uniform(0.6, 1),
                                        rng.uniform(0, 1) ** 1.5, rng.choice((-1, 1))))

    def _layers(self, scene, x0, y0, w, h, wide):
        """Coverage of the window by the crack's scatter, glints and refraction band, masked to glossy glass; the
        lines drawn wide times their width."""
        fr = [(scene.to_frame(p), wf * self.px * wide, dv, bv, side) for p, wf, dv, bv, side in self.chunks]
        dark = _strokes([(p, w_, dv) for p, w_, dv, _, _ in fr], x0, y0, w, h)
        polys = [(scene.to_frame(p), 0, v) for p, v in self.pieces]
        bright = _strokes([(p, w_, 0.25 + 0.75 * bv) for p, w_, _, bv, _ in fr] + polys, x0, y0, w, h)
        band = np.zeros_like(dark)
        if self.band:
            shifted = []
            for p, w_, _, _, side in fr:
                t = np.gradient(p, axis=0)
                nrm = np.c_[-t[:, 1], t[:, 0]] / (np.hypot(*t.T)[:, None] + 1e-9)
                shifted.append((p + side * nrm * (self.band + w_) / 2, self.band, 1.0))
            band = _strokes(shifted, x0, y0, w, h)
        gl = scene.gloss[y0:y0 + h, x0:x0 + w].astype(np.float32) / 255
        return dark * gl, bright * gl, band * gl

    def draw(self, scene, ok, q):
        """The cracked twin: the ok frame with a window around the crack re-rendered through the same camera. The
        crack's strength k is tuned until its step lies in FLOOR..CEILING; past full opacity it widens the lines."""
        cam, W, H = scene.cam, scene.W, scene.H
        pts = np.concatenate([scene.to_frame(p) for p, _ in self.paths])
        # the window's corner sits on the JPEG block grid, so that its measured step matches the frame's encoding
        box = _box(pts, 6 * self.px + self.band + 4 * self.offset + 4, W, H, snap=16)
        x0, y0, x1, y1 = box
        cx0, cy0, cx1, cy1 = _box([[x0, y0], [x1, y1]], cam.margin, W, H)
        base = scene.img[cy0:cy1, cx0:cx1]
        s = base[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0].astype(np.float32)
        v = np.array([np.cos(self.dir), np.sin(self.dir)])
        k, wide, drawn, ref = 1.0, 1.0, None, _jpeg_grey(ok[y0:y1, x0:x1], q)
        for _ in range(5):
            if wide != drawn:
                dark, bright, band = self._layers(scene, x0, y0, x1 - x0, y1 - y0, wide)
                line = dark + bright
                core = line > 0.4 * line.max() if line.max() > 0 else line > 0
                drawn = wide
            a = s
            if self.band:
                off = min(4 * scene.sc + 1, self.offset * k)
                a = a + (_shift(s, off * v) - a) * band[..., None]
            a = a * (1 - min(0.95, self.dark * k) * dark[..., None])
            a = a + (255 - a) * (min(0.95, self.bright * k) * bright[..., None])
            crop = base.copy()
            crop[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0] = np.clip(a + 0.5, 0, 255).astype(np.uint8)
            out = cam.develop(crop, cx0, cy0, box)
            c = float(np.median(np.abs(_jpeg_grey(out, q) - ref)[core])) if core.any() else 0.0
            if FLOOR <= c <= CEILING:
                break
            k *= float(np.clip(TARGET / max(c, 0.5), 0.3, 3))
            wide = float(np.clip(max(self.dark, self.bright) * k / 0.95, 1, 3))
        self.contrast = c
        img = ok.copy()
        img[y0:y1, x0:x1] = out
        return img


def _jpeg(a, q):
    buf = io.BytesIO()
    Image.fromarray(a).save(buf, 'JPEG', quality=int(q))
    return buf.getvalue()


def _jpeg_grey(a, q):
    """Grey levels of a window after a JPEG round trip at quality q (what the crack's step is measured on)."""
    b = np.asarray(Image.open(io.BytesIO(_jpeg(a, q))), np.float32)
    return b @ np.array([0.299, 0.587, 0.114], np.float32)


# ---------------------------------------------------------------- interface

def _pair(seed, j, cracked):
    scene = Scene(seed, j)
    ok = scene.cam.develop(scene.img, 0, 0, (0, 0, scene.W, scene.H))
    q = int(_rng(seed, j, QUALITY).integers(40, 96))
    meta = dict(kind='none', crack_width=0, screen='lit' if scene.lit else 'dark', phone=scene.quad(
        [PAD, PAD, PAD + scene.wo, PAD + scene.ho]), screen_quad=scene.quad(scene.display), width=scene.W,
        height=scene.H, quality=q, nuisances=scene.nuisances)
    if not cracked:
        return ok, None, q, meta
    crack = Crack(_rng(seed, j, CRACK), scene)
    img = crack.draw(scene, ok, q)
    meta.update(kind=crack.kind, crack_width=crack.width, contrast=round(crack.contrast, 1))
    return ok, img, q, meta


def twins(seed, j):
    """Pair j of seed: (ok_rgb, cracked_rgb, quality, meta)."""
    return _pair(seed, j, True)


def render(seed, i):
    """Test frame i: one twin of pair i, encoded at its quality, with its label and meta."""
    label = 'cracked' if _rng(seed, i, LABEL).random() < 0.5 else 'ok'
    ok, cracked, q, meta = _pair(seed, i, label == 'cracked')
    keep = ('kind', 'crack_width', 'screen', 'width', 'height', 'quality', 'nuisances')
    return _jpeg(cracked if cracked is not None else ok, q), label, {k: meta[k] for k in keep}


if __name__ == '__main__':
    import frameset
    frameset.main(render, __doc__.split('\n')[0], workers=2)
