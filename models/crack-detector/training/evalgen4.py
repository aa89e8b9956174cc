#!/usr/bin/env python3
"""evalgen4 - synthetic conveyor-camera frames for EVALUATING a screen-crack detector.

For evaluation only, never for training.  Written from a short brief without reading the
project's other generators, so its rendering style is independent of the training data.

Each frame: ONE phone or tablet lying screen-up on an invented surface (rubber, modular or
roller conveyor, ESD mat, tray, wood, brushed steel) under uneven light, vignetting and cast
shadows, any rotation, slight perspective, bezels, rounded corners, notches / punch holes.
The screen is lit (app UIs, text, home/lock screens, maps, photos, video, chat + keyboard,
games, test patterns) or dark (off glass with room reflections, always-on clock).  ~50 % of
frames have cracked glass (impact webs, single fractures, corner/edge breaks, branching trees,
hairlines, shatter), many subtle but above a visibility floor that accounts for blur, noise
and JPEG.  Label-independent hard negatives: scratches, swirl marks, dust, lint, hair,
fingerprints, smudges, glare spots/bands, reflections, protector edges/bubbles, stickers,
moire, cables, tools.  Camera: focus/motion blur, exposure, white balance, gamma, noise, JPEG.

Frame i depends only on (seed, i): all randomness comes from default_rng([seed, i, k]), one
stream k per concern, so the bytes do not depend on --workers.
    /usr/bin/python3 evalgen4.py --out DIR --count N --seed S [--workers 2]
writes DIR/NNNNN_<ok|cracked>.jpg, DIR/labels.csv and DIR/meta.csv; render(seed, i) returns
(jpeg_bytes, label, meta_dict) for use from other code.
"""
import argparse, csv, io, math, os, sys
import multiprocessing as mp
import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

PI2 = 2 * math.pi
SIZES = [(1920, 1080), (1280, 720), (1440, 1080), (1024, 768), (640, 480), (800, 600), (960, 720), (1280, 960),
         (1280, 1024)]
SIZE_P = [.24, .24, .07, .10, .10, .08, .07, .06, .04]
CRACK_KINDS = ['impact', 'single', 'corner', 'edge', 'tree', 'hairline', 'shatter']
CRACK_P = [.20, .18, .14, .10, .10, .18, .10]
NUISANCES = [('scratch', .22), ('curved_scratch', .15), ('swirl', .10), ('dust', .35), ('lint', .18), ('hair', .08),
             ('fingerprint', .22), ('smudge', .18), ('glare_spot', .22), ('glare_band', .20), ('reflection', .18),
             ('protector', .14), ('sticker', .12), ('moire', .12), ('cable', .12), ('tool', .08)]
PAL = [(.13, .47, .95), (.95, .26, .21), (.3, .69, .31), (1, .6, 0), (.61, .15, .69), (0, .59, .53), (.91, .12, .39),
       (.25, .32, .71), (1, .76, .03), (.47, .33, .28), (0, .74, .83), (.55, .76, .29)]
WORDS = ("the of and order status device line belt check serial batch ok pass unit test report photo today "
         "settings network battery display update message hello shift meeting station quality factory export "
         "music video map route coffee weather news profile friends account privacy storage sound camera").split()
FONT_DIR, _FONTS = '/usr/share/fonts/truetype/dejavu/', {}
WHITE = (255, 255, 255)

# ---------------------------------------------------------------------------- helpers
def font(px, bold=False):
    key = (int(min(300, max(6, px))), bold)
    if key not in _FONTS:
        try: _FONTS[key] = ImageFont.truetype(FONT_DIR + ('DejaVuSans-Bold.ttf' if bold else 'DejaVuSans.ttf'), key[0])
        except OSError: _FONTS[key] = ImageFont.load_default()
    return _FONTS[key]

def lum(x): return x[..., 0] * 0.299 + x[..., 1] * 0.587 + x[..., 2] * 0.114
def c8(c): return tuple(int(v * 255 + .5) for v in np.clip(c, 0, 1))
def vdir(a): return np.array([math.cos(a), math.sin(a)])
def clock(rng): return f"{rng.integers(1, 13)}:{rng.integers(60):02d}"

def smooth(rng, h, w, cell):
    """Smooth ~N(0,1) noise field (h, w) with feature size ~cell px."""
    a = rng.standard_normal((int(h / cell) + 3, int(w / cell) + 3)).astype(np.float32)
    return np.asarray(Image.fromarray(a, 'F').resize((w, h), Image.BICUBIC), np.float32)

def hom(M, pts):
    p = np.asarray(pts, np.float64).reshape(-1, 2)
    return (p @ M[:2, :2].T + M[:2, 2]) / (p @ M[2, :2] + M[2, 2])[:, None]

def rcol(rng, pal, jit=0.06):
    c = np.array(pal[rng.integers(len(pal))], np.float32)
    return np.clip(c * (1 + rng.normal(0, jit, 3)), 0, 1).astype(np.float32)

def ring_pts(c, r, a0=0.0, a1=PI2, n=24):
    an = np.linspace(a0, a1, n)
    return np.asarray(c) + np.stack([r * np.cos(an), r * np.sin(an)], 1)

def blob_pts(rng, c, r, n=7):
    ang = np.sort(rng.uniform(0, PI2, n))
    return np.asarray(c) + (r * rng.uniform(.4, 1, n))[:, None] * np.stack([np.cos(ang), np.sin(ang)], 1)

def blur8(a, radius):
    """Gaussian blur of a 0..1 float map through an 8-bit PIL image."""
    im = Image.fromarray((np.clip(a, 0, 1) * 255 + .5).astype(np.uint8)).filter(ImageFilter.GaussianBlur(radius))
    return np.asarray(im, np.float32) / 255

def capsule(rgb, p0, p1, r, col, ring=0.0):
    """Anti-aliased filled capsule (a disc when p0 == p1), or a ring of width `ring`."""
    h, w = rgb.shape[:2]
    x0, y0 = int(max(0, min(p0[0], p1[0]) - r - 2)), int(max(0, min(p0[1], p1[1]) - r - 2))
    x1, y1 = int(min(w, max(p0[0], p1[0]) + r + 3)), int(min(h, max(p0[1], p1[1]) + r + 3))
    if x1 <= x0 or y1 <= y0: return
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32) + .5
    d = np.array(p1, np.float32) - p0
    t = np.clip(((xx - p0[0]) * d[0] + (yy - p0[1]) * d[1]) / max(1e-6, d @ d), 0, 1)
    dist = np.hypot(xx - p0[0] - t * d[0], yy - p0[1] - t * d[1])
    a = np.clip(ring / 2 - np.abs(dist - r) + .5, 0, 1) if ring else np.clip(r - dist + .5, 0, 1)
    rgb[y0:y1, x0:x1] += (np.asarray(col, np.float32) - rgb[y0:y1, x0:x1]) * a[..., None]

def thin_mask(items, w, h):
    """Supersampled coverage mask (h, w) from ('l'ine | 'p'olygon | 'e'llipse, pts, width, value)."""
    S = 4 if w * h <= 600_000 else 3
    im = Image.new('L', (w * S, h * S), 0)
    d = ImageDraw.Draw(im)
    for kind, pts, wd, val in items:
        f = int(round(255 * min(1.0, max(0.0, val))))
        q = [(float(a) * S, float(b) * S) for a, b in np.asarray(pts).reshape(-1, 2)]
        if kind == 'l' and len(q) > 1:
            d.line(q, fill=f, width=max(1, int(round(wd * S))), joint='curve' if len(q) > 2 else None)
        elif kind == 'p' and len(q) > 2: d.polygon(q, fill=f)
        elif kind == 'e':
            r = max(.5, wd * S)
            d.ellipse([q[0][0] - r, q[0][1] - r, q[0][0] + r, q[0][1] + r], fill=f)
    return np.asarray(im.reduce(S), np.float32) / 255.0

def chunks(rng, pts, lo, hi, env=False):
    """Split a polyline into pieces with their own intensity (cracks and scratches fade)."""
    out, j, n = [], 0, len(pts)
    while j < n - 1:
        k = min(n - 1, j + int(rng.integers(3, 9)))
        out.append((pts[j:k + 1], rng.uniform(lo, hi) * (math.sin(math.pi * (j + k) / 2 / max(1, n - 1)) ** .5 if env else 1)))
        j = k
    return out

# ---------------------------------------------------------------------------- background
def background(rng, W, H, s):
    u = rng.uniform
    kind = ['rubber', 'modular', 'roller', 'mat', 'tray', 'wood', 'steel'][rng.choice(7, p=[.25, .15, .1, .17, .13, .1, .1])]
    horiz = rng.random() < .6
    x, y = np.arange(W, dtype=np.float32)[None, :], np.arange(H, dtype=np.float32)[:, None]
    ua, va, nv = (x, y, H) if horiz else (y, x, W)      # along / across the belt
    fine, low = rng.random((H, W), dtype=np.float32) - .5, smooth(rng, H, W, 90 * s + 20)

    def across(cell):                                   # streaks that run along the belt
        k = rng.standard_normal(int(nv / cell) + 3)
        a = np.interp(np.arange(nv) / cell, np.arange(len(k)), k).astype(np.float32)
        return a[:, None] if horiz else a[None, :]
    if kind == 'rubber':
        base = rcol(rng, [(.09, .09, .09), (.07, .09, .08), (.1, .1, .12), (.16, .15, .14), (.05, .12, .07)]) * u(.7, 1.4)
        tex = 1 + .12 * low + u(.1, .35) * fine + .05 * across(u(1.5, 5) * s + .5) + .06 * across(40 * s)
        if rng.random() < .25:                          # belt splice
            tex = tex * (1 - .35 * (np.abs(ua - u(0, W if horiz else H)) < u(2, 6) * s))
    elif kind == 'modular':
        base = rcol(rng, [(.85, .85, .82), (.55, .6, .68), (.2, .35, .6), (.3, .3, .32), (.8, .75, .6)])
        P, Q, g = u(40, 110) * s, u(25, 70) * s, u(1.5, 4) * s + .6
        uu, vm = np.mod(ua + np.mod(np.floor(va / Q), 2) * P / 2, P), np.mod(va, Q)
        gap = np.clip((np.minimum(uu, P - uu) - g / 2) / 1.2, 0, 1) * np.clip(np.minimum(vm, Q - vm) - g * .35, 0, 1)
        tex = (.3 + .7 * gap) * (.9 + .1 * np.cos(PI2 * uu / P)) + .04 * low + .1 * fine
    elif kind == 'roller':
        base = rcol(rng, [(.6, .61, .63), (.45, .46, .48), (.3, .4, .6), (.35, .5, .35), (.75, .75, .72)])
        P = u(45, 140) * s
        ph = np.mod(ua, P) / P
        tex = .12 + .75 * np.sin(np.pi * ph) ** .6 + .35 * np.exp(-((ph - u(.3, .7)) / .06) ** 2) + .05 * low + .06 * fine
    elif kind == 'mat':
        base = rcol(rng, [(.25, .4, .6), (.2, .45, .35), (.4, .42, .45), (.15, .15, .17), (.55, .55, .58), (.5, .35, .25)])
        tex, r = 1 + .06 * low + .18 * fine, rng.random()
        if r < .45:                                     # printed grid
            G, lw = u(60, 200) * s, u(.8, 2) * s
            dx, dy = np.mod(x, G), np.mod(y, G)
            grid = np.maximum(np.clip(lw - np.minimum(dx, G - dx) + .5, 0, 1), np.clip(lw - np.minimum(dy, G - dy) + .5, 0, 1))
            tex = tex * (1 - u(.05, .15) * grid)
        elif r < .7:                                    # dimpled
            G = u(8, 20) * s
            tex = tex * (1 - .1 * np.clip(G * .18 - np.hypot(np.mod(x, G) - G / 2, np.mod(y, G) - G / 2) + .5, 0, 1))
    elif kind == 'tray':                                # plastic tray with moulded pockets
        base = rcol(rng, [(.06, .06, .07), (.12, .12, .13), (.3, .32, .35), (.2, .25, .35)])
        pk = Image.new('L', (W, H), 0)
        d = ImageDraw.Draw(pk)
        pw, ph_ = u(.35, .8) * H, u(.45, 1.1) * H
        gx, gy, rr = pw + u(.05, .15) * H, ph_ + u(.05, .15) * H, int(u(.02, .08) * H)
        for X0 in np.arange(u(-pw, 0), W, gx):
            for Y0 in np.arange(u(-ph_, 0), H, gy):
                d.rounded_rectangle([X0, Y0, X0 + pw, Y0 + ph_], radius=rr, fill=255)
        pk, sh = np.asarray(pk.filter(ImageFilter.GaussianBlur(1.5 * s + .5)), np.float32) / 255, max(1, int(2 * s + .5))
        tex = (1 + .05 * low + .1 * fine) * (1 - .25 * pk) + 2.5 * np.clip(np.roll(pk, sh, 1) - pk, 0, 1) \
            - .3 * np.clip(pk - np.roll(pk, sh, 0), 0, 1)
    elif kind == 'wood':
        base, a = rcol(rng, [(.45, .3, .18), (.6, .45, .3), (.3, .2, .12), (.7, .6, .45)]), u(0, np.pi)
        vw = -x * math.sin(a) + y * math.cos(a) + u(15, 40) * s * smooth(rng, H, W, 150 * s + 10)
        tex = 1 + .13 * np.sin(PI2 * vw / (u(12, 45) * s)) + .07 * low + .15 * fine
    else:                                               # brushed steel
        base = rcol(rng, [(.6, .62, .65), (.5, .5, .5), (.7, .7, .68)])
        a = rng.standard_normal((H, W // 40 + 3) if horiz else (H // 40 + 3, W)).astype(np.float32)
        tex = 1 + .06 * np.asarray(Image.fromarray(a, 'F').resize((W, H), Image.BILINEAR)) + .08 * low + .05 * fine
    tex = tex * (1 - u(0, .12) * np.clip(smooth(rng, H, W, 200 * s + 20), 0, None))     # dirt
    rgb = np.broadcast_to(tex, (H, W))[..., None] * base[None, None, :]
    if kind in ('rubber', 'modular', 'roller') and rng.random() < .35:                  # side rails
        rw, side = u(.04, .12) * nv, rng.integers(3)
        rail = ((va < rw) & (side != 1)) | ((va > nv - rw) & (side != 0))
        rc = rcol(rng, [(.55, .56, .58), (.4, .42, .45), (.6, .55, .3)]) * u(.7, 1.2)
        prof = .8 + .2 * np.cos(np.mod(va, rw) / rw * np.pi)
        rgb = np.where(rail[..., None], prof[..., None] * rc * (1 + .1 * fine[..., None]), rgb)
    return np.ascontiguousarray(rgb, np.float32)

def illumination(rng, W, H):
    u, asp = rng.uniform, W / H
    X = ((np.arange(W, dtype=np.float32) - W / 2) / (H / 2))[None, :]
    Y = ((np.arange(H, dtype=np.float32) - H / 2) / (H / 2))[:, None]
    a = u(0, PI2)
    L = (1 + u(0, .35) * (X * math.cos(a) + Y * math.sin(a)) / asp) * \
        (1 - u(.1, .55) * ((X * X + Y * Y) / (asp * asp + 1)) ** u(1, 2))       # gradient + vignette
    if rng.random() < .6:                                                       # lamp hot spot
        sg = u(.3, 1.0)
        L = L + u(.1, .5) * np.exp(-((X - u(-asp, asp)) ** 2 + (Y - u(-1, 1)) ** 2) / (2 * sg * sg))
    if rng.random() < .3:                                                       # shadow of a bar
        b = u(0, PI2)
        dd = X * math.cos(b) + Y * math.sin(b) - u(-1, 1)
        L = L * (1 - u(.2, .5) / (1 + np.exp(np.minimum(60, (np.abs(dd) - u(.1, .6)) / u(.02, .2)))))
    return (L * u(.75, 1.15)).astype(np.float32)

# ---------------------------------------------------------------------------- device
def make_device(rng, W, H, s):
    u, r = rng.uniform, rng.random()
    style = 'tablet' if r < .28 else ('classic' if r < .45 else 'modern')
    ar = {'tablet': u(1.3, 1.6), 'classic': u(1.65, 1.8), 'modern': u(1.9, 2.25)}[style]
    th = u(0, PI2) if rng.random() < .6 else rng.integers(4) * np.pi / 2 + rng.normal(0, .07)
    Ld, c, sn = u(.3, .95) * H, abs(math.cos(th)), abs(math.sin(th))
    fit = min(1.0, .9 * W / (Ld / ar * c + Ld * sn), .9 * H / (Ld / ar * sn + Ld * c))   # keep it in view
    Wd, Hd, m = max(24, int(round(Ld * fit / ar))), max(40, int(round(Ld * fit))), 4
    Wc, Hc = Wd + 2 * m, Hd + 2 * m
    rc = {'tablet': u(.04, .08), 'classic': u(.1, .16), 'modern': u(.09, .15)}[style] * Wd
    rim = max(1.0, u(.008, .02) * Wd)
    b = {'tablet': u(.035, .08), 'classic': u(.04, .07), 'modern': u(.02, .045)}[style] * Wd       # side bezel
    top, bot = (u(.1, .14) * Hd, u(.1, .14) * Hd) if style == 'classic' else (b * u(1, 1.6), b * u(1, 1.6))
    glass = (m + rim, m + rim, m + Wd - rim, m + Hd - rim)
    scr = tuple(int(round(v)) for v in (glass[0] + b, glass[1] + top, glass[2] - b, glass[3] - bot))
    sw, sr = scr[2] - scr[0], (max(0.0, rc - rim - b * 1.2) if style == 'modern' else u(0, 3))
    bezel = np.array((.84, .84, .83) if style != 'modern' and rng.random() < .35 else (u(.015, .04),) * 3, np.float32)
    holes, feats, dark = [], [], (.1, .1, .13)  # holes: cut from the display; feats: (p0, p1, radius, colour, ring)
    if style == 'modern':
        t = rng.choice(['punch', 'notch', 'drop', 'pill', 'none'], p=[.4, .2, .15, .1, .15])
        pr = u(.018, .03) * Wd
        cx = scr[0] + sw / 2 if rng.random() < .7 else scr[0] + u(.06, .12) * Wd
        cy = scr[1] + u(.012, .025) * Hd + pr
        nw, nh, dr, mx = u(.3, .5) * sw, u(.03, .045) * Hd, u(.03, .045) * Wd, scr[0] + sw / 2
        holes += {'punch': [('e', (cx - pr, cy - pr, cx + pr, cy + pr))], 'none': [],
                  'pill': [('r', (cx - 2.2 * pr, cy - pr, cx + 2.2 * pr, cy + pr), pr)],
                  'notch': [('r', (mx - nw / 2, scr[1] - nh, mx + nw / 2, scr[1] + nh), nh * .6)],
                  'drop': [('e', (mx - dr, scr[1] - dr * .4, mx + dr, scr[1] + dr * 1.6))]}[t]
        fp = (cx, cy) if t in ('punch', 'pill') else (mx, scr[1] + pr * .9)
        if t != 'none': feats.append((fp, fp, pr * .5, dark, pr * .22))
    else:
        cy = (glass[1] + scr[1]) / 2
        feats.append(((m + Wd / 2 + u(-.25, .25) * Wd, cy),) * 2 + (max(1.2, .012 * Wd), dark, 0))
        if style == 'classic':                          # speaker slot and home button
            feats.append(((m + Wd * .41, cy), (m + Wd * .59, cy), max(1.0, .008 * Hd), (.15, .15, .16), 0))
            hb = (m + Wd / 2, (scr[3] + glass[3]) / 2)
            feats.append((hb, hb, .065 * Wd * u(.8, 1.2), bezel * .8 + .1, max(1.0, .006 * Wd)))
    body_col = rcol(rng, [(.05, .05, .06), (.22, .22, .24), (.75, .76, .78), (.85, .84, .8), (.78, .68, .55),
                          (.2, .3, .5), (.55, .1, .12), (.35, .45, .4)])
    # pose: local -> frame homography (rotation about the centre, mild keystone, translation)
    kx, ky = (np.clip(rng.normal(0, .025, 2), -.06, .06) / (Hd / 2)) if rng.random() < .6 else (0., 0.)
    R = np.array([[math.cos(th), -math.sin(th), 0], [math.sin(th), math.cos(th), 0], [0, 0, 1]])
    M0 = np.array([[1, 0, 0], [0, 1, 0], [kx, ky, 1]]) @ R @ np.array([[1, 0, -Wc / 2], [0, 1, -Hc / 2], [0, 0, 1]])
    cor = hom(M0, [(m, m), (m + Wd, m), (m + Wd, m + Hd), (m, m + Hd)])
    lo, hi = .02 * H - cor.min(0), np.array([W, H]) - .02 * H - cor.max(0)
    t = np.where(hi > lo, lo + (hi - lo) * (u(0, 1, 2) + u(0, 1, 2)) / 2, (lo + hi) / 2)
    M = np.array([[1, 0, t[0]], [0, 1, t[1]], [0, 0, 1]]) @ M0
    return dict(Wd=Wd, Hd=Hd, Wc=Wc, Hc=Hc, rc=rc, rim=rim, body=(m, m, m + Wd, m + Hd), glass=glass, scr=scr,
                sr=sr, holes=holes, feats=feats, body_col=body_col, bezel=bezel, M=M, tablet=style == 'tablet')

def device_layers(rng, dev, content):
    """Device in its own (unrotated) pixel frame: rgb plus body / glass / display masks."""
    Wc, Hc = dev['Wc'], dev['Hc']
    masks = []
    for box, rad, holes in ((dev['body'], dev['rc'], ()), (dev['glass'], dev['rc'] - dev['rim'], ()),
                            (dev['scr'], dev['sr'], dev['holes'])):
        im = Image.new('L', (Wc * 2, Hc * 2), 0)
        d = ImageDraw.Draw(im)
        d.rounded_rectangle([int(v * 2) for v in box], radius=int(max(0, rad) * 2), fill=255)
        for h in holes:
            bb = [int(v * 2) for v in h[1]]
            d.ellipse(bb, fill=0) if h[0] == 'e' else d.rounded_rectangle(bb, radius=int(h[2] * 2), fill=0)
        masks.append(np.asarray(im.reduce(2), np.float32) / 255)
    body, glass, screen = masks
    gy, gx = np.linspace(-1, 1, Hc, dtype=np.float32)[:, None], np.linspace(-1, 1, Wc, dtype=np.float32)[None, :]
    a = rng.uniform(0, PI2)
    rgb = ((1 + .08 * (gx * math.cos(a) + gy * math.sin(a)))[..., None] * dev['body_col']).astype(np.float32)
    rgb += (np.clip(body - glass, 0, 1) * rng.uniform(.03, .2))[..., None]          # metal rim sheen
    rgb += (dev['bezel'] - rgb) * glass[..., None]
    x0, y0, x1, y1 = dev['scr']
    cont = np.zeros_like(rgb)
    cont[y0:y1, x0:x1] = content[:y1 - y0, :x1 - x0]
    rgb += (cont - rgb) * screen[..., None]
    for p0, p1, r, col, ring in dev['feats']:          # camera lenses, speaker slot, home button
        capsule(rgb, p0, p1, r + ring / 2, col)
        if ring: capsule(rgb, p0, p1, r, (.35, .35, .38), ring)
    return dict(rgb=rgb, body=body, glass=glass, screen=screen)

# ---------------------------------------------------------------------------- screen content
def tline(d, rng, x, y, maxw, size, fill, bold=False):
    """A line of text, or of word-shaped bars when it would be too small to render."""
    if size >= 7:
        out, n = [], 0
        while n < maxw / (.6 * size):
            out.append(WORDS[rng.integers(len(WORDS))])
            n += len(out[-1]) + 1
        return d.text((x, y), ' '.join(out)[:max(1, int(maxw / (.6 * size)))], fill=fill, font=font(size, bold))
    xx = x
    while xx < x + maxw - 1:
        wl = size * rng.uniform(1.5, 5)
        d.rectangle([xx, y + size * .2, max(xx, min(x + maxw, xx + wl)), y + size * .8], fill=fill)
        xx += wl + size * .6

def app_page(rng, d, w, h):
    """Background and status bar; returns (bg, fg, sub, divider, status bar height)."""
    bg, fg, sub, dv = ((18, 18, 20), (235, 235, 235), (150, 150, 155), (45, 45, 50)) if rng.random() < .35 else \
        ((WHITE if rng.random() < .6 else (242, 242, 247)), (20, 20, 20), (120, 120, 125), (220, 220, 225))
    d.rectangle([0, 0, w, h], fill=bg)
    return (bg, fg, sub, dv, sbar(d, rng, w, h, fg))

def sbar(d, rng, w, h, fg):
    sb, bx = max(5, int(h * .035)), w * .84
    d.text((w * .06, sb * .12), clock(rng), fill=fg, font=font(sb * .72, True))
    d.rectangle([bx, sb * .3, bx + w * .07, sb * .72], outline=fg, width=1)
    d.rectangle([bx, sb * .3, bx + w * .07 * rng.uniform(.15, 1), sb * .72], fill=fg)
    for j in range(4):
        d.rectangle([bx - w * (.12 - .018 * j), sb * (.7 - .1 * j), bx - w * (.109 - .018 * j), sb * .72], fill=fg)
    return sb

def soft_photo(rng, w, h):
    """A blurry procedural 'photo': colour blobs, or sky, sun, mountain ridges and ground."""
    w, h = max(2, int(w)), max(2, int(h))
    if rng.random() < .45:
        g = ((.15 + .7 * rng.random((rng.integers(2, 6), rng.integers(2, 6), 3))) * 255).astype(np.uint8)
        im, blur = Image.fromarray(g).resize((w, h), Image.BICUBIC), .01
        d = ImageDraw.Draw(im)
        for _ in range(rng.integers(0, 6)):
            cx, cy, r = rng.uniform(0, w), rng.uniform(0, h), rng.uniform(.05, .3) * w
            d.ellipse([cx - r, cy - r, cx + r, cy + r * rng.uniform(.5, 2)], fill=c8(rng.random(3)))
        return im.filter(ImageFilter.GaussianBlur(max(w, h) * blur))
    top = rcol(rng, [(.3, .55, .9), (.95, .6, .4), (.2, .25, .45), (.6, .75, .95)])
    hor = rcol(rng, [(.85, .9, .95), (1, .8, .5), (.9, .6, .5)])
    t = np.linspace(0, 1, h, dtype=np.float32)[:, None, None]
    im = Image.fromarray((np.broadcast_to(top * (1 - t) + hor * t, (h, w, 3)) * 255).astype(np.uint8))
    d, hz, r, sx = ImageDraw.Draw(im), h * rng.uniform(.45, .7), rng.uniform(.03, .08) * w, rng.uniform(0, w)
    d.ellipse([sx - r, hz * .3 - r, sx + r, hz * .3 + r], fill=(255, 245, 210))
    for k in range(rng.integers(1, 4)):
        ys = hz - rng.uniform(0, .25, 9) * h * (1 - .3 * k)
        d.polygon([(0, h)] + list(zip(np.linspace(0, w, 9), ys)) + [(w, h)],
                  fill=c8(rcol(rng, [(.3, .35, .45), (.25, .4, .3), (.45, .4, .35)]) * (1 - .2 * k)))
    d.rectangle([0, hz + .1 * h, w, h], fill=c8(rcol(rng, [(.3, .5, .25), (.75, .65, .45), (.2, .35, .6)])))
    return im.filter(ImageFilter.GaussianBlur(max(w, h) * .004))

def c_list(rng, d, w, h, im):                           # contacts / settings / mail list
    bg, fg, sub, dv, sb = app_page(rng, d, w, h)
    acc, hb = c8(rcol(rng, PAL)), int(h * rng.uniform(.06, .09))
    if rng.random() < .6:
        d.rectangle([0, sb, w, sb + hb], fill=acc)
        tline(d, rng, w * .06, sb + hb * .3, w * .5, hb * .4, WHITE, True)
    else: tline(d, rng, w * .06, sb + hb * .25, w * .5, hb * .5, fg, True)
    y, rh, tog, av = sb + hb + h * .01, h * rng.uniform(.06, .1), rng.random() < .35, rng.random() < .7
    while y + rh < h:
        x0, r = w * .05, rh * .3
        if av:
            d.ellipse([x0, y + rh / 2 - r, x0 + 2 * r, y + rh / 2 + r], fill=c8(rcol(rng, PAL, .2)))
            x0 += 2 * r + w * .04
        tline(d, rng, x0, y + rh * .18, w * .55, rh * .25, fg, True)
        tline(d, rng, x0, y + rh * .55, w * .65, rh * .19, sub)
        if tog:
            on, tw, th = rng.random() < .5, w * .12, rh * .32
            tx, ty = w * .83, y + rh / 2 - th / 2
            d.rounded_rectangle([tx, ty, tx + tw, ty + th], radius=int(th / 2), fill=acc if on else dv)
            cx = tx + (tw - th / 2 if on else th / 2)
            d.ellipse([cx - th * .4, ty + th * .1, cx + th * .4, ty + th * .9], fill=WHITE)
        d.line([w * .05, y + rh, w, y + rh], fill=dv, width=1)
        y += rh

def c_text(rng, d, w, h, im):                           # article
    bg, fg, sub, dv, sb = app_page(rng, d, w, h)
    y, fs = sb + h * .02, h * rng.uniform(.016, .028)
    tline(d, rng, w * .06, y, w * .88, fs * 1.8, fg, True)
    y += fs * 2.8
    if rng.random() < .5:
        ph = h * rng.uniform(.15, .3)
        im.paste(soft_photo(rng, w * .88, ph), (int(w * .06), int(y)))
        y += ph + fs
    while y < h - fs:
        for _ in range(rng.integers(2, 7)):
            tline(d, rng, w * .06, y, w * .88 * rng.uniform(.6, 1), fs, fg if rng.random() < .9 else sub)
            y += fs * 1.5
        y += fs

def c_home(rng, d, w, h, im, lock=False):               # home screen, or lock screen
    im.paste(soft_photo(rng, w, h))
    sb = sbar(d, rng, w, h, WHITE)
    if lock:
        fs, txt = w * rng.uniform(.18, .26), clock(rng)
        d.text((w / 2 - len(txt) * fs * .3, h * .12), txt, fill=WHITE, font=font(fs))
        for k in range(rng.integers(0, 4)):             # notification cards
            y = h * (.45 + .1 * k)
            d.rounded_rectangle([w * .05, y, w * .95, y + h * .09], radius=int(h * .02), fill=(235, 235, 240))
            tline(d, rng, w * .1, y + h * .015, w * .6, h * .022, (20, 20, 20), True)
            tline(d, rng, w * .1, y + h * .05, w * .75, h * .018, (90, 90, 90))
        return
    cols = 4 if w < h else 6
    cell, y = w / cols, sb + h * rng.uniform(.03, .12)
    ic = cell * .62
    for _ in range(rng.integers(2, 7)):
        if y + cell > h * .84: break
        for c in range(cols):
            if rng.random() < .12: continue
            x0, g = c * cell + (cell - ic) / 2, ic * rng.uniform(.2, .3)
            d.rounded_rectangle([x0, y, x0 + ic, y + ic], radius=int(ic * .22), fill=c8(rcol(rng, PAL, .25)))
            d.ellipse([x0 + ic / 2 - g, y + ic / 2 - g, x0 + ic / 2 + g, y + ic / 2 + g], outline=WHITE,
                      width=max(1, int(ic * .06)))
            tline(d, rng, x0, y + ic + cell * .05, ic, cell * .12, WHITE)
        y += cell * 1.25
    d.rounded_rectangle([w * .04, h * .87, w * .96, h * .97], radius=int(h * .03), fill=(205, 205, 212))
    for c in range(4):
        x0 = w * (.1 + .21 * c)
        d.rounded_rectangle([x0, h * .885, x0 + w * .13, h * .885 + w * .13], radius=int(w * .03), fill=c8(rcol(rng, PAL)))

def c_media(rng, d, w, h, im):                          # photo viewer or video player
    d.rectangle([0, 0, w, h], fill=(0, 0, 0))
    ph = int(min(h, w * (9 / 16 if rng.random() < .5 else rng.uniform(.6, 1.4))))
    y0 = (h - ph) // 2
    im.paste(Image.fromarray((np.asarray(soft_photo(rng, w, ph), np.float32) * rng.uniform(.4, 1)).astype(np.uint8)), (0, y0))
    if rng.random() < .5:
        yb, bh = y0 + ph * .92, max(2, h * .004)
        d.rectangle([w * .05, yb, w * .95, yb + bh], fill=(150, 150, 150))
        d.rectangle([w * .05, yb, w * rng.uniform(.06, .95), yb + bh], fill=(230, 30, 30))
        cx, cy, r = w / 2, y0 + ph / 2, min(w, ph) * .08
        d.polygon([(cx - r * .6, cy - r), (cx - r * .6, cy + r), (cx + r, cy)], fill=(240, 240, 240))

def c_map(rng, d, w, h, im):
    d.rectangle([0, 0, w, h], fill=(int(rng.uniform(228, 245)), 234, 224))
    for _ in range(rng.integers(1, 6)):                 # parks and water
        p = blob_pts(rng, (rng.uniform(0, w), rng.uniform(0, h)), rng.uniform(.05, .3) * w)
        d.polygon([tuple(q) for q in p], fill=(200, 228, 190) if rng.random() < .6 else (170, 205, 240))
    a0, sp, big = rng.uniform(0, np.pi), w * rng.uniform(.08, .2), 2 * (w + h)
    for a in (a0, a0 + np.pi / 2 + rng.normal(0, .1)):  # street grid
        dv, nv = vdir(a), vdir(a + np.pi / 2)
        for k in np.arange(-big / 2, big / 2, sp):
            c, wd = np.array([w / 2, h / 2]) + nv * k, max(1, int(rng.choice([2, 3, 4]) * w / 400))
            for ww, col in ((wd + 2, (205, 205, 205)), (wd, WHITE)) if rng.random() < .7 else ():
                d.line([tuple(c - dv * big), tuple(c + dv * big)], fill=col, width=ww)
    for _ in range(rng.integers(1, 3)):                 # main roads
        pts = [tuple(p) for p in np.cumsum(rng.normal(0, w * .15, (6, 2)), 0) + [rng.uniform(0, w), rng.uniform(0, h)]]
        wd = max(2, int(w * rng.uniform(.015, .03)))
        d.line(pts, fill=(220, 170, 60), width=wd + 2, joint='curve')
        d.line(pts, fill=(255, 214, 102), width=wd, joint='curve')
    for _ in range(rng.integers(2, 6)): tline(d, rng, rng.uniform(0, w * .7), rng.uniform(0, h), w * .25, w * .035, (90, 90, 100))
    px, py, r = rng.uniform(.2, .8) * w, rng.uniform(.3, .7) * h, w * .035
    d.polygon([(px - r, py - r), (px + r, py - r), (px, py + r * 1.2)], fill=(220, 50, 50))
    d.ellipse([px - r, py - 2 * r, px + r, py], fill=(220, 50, 50))
    d.rounded_rectangle([w * .05, h * .05, w * .95, h * .05 + w * .12], radius=int(w * .06), fill=WHITE, outline=(200, 200, 200))
    tline(d, rng, w * .12, h * .05 + w * .035, w * .5, w * .045, (120, 120, 120))

def c_chat(rng, d, w, h, im):                           # messenger with on-screen keyboard
    bg, fg, sub, dv, sb = app_page(rng, d, w, h)
    acc = c8(rcol(rng, [(.1, .5, 1), (.2, .75, .35), (.5, .3, .9)]))
    kb, y, fs = (h * rng.uniform(.3, .4) if rng.random() < .7 else 0), sb + h * .08, h * rng.uniform(.017, .025)
    d.line([0, sb + h * .07, w, sb + h * .07], fill=dv)
    tline(d, rng, w * .2, sb + h * .02, w * .5, h * .03, fg, True)
    while y < h - kb - h * .12:
        right, bw, nl = rng.random() < .5, w * rng.uniform(.35, .7), rng.integers(1, 4)
        bh, x0 = fs * (nl * 1.4 + .8), (w * .96 - bw if right else w * .04)
        d.rounded_rectangle([x0, y, x0 + bw, y + bh], radius=int(fs), fill=acc if right else dv)
        for j in range(nl):
            tline(d, rng, x0 + fs * .6, y + fs * (.5 + 1.4 * j), bw - fs * 1.2, fs, WHITE if right else fg)
        y += bh + fs * .8
    if kb:
        kbg, key = ((210, 212, 218), WHITE) if bg[0] > 100 else ((35, 35, 38), (90, 90, 95))
        d.rectangle([0, h - kb, w, h], fill=kbg)
        kw, kh = w / 10, kb / 4.6
        for r_, n in enumerate((10, 9, 9, 5)):
            for c in range(n):
                x0, y0 = (w - n * kw) / 2 + c * kw + kw * .07, h - kb * .96 + r_ * kh * 1.1
                wk = kw * (5 if (r_ == 3 and c == 2) else 1) * .86
                d.rounded_rectangle([x0, y0, x0 + wk, y0 + kh * .9], radius=int(kw * .12), fill=key)
                if kh * .45 >= 7 and r_ < 3:
                    d.text((x0 + wk * .3, y0 + kh * .2), chr(97 + int(rng.integers(26))), fill=fg, font=font(kh * .45))

def c_game(rng, d, w, h, im):                           # match-three style board
    im.paste(soft_photo(rng, w, h))
    n = int(rng.integers(6, 10))
    cs, y0, cols = w * .9 / n, h * rng.uniform(.2, .35), [c8(rcol(rng, PAL, .1)) for _ in range(5)]
    rad = int(cs * rng.choice([.1, .25, .4]))           # square tiles ... round candies
    d.rounded_rectangle([w * .04, y0 - cs * .3, w * .96, y0 + cs * (n + .3)], radius=int(cs * .3), fill=(40, 30, 70))
    for r in range(n):
        for c in range(n):
            x, y = w * .05 + c * cs, y0 + r * cs
            d.rounded_rectangle([x + cs * .1, y + cs * .1, x + cs * .9, y + cs * .9], radius=rad, fill=cols[rng.integers(5)])
    tline(d, rng, w * .1, h * .08, w * .6, h * .04, WHITE, True)

def c_test(rng, d, w, h, im):
    """Factory test screens: solid colours, colour bars, checkerboard, ramp, grid, label."""
    t, bars = rng.integers(6), [WHITE, (255, 255, 0), (0, 255, 255), (0, 255, 0), (255, 0, 255), (255, 0, 0), (0, 0, 255)]
    if t == 0:
        d.rectangle([0, 0, w, h], fill=(bars + [(128, 128, 128), (200, 200, 200)])[rng.choice([0, 3, 5, 6, 1, 7, 8])])
    elif t == 1:
        for k, c in enumerate(bars): d.rectangle([w * k / 7, 0, w * (k + 1) / 7, h], fill=c)
    elif t == 2:
        cs = max(4, int(rng.uniform(8, 60) * w / 500))
        for yy in range(0, h, cs):
            for xx in range((yy // cs) % 2 * cs, w, 2 * cs): d.rectangle([xx, yy, xx + cs - 1, yy + cs - 1], fill=WHITE)
    elif t == 3:
        im.paste(Image.fromarray(np.broadcast_to(np.linspace(0, 255, w, dtype=np.float32)[None, :, None],
                                                 (h, w, 3)).astype(np.uint8)))
    elif t == 4:
        sp = max(6, int(w * rng.uniform(.05, .15)))
        for v in range(0, max(w, h), sp):
            d.line([v, 0, v, h], fill=WHITE)
            d.line([0, v, w, v], fill=WHITE)
    else:
        d.rectangle([0, 0, w, h], fill=(100, 100, 100))
        d.text((w * .2, h * .45), f"TEST {rng.integers(1, 20)}/20", fill=WHITE, font=font(w * .1, True))

CONTENT = [(c_list, .13), (c_text, .11), (c_home, .13), (lambda *a: c_home(*a, lock=True), .08), (c_media, .17),
           (c_map, .10), (c_chat, .11), (c_game, .07), (c_test, .10)]

def lit_screen(rng, w, h, tablet):
    land = rng.random() < (.4 if tablet else .12)       # landscape content, rotated into the screen
    cw, ch = (h, w) if land else (w, h)
    im = Image.new('RGB', (cw, ch), (0, 0, 0))
    CONTENT[rng.choice(len(CONTENT), p=[p for _, p in CONTENT])][0](rng, ImageDraw.Draw(im), cw, ch, im)
    if land: im = im.transpose(Image.ROTATE_90 if rng.random() < .5 else Image.ROTATE_270)
    return np.asarray(im, np.float32) / 255 * rng.uniform(.6, 1.12)

def dark_screen(rng, w, h):
    u = rng.uniform
    tint = np.array([u(.8, 1), u(.85, 1), u(.95, 1.15)], np.float32)
    yy, xx = np.linspace(-.5, .5, h, dtype=np.float32)[:, None], np.linspace(-.5, .5, w, dtype=np.float32)[None, :]
    v = u(.012, .045) * (1 + u(-.4, .4) * yy + u(-.4, .4) * xx) + u(0, .03) * np.clip(smooth(rng, h, w, max(w, h) / 3), 0, None)
    arr, mode = v[..., None] * tint, rng.choice(['off', 'aod', 'reflect'], p=[.45, .3, .25])
    if mode == 'reflect':                               # the room mirrored in the black glass
        arr = arr + reflection_map(rng, w, h)[..., None] * u(.06, .3) * np.array([u(.9, 1.1), 1, u(.9, 1.15)], np.float32)
    elif mode == 'aod':                                 # always-on display clock
        im = Image.new('L', (w, h), 0)
        d = ImageDraw.Draw(im)
        fs, txt = w * u(.15, .25), clock(rng)
        d.text((w / 2 - len(txt) * fs * .3, h * u(.12, .3)), txt, fill=255, font=font(fs))
        tline(d, rng, w * .3, h * .35, w * .4, w * .05, 200)
        for k in range(rng.integers(0, 4)):
            d.ellipse([w * (.4 + .08 * k), h * .45, w * (.44 + .08 * k), h * .45 + w * .04], fill=180)
        arr = arr + (np.asarray(im, np.float32) / 255)[..., None] * rcol(rng, [(1, 1, 1), (.6, .8, 1), (1, .85, .6)]) * u(.25, .6)
    return arr.astype(np.float32)

# ---------------------------------------------------------------------------- cracks
def jag_path(rng, p, ang, length, s, jag, curv=.03):
    """Fracture path: slowly drifting heading, occasional sharp turns, small zig-zag kinks."""
    st = rng.uniform(2.5, 6) * max(s, .6)
    n = max(2, int(length / st) + 1)
    k = ang + np.cumsum(rng.normal(0, curv, n) + (rng.random(n) < .07) * rng.normal(0, .45, n)) + rng.normal(0, .2 * jag, n)
    seg = st * rng.uniform(.6, 1.4, n)
    return np.vstack([p, p + np.cumsum(np.stack([np.cos(k) * seg, np.sin(k) * seg], 1), 0)])

def frac_tree(rng, p, ang, length, s, jag, depth, pb, out, wf=1.0):
    pts = jag_path(rng, np.asarray(p, float), ang, length, s, jag)
    out.append((pts, wf))
    if depth <= 0 or len(pts) < 4: return
    for _ in range(rng.poisson(pb * length / (60 * max(s, .5)))):          # branches fork off at acute angles
        j = int(rng.integers(1, len(pts) - 2))
        hd = math.atan2(*(pts[j + 1] - pts[j - 1])[::-1])
        frac_tree(rng, pts[j], hd + rng.choice([-1, 1]) * rng.uniform(.3, 1.0),
                  length * (1 - j / len(pts)) * rng.uniform(.2, .7), s, jag, depth - 1, pb * .7, out, wf * .75)

def jag_between(rng, p, q, s, jag):
    d = q - p
    L = max(1e-3, float(np.hypot(*d)))
    t = np.linspace(0, 1, max(3, int(L / (5 * max(s, .5))) + 1))
    off = np.cumsum(rng.normal(0, .8 * max(s, .5) * jag, len(t)))
    off = off - t * off[-1] + np.sin(np.pi * t) * L * rng.uniform(-.12, .12)
    return p + t[:, None] * d + off[:, None] * np.array([-d[1], d[0]]) / L

def gen_crack(rng, kind, dev, s, subtle):
    """Crack polylines [(pts_local, width factor)], chip polygons and impact centres."""
    u = rng.uniform
    x0, y0, x1, y1 = dev['scr']
    gx0, gy0, gx1, gy1 = dev['glass']
    sw, sh = x1 - x0, y1 - y0
    dg, minL, jag = math.hypot(sw, sh), max(14.0, 45 * s), u(.6, 1.4)
    out, chips, centres = [], [], []

    def inner(f): return np.array([u(x0 + f * sw, x1 - f * sw), u(y0 + f * sh, y1 - f * sh)])
    def ln(a, b): return max(minL, u(a, b) * dg)

    def on_edge(side):
        return [np.array([gx0 + 1, u(y0, y1)]), np.array([gx1 - 1, u(y0, y1)]),
                np.array([u(x0, x1), gy0 + 1]), np.array([u(x0, x1), gy1 - 1])][side]
    if kind in ('impact', 'shatter'):
        for c in [inner(.12)] if kind == 'impact' else [inner(.1) for _ in range(rng.integers(1, 4))]:
            centres.append(c)
            n = int(rng.integers(3, 6) if subtle else rng.integers(5, 15))
            Lm, rays = (ln(.06, .16) if subtle else ln(.25, .9)), []
            for a in u(0, PI2) + PI2 * (np.arange(n) + u(-.3, .3, n)) / n:   # radial cracks
                rays.append((a, Lm * u(.6 if subtle else .35, 1.0)))
                frac_tree(rng, c, a, rays[-1][1], s, jag * .8, 0 if subtle else 2, .5, out)
            if subtle: continue
            for r in np.sort(u(.03, .25, rng.integers(0, 4))) * dg:          # concentric ring cracks
                for j in range(n):
                    (a1, L1), (a2, L2) = rays[j], rays[(j + 1) % n]
                    if rng.random() < .6 and r < min(L1, L2):
                        out.append((jag_between(rng, c + r * u(.9, 1.1) * vdir(a1), c + r * u(.9, 1.1) * vdir(a2), s, jag), .8))
            if rng.random() < .65:                                           # crushed centre
                rz = u(3, 10) * max(s, .5)
                for _ in range(rng.integers(8, 25)):
                    out.append((jag_path(rng, c + rng.normal(0, rz * .5, 2), u(0, PI2), u(1, 3) * rz, s, jag), .7))
                chips.append(blob_pts(rng, c, rz * .8))
    elif kind == 'single':
        if subtle: frac_tree(rng, inner(.1), u(0, PI2), ln(.1, .3), s, jag, 1, .15, out)
        else:
            p, tgt = on_edge(rng.integers(4)), inner(.2)
            frac_tree(rng, p, math.atan2(tgt[1] - p[1], tgt[0] - p[0]) + u(-.4, .4), ln(.5, 1.4), s, jag, 1, .4, out)
    elif kind in ('corner', 'edge'):
        if kind == 'corner':
            ins = .29 * (dev['rc'] - dev['rim']) + 1
            p = np.array([[gx0 + ins, gx1 - ins][rng.integers(2)], [gy0 + ins, gy1 - ins][rng.integers(2)]])
            a0, spread = math.atan2((gy0 + gy1) / 2 - p[1], (gx0 + gx1) / 2 - p[0]), .7
        else:
            side = rng.integers(4)
            p, a0, spread = on_edge(side), [0, np.pi, np.pi / 2, -np.pi / 2][side], 1.0
        reach = math.hypot(*(np.clip(p, [x0, y0], [x1, y1]) - p))           # bezel between glass edge and display
        n = int(rng.integers(1, 3) if subtle else rng.integers(2, 7) - (kind == 'edge') * 2)
        for _ in range(max(1, n)):
            frac_tree(rng, p, a0 + u(-spread, spread), reach + (ln(.05, .15) if subtle else ln(.15, .6)),
                      s, jag, 0 if subtle else 1, .4, out)
        if not subtle and rng.random() < .6: chips.append(blob_pts(rng, p, u(4, 14) * max(s, .5)))
    elif kind == 'tree':
        p = inner(.15)
        for _ in range(rng.integers(1, 3) if subtle else rng.integers(2, 4)):
            frac_tree(rng, p, u(0, PI2), ln(.08, .2) if subtle else ln(.25, .7), s, jag, 1 if subtle else 3,
                      .5 if subtle else .9, out)
    else:                                                                    # hairline
        for _ in range(1 if rng.random() < .8 else 2):
            out.append((jag_path(rng, inner(.08), u(0, PI2), min(dg, ln(.06, .25)), s, jag * .6), 1.0))
    return out, chips, centres

def tone(x, cam):
    y = np.clip(x * cam['gain'] * cam['wb'], 0, 1) ** (1 / cam['gamma'])
    Y = lum(y)[..., None]
    return np.clip(Y + cam['sat'] * (y - Y), 0, 1)

def add_crack(rng, R, G, Sm, dev, toreg, cam, s, lit):
    """Draw a crack into the device region image R (in place); returns (kind, width)."""
    u, (h, w) = rng.uniform, G.shape
    kind = CRACK_KINDS[rng.choice(len(CRACK_KINDS), p=CRACK_P)]
    subtle = kind == 'hairline' or (kind != 'shatter' and rng.random() < .45)
    width = 1 if kind == 'hairline' else int(rng.choice([1, 2], p=[.8, .2]) if subtle else rng.choice([1, 2, 3], p=[.3, .4, .3]))
    for _ in range(6):                                  # retry if (nearly) all of it is hidden, e.g. under a sticker
        lines, chips, centres = gen_crack(rng, kind, dev, s, subtle)
        pieces = [(toreg(pc), wf, v) for pts, wf in lines for pc, v in chunks(rng, pts, .35 if subtle else .55, 1.0)]
        chips = [toreg(c) for c in chips]

        def mask(wd):
            wpx = max(.7, wd * s)
            it = [('l', p, max(.7, wpx * wf), v) for p, wf, v in pieces] + [('p', c, 0, .7) for c in chips]
            return thin_mask(it, w, h) * G
        m = mask(width)
        if m.sum() > 6 * max(1.0, width * s): break
    if lit and centres and not subtle and rng.random() < .3:      # display damage: ink blot under the impact
        poly = blob_pts(rng, toreg(centres[0])[0], u(10, 50) * s, 9)
        R *= (1 - .92 * blur8(thin_mask([('p', poly, 0, 1)], w, h), 2 * s + .5) * Sm)[..., None]
    ys, xs = np.nonzero(m > .01)
    if len(ys) == 0: return kind, width
    sy0, sy1, sx0, sx1 = max(0, ys.min() - 4), min(h, ys.max() + 5), max(0, xs.min() - 4), min(w, xs.max() + 5)
    crop = R[sy0:sy1, sx0:sx1]
    base = crop.copy()
    # dark core on bright glass, scattered light on dark glass, a refraction highlight beside it
    d, b, hh = (u(.5, .9), u(.03, .2), u(0, .35)) if lit else (u(0, .3), u(.4, .9), u(0, .3))
    dy, dx = [(1, 0), (0, 1), (-1, 0), (0, -1), (1, 1), (-1, -1)][rng.integers(6)]
    halo_on = not subtle and rng.random() < .5
    # visibility floor: contrast needed after blur, noise and JPEG for a line this thin
    sig2 = cam['focus'] ** 2 + cam['mlen'] ** 2 / 24 + .2
    creq = .035 + 1.3 * cam['nsig'] + .025 * (95 - cam['quality']) / 55
    for _ in range(3):
        mc = m[sy0:sy1, sx0:sx1]
        hl = np.clip(np.roll(mc, (dy, dx), (0, 1)) - mc, 0, 1)[..., None]
        halo = blur8(mc, 1.5 * s + .5)[..., None] if halo_on else 0
        sel = mc > .12
        wsel, t_old, wpx = mc[sel], lum(tone(base[sel], cam)), max(.7, width * s)
        kmin = (creq + .4 * float(t_old.std())) / (wpx / math.sqrt(max(wpx, 1) ** 2 + PI2 * sig2))
        ktgt = kmin * u(1.15, 1.6) if subtle else max(kmin * u(2, 3), u(.3, .7))
        for _ in range(4):
            out = base * (1 - d * mc[..., None]) + (b * mc[..., None] + hh * hl + .35 * b * halo) * np.maximum(1 - base, 0)
            k = float((np.abs(lum(tone(out[sel], cam)) - t_old) * wsel).sum() / max(1e-6, (wsel ** 2).sum()))
            f = min(3.0, ktgt / max(k, 1e-4))
            if .9 * ktgt <= k <= 1.35 * ktgt or (f > 1 and d >= .95 and b >= .95): break
            d, b, hh = min(.95, d * f), min(.95, b * f), min(.6, hh * f)
        if k >= .8 * kmin or width >= 3: break
        width += 1                                      # could not reach the floor: make it wider
        m = mask(width)
    crop[...] = out
    return kind, width

# ---------------------------------------------------------------------------- nuisances
def rnd_in(rng, g, f=0.0):
    return np.array([rng.uniform(g[0] + f * (g[2] - g[0]), g[2] - f * (g[2] - g[0])),
                     rng.uniform(g[1] + f * (g[3] - g[1]), g[3] - f * (g[3] - g[1]))])

def patch(rng, L, c, r):
    """Window of the device canvas around c, with coordinates rotated by a random angle."""
    h, w = L['glass'].shape
    x0, y0, x1, y1 = int(max(0, c[0] - r)), int(max(0, c[1] - r)), int(min(w, c[0] + r)), int(min(h, c[1] + r))
    a = rng.uniform(0, np.pi)
    if x1 - x0 < 4 or y1 - y0 < 4: return None
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    xx, yy = xx - c[0], yy - c[1]
    return (slice(y0, y1), slice(x0, x1)), xx * math.cos(a) + yy * math.sin(a), -xx * math.sin(a) + yy * math.cos(a)

def n_fingerprint(rng, L, dev, s):
    for _ in range(rng.integers(1, 4)):
        sz = dev['Wd'] * (rng.uniform(.08, .14) if dev['tablet'] else rng.uniform(.18, .3))
        ax, ay = sz / 2, sz / 2 * rng.uniform(1.1, 1.4)
        pt = patch(rng, L, rnd_in(rng, dev['glass']), ay)
        if pt is not None:
            sl, uu, vv = pt
            r = np.sqrt((uu / ax) ** 2 + (vv / ay) ** 2)
            per = max(2.2, dev['Wd'] * rng.uniform(.005, .008))           # ridge spacing ~0.5 mm
            ridge = .5 + .5 * np.cos(PI2 * r * ax / per + 1.5 * smooth(rng, *r.shape, max(4, sz / 6)))
            env = np.clip(1.3 - r, 0, 1) ** 1.2 * np.clip(.6 + .5 * smooth(rng, *r.shape, max(4, sz / 4)), 0, 1)
            L['rgb'][sl] += (env * (.35 + .65 * ridge) * rng.uniform(.02, .09) * L['glass'][sl])[..., None]

def n_smudge(rng, L, dev, s):
    for _ in range(rng.integers(1, 3)):
        sz = dev['Wd'] * rng.uniform(.25, .7)
        pt = patch(rng, L, rnd_in(rng, dev['glass']), sz / 2)
        if pt is not None:
            sl, uu, vv = pt
            nz = smooth(rng, *uu.shape, max(4, sz / 5))
            env = np.exp(-(uu ** 2 / (2 * (sz * .35) ** 2) + vv ** 2 / (2 * (sz * .2) ** 2)))
            st = .5 + .5 * np.sin(PI2 * vv / max(3, sz * rng.uniform(.03, .08)) + 2 * nz)     # wipe streaks
            L['rgb'][sl] += (env * (.4 + .6 * st) * np.clip(.5 + nz, 0, 1.5) * rng.uniform(.015, .06) * L['glass'][sl])[..., None]

def reflection_map(rng, w, h):
    """Soft mirror image (h, w) of lamp panels, windows, or a person against the ceiling."""
    im = Image.new('L', (w // 4 + 1, h // 4 + 1), 0)
    d, w4, h4 = ImageDraw.Draw(im), w / 4, h / 4
    for _ in range(rng.integers(1, 4)):
        cx, cy, bw, t = rng.uniform(-.1, 1.1) * w4, rng.uniform(-.1, 1.1) * h4, rng.uniform(.2, .9) * w4, rng.integers(3)
        bh, lw = bw * rng.uniform(.2, 1.5), max(1, int(bw * .05))
        d.rectangle([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], fill=int(rng.uniform(150, 255)))
        for k in range(1, 4) if t == 0 else ():         # louvres of a lamp panel
            d.line([cx - bw / 2 + bw * k / 4, cy - bh / 2, cx - bw / 2 + bw * k / 4, cy + bh / 2], fill=70, width=lw)
        if t == 1:                                      # window cross
            d.line([cx, cy - bh / 2, cx, cy + bh / 2], fill=40, width=lw)
            d.line([cx - bw / 2, cy, cx + bw / 2, cy], fill=40, width=lw)
        elif t == 2: d.ellipse([cx - bw * .2, cy - bw * .2, cx + bw * .2, cy + bw * .26], fill=20)
    return np.asarray(im.filter(ImageFilter.GaussianBlur(rng.uniform(.5, 4))).resize((w, h), Image.BILINEAR), np.float32) / 255

def n_reflection(rng, L, dev, s):
    tint = np.array([rng.uniform(.9, 1.1), 1, rng.uniform(.9, 1.15)], np.float32) * rng.uniform(.04, .22)
    L['rgb'] += (reflection_map(rng, *L['glass'].shape[::-1]) * L['glass'])[..., None] * tint

def n_sticker(rng, L, dev, s):
    sw = max(8, int(dev['Wd'] * rng.uniform(.2, .45)))
    sh = max(4, int(sw * rng.uniform(.3, .55)))
    st = Image.new('RGB', (sw, sh), [(250, 250, 245), (250, 220, 60), (150, 220, 150), (230, 60, 50),
                                     (200, 200, 205)][rng.integers(5)])
    d = ImageDraw.Draw(st)
    lab = ['QC PASS', 'OK', f"SN {rng.integers(16 ** 6):06X}", 'TESTED', f"LOT {rng.integers(100, 999)}"][rng.integers(5)]
    d.text((sw * .06, sh * .06), lab, fill=(20, 20, 20), font=font(sh * .32, True))
    bars = np.cumsum(rng.integers(1, 4, 60)) * max(1.0, sw / 120) + sw * .06          # barcode
    for x0, x1 in zip(bars[:-1:2], bars[1::2]):
        if x1 < sw * .94: d.rectangle([x0, sh * .5, x1 - 1, sh * .9], fill=(15, 15, 15))
    ang, (b, Hd), (Hc, Wc) = rng.uniform(-25, 25) + (90 if rng.random() < .3 else 0), (dev['body'], dev['Hd']), L['glass'].shape
    al = np.asarray(Image.new('L', (sw, sh), 255).rotate(ang, Image.BILINEAR, expand=True), np.float32) / 255
    st = np.asarray(st.rotate(ang, Image.BICUBIC, expand=True), np.float32) / 255 * .9
    cx = rng.uniform(b[0], b[2])                        # mostly on the top / bottom bezel, sometimes anywhere
    cy = rng.uniform(b[1], b[3]) if rng.random() < .3 else [b[1] + rng.uniform(0, .08) * Hd,
                                                            b[3] - rng.uniform(0, .08) * Hd][rng.integers(2)]
    X0, Y0 = int(cx - al.shape[1] / 2), int(cy - al.shape[0] / 2)
    x0, y0, x1, y1 = max(0, X0), max(0, Y0), min(Wc, X0 + al.shape[1]), min(Hc, Y0 + al.shape[0])
    if x1 > x0 and y1 > y0:
        sl, sl2 = (slice(y0, y1), slice(x0, x1)), (slice(y0 - Y0, y1 - Y0), slice(x0 - X0, x1 - X0))
        a = al[sl2] * L['body'][sl]
        L['rgb'][sl] += (st[sl2] - L['rgb'][sl]) * a[..., None]
        L['glass'][sl] *= 1 - a
        L['screen'][sl] *= 1 - a

def curve_pts(rng, p, Ln, s, curl):
    """Smooth curve with randomly wandering curvature (fibres, hair)."""
    st = max(.8, 1.5 * s)
    n = max(3, int(Ln / st))
    hd = rng.uniform(0, PI2) + np.cumsum(np.clip(np.cumsum(rng.normal(0, curl, n)), -.5, .5))
    return p + np.cumsum(st * np.stack([np.cos(hd), np.sin(hd)], 1), 0)

def scratch_items(rng, name, dev, s):
    """Smooth (non-fracture) thin marks on the glass: [(pts_local, width, value)]."""
    g, u, out = dev['glass'], rng.uniform, []
    dg = math.hypot(g[2] - g[0], g[3] - g[1])
    if name == 'scratch':                               # straight, slightly bowed, fading at the ends
        for _ in range(rng.integers(1, 4)):
            p, a, Ln = rnd_in(rng, g, .05), u(0, np.pi), u(.08, .8) * dg
            t = np.linspace(-.5, .5, max(3, int(Ln / (4 * s + 1))))
            pts = p + t[:, None] * Ln * vdir(a) + (u(-.03, .03) * Ln * (1 - 4 * t * t))[:, None] * vdir(a + np.pi / 2)
            out += [(pc, max(.7, u(.7, 2.2) * s), v) for pc, v in chunks(rng, pts, .5, 1, True)]
    elif name == 'curved_scratch':
        for _ in range(rng.integers(1, 4)):
            R, Ln, a0 = u(.3, 2) * dg, u(.1, .6) * dg, u(0, PI2)
            pts = ring_pts(rnd_in(rng, g, .1) - R * vdir(a0), R, a0, a0 + Ln / R, max(3, int(Ln / (4 * s + 1))))
            out += [(pc, max(.7, u(.7, 1.8) * s), v) for pc, v in chunks(rng, pts, .5, 1, True)]
    elif name == 'swirl':                               # cleaning swirl marks
        c = rnd_in(rng, g, .15)
        for _ in range(rng.integers(8, 30)):
            a0 = u(0, PI2)
            out.append((ring_pts(c + rng.normal(0, 2 * s, 2), u(.04, .3) * dg, a0, a0 + u(.2, 1.2), 12),
                        max(.7, .8 * s), u(.25, .7)))
    elif name == 'protector':                           # edge of a screen protector, trapped bubbles
        ins, a, c = u(1.5, 8) * s, rng.normal(0, .004), np.array([(g[0] + g[2]) / 2, (g[1] + g[3]) / 2])
        x0, y0, x1, y1 = g[0] + ins, g[1] + ins, g[2] - ins, g[3] - ins
        r = max(0.0, min(dev['rc'] - dev['rim'] - ins, (x1 - x0) / 2, (y1 - y0) / 2))
        arcs = [ring_pts((cx, cy), r, a0, a0 + np.pi / 2, 8) for cx, cy, a0 in
                ((x1 - r, y0 + r, -np.pi / 2), (x1 - r, y1 - r, 0), (x0 + r, y1 - r, np.pi / 2), (x0 + r, y0 + r, np.pi))]
        pts = c + (np.vstack(arcs + [arcs[0][:1]]) - c) @ np.array([[math.cos(a), math.sin(a)], [-math.sin(a), math.cos(a)]])
        out += [(pc, max(.7, u(.8, 1.5) * s), v) for pc, v in chunks(rng, pts, .3, .9)]
        for _ in range(rng.integers(0, 4)):
            out.append((ring_pts(rnd_in(rng, g, .05), u(3, 16) * s), max(.7, .9 * s), u(.4, .8)))
    return out

def rods_cable_or_tool(rng, W, H, s, tool):
    """Shaded round rods [(pts, width, colour, shine)] entering from a frame edge."""
    u, side, t = rng.uniform, rng.integers(4), rng.uniform(.1, .9)
    o = 10. if tool else 20.
    p0, a = [((-o, t * H), 0.), ((W + o, t * H), np.pi), ((t * W, -o), np.pi / 2), ((t * W, H + o), -np.pi / 2)][side]
    p0, a = np.array(p0, float), a + u(-.6, .6)
    dv, nv, metal = vdir(a), vdir(a + np.pi / 2), np.array([.72, .72, .74], np.float32)
    if not tool:                                        # cable (cubic Bezier), maybe with its plug
        Ln, a2 = u(.2, .7) * min(W, H), a + u(-1.2, 1.2)
        p1 = p0 + dv * Ln * .4
        p2 = p1 + vdir(a2) * Ln * .3
        p3 = p2 + vdir(a2 + u(-1, 1)) * Ln * .3
        tt = np.linspace(0, 1, 40)[:, None]
        pts = (1 - tt) ** 3 * p0 + 3 * (1 - tt) ** 2 * tt * p1 + 3 * (1 - tt) * tt ** 2 * p2 + tt ** 3 * p3
        wd = u(6, 20) * s
        rods = [(pts, wd, rcol(rng, [(.05, .05, .05), (.85, .85, .85), (.5, .5, .52), (.2, .2, .25)]), .25)]
        if rng.random() < .6:
            e = (pts[-1] - pts[-2]) / max(1e-6, np.hypot(*(pts[-1] - pts[-2])))
            rods.append((np.array([pts[-1], pts[-1] + e * wd * 2.5]), wd * 1.7, rcol(rng, [(.6, .6, .62), (.1, .1, .1)]), .35))
        return rods
    k = rng.integers(3)
    if k == 0:                                          # screwdriver: shaft, then handle on top
        p1 = p0 + dv * u(.12, .25) * H
        return [(np.array([p1, p1 + dv * u(.06, .18) * H]), u(3, 6) * s, metal, .5),
                (np.array([p0, p1]), u(16, 30) * s, rcol(rng, PAL), .3)]
    if k == 1:                                          # tweezers
        tip, sp = p0 + dv * u(.15, .3) * H, u(5, 9) * s
        return [(np.array([p0 + nv * sp * j, tip + nv * j * .8]), u(3, 5) * s, metal, .5) for j in (-1, 1)]
    p1, c = p0 + dv * u(.15, .3) * H, rcol(rng, [(.05, .05, .05), (.1, .2, .6), (.9, .75, .1)])      # spudger
    return [(np.array([p0, p1]), u(7, 12) * s, c, .2), (np.array([p1, p1 + dv * u(8, 20) * s]), u(3, 6) * s, c, .2)]

def rod_layer(rods, W, H):
    """Rasterise rods with cylinder shading; returns (box, rgb, alpha) or None when out of view."""
    allp, pad = np.vstack([r[0] for r in rods]), max(r[1] for r in rods) * 2 + 4
    x0, y0 = int(max(0, allp[:, 0].min() - pad)), int(max(0, allp[:, 1].min() - pad))
    x1, y1 = int(min(W, allp[:, 0].max() + pad)), int(min(H, allp[:, 1].max() + pad))
    if x1 - x0 < 2 or y1 - y0 < 2: return None
    col = Image.new('RGB', ((x1 - x0) * 2, (y1 - y0) * 2))
    al = Image.new('L', col.size, 0)
    dc, da = ImageDraw.Draw(col), ImageDraw.Draw(al)
    for pts, wd, c, shine in rods:
        q = [((px - x0) * 2, (py - y0) * 2) for px, py in pts]
        for f, bb in ((1.0, .55), (.7, .8), (.4, 1.0), (.15, 1.0 + shine)):
            wi = max(1, int(wd * 2 * f))
            dc.line(q, fill=c8(np.asarray(c) * bb), width=wi, joint='curve')
            if f == 1.0:
                da.line(q, fill=255, width=wi, joint='curve')
                for ex, ey in (q[0], q[-1]):            # round ends
                    dc.ellipse([ex - wi / 2, ey - wi / 2, ex + wi / 2, ey + wi / 2], fill=c8(np.asarray(c) * .55))
                    da.ellipse([ex - wi / 2, ey - wi / 2, ex + wi / 2, ey + wi / 2], fill=255)
    return (x0, y0, x1, y1), np.asarray(col.reduce(2), np.float32) / 255, np.asarray(al.reduce(2), np.float32) / 255

# ---------------------------------------------------------------------------- camera
def camera_params(rng, s):
    u = rng.uniform
    cam = dict(focus=u(.5, 1.8) * s if rng.random() < .22 else u(0, .45) * s, mlen=0.0, mang=0.0)
    if rng.random() < .14: cam['mlen'], cam['mang'] = u(2, 9) * s, u(0, np.pi)
    wb = np.exp(rng.normal(0, .06, 3))
    cam.update(gain=math.exp(rng.normal(0, .18)), wb=(wb / wb[1]).astype(np.float32), gamma=u(.8, 1.25), sat=u(.8, 1.2),
               read=u(.002, .012), shot=u(.0002, .0025), quality=int(rng.integers(40, 96)), sub=0 if rng.random() < .25 else 2)
    cam['nsig'] = math.sqrt(cam['read'] ** 2 + cam['shot'] * .3)
    return cam

def motion_kernel(length, ang):
    k = np.zeros((5, 5))
    for t in np.linspace(-.5, .5, 41):                  # splat a short line (length <= 4 px)
        k[int(round(2 + t * length * math.sin(ang))), int(round(2 + t * length * math.cos(ang)))] += 1
    return ImageFilter.Kernel((5, 5), (k / k.sum()).ravel().tolist(), scale=1)

def apply_camera(img, cam, rng):
    im = Image.fromarray((tone(img, cam) * 255 + .5).astype(np.uint8))
    if cam['focus'] > .3: im = im.filter(ImageFilter.GaussianBlur(cam['focus']))
    n = 0 if cam['mlen'] <= 0 else (1 if cam['mlen'] <= 4 else 2)
    for _ in range(n): im = im.filter(motion_kernel(cam['mlen'] / n, cam['mang']))
    y = np.asarray(im, np.float32) / 255
    y += rng.standard_normal(y.shape, dtype=np.float32) * np.sqrt(cam['read'] ** 2 + cam['shot'] * y)
    buf = io.BytesIO()
    out = Image.fromarray(np.clip(y * 255 + .5, 0, 255).astype(np.uint8))
    out.save(buf, 'JPEG', quality=cam['quality'], subsampling=cam['sub'])
    return buf.getvalue()

# ---------------------------------------------------------------------------- frame
def render(seed, i, force_label=None):
    """Render frame i; returns (jpeg_bytes, label, meta_dict).
    force_label ('ok' / 'cracked') renders the very same scene with or without its crack."""
    rl, rb, rd, rs, rc, rn, rcam, rnoise = [np.random.default_rng([int(seed), int(i), k]) for k in range(8)]
    cracked = bool(rl.random() < .5) if force_label is None else force_label == 'cracked'
    W, H = SIZES[rb.choice(len(SIZES), p=SIZE_P)]
    s = H / 1080.0
    cam, dev = camera_params(rcam, s), make_device(rd, W, H, s)
    lit = bool(rs.random() < .6)
    x0, y0, x1, y1 = dev['scr']
    content = lit_screen(rs, x1 - x0, y1 - y0, dev['tablet']) if lit else dark_screen(rs, x1 - x0, y1 - y0)
    Lay = device_layers(rd, dev, content)
    flags = {name: rn.random() < p for name, p in NUISANCES}
    flags['moire'] &= lit
    used = []
    for name, fn in (('fingerprint', n_fingerprint), ('smudge', n_smudge), ('reflection', n_reflection), ('sticker', n_sticker)):
        if flags[name]:
            fn(rn, Lay, dev, s)
            used.append(name)
    bg, Lm = background(rb, W, H, s), illumination(rb, W, H)
    # warp the device layers into the frame, over the device's bounding box only
    M = dev['M']
    cor = hom(M, [(0, 0), (dev['Wc'], 0), (dev['Wc'], dev['Hc']), (0, dev['Hc'])])
    bx0, by0 = [int(max(0, v - 2)) for v in cor.min(0)]
    bx1, by1 = int(min(W, cor[:, 0].max() + 3)), int(min(H, cor[:, 1].max() + 3))
    bw, bh = bx1 - bx0, by1 - by0
    C = np.linalg.inv(M) @ np.array([[1, 0, bx0], [0, 1, by0], [0, 0, 1]])
    coef = tuple((C / C[2, 2]).ravel()[:8])
    enc = Image.fromarray((np.sqrt(np.clip(Lay['rgb'] / 1.25, 0, 1)) * 255 + .5).astype(np.uint8))   # sqrt keeps dark detail
    dev_rgb = (np.asarray(enc.transform((bw, bh), Image.PERSPECTIVE, coef, Image.BICUBIC), np.float32) / 255) ** 2 * 1.25
    mk = Image.fromarray((np.stack([Lay['body'], Lay['glass'], Lay['screen']], -1) * 255 + .5).astype(np.uint8))
    mk = np.asarray(mk.transform((bw, bh), Image.PERSPECTIVE, coef, Image.BILINEAR), np.float32) / 255
    A, G, Sm = mk[..., 0], np.minimum(mk[..., 1], mk[..., 0]), np.minimum(mk[..., 2], mk[..., 0])
    au8 = Image.fromarray((A * 255).astype(np.uint8))
    for dist, blur, strength in ((rb.uniform(2, 14) * s, rb.uniform(2, 16) * s, rb.uniform(.25, .6)),
                                 (0.0, 1.5 * s + .5, rb.uniform(.15, .35))):       # cast shadow + contact shadow
        ang, pad = rb.uniform(0, PI2), int(dist + 3 * blur + 4)
        ex0, ey0, ex1, ey1 = max(0, bx0 - pad), max(0, by0 - pad), min(W, bx1 + pad), min(H, by1 + pad)
        sh = Image.new('L', (ex1 - ex0, ey1 - ey0), 0)
        sh.paste(au8, (int(round(bx0 - ex0 + dist * math.cos(ang))), int(round(by0 - ey0 + dist * math.sin(ang)))))
        f = 4 if blur > 8 else (2 if blur > 3 else 1)
        sh = (sh.reduce(f) if f > 1 else sh).filter(ImageFilter.GaussianBlur(blur / f)).resize(sh.size, Image.BILINEAR)
        bg[ey0:ey1, ex0:ex1] *= (1 - strength * np.asarray(sh, np.float32) / 255)[..., None]
    # composite: reflective things follow the illumination, a lit display keeps its own brightness
    img = bg * Lm[..., None]
    R, Lr, e = img[by0:by1, bx0:bx1], Lm[by0:by1, bx0:bx1, None], (Sm * lit)[..., None]
    R[...] = R * (1 - A[..., None]) + dev_rgb * A[..., None] * (Lr * (1 - e) + e) + e * .015 * Lr
    yy, xx = np.mgrid[0:bh, 0:bw].astype(np.float32)
    wgt, g = (G + .3 * (A - G))[..., None], dev['glass']
    dg = math.hypot(g[2] - g[0], g[3] - g[1])

    def toreg(p): return hom(M, p) - (bx0, by0)
    for name in ('glare_spot', 'glare_band'):
        if not flags[name]: continue
        a, c, gl = rn.uniform(0, np.pi), toreg(rnd_in(rn, g))[0], np.zeros((bh, bw), np.float32)
        if name == 'glare_spot':                        # lamp highlight, or the LEDs of a ring light
            ring = rn.random() < .3
            n, rr, sg = (rn.integers(6, 17), rn.uniform(.05, .15) * H,
                         rn.uniform(2, 6) * s) if ring else (1, 0, rn.uniform(.02, .12) * H)
            for k in range(n):
                q = c + rr * vdir(a + PI2 * k / n)
                gl += np.exp(-((xx - q[0]) ** 2 + (yy - q[1]) ** 2) / (2 * sg * sg))
        else:                                           # reflection of tube lamps
            for k in range(rn.integers(1, 3)):
                dd = (xx - c[0]) * math.cos(a) + (yy - c[1]) * math.sin(a) - k * rn.uniform(.05, .2) * H
                gl += 1 / (1 + np.exp(np.minimum(60, (np.abs(dd) - rn.uniform(.01, .08) * H) / (rn.uniform(1, 12) * s))))
        R[...] = 1 - (1 - R) * (1 - rn.uniform(.15, 1) * np.clip(gl, 0, 1)[..., None] * wgt)
        used.append(name)
    if flags['moire']:                                  # camera sensor beating with the display's pixel grid
        a, per = rn.uniform(0, np.pi), rn.uniform(6, 30) * s + 2
        ph = PI2 * (xx * math.cos(a) + yy * math.sin(a)) / per + rn.uniform(2, 8) * smooth(rn, bh, bw, 80 * s + 10)
        off = np.array([0, 2.1, 4.2], np.float32) * rn.uniform(0, 1)
        R *= 1 + rn.uniform(.03, .1) * (Sm * A)[..., None] * np.sin(ph[..., None] + off)
        used.append('moire')
    items = []
    for name in ('scratch', 'curved_scratch', 'swirl', 'protector'):
        if flags[name]:
            items += [('l', toreg(p), wd, v) for p, wd, v in scratch_items(rn, name, dev, s)]
            used.append(name)
    if items: R += (rn.uniform(.12, .45) * thin_mask(items, bw, bh) * G)[..., None] * np.maximum(1 - R, 0)
    kind, width = add_crack(rc, R, G, Sm, dev, toreg, cam, s, lit) if cracked else ('none', 0)
    debris = []                                         # things lying on top of the glass
    if flags['dust']:
        it, cl = [], [rnd_in(rn, g) for _ in range(rn.integers(1, 4))]
        for _ in range(int(rn.integers(10, 150) * min(1.0, .3 + (g[2] - g[0]) * (g[3] - g[1]) / (.2 * H * H)))):
            p = cl[rn.integers(len(cl))] + rn.normal(0, .05 * dg, 2) if rn.random() < .3 else rnd_in(rn, g)
            r = rn.uniform(.35, 1.3) * s if rn.random() < .9 else rn.uniform(1.3, 2.8) * s
            it.append(('e', toreg(p), r, rn.uniform(.4, 1)))
        debris.append(('dust', it, np.full(3, rn.uniform(.7, .95) if rn.random() < .75 else rn.uniform(.1, .3)),
                       rn.uniform(.5, .95)))
    for name, n, (l0, l1), (c0, c1), wmax, pal in (     # curly short fibres; long, gently curved hairs
            ('lint', 7, (8 * s, 60 * s), (.03, .15), 1.6, [(.9, .9, .9), (.75, .75, .8), (.3, .35, .65),
                                                           (.15, .15, .15), (.7, .3, .3)]),
            ('hair', 3, (.15 * dg, .5 * dg), (.003, .015), 1.3, [(.06, .05, .04), (.2, .13, .08), (.35, .25, .15)])):
        if flags[name]:
            it = [('l', toreg(curve_pts(rn, rnd_in(rn, g), rn.uniform(l0, l1), s, rn.uniform(c0, c1))),
                   max(.7, rn.uniform(.7, wmax) * s), 1)
                  for _ in range(rn.integers(1, n))]
            debris.append((name, it, rcol(rn, pal), rn.uniform(.5, .9)))
    for name, it, col, op in debris:
        a = (thin_mask(it, bw, bh) * A * op)[..., None]
        R[...] = R * (1 - a) + col * a * Lr
        used.append(name)
    for name in ('cable', 'tool'):
        for _ in range(4 if flags[name] else 0):        # may touch the device but must not cover the glass
            lay = rod_layer(rods_cable_or_tool(rn, W, H, s, name == 'tool'), W, H)
            if lay is None: continue
            (qx0, qy0, qx1, qy1), col, ra = lay
            ix0, iy0, ix1, iy1 = max(qx0, bx0), max(qy0, by0), min(qx1, bx1), min(qy1, by1)
            ov = 0.0 if ix1 <= ix0 or iy1 <= iy0 else float(
                (ra[iy0 - qy0:iy1 - qy0, ix0 - qx0:ix1 - qx0] * G[iy0 - by0:iy1 - by0, ix0 - bx0:ix1 - bx0]).sum())
            if ov <= .02 * G.sum():
                sd, Q = max(1, int(4 * s)), img[qy0:qy1, qx0:qx1]
                Q *= (1 - .45 * blur8(np.roll(ra, (sd, sd), (0, 1)), 3 * s + .5))[..., None]
                Q[...] = Q * (1 - ra[..., None]) + col * ra[..., None] * Lm[qy0:qy1, qx0:qx1, None]
                used.append(name)
                break
    label, order = ('cracked' if cracked else 'ok'), [n for n, _ in NUISANCES]
    meta = dict(file=f"{i:05d}_{label}.jpg", label=label, kind=kind, crack_width=width, screen='lit' if lit else 'dark',
                width=W, height=H, quality=cam['quality'], nuisances='+'.join(sorted(set(used), key=order.index)))
    return apply_camera(img, cam, rnoise), label, meta

# ---------------------------------------------------------------------------- CLI
class _Parser(argparse.ArgumentParser):
    def error(self, message):                           # one line, no usage block, no traceback
        self.exit(2, f"{self.prog}: error: {message}\n")

def _work(args): return render(*args)

def main(argv=None):
    ap = _Parser(description='Synthetic crack-detector EVALUATION frames (evaluation only, never for training).')
    for name, kw in (('--out', dict(required=True)), ('--count', dict(type=int, required=True)),
                     ('--seed', dict(type=int, required=True)), ('--workers', dict(type=int, default=2))):
        ap.add_argument(name, **kw)
    a = ap.parse_args(argv)
    for bad, msg in ((a.count < 1, '--count must be >= 1'), (a.seed < 0, '--seed must be >= 0'),
                     (a.workers < 1, '--workers must be >= 1')):
        if bad: ap.error(msg)
    os.makedirs(a.out, exist_ok=True)
    jobs = [(a.seed, i) for i in range(a.count)]
    pool = mp.get_context('fork').Pool(min(a.workers, a.count)) if a.workers > 1 and a.count > 1 else None
    fields = ['file', 'label', 'kind', 'crack_width', 'screen', 'width', 'height', 'quality', 'nuisances']
    try:
        with open(os.path.join(a.out, 'labels.csv'), 'w', newline='') as fl, \
                open(os.path.join(a.out, 'meta.csv'), 'w', newline='') as fm:
            wl, wm = csv.writer(fl, lineterminator='\n'), csv.DictWriter(fm, fieldnames=fields, lineterminator='\n')
            wl.writerow(['file', 'label'])
            wm.writeheader()
            for jpg, label, meta in (pool.imap(_work, jobs, chunksize=1) if pool else map(_work, jobs)):
                with open(os.path.join(a.out, meta['file']), 'wb') as f: f.write(jpg)
                wl.writerow([meta['file'], label])
                wm.writerow(meta)
    finally:
        if pool: pool.close(); pool.join()
    return 0

if __name__ == '__main__': sys.exit(main())
