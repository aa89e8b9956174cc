#!/usr/bin/env python3
"""evalgen9: a physically flavoured synthetic generator of line-camera frames, for EVALUATION ONLY.

Never train on these frames: they exist to measure a screen-crack detector on data it has not been fitted to.
It was written from a short brief, without reading the project's other generators or training code.

What one frame is (all randomness from np.random.default_rng([seed, i, k]), one k per concern):
  * a conveyor surface seen from above (rubber belt, woven belt, ESD mat, brushed metal, moulded tray
    or rollers, sometimes a guide rail), lit unevenly, with a soft shadow under the device and, sometimes,
    a cable or a tool lying beside it;
  * ONE phone (sometimes a small tablet) lying screen-up: a rounded-rectangle slab with a metal rim, black or
    white bezel, punch hole / notch / earpiece / home button, in any in-plane rotation with a small 3-D tilt
    (a true homography), its bounding box 15-70 % of the frame width (less where the height does not allow it),
    always fully inside the frame;
  * the screen is either lit (a drawn UI: status bar, app grids, lists, chat, photos as smooth colour fields,
    keyboards, maps, video stills, tables, settings, articles) or dark (black glass);
  * the glass reflects the room (blurred ceiling tubes) and one or two area lights (glare bands, spots,
    softbox windows);
  * cracked frames (about half) get a fracture drawn supersampled in frame space, with a nominal width of
    1, 2 or 3 px at 1080 lines (scaled with the frame height, so thinner than a pixel on small frames):
    hairline, traverse, edge_run, corner_burst, spider, branching, shatter. A crack darkens lit content,
    catches light (brighter where it runs across the light direction), refracts the content beside it by a
    pixel or two, and is bright on dark glass. After the camera stage and JPEG its contrast is measured
    against the same frame without it and the crack is strengthened until it clears a small floor;
  * label-independent hard negatives, each with its own probability: scratch, curved_scratch, swirl, dust,
    lint, hair, fingerprint, smudge, glare, protector_edge (with bubbles), sticker, moire, ui_lines, cable,
    tool;
  * a camera: lens blur, sometimes defocus or motion blur, vignetting, exposure and white balance,
    signal-dependent noise, tone curve, JPEG quality 55-95.

render(seed, i) -> (jpeg bytes, 'ok' | 'cracked', meta).
CLI: /usr/bin/python3 evalgen9.py --out DIR --count N --seed S [--workers 2]   (writes through frameset.py)
"""
import io
import math

import numpy as np
from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

from planar import homography

FONT = ImageFont.load_default()
# keep freed image blocks for reuse: a frame allocates and frees many full-size images and the page faults of fresh
# allocations would otherwise cost more than the drawing (output bytes are unaffected)
if Image.core.get_blocks_max() < 32:
    Image.core.set_blocks_max(32)
LETTERS = np.array(list('abcdefghijklmnopqrstuvwxyz'))

# one rng stream per concern
K_LABEL, K_SIZE, K_BODY, K_POSE, K_SURF, K_SCREEN, K_UI, K_LIGHT = 1, 2, 3, 4, 5, 6, 7, 8
K_CRACK, K_LOOK, K_CAM, K_NOISE, K_SHADOW = 9, 10, 11, 12, 13
K_NUIS = 100  # + index in NUISANCES

SIZES = [(1920, 1080, .30), (1280, 720, .20), (640, 480, .10), (800, 600, .10), (1024, 768, .10),
         (1280, 960, .10), (1600, 900, .10)]
KINDS = [('hairline', .20), ('traverse', .14), ('edge_run', .14), ('corner_burst', .12), ('spider', .16),
         ('branching', .14), ('shatter', .10)]
NUISANCES = [('scratch', .25), ('curved_scratch', .15), ('swirl', .12), ('dust', .40), ('lint', .15),
             ('hair', .12), ('fingerprint', .30), ('smudge', .20), ('glare', .45), ('protector_edge', .15),
             ('sticker', .15), ('moire', .12), ('ui_lines', .30), ('cable', .15), ('tool', .10)]
P_LIT = 0.55


def rng(seed, i, k):
    return np.random.default_rng([seed, i, k])


def pick(r, items):
    p = np.array([w for _, w in items], float)
    return items[int(r.choice(len(items), p=p / p.sum()))][0]


def pt(a):
    return [tuple(map(float, q)) for q in a]


# ---------------------------------------------------------------- geometry

def apply_h(M, pts):
    pts = np.asarray(pts, float).reshape(-1, 2)
    p = pts @ M[:, :2].T + M[:, 2]
    return p[:, :2] / p[:, 2:3]


def in_rrect(p, box, rad):
    x0, y0, x1, y1 = box
    p = np.asarray(p, float).reshape(-1, 2)
    x, y = p[:, 0], p[:, 1]
    qx = np.maximum(np.maximum(x0 + rad - x, x - (x1 - rad)), 0)
    qy = np.maximum(np.maximum(y0 + rad - y, y - (y1 - rad)), 0)
    return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1) & (qx * qx + qy * qy <= rad * rad)


def rrect_outline(box, rad, n=10):
    x0, y0, x1, y1 = box
    out = []
    for cx, cy, a0 in ((x1 - rad, y0 + rad, -90), (x1 - rad, y1 - rad, 0), (x0 + rad, y1 - rad, 90),
                       (x0 + rad, y0 + rad, 180)):
        a = np.deg2rad(np.linspace(a0, a0 + 90, n))
        out.append(np.c_[cx + rad * np.cos(a), cy + rad * np.sin(a)])
    return np.vstack(out)


def fine(r, w, h, gw, gh, resample=Image.BILINEAR):
    """Cheap textured field (zero mean, about unit variance) from a gh x gw grid of random bytes."""
    gw, gh = max(1, int(gw)), max(1, int(gh))
    a = np.frombuffer(r.bytes(gw * gh), np.uint8).reshape(gh, gw)
    b = np.asarray(Image.fromarray(a, 'L').resize((int(w), int(h)), resample), dtype=np.float32)
    b -= 127.5
    b *= np.float32(1 / 60.0)
    return b


def field(r, w, h, gw, gh, resample=Image.BICUBIC):
    """Smooth random field (standard-normal-ish) of size h x w from a gh x gw grid."""
    a = r.standard_normal((max(1, gh), max(1, gw))).astype(np.float32)
    return np.asarray(Image.fromarray(a, 'F').resize((int(w), int(h)), resample))


# ---------------------------------------------------------------- supersampled line layer

def raster(items, W, H, pad=3):
    """Antialiased mask of thin marks in frame pixels, drawn supersampled and box-reduced.

    items: dicts with 'type' in line|dot|ring, 'pts' (N x 2 frame px; for dot/ring the centre), 'w' (px width,
    for dot/ring the radius), 'v' (float or per-segment array in 0..1). Returns (mask float32, x0, y0) or None.
    """
    boxes = []
    for it in items:
        P = np.asarray(it['pts'], float).reshape(-1, 2)
        e = it['w'] + 2
        boxes.append([P[:, 0].min() - e, P[:, 1].min() - e, P[:, 0].max() + e, P[:, 1].max() + e])
    if not boxes:
        return None
    b = np.array(boxes)
    x0 = int(max(0, math.floor(b[:, 0].min()) - pad))
    y0 = int(max(0, math.floor(b[:, 1].min()) - pad))
    x1 = int(min(W, math.ceil(b[:, 2].max()) + pad))
    y1 = int(min(H, math.ceil(b[:, 3].max()) + pad))
    if x1 - x0 < 2 or y1 - y0 < 2:
        return None
    wmin = min(it['w'] * (1 if it.get('type', 'line') == 'line' else 2) for it in items)
    ss = int(np.clip(math.ceil(3.0 / max(wmin, 0.2)), 3, 10))
    img = Image.new('L', ((x1 - x0) * ss, (y1 - y0) * ss), 0)
    d = ImageDraw.Draw(img)
    off = np.array([x0, y0], float)
    for it in items:
        typ = it.get('type', 'line')
        P = (np.asarray(it['pts'], float).reshape(-1, 2) - off) * ss - 0.5
        v = it['v']
        if typ == 'dot' or typ == 'ring':
            rr = it['w'] * ss
            c = P[0]
            f = int(np.clip(round(255 * float(v)), 0, 255))
            if typ == 'dot':
                d.ellipse([c[0] - rr, c[1] - rr, c[0] + rr, c[1] + rr], fill=f)
            else:
                d.ellipse([c[0] - rr, c[1] - rr, c[0] + rr, c[1] + rr], outline=f,
                          width=max(1, int(round(it.get('lw', 1.0) * ss))))
            continue
        if len(P) < 2:
            continue
        lw = max(1, int(round(it['w'] * ss)))
        joint = 'curve' if lw > 2 else None
        if np.isscalar(v):
            d.line(pt(P), fill=int(np.clip(round(255 * v), 0, 255)), width=lw, joint=joint)
            continue
        q = np.clip(np.round(np.asarray(v, float) * 15), 0, 15).astype(int)   # 16 levels, runs of equal level
        cut = np.nonzero(np.diff(q))[0] + 1
        starts = np.r_[0, cut]
        ends = np.r_[cut, len(q)]
        for s, e in zip(starts, ends):
            if q[s] == 0:
                continue
            d.line(pt(P[s:e + 1]), fill=int(q[s] * 17), width=lw, joint=joint)
    m = np.asarray(img.reduce(ss), dtype=np.float32) * (1.0 / 255)
    return m, x0, y0


def composite(crop, m, D=0.0, B=0.0, tint=(1, 1, 1), color=None, alpha=0.0):
    """Paint a mark: darken by D*m, blend towards color by alpha*m, add B*m (times tint)."""
    mm = m[:, :, None]
    out = crop
    if D:
        out = out * (1 - D * mm)
    if color is not None and alpha:
        a = alpha * mm
        out = out * (1 - a) + np.asarray(color, np.float32) * a
    if B:
        out = out + (B * mm) * np.asarray(tint, np.float32)
    return out


def paint_marks(scene, items, look):
    H, W = scene.shape[:2]
    res = raster(items, W, H)
    if res is None:
        return
    m, x0, y0 = res
    h, w = m.shape
    sel = m > (0.5 / 255)
    view = scene[y0:y0 + h, x0:x0 + w]
    px = view[sel].astype(np.float32)
    out = composite(px[:, None, :], m[sel][:, None], **look)[:, 0, :]
    view[sel] = to_u8(out)


# ---------------------------------------------------------------- device

RIMS = [(186, 189, 193), (62, 64, 68), (200, 176, 140), (48, 68, 108), (26, 26, 29), (222, 222, 224),
        (150, 34, 40), (90, 120, 100)]


def make_phone(r):
    u = r.random()
    if u < 0.12:
        kind = 'tablet'
        Pw = r.uniform(125, 165)
        Ph = Pw * r.uniform(1.33, 1.55)
        rad = r.uniform(5, 12)
        rim = r.uniform(0.7, 1.4)
        bs = r.uniform(4, 10)
        bt, bb = bs + r.uniform(0, 3), bs + r.uniform(0, 3)
        srad = r.uniform(0, 3)
    elif u < 0.12 + 0.88 * 0.3:
        kind = 'classic'
        Pw = r.uniform(58, 78)
        Ph = Pw * r.uniform(1.78, 2.02)
        rad = r.uniform(4, 9)
        rim = r.uniform(0.6, 1.3)
        bs = r.uniform(2.5, 5)
        bt, bb = r.uniform(9, 17), r.uniform(9, 17)
        srad = 0.0
    else:
        kind = 'modern'
        Pw = r.uniform(64, 78)
        Ph = Pw * r.uniform(2.0, 2.25)
        rad = r.uniform(6, 11)
        rim = r.uniform(0.6, 1.3)
        bs = r.uniform(1.0, 3.2)
        bt, bb = bs + r.uniform(0, 1.5), bs + r.uniform(0, 2.0)
        srad = max(0.5, rad - rim - bs)
    white = kind != 'modern' and r.random() < 0.18
    bezel = tuple(int(c) for c in (r.integers(222, 240, 3) if white else r.integers(8, 18, 3)))
    rimc = RIMS[int(r.integers(len(RIMS)))]
    feat = 'none'
    if kind == 'modern':
        feat = pick(r, [('punch', .6), ('notch', .25), ('none', .15)])
    elif kind == 'classic':
        feat = 'home' if r.random() < 0.75 else 'earpiece'
    else:
        feat = 'cam'
    return dict(kind=kind, Pw=Pw, Ph=Ph, rad=rad, rim=rim, bezel=bezel, rimc=rimc, feat=feat, white=white,
                glass=(rim, rim, Pw - rim, Ph - rim), grad=max(0.5, rad - rim),
                screen=(rim + bs, rim + bt, Pw - rim - bs, Ph - rim - bb), srad=srad,
                thick=r.uniform(7, 9.5))


def make_pose(r, W, H, ph):
    Pw, Ph = ph['Pw'], ph['Ph']
    if r.random() < 0.55:
        th = np.deg2rad(int(r.integers(4)) * 90 + r.normal(0, 5))
    else:
        th = r.uniform(0, 2 * np.pi)
    ax, ay = np.deg2rad(np.clip(r.normal(0, 4, 2), -10, 10))
    dist = r.uniform(3.0, 8.0) * Ph
    c = np.array([[0, 0], [Pw, 0], [Pw, Ph], [0, Ph]], float)
    P = np.c_[c - [Pw / 2, Ph / 2], np.zeros(4)]
    Rx = np.array([[1, 0, 0], [0, math.cos(ax), -math.sin(ax)], [0, math.sin(ax), math.cos(ax)]])
    Ry = np.array([[math.cos(ay), 0, math.sin(ay)], [0, 1, 0], [-math.sin(ay), 0, math.cos(ay)]])
    Rz = np.array([[math.cos(th), -math.sin(th), 0], [math.sin(th), math.cos(th), 0], [0, 0, 1]])
    X = P @ (Rz @ Ry @ Rx).T
    proj = X[:, :2] * (dist / (dist + X[:, 2:3]))
    frac = r.uniform(0.15, 0.70)
    ext = proj.max(0) - proj.min(0)
    s = min(frac * W / ext[0], 0.94 * W / ext[0], 0.93 * H / ext[1])  # frac: the device's share of the frame width
    q = proj * s
    lo, hi = q.min(0), q.max(0)
    mx, my = 0.015 * W, 0.015 * H
    ox = r.uniform(mx - lo[0], W - mx - hi[0])
    oy = r.uniform(my - lo[1], H - my - hi[1])
    dst = q + [ox, oy]
    Hm = homography(c, dst)
    # side wall: the bottom face seen shifted toward the image centre (perspective) and along the tilt
    n = (Rz @ Ry @ Rx) @ np.array([0, 0, 1.0])
    cen = dst.mean(0)
    side = (np.array([W / 2, H / 2]) - cen) * (ph['thick'] / dist) - n[:2] * ph['thick'] * s * 0.9
    return dict(Hm=Hm, s=s, k=s * 1.06, corners=dst, side=side, theta=th)


# ---------------------------------------------------------------- screen content (UI)

def words(r, n):
    out, tot = [], 0
    while tot < n:
        L = int(r.integers(2, 10))
        out.append(''.join(r.choice(LETTERS, L)))
        tot += L + 1
    s = ' '.join(out)[:max(1, n)]
    return s[0].upper() + s[1:] if r.random() < 0.6 else s


def vivid(r, lo=60, hi=255):
    c = np.array([lo, hi, r.uniform(lo, hi)])
    r.shuffle(c)
    return tuple(int(x) for x in c)


def txt(d, x, y, s, fill):
    d.text((int(x), int(y)), s, fill=fill, font=FONT)


def big_text(img, x, y, s, fill, scale):
    w = 6 * len(s) + 4
    t = Image.new('L', (w, 12), 0)
    ImageDraw.Draw(t).text((1, 0), s, fill=255, font=FONT)
    t = t.resize((max(1, int(w * scale)), max(1, int(12 * scale))), Image.BILINEAR)
    img.paste(Image.new('RGB', t.size, fill), (int(x), int(y)), t)


def photo(r, w, h):
    gw, gh = int(r.integers(2, 6)), int(r.integers(2, 7))
    a = r.uniform(10, 245, (gh, gw, 3)).astype(np.uint8)
    img = Image.fromarray(a).resize((w, h), Image.BICUBIC)
    d = ImageDraw.Draw(img)
    if r.random() < 0.5:  # horizon
        hy = int(h * r.uniform(0.3, 0.7))
        sky = np.linspace(0, 1, hy)[:, None, None] * (np.array(vivid(r, 120, 255)) - [70, 120, 200]) + [70, 120, 200]
        img.paste(Image.fromarray(np.clip(np.repeat(sky, w, 1), 0, 255).astype(np.uint8)), (0, 0))
    for _ in range(int(r.integers(2, 9))):
        cx, cy, rr = r.uniform(0, w), r.uniform(0, h), r.uniform(0.04, 0.3) * max(w, h)
        d.ellipse([cx - rr, cy - rr * r.uniform(.4, 1.2), cx + rr, cy + rr], fill=vivid(r, 20, 240))
    return img.filter(ImageFilter.GaussianBlur(max(w, h) / r.uniform(25, 70)))


def status_bar(d, lw, fg, r):
    txt(d, 10, 5, '%d:%02d' % (r.integers(1, 13), r.integers(0, 60)), fg)
    x = lw - 12
    d.rectangle([x - 18, 6, x, 14], outline=fg)
    d.rectangle([x - 17, 7, x - 17 + int(r.integers(3, 17)), 13], fill=fg)
    for j in range(4):
        d.rectangle([x - 46 + 4 * j, 14 - 2 * j - 2, x - 44 + 4 * j, 14], fill=fg)


def icon(d, x, y, s, r):
    c = vivid(r)
    d.rounded_rectangle([x, y, x + s, y + s], radius=s * 0.22, fill=c)
    g = int(r.integers(4))
    m = s * 0.28
    if g == 0:
        d.ellipse([x + m, y + m, x + s - m, y + s - m], outline=(255, 255, 255), width=max(1, int(s / 14)))
    elif g == 1:
        d.rectangle([x + m, y + m, x + s - m, y + s - m], fill=(255, 255, 255))
    elif g == 2:
        d.polygon([(x + s / 2, y + m), (x + s - m, y + s - m), (x + m, y + s - m)], fill=(255, 255, 255))
    else:
        for j in range(3):
            yy = y + m + j * (s - 2 * m) / 2
            d.line([x + m, yy, x + s - m, yy], fill=(255, 255, 255), width=max(1, int(s / 16)))


def ui_draw(r, lw, lh):
    kind = pick(r, [('home', .13), ('list', .11), ('chat', .10), ('photo', .09), ('keyboard', .08),
                    ('map', .09), ('video', .08), ('table', .07), ('settings', .08), ('lock', .09),
                    ('browser', .08)])
    darkm = r.random() < 0.35
    bg = tuple(int(x) for x in (r.integers(0, 32, 3) if darkm else r.integers(232, 256, 3)))
    fg = (235, 235, 235) if darkm else (20, 20, 24)
    sub = (150, 150, 155) if darkm else (110, 110, 118)
    line = (60, 60, 66) if darkm else (215, 215, 220)
    img = Image.new('RGB', (lw, lh), bg)
    d = ImageDraw.Draw(img)
    acc = vivid(r, 30, 230)
    if kind in ('home', 'lock'):
        img.paste(photo(r, lw, lh), (0, 0))
        d = ImageDraw.Draw(img)
        fg = (255, 255, 255)
        if kind == 'home':
            s = int(lw * 0.15)
            cols = 4 if lw < 500 else 6
            gap = (lw - cols * s) / (cols + 1)
            for row in range(int(r.integers(3, 7))):
                for col in range(cols):
                    if r.random() < 0.12:
                        continue
                    x, y = gap + col * (s + gap), 50 + row * (s + 28)
                    icon(d, x, y, s, r)
                    txt(d, x, y + s + 3, words(r, int(r.integers(4, 9))).split(' ')[0][:8], fg)
            d.rounded_rectangle([gap / 2, lh - s - 40, lw - gap / 2, lh - 12], radius=20, fill=(200, 200, 205))
            for col in range(cols):
                icon(d, gap + col * (s + gap), lh - s - 28, s, r)
        else:
            t = '%d:%02d' % (r.integers(1, 13), r.integers(0, 60))
            big_text(img, lw / 2 - 3 * len(t) * lw / 90, lh * 0.12, t, fg, lw / 90)
            txt(d, lw / 2 - 40, lh * 0.12 + lw * 0.16, words(r, 14), fg)
            for j in range(int(r.integers(0, 4))):
                y = lh * 0.42 + j * 64
                d.rounded_rectangle([12, y, lw - 12, y + 56], radius=12, fill=(235, 235, 238))
                txt(d, 24, y + 10, words(r, 30), (30, 30, 30))
                txt(d, 24, y + 28, words(r, 40), (90, 90, 90))
    elif kind in ('list', 'settings'):
        d.rectangle([0, 0, lw, 56], fill=acc if r.random() < 0.5 else bg)
        big_text(img, 14, 28, words(r, 10), fg, 1.6)
        rh = int(r.integers(44, 72))
        y = 64
        while y < lh - rh:
            if kind == 'list':
                d.ellipse([12, y + 8, 12 + rh - 16, y + rh - 8], fill=vivid(r))
                txt(d, rh + 6, y + rh / 2 - 14, words(r, int(r.integers(8, 30))), fg)
                txt(d, rh + 6, y + rh / 2 + 2, words(r, int(r.integers(15, 45))), sub)
            else:
                if r.random() < 0.15:
                    txt(d, 14, y + rh - 18, words(r, 12).upper(), acc)
                    y += rh // 2
                    continue
                d.rounded_rectangle([14, y + 12, 14 + rh - 24, y + rh - 12], radius=6, fill=vivid(r))
                txt(d, rh + 4, y + rh / 2 - 6, words(r, int(r.integers(6, 20))), fg)
                if r.random() < 0.5:
                    on = r.random() < 0.5
                    d.rounded_rectangle([lw - 56, y + rh / 2 - 10, lw - 16, y + rh / 2 + 10], radius=10,
                                        fill=acc if on else line)
                    cx = lw - 26 if on else lw - 46
                    d.ellipse([cx - 8, y + rh / 2 - 8, cx + 8, y + rh / 2 + 8], fill=(255, 255, 255))
                else:
                    txt(d, lw - 24, y + rh / 2 - 6, '>', sub)
            if r.random() < 0.8:
                d.line([rh + 4 if r.random() < 0.6 else 0, y + rh - 1, lw, y + rh - 1], fill=line, width=1)
            y += rh
        if kind == 'list' and r.random() < 0.5:
            d.ellipse([lw - 76, lh - 96, lw - 20, lh - 40], fill=acc)
    elif kind == 'chat':
        d.rectangle([0, 0, lw, 60], fill=(acc if r.random() < 0.4 else bg))
        txt(d, 60, 30, words(r, 14), fg)
        d.ellipse([12, 24, 44, 56], fill=vivid(r))
        y = 72
        while y < lh - 120:
            n = int(r.integers(1, 4))
            bw = int(r.uniform(0.35, 0.75) * lw)
            me = r.random() < 0.5
            x = lw - bw - 10 if me else 10
            col = acc if me else ((50, 50, 56) if darkm else (228, 228, 234))
            d.rounded_rectangle([x, y, x + bw, y + 10 + 14 * n], radius=12, fill=col)
            tc = (255, 255, 255) if me or darkm else (20, 20, 20)
            for j in range(n):
                txt(d, x + 10, y + 6 + 14 * j, words(r, bw // 6 - 3), tc)
            y += 22 + 14 * n
        d.rounded_rectangle([10, lh - 50, lw - 60, lh - 14], radius=18, outline=line, width=2)
        d.ellipse([lw - 50, lh - 50, lw - 14, lh - 14], fill=acc)
    elif kind == 'photo':
        img.paste(photo(r, lw, lh), (0, 0))
        d = ImageDraw.Draw(img)
        if r.random() < 0.6:
            d.rectangle([0, 0, lw, 40], fill=(0, 0, 0))
            d.rectangle([0, lh - 60, lw, lh], fill=(0, 0, 0))
            for j in range(4):
                icon(d, 30 + j * (lw - 60) / 3 - 10, lh - 45, 22, r)
        fg = (255, 255, 255)
    elif kind == 'keyboard':
        for j in range(int(r.integers(3, 14))):
            txt(d, 12, 70 + 16 * j, words(r, int(r.integers(10, 55))), fg)
        ky = int(lh * r.uniform(0.55, 0.65))
        kb = (40, 40, 44) if darkm else (208, 211, 217)
        kc = (90, 90, 96) if darkm else (255, 255, 255)
        d.rectangle([0, ky, lw, lh], fill=kb)
        kh = (lh - ky - 60) / 4
        for row, n in enumerate((10, 9, 7, 3)):
            kw = lw / 10.5
            x0 = (lw - n * kw) / 2 if row < 3 else lw * 0.1
            for j in range(n):
                w = kw if row < 3 else (lw * 0.5 if j == 1 else lw * 0.12)
                x = x0 + (j * kw if row < 3 else (0, lw * 0.14, lw * 0.66)[j])
                d.rounded_rectangle([x + 2, ky + 8 + row * kh, x + w - 2, ky + row * kh + kh], radius=5, fill=kc)
                if row < 3:
                    txt(d, x + w / 2 - 3, ky + row * kh + kh / 2, str(r.choice(LETTERS)), fg)
        d.line([12, 68, 12, 82], fill=acc, width=2)
    elif kind == 'map':
        img.paste((int(r.integers(228, 245)), int(r.integers(226, 238)), int(r.integers(210, 226))), (0, 0, lw, lh))
        d = ImageDraw.Draw(img)
        for _ in range(int(r.integers(4, 12))):
            x, y = r.uniform(0, lw), r.uniform(0, lh)
            d.rectangle([x, y, x + r.uniform(20, 120), y + r.uniform(20, 120)],
                        fill=((200, 225, 190) if r.random() < 0.4 else (220, 218, 214)))
        if r.random() < 0.6:
            cx, cy, rr = r.uniform(0, lw), r.uniform(0, lh), r.uniform(40, 160)
            an = np.sort(r.uniform(0, 2 * np.pi, 9))
            rad = rr * r.uniform(0.6, 1.0, 9)
            d.polygon(pt(np.c_[cx + rad * np.cos(an), cy + rad * np.sin(an)]), fill=(165, 200, 235))
        for _ in range(int(r.integers(5, 14))):
            pts = np.cumsum(r.normal(0, 50, (4, 2)), 0) + [r.uniform(0, lw), r.uniform(0, lh)]
            big = r.random() < 0.25
            d.line(pt(pts), fill=(200, 200, 200), width=12 if big else 8, joint='curve')
            d.line(pt(pts), fill=(250, 215, 120) if big else (255, 255, 255), width=9 if big else 5, joint='curve')
        for _ in range(int(r.integers(3, 9))):
            txt(d, r.uniform(0, lw - 60), r.uniform(0, lh), words(r, 9), (90, 90, 100))
        cx, cy = lw * r.uniform(.3, .7), lh * r.uniform(.3, .7)
        d.ellipse([cx - 9, cy - 9, cx + 9, cy + 9], fill=(230, 60, 50))
        d.rounded_rectangle([12, 50, lw - 12, 90], radius=20, fill=(255, 255, 255), outline=(200, 200, 200))
        txt(d, 30, 64, words(r, 18), (100, 100, 100))
    elif kind == 'video':
        img.paste((0, 0, 0), (0, 0, lw, lh))
        vh = int(lw * 9 / 16)
        vy = int(lh * r.uniform(0.08, 0.3))
        img.paste(photo(r, lw, vh), (0, vy))
        d = ImageDraw.Draw(img)
        p = r.uniform(0.05, 0.95)
        d.line([8, vy + vh - 6, lw - 8, vy + vh - 6], fill=(120, 120, 120), width=2)
        d.line([8, vy + vh - 6, 8 + p * (lw - 16), vy + vh - 6], fill=(230, 30, 30), width=2)
        d.ellipse([p * (lw - 16), vy + vh - 12, p * (lw - 16) + 12, vy + vh], fill=(230, 30, 30))
        d.polygon([(lw / 2 - 12, vy + vh / 2 - 16), (lw / 2 + 16, vy + vh / 2), (lw / 2 - 12, vy + vh / 2 + 16)],
                  fill=(255, 255, 255))
        for j in range(int(r.integers(4, 20))):
            y = vy + vh + 16 + 18 * j
            if y < lh - 12:
                txt(d, 12, y, words(r, int(r.integers(10, 55))), (220, 220, 220) if j else (255, 255, 255))
    elif kind == 'table':
        d.rectangle([0, 40, lw, 70], fill=acc)
        txt(d, 10, 50, words(r, 20), (255, 255, 255))
        ncol = int(r.integers(3, 6))
        rh = int(r.integers(18, 30))
        cw = lw / ncol
        for j in range(int((lh - 80) / rh)):
            y = 80 + j * rh
            if j % 2 and r.random() < 0.5:
                d.rectangle([0, y, lw, y + rh], fill=tuple(max(0, c - 10) for c in bg))
            for c in range(ncol):
                txt(d, c * cw + 4, y + rh / 2 - 6, '%d.%02d' % (r.integers(0, 999), r.integers(0, 100)) if c else
                    words(r, 7), fg)
            d.line([0, y + rh, lw, y + rh], fill=line, width=1)
        for c in range(1, ncol):
            d.line([c * cw, 80, c * cw, lh], fill=line, width=1)
    else:  # browser / article
        d.rounded_rectangle([10, 34, lw - 10, 62], radius=12, fill=line)
        txt(d, 24, 42, 'www.' + words(r, 12).replace(' ', '').lower() + '.com', sub)
        big_text(img, 12, 76, words(r, 18), fg, 1.8)
        y = 110
        while y < lh - 20:
            if r.random() < 0.12:
                ph = int(r.uniform(80, 180))
                img.paste(photo(r, lw - 24, ph), (12, y))
                y += ph + 10
                continue
            for j in range(int(r.integers(2, 7))):
                s = words(r, int(r.integers(35, 58)))
                txt(d, 12, y, s, fg)
                if r.random() < 0.15:
                    x = 12 + 6 * int(r.integers(0, 20))
                    d.line([x, y + 12, x + 6 * int(r.integers(4, 14)), y + 12], fill=acc, width=1)
                y += 15
            y += 10
    status_bar(d, lw, fg, r)
    return img, kind


def make_screen(r, ph, k, lit, ui_lines, moire):
    sx0, sy0, sx1, sy1 = ph['screen']
    w = max(4, int(round((sx1 - sx0) * k)))
    h = max(4, int(round((sy1 - sy0) * k)))
    if not lit:
        base = np.array(ph['bezel'], float) if not ph['white'] else np.array([10, 10, 12.0])
        c = tuple(int(x) for x in np.clip(base + r.integers(-3, 4, 3), 2, 40))
        return Image.new('RGB', (w, h), c), 'dark'
    lw = 360 if ph['kind'] != 'tablet' else 640
    lh = int(round(lw * h / w))
    img, kind = ui_draw(r, lw, lh)
    img = img.resize((w, h), Image.BILINEAR)
    a = np.asarray(img, dtype=np.float32)
    gain = r.uniform(0.55, 1.0) * np.array([1, 1, 1.0]) * (np.array([1.0, 0.93, 0.78]) if r.random() < 0.12 else 1)
    a = a * gain
    if moire:
        yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
        per = r.uniform(6, 30) * max(1.0, w / 600)
        ang = r.uniform(0, np.pi)
        cur = r.uniform(-1, 1) / max(w, h) / per * 3
        ph0 = (xx * math.cos(ang) + yy * math.sin(ang)) / per + cur * ((xx - w / 2) ** 2 + (yy - h / 2) ** 2)
        amp = r.uniform(0.03, 0.08)
        pat = np.stack([np.cos(2 * np.pi * (ph0 + o)) for o in (0, 0.33, 0.66)], -1)
        a = a * (1 + amp * pat)
    img = Image.fromarray(np.clip(a + 0.5, 0, 255).astype(np.uint8))
    if ui_lines:
        d = ImageDraw.Draw(img)
        lum = a.mean()
        col = tuple(int(x) for x in ((70, 70, 75) if lum > 110 else (170, 170, 175)) + r.integers(-20, 20, 3))
        for _ in range(int(r.integers(1, 4))):
            t = int(r.integers(3))
            if t == 0:  # table borders
                x0, y0 = r.uniform(0, w * 0.4), r.uniform(0, h * 0.7)
                x1, y1 = x0 + r.uniform(0.3, 0.6) * w, y0 + r.uniform(0.1, 0.3) * h
                nr, nc = int(r.integers(2, 7)), int(r.integers(2, 5))
                for j in range(nr + 1):
                    yy_ = y0 + (y1 - y0) * j / nr
                    d.line([x0, yy_, x1, yy_], fill=col, width=1)
                for j in range(nc + 1):
                    xx_ = x0 + (x1 - x0) * j / nc
                    d.line([xx_, y0, xx_, y1], fill=col, width=1)
            elif t == 1:  # full-width dividers
                for _ in range(int(r.integers(1, 6))):
                    yy_ = r.uniform(0, h)
                    d.line([r.uniform(0, 0.2) * w, yy_, w, yy_], fill=col, width=1)
            else:  # underline
                x0, yy_ = r.uniform(0, 0.5) * w, r.uniform(0, h)
                d.line([x0, yy_, x0 + r.uniform(0.1, 0.45) * w, yy_], fill=col, width=1)
    return img, kind


# ---------------------------------------------------------------- lights on the glass

def make_lights(r, ph, strong):
    Pw, Ph = ph['Pw'], ph['Ph']
    lights = []
    for j in range(1 if r.random() < 0.6 else 2):
        shape = pick(r, [('band', .45), ('spot', .3), ('window', .25)])
        I = r.uniform(45, 150) if (strong and j == 0) else r.uniform(3, 22)
        lights.append(dict(shape=shape, I=I, c=(r.uniform(-0.2, 1.2) * Pw, r.uniform(-0.2, 1.2) * Ph),
                           a=r.uniform(0, np.pi), w=r.uniform(3, 22), L=r.uniform(25, 200),
                           rx=r.uniform(4, 25), ry=r.uniform(4, 25), soft=r.uniform(0.8, 5),
                           tint=np.array([1.0, 1.0, 1.0]) + r.uniform(-0.06, 0.06, 3)))
    bars = []
    ba = r.uniform(0, np.pi)
    for j in range(int(r.integers(0, 5))):
        bars.append(dict(c=(r.uniform(0, Pw), r.uniform(0, Ph)), a=ba + r.normal(0, 0.05), w=r.uniform(2, 9),
                         I=r.uniform(4, 35), L=r.uniform(20, 120)))
    grad = (r.uniform(-8, 14), r.uniform(0, 2 * np.pi))
    return dict(lights=lights, bars=bars, grad=grad, phi=r.uniform(0, 2 * np.pi))


def glare_map(L, uu, vv, ph):
    """Reflected light on the glass (mm grid uu, vv) -> (intensity, rgb tint-weighted) arrays."""
    tot = np.zeros(uu.shape + (3,), np.float32)
    g, ga = L['grad']
    t = ((uu - ph['Pw'] / 2) * math.cos(ga) + (vv - ph['Ph'] / 2) * math.sin(ga)) / ph['Ph']
    tot += (g * (0.5 + t))[..., None]
    for b in L['bars']:
        ca, sa = math.cos(b['a']), math.sin(b['a'])
        du, dv = uu - b['c'][0], vv - b['c'][1]
        along = du * ca + dv * sa
        across = -du * sa + dv * ca
        tot += (b['I'] * np.exp(-0.5 * (across / b['w']) ** 2) * np.exp(-0.5 * (along / b['L']) ** 4))[..., None]
    for l in L['lights']:
        ca, sa = math.cos(l['a']), math.sin(l['a'])
        du, dv = uu - l['c'][0], vv - l['c'][1]
        x = du * ca + dv * sa
        y = -du * sa + dv * ca
        if l['shape'] == 'band':
            v = np.exp(-0.5 * (y / l['w']) ** 2) * np.exp(-0.5 * (x / l['L']) ** 2)
        elif l['shape'] == 'spot':
            rr = np.sqrt((x / l['rx']) ** 2 + (y / l['ry']) ** 2)
            v = 1 / (1 + np.exp(np.clip((rr - 1) * min(l['rx'], l['ry']) / l['soft'], -40, 40)))
        else:
            v = (1 / (1 + np.exp(np.clip((np.abs(x) - l['rx']) / l['soft'], -40, 40)))) * \
                (1 / (1 + np.exp(np.clip((np.abs(y) - l['ry']) / l['soft'], -40, 40))))
        tot += (l['I'] * v)[..., None] * l['tint']
    return tot


# ---------------------------------------------------------------- canvas nuisances

def rotated_window(r, arr, cu, cv, half, k, pad):
    """The window of `arr` `half` pixels each side of glass point (cu, cv), clipped to it, and its glass coordinates
    about that point turned by a random angle: ((x0, y0, x1, y1), xr, yr); None (no draw) when under 4 pixels."""
    X0, Y0 = int(cu * k + pad) - half, int(cv * k + pad) - half
    x0, y0 = max(0, X0), max(0, Y0)
    x1, y1 = min(arr.shape[1], X0 + 2 * half), min(arr.shape[0], Y0 + 2 * half)
    if x1 - x0 < 4 or y1 - y0 < 4:
        return None
    yy, xx = np.mgrid[y0:y1, x0:x1].astype(np.float32)
    u = (xx - pad) / k - cu
    v = (yy - pad) / k - cv
    an = r.uniform(0, np.pi)
    return (x0, y0, x1, y1), u * math.cos(an) + v * math.sin(an), -u * math.sin(an) + v * math.cos(an)


def fingerprint(r, arr, ph, k, pad, glass):
    for _ in range(int(r.integers(1, 4))):
        sx0, sy0, sx1, sy1 = ph['screen']
        cu, cv = r.uniform(sx0, sx1), r.uniform(sy0, sy1)
        a, b = r.uniform(6, 9), r.uniform(8, 12)
        win = rotated_window(r, arr, cu, cv, int(b * 1.3 * k) + 2, k, pad)
        if win is None:
            continue
        (x0, y0, x1, y1), xr, yr = win
        rho = np.sqrt((xr / a) ** 2 + (yr / b) ** 2)
        env = np.exp(-rho ** 4) * (0.55 + 0.45 * np.clip(field(r, x1 - x0, y1 - y0, 4, 4) * 0.6 + 0.5, 0, 1))
        period = r.uniform(0.42, 0.55)
        if period * k >= 2.3:
            warp = field(r, x1 - x0, y1 - y0, 3, 3) * 0.7
            rid = 0.5 + 0.5 * np.cos(2 * np.pi * (rho * (a + b) / 2 / period + warp))
        else:
            rid = 0.5
        add = r.uniform(5, 24) * env * rid * glass[y0:y1, x0:x1]
        arr[y0:y1, x0:x1, :3] += add[..., None] * np.array([1.0, 0.98, 0.93], np.float32)


def smudge(r, arr, ph, k, pad, glass):
    gx0, gy0, gx1, gy1 = ph['glass']
    cu, cv = r.uniform(gx0, gx1), r.uniform(gy0, gy1)
    a, b = r.uniform(8, 30), r.uniform(6, 22)
    win = rotated_window(r, arr, cu, cv, int(max(a, b) * 1.6 * k) + 2, k, pad)
    if win is None:
        return
    (x0, y0, x1, y1), xr, yr = win
    env = np.exp(-((xr / a) ** 2 + (yr / b) ** 2)) * glass[y0:y1, x0:x1]
    streak = np.clip(0.6 + 0.4 * field(r, x1 - x0, y1 - y0, 3, 14 if r.random() < 0.5 else 3), 0, 1.5)
    env = env * streak
    sub = arr[y0:y1, x0:x1, :3]
    arr[y0:y1, x0:x1, :3] = sub * (1 - 0.15 * env[..., None]) + (r.uniform(6, 30) * env)[..., None]


def sticker(r, can, ph, k, pad):
    w_mm, h_mm = r.uniform(9, 24), r.uniform(6, 13)
    w, h = max(6, int(w_mm * k)), max(4, int(h_mm * k))
    col = [(246, 246, 240), (250, 228, 80), (130, 205, 130), (240, 130, 120), (200, 220, 250)][int(r.integers(5))]
    st = Image.new('RGBA', (w, h), col + (255,))
    d = ImageDraw.Draw(st)
    ink = (25, 25, 30, 255)
    if r.random() < 0.6:
        x = int(0.1 * w)
        while x < 0.9 * w:
            bw = int(r.integers(1, 3)) * max(1, int(k * 0.15))
            d.rectangle([x, int(0.15 * h), x + bw - 1, int(0.6 * h)], fill=ink)
            x += bw + int(r.integers(1, 3)) * max(1, int(k * 0.15))
        d.rectangle([int(0.1 * w), int(0.7 * h), int(0.8 * w), int(0.7 * h) + max(1, int(k * 0.5))], fill=ink)
    else:
        for j in range(3):
            yy = int((0.2 + 0.25 * j) * h)
            d.rectangle([int(0.1 * w), yy, int(r.uniform(0.4, 0.9) * w), yy + max(1, int(k * 0.6))], fill=ink)
    st = st.rotate(r.uniform(-20, 20), resample=Image.BILINEAR, expand=True)
    gx0, gy0, gx1, gy1 = ph['glass']
    sx0, sy0, sx1, sy1 = ph['screen']
    if r.random() < 0.6:  # on a bezel band (top or bottom) or a corner, may overlap the screen edge
        cu = r.uniform(gx0 + 4, gx1 - 4)
        cv = r.choice([r.uniform(gy0 + 2, sy0 + 4), r.uniform(sy1 - 4, gy1 - 2)])
    else:
        cu, cv = r.uniform(sx0, sx1), r.uniform(sy0, sy1)
    can.paste(st, (int(cu * k + pad - st.size[0] / 2), int(cv * k + pad - st.size[1] / 2)), st)


# ---------------------------------------------------------------- cracks

def walk(r, p0, a0, length, inside, step=0.8, wig=0.03, kink_p=0.04, kink_sd=0.35, wave=0.0, wavel=20.0, jit=0.04):
    n = max(2, int(length / step))
    da = r.normal(0, wig, n) + (r.random(n) < kink_p) * r.normal(0, kink_sd, n)
    ang = a0 + np.cumsum(da)
    if wave:
        ang = ang + wave * np.sin(2 * np.pi * np.arange(n) * step / wavel + r.uniform(0, 2 * np.pi))
    p0 = np.asarray(p0, float)
    pts = np.vstack([p0, p0 + np.cumsum(step * np.c_[np.cos(ang), np.sin(ang)], 0)])
    pts[1:] += np.c_[-np.sin(ang), np.cos(ang)] * r.normal(0, jit, n)[:, None]
    ins = inside(pts)
    bad = np.nonzero(~ins[1:])[0]
    if len(bad):
        j = bad[0] + 1
        a, b = pts[j - 1].copy(), pts[j].copy()
        for _ in range(10):
            mid = (a + b) / 2
            if inside(mid)[0]:
                a = mid
            else:
                b = mid
        pts = np.vstack([pts[:j], a])
    return pts


def seg_angles(P):
    d = np.diff(P, axis=0)
    return np.arctan2(d[:, 1], d[:, 0])


def crack_paths(r, kind, ph, cw):
    """Fracture polylines in phone millimetres: list of (pts, weight, width_px_at_1080)."""
    box, grad = ph['glass'], ph['grad']
    gx0, gy0, gx1, gy1 = box
    inner = (gx0 + 0.15, gy0 + 0.15, gx1 - 0.15, gy1 - 0.15)
    inside = lambda p: in_rrect(p, inner, max(0.3, grad - 0.15))
    sx0, sy0, sx1, sy1 = ph['screen']
    diag = math.hypot(gx1 - gx0, gy1 - gy0)
    cen = np.array([(gx0 + gx1) / 2, (gy0 + gy1) / 2])
    paths = []

    def add(P, wgt=1.0, w=cw):
        if len(P) >= 2 and np.abs(np.diff(P, axis=0)).sum() > 0.5:
            paths.append((P, wgt, w))

    def thinner():
        return max(1, cw - int(r.random() < 0.5))

    def edge_start():
        L = [gx1 - gx0 - 2 * grad, gy1 - gy0 - 2 * grad]
        side = int(r.choice(4, p=np.array([L[0], L[1], L[0], L[1]]) / (2 * sum(L))))
        t = r.uniform(0.05, 0.95)
        if side == 0:
            p, a = (gx0 + grad + t * L[0], gy0 + 0.3), np.pi / 2
        elif side == 1:
            p, a = (gx1 - 0.3, gy0 + grad + t * L[1]), np.pi
        elif side == 2:
            p, a = (gx0 + grad + t * L[0], gy1 - 0.3), -np.pi / 2
        else:
            p, a = (gx0 + 0.3, gy0 + grad + t * L[1]), 0.0
        return np.array(p), a + r.normal(0, 0.5)

    def branches(P, n, lo, hi, wgt, depth):
        if len(P) < 6:
            return
        ang = seg_angles(P)
        for _ in range(n):
            j = int(r.integers(1, len(P) - 2))
            a = ang[j] + r.choice([-1, 1]) * r.uniform(0.35, 1.1)
            B = walk(r, P[j], a, r.uniform(lo, hi) * diag, inside, wig=r.uniform(0.02, 0.05))
            add(B, wgt * r.uniform(0.6, 1.0), thinner())
            if depth > 1 and r.random() < 0.4:
                branches(B, 1, lo * 0.5, hi * 0.5, wgt * 0.8, depth - 1)

    def radial_star(c, n, lo, hi, rings, crush):
        base = np.sort(r.uniform(0, 2 * np.pi, n)) if r.random() < 0.3 else \
            np.linspace(0, 2 * np.pi, n, endpoint=False) + r.uniform(0, 2 * np.pi) + r.normal(0, 0.18, n)
        arms = []
        for a in base:
            P = walk(r, c + 0.3 * np.array([math.cos(a), math.sin(a)]), a, r.uniform(lo, hi) * diag, inside,
                     wig=r.uniform(0.015, 0.04), kink_p=0.03)
            add(P, 1.0)
            arms.append(P)
        for _ in range(rings):
            rad = r.uniform(2.5, 16)
            for j in range(n):
                if r.random() < 0.35:
                    continue
                A, B = arms[j], arms[(j + 1) % n]
                da = np.r_[0, np.cumsum(np.hypot(*np.diff(A, axis=0).T))]
                db = np.r_[0, np.cumsum(np.hypot(*np.diff(B, axis=0).T))]
                if da[-1] < rad or db[-1] < rad:
                    continue
                pa = A[min(len(A) - 1, int(np.searchsorted(da, rad)))]
                pb = B[min(len(B) - 1, int(np.searchsorted(db, rad * r.uniform(0.8, 1.2))))]
                m = int(r.integers(3, 7))
                t = np.linspace(0, 1, m)[:, None]
                Q = pa * (1 - t) + pb * t
                out = (Q - c) / max(1e-6, rad)
                Q = Q + out * (np.sin(np.pi * t) * rad * 0.15) + r.normal(0, 0.25, Q.shape) * np.sin(np.pi * t)
                Q = Q[inside(Q)]
                add(Q, 0.75, thinner())
        for _ in range(crush):
            q = c + r.normal(0, 1.5, 2)
            a = r.uniform(0, 2 * np.pi)
            L = r.uniform(0.5, 3)
            Q = np.array([q, q + L * np.array([math.cos(a), math.sin(a)])])
            if inside(Q).all():
                add(Q, 0.8, thinner())

    if kind == 'hairline':
        if r.random() < 0.5:
            p, a = edge_start()
            add(walk(r, p, a, r.uniform(0.5, 1.1) * diag, inside, step=1.0, wig=0.006, kink_p=0.004,
                     wave=r.uniform(0.02, 0.08), wavel=r.uniform(8, 30), jit=0.012))
        else:
            p = np.array([r.uniform(sx0, sx1), r.uniform(sy0, sy1)])
            a = r.uniform(0, 2 * np.pi)
            L = r.uniform(0.4, 1.0) * diag
            for s in (0, np.pi):
                add(walk(r, p, a + s, L / 2, inside, step=1.0, wig=0.006, kink_p=0.004,
                         wave=r.uniform(0.02, 0.08), wavel=r.uniform(8, 30), jit=0.012))
    elif kind == 'traverse':
        p, a = edge_start()
        add(walk(r, p, a, 2 * diag, inside, wig=r.uniform(0.015, 0.035), kink_p=0.03))
        if r.random() < 0.3:
            branches(paths[-1][0], 1, 0.05, 0.2, 0.8, 1)
    elif kind == 'edge_run':
        p, a = edge_start()
        add(walk(r, p, a, r.uniform(0.15, 0.5) * (gy1 - gy0), inside, wig=r.uniform(0.02, 0.05)))
        if r.random() < 0.4:
            branches(paths[-1][0], int(r.integers(1, 3)), 0.04, 0.15, 0.8, 1)
    elif kind == 'corner_burst':
        cx = gx0 + grad * 0.35 if r.random() < 0.5 else gx1 - grad * 0.35
        cy = gy0 + grad * 0.35 if r.random() < 0.5 else gy1 - grad * 0.35
        c = np.array([cx, cy])
        a0 = math.atan2(*(cen - c)[::-1])
        for _ in range(int(r.integers(2, 6))):
            add(walk(r, c, a0 + r.uniform(-0.8, 0.8), r.uniform(0.15, 1.0) * diag, inside, wig=r.uniform(0.02, 0.045)))
        for P, _, _ in list(paths):
            if r.random() < 0.4:
                branches(P, 1, 0.05, 0.2, 0.8, 1)
        for _ in range(int(r.integers(0, 4))):
            rad = r.uniform(2, 10)
            a = a0 + r.uniform(-0.9, 0.9)
            Q = c + rad * np.c_[np.cos(a + np.linspace(0, r.uniform(0.3, 0.9), 5)),
                                np.sin(a + np.linspace(0, r.uniform(0.3, 0.9), 5))] + r.normal(0, 0.2, (5, 2))
            Q = Q[inside(Q)]
            add(Q, 0.7, thinner())
    elif kind == 'spider':
        c = np.array([r.uniform(sx0 + 0.1 * (sx1 - sx0), sx1 - 0.1 * (sx1 - sx0)),
                      r.uniform(sy0 + 0.1 * (sy1 - sy0), sy1 - 0.1 * (sy1 - sy0))])
        radial_star(c, int(r.integers(5, 13)), 0.12, 0.8, int(r.integers(1, 4)), int(r.integers(6, 20)))
    elif kind == 'branching':
        p, a = edge_start()
        main = walk(r, p, a, r.uniform(0.6, 2.0) * diag, inside, wig=r.uniform(0.02, 0.04))
        add(main)
        branches(main, int(r.integers(2, 6)), 0.08, 0.35, 1.0, 2)
    else:  # shatter
        for _ in range(int(r.integers(1, 3))):
            c = np.array([r.uniform(sx0, sx1), r.uniform(sy0, sy1)])
            radial_star(c, int(r.integers(8, 16)), 0.4, 1.5, int(r.integers(2, 5)), int(r.integers(10, 30)))
        for _ in range(int(r.integers(3, 9))):
            p, a = edge_start()
            P = walk(r, p, a, 2 * diag, inside, wig=r.uniform(0.02, 0.05))
            add(P, r.uniform(0.7, 1.0))
            branches(P, int(r.integers(0, 3)), 0.05, 0.2, 0.8, 1)
    return paths


def make_look(r, kind):
    pol = pick(r, [('dark', .45), ('edge', .35), ('bright', .20)])
    if pol == 'dark':
        D, Bl = r.uniform(0.3, 0.7), r.uniform(0, 8)
    elif pol == 'edge':
        D, Bl = r.uniform(0.25, 0.55), r.uniform(15, 50)
    else:
        D, Bl = r.uniform(0.03, 0.15), r.uniform(25, 70)
    Bd = r.uniform(35, 120)
    if kind == 'hairline':
        f = r.uniform(0.2, 0.45)
        D, Bl, Bd = D * f, Bl * f, Bd * f
    return dict(pol=pol, D=D, Bl=Bl, Bd=Bd, refr=r.uniform(0.3, 0.8), shift=r.uniform(1.0, 2.2),
                sdir=r.uniform(0, 2 * np.pi), c0=r.uniform(0.2, 0.6), cp=r.uniform(1, 3),
                tint=np.array([1.0, 1.0, 1.0]) + r.uniform(-0.05, 0.05, 3), wave=r.uniform(5, 40))


# ---------------------------------------------------------------- background

def surface(r, W, H, s, corners, ph, pose):
    kind = pick(r, [('belt_rubber', .28), ('belt_fabric', .16), ('esd_mat', .16), ('metal', .14), ('tray', .12),
                    ('rollers', .14)])
    along_x = r.random() < 0.5
    base = {'belt_rubber': r.integers(18, 70) + r.integers(-4, 5, 3),
            'belt_fabric': [(r.integers(150, 215),) * 3, (40, 90, 150), (60, 130, 80),
                            (200, 200, 190)][int(r.integers(4))] + r.integers(-8, 8, 3),
            'esd_mat': [(60, 110, 150), (50, 120, 90), (100, 100, 105),
                        (40, 60, 110)][int(r.integers(4))] + r.integers(-8, 8, 3),
            'metal': r.integers(120, 190) + r.integers(-5, 5, 3),
            'tray': [(25, 25, 28), (40, 60, 120), (150, 150, 155),
                     (200, 80, 60)][int(r.integers(4))] + r.integers(-5, 5, 3),
            'rollers': r.integers(90, 170) + r.integers(-5, 5, 3)}[kind]
    base = np.asarray(base, np.float32)
    gw, gh = max(2, W // 320), max(2, H // 320)
    illum_amp = r.uniform(0.05, 0.25) if kind != 'metal' else r.uniform(0.15, 0.35)
    illum_q = 1 - illum_amp * np.clip(0.5 + 0.35 * field(r, (W + 3) // 4, (H + 3) // 4, gw, gh), 0, 1)
    base = base * (1 + illum_amp * 0.5)
    tex = np.zeros((H, W), np.float32)

    def streaks(amp, n_along):
        if along_x:
            return amp * fine(r, W, H, max(2, W // n_along), H // 2)
        return amp * fine(r, W, H, W // 2, max(2, H // n_along))

    if kind == 'belt_rubber':
        tex += streaks(r.uniform(3, 10), 60)
        tex += r.uniform(2, 5) * fine(r, W, H, W // 3, H // 3)
    elif kind == 'belt_fabric':
        p = r.uniform(0.6, 1.6) * s
        cx = np.cos(2 * np.pi * np.arange(W) / max(p, 2.2)).astype(np.float32)
        cy = np.cos(2 * np.pi * np.arange(H) / max(p, 2.2)).astype(np.float32)
        tex += r.uniform(3, 9) * (cy[:, None] * cx[None, :])
        tex += streaks(r.uniform(2, 6), 40)
    elif kind == 'esd_mat':
        tex += r.uniform(3, 9) * fine(r, W, H, W // 2, H // 2)
    elif kind == 'metal':
        tex += streaks(r.uniform(8, 22), 150)
    elif kind == 'rollers':
        per = r.uniform(25, 60) * s
        u = np.arange(W if along_x else H) / per
        prof = (0.55 + 0.45 * np.sin(np.pi * np.mod(u, 1.0)) ** 0.6 - 0.6 * (np.mod(u, 1.0) > 0.93)).astype(np.float32)
        prof = prof * 1.4 - 0.4
        tex += (prof[None, :] if along_x else prof[:, None]) * base.mean() * 0.6 - base.mean() * 0.3
        tex += streaks(r.uniform(3, 8), 100)
    else:
        tex += r.uniform(2, 6) * fine(r, W, H, W // 2, H // 2)
    bm = float(base.mean())
    tex += bm
    lum = Image.fromarray(to_u8(tex))
    im = Image.merge('RGB', [lum.point([int(min(255, round(v * float(c) / bm))) for v in range(256)]) for c in base])
    d = ImageDraw.Draw(im)
    if kind == 'esd_mat' and r.random() < 0.5:  # printed grid
        per = r.uniform(20, 50) * s
        col = tuple(int(c) for c in np.clip(base * r.uniform(0.7, 1.3), 0, 255))
        off = r.uniform(0, per)
        for x in np.arange(off, W, per):
            d.line([x, 0, x, H], fill=col, width=max(1, int(0.4 * s)))
        for y in np.arange(off, H, per):
            d.line([0, y, W, y], fill=col, width=max(1, int(0.4 * s)))
    if kind == 'belt_rubber' and r.random() < 0.3:  # splice
        a = r.uniform(-0.5, 0.5)
        if along_x:
            x = r.uniform(0, W)
            d.line([x, 0, x + H * math.tan(a), H], fill=tuple(int(c) for c in base * 0.6), width=max(1, int(s)))
        else:
            y = r.uniform(0, H)
            d.line([0, y, W, y + W * math.tan(a)], fill=tuple(int(c) for c in base * 0.6), width=max(1, int(s)))
    if kind == 'tray':  # pocket around the phone
        cen = corners.mean(0)
        pocket = (corners - cen) * r.uniform(1.04, 1.15) + cen + r.normal(0, 2 * s, 2)
        dark = tuple(int(c) for c in np.clip(base * 0.75, 0, 255))
        lite = tuple(int(c) for c in np.clip(base * 1.3 + 10, 0, 255))
        d.polygon(pt(pocket + 1.2 * s), fill=lite)
        d.polygon(pt(pocket), fill=dark)
    if r.random() < 0.4:  # guide rail along the belt, beside the phone
        lo, hi = corners.min(0), corners.max(0)
        rc = tuple(int(c) for c in r.integers(110, 200) + r.integers(-6, 7, 3))
        rw = r.uniform(8, 20) * s
        if along_x:
            if lo[1] > rw + 2:
                y1 = r.uniform(rw, lo[1] - 1)
                d.rectangle([0, y1 - rw, W, y1], fill=rc)
                d.line([0, y1, W, y1], fill=(30, 30, 30), width=max(1, int(s)))
        else:
            if W - hi[0] > rw + 2:
                x0 = r.uniform(hi[0] + 1, W - rw)
                d.rectangle([x0, 0, x0 + rw, H], fill=rc)
                d.line([x0, 0, x0, H], fill=(30, 30, 30), width=max(1, int(s)))
    return im, kind, illum_q


def outline_frame(pose, ph, n=10):
    return apply_h(pose['Hm'], rrect_outline((0, 0, ph['Pw'], ph['Ph']), ph['rad'], n))


def place_beside(r, W, H, corners, size):
    lo, hi = corners.min(0), corners.max(0)
    for _ in range(30):
        c = np.array([r.uniform(0, W), r.uniform(0, H)])
        if (c[0] + size < lo[0] or c[0] - size > hi[0] or c[1] + size < lo[1] or c[1] - size > hi[1]):
            return c
    return None


def draw_cable(r, im, W, H, corners, s):
    c = place_beside(r, W, H, corners, 6 * s)
    if c is None:
        return False
    d = ImageDraw.Draw(im)
    a = r.uniform(0, 2 * np.pi)
    n = 40
    ang = a + np.cumsum(r.normal(0, 0.08, n))
    P = c + np.cumsum(r.uniform(3, 8) * s * np.c_[np.cos(ang), np.sin(ang)], 0)
    lo, hi = corners.min(0) - 4 * s, corners.max(0) + 4 * s
    ok = ~((P[:, 0] > lo[0]) & (P[:, 0] < hi[0]) & (P[:, 1] > lo[1]) & (P[:, 1] < hi[1]))
    cut = np.nonzero(~ok)[0]
    if len(cut):
        P = P[:cut[0]]
    if len(P) < 3:
        return False
    w = r.uniform(2.5, 5) * s
    col = np.array([(235, 235, 235), (30, 30, 32), (60, 60, 200), (220, 60, 60)][int(r.integers(4))], float)
    sh = pt(P + [w * 0.4, w * 0.5])
    d.line(sh, fill=(10, 10, 10), width=int(w * 1.1), joint='curve')
    d.line(pt(P), fill=tuple(int(x) for x in col * 0.6), width=int(w), joint='curve')
    d.line(pt(P), fill=tuple(int(x) for x in col), width=max(1, int(w * 0.7)), joint='curve')
    d.line(pt(P - [w * 0.15, w * 0.2]), fill=tuple(int(x) for x in np.minimum(255, col * 0.5 + 140)),
           width=max(1, int(w * 0.2)), joint='curve')
    e = P[0]
    d.rectangle([e[0] - 4 * s, e[1] - 3 * s, e[0] + 4 * s, e[1] + 3 * s], fill=(150, 150, 155))
    return True


def draw_tool(r, im, W, H, corners, s):
    L = r.uniform(80, 150) * s
    c = place_beside(r, W, H, corners, L / 2)
    if c is None:
        return False
    d = ImageDraw.Draw(im)
    a = r.uniform(0, 2 * np.pi)
    u, v = np.array([math.cos(a), math.sin(a)]), np.array([-math.sin(a), math.cos(a)])

    def quad(t0, t1, hw):
        return pt([c + u * t0 * L + v * hw, c + u * t1 * L + v * hw, c + u * t1 * L - v * hw, c + u * t0 * L - v * hw])
    hw = r.uniform(5, 9) * s
    d.polygon(quad(-0.5 + 0.01, 0.0 + 0.01, hw * 1.05), fill=(15, 15, 15))
    d.polygon(quad(-0.5, 0.0, hw), fill=tuple(int(x) for x in r.integers(30, 230, 3)))
    d.polygon(quad(0.0, 0.5, r.uniform(1.2, 2.5) * s), fill=(175, 178, 182))
    d.line(pt([c + u * 0.02 * L, c + u * 0.48 * L]), fill=(230, 230, 232), width=max(1, int(0.5 * s)))
    return True


# ---------------------------------------------------------------- camera

class Camera:
    def __init__(self, r, rn, W, H, sc):
        self.W, self.H = W, H
        self.defocus = r.random() < 0.2
        sig = r.uniform(0.75, 1.3) * sc if self.defocus else r.uniform(0.3, 0.6) * sc
        n = 5 if sig > 0.65 else 3
        x = np.arange(n) - n // 2
        k1 = np.exp(-0.5 * (x / max(sig, 0.05)) ** 2)
        k2 = np.outer(k1, k1)
        self.kernel = ImageFilter.Kernel((n, n), [float(v) for v in k2.flatten()], float(k2.sum()))
        self.motion = None
        if r.random() < 0.15:
            a = r.uniform(0, np.pi)
            L = r.uniform(1.5, 3.5) * sc
            taps = []
            for t in np.linspace(-L / 2, L / 2, 5):
                taps.append((int(round(t * math.sin(a))), int(round(t * math.cos(a)))))
            self.motion = sorted(set(taps))
        kv = r.uniform(0.05, 0.5)
        x = (np.arange(W) + 0.5 - W / 2) / (W / 2)
        y = (np.arange(H) + 0.5 - H / 2) / (W / 2)
        self.vx = np.exp(-kv * x * x).astype(np.float32)
        self.vy = np.exp(-kv * y * y).astype(np.float32)
        self.gain = (math.exp(r.normal(0, 0.15)) * np.exp(r.normal(0, 0.04, 3))).astype(np.float32)
        hi_iso = r.random() < 0.2
        self.read = r.uniform(2.5, 5) if hi_iso else r.uniform(0.8, 2.5)
        self.shot = r.uniform(0.05, 0.15) if hi_iso else r.uniform(0.01, 0.05)
        self.chroma = r.uniform(0.3, 1.5)
        gamma = r.uniform(0.85, 1.15)
        lift = r.uniform(0, 6)
        v = np.arange(256) / 255.0
        curve = v ** gamma
        if r.random() < 0.4:  # mild S-curve
            k = r.uniform(0.1, 0.35)
            curve = curve + k * curve * (1 - curve) * (2 * curve - 1) * 2
        lut = np.clip(lift + (255 - lift) * curve, 0, 255).round().astype(np.uint8)
        self.lut = [int(x) for x in lut] * 3
        self.sub = 2 if r.random() < 0.75 else 1
        # noise fields for the whole frame (crops take slices): triangular, unit variance
        b = np.frombuffer(rn.bytes(2 * H * W), np.uint8).reshape(2, H, W)
        self.nl = (b[0].astype(np.float32) + b[1] - 255.0) * np.float32(1 / 104.5)
        h2, w2 = (H + 1) // 2, (W + 1) // 2
        b = np.frombuffer(rn.bytes(2 * h2 * w2 * 3), np.uint8).reshape(2, h2, w2, 3)
        self.nc = (b[0].astype(np.float32) + b[1] - 255.0) * np.float32(self.chroma * 0.5 / 104.5)
        self.sigma_mid = math.sqrt(self.read ** 2 + self.shot * 128)

    def apply(self, im, x0=0, y0=0):
        """Optics, exposure, noise and tone curve for the frame or for a crop at (x0, y0) (x0, y0 even)."""
        im = im.filter(self.kernel)
        a = np.asarray(im, dtype=np.float32)
        h, w = a.shape[:2]
        if self.motion:
            acc = np.zeros_like(a)
            for dy, dx in self.motion:
                acc += np.roll(a, (dy, dx), axis=(0, 1))
            a = acc * (1.0 / len(self.motion))
        g = self.vy[y0:y0 + h, None] * self.vx[None, x0:x0 + w]
        a *= g[:, :, None] * self.gain
        lum = a @ np.array([0.299, 0.587, 0.114], np.float32)
        np.maximum(lum, 0, out=lum)
        sig = np.sqrt(lum * self.shot + self.read ** 2)
        sig *= self.nl[y0:y0 + h, x0:x0 + w]
        a += sig[:, :, None]
        c = self.nc[y0 // 2:(y0 + h + 1) // 2, x0 // 2:(x0 + w + 1) // 2] * np.float32(self.sigma_mid)
        if h % 2 == 0 and w % 2 == 0 and c.shape[:2] == (h // 2, w // 2):
            a.reshape(h // 2, 2, w // 2, 2, 3)[...] += c[:, None, :, None, :]
        else:
            a += np.repeat(np.repeat(c, 2, 0), 2, 1)[:h, :w]
        return Image.fromarray(to_u8(a)).point(self.lut)

    def jpeg(self, im, q):
        buf = io.BytesIO()
        im.save(buf, 'JPEG', quality=int(q), subsampling=self.sub)
        return buf.getvalue()


def to_u8(a):
    a += 0.5
    np.minimum(a, 255, out=a)
    np.maximum(a, 0, out=a)
    return a.astype(np.uint8)


def luma(a):
    a = np.asarray(a, dtype=np.float32)
    return a[..., 0] * 0.299 + a[..., 1] * 0.587 + a[..., 2] * 0.114


# ---------------------------------------------------------------- the frame

def render(seed, i):
    rl = rng(seed, i, K_LABEL)
    cracked = rl.random() < 0.5
    rs = rng(seed, i, K_SIZE)
    W, H = [(w, h) for w, h, _ in SIZES][int(rs.choice(len(SIZES), p=[p for _, _, p in SIZES]))]
    q = int(rs.integers(55, 96))
    sc = H / 1080.0
    ph = make_phone(rng(seed, i, K_BODY))
    pose = make_pose(rng(seed, i, K_POSE), W, H, ph)
    s, k, Hm = pose['s'], pose['k'], pose['Hm']
    lit = rng(seed, i, K_SCREEN).random() < P_LIT
    nz = {}
    for j, (name, p) in enumerate(NUISANCES):
        rr = rng(seed, i, K_NUIS + j)
        nz[name] = (rr.random() < p, rr)
    if not lit:  # screen content nuisances exist only on lit screens; keep their draws anyway
        nz['moire'] = (False, nz['moire'][1])
        nz['ui_lines'] = (False, nz['ui_lines'][1])
    present = []

    # background, shadow, side wall, beside-objects
    bg, surf, illum_q = surface(rng(seed, i, K_SURF), W, H, s, pose['corners'], ph, pose)
    for name, fn in (('cable', draw_cable), ('tool', draw_tool)):
        if nz[name][0] and fn(nz[name][1], bg, W, H, pose['corners'], s):
            present.append(name)
    out = outline_frame(pose, ph)
    rsh = rng(seed, i, K_SHADOW)
    f = 4
    sm = Image.new('L', ((W + f - 1) // f, (H + f - 1) // f), 0)
    sd = ImageDraw.Draw(sm)
    soft = rsh.uniform(2, 10) * s / f
    sha = rsh.uniform(0, 2 * np.pi)
    off = np.array([math.cos(sha), math.sin(sha)]) * rsh.uniform(1, 8) * s
    sd.polygon(pt((out + off) / f), fill=255)
    sm = sm.filter(ImageFilter.GaussianBlur(max(0.5, soft)))
    shf = np.asarray(sm, dtype=np.float32)[:illum_q.shape[0], :illum_q.shape[1]]
    shf *= np.float32(-rsh.uniform(0.3, 0.7) / 255)
    shf += 1
    shf *= illum_q * 255
    shl = Image.fromarray(to_u8(shf)).resize((W, H), Image.BILINEAR,
                                             box=(0, 0, W / f, H / f))
    bg = ImageChops.multiply(bg, Image.merge('RGB', (shl, shl, shl)))
    bd = ImageDraw.Draw(bg)
    sidec = tuple(int(c * 0.55) for c in ph['rimc'])
    for t in np.linspace(0.25, 1, 4):
        bd.polygon(pt(out + pose['side'] * t), fill=sidec)

    # phone canvas
    pad = 3
    Pw, Ph_ = ph['Pw'], ph['Ph']
    cw, ch = int(math.ceil(Pw * k + 2 * pad)), int(math.ceil(Ph_ * k + 2 * pad))
    can = Image.new('RGBA', (cw, ch), ph['rimc'] + (0,))
    d = ImageDraw.Draw(can)

    def bx(b):
        return [b[0] * k + pad, b[1] * k + pad, b[2] * k + pad, b[3] * k + pad]
    d.rounded_rectangle(bx((0, 0, Pw, Ph_)), radius=ph['rad'] * k, fill=ph['rimc'] + (255,))
    hl = tuple(int(min(255, c * 1.25 + 25)) for c in ph['rimc']) + (255,)
    d.rounded_rectangle(bx((ph['rim'] * 0.3,) * 2 + (Pw - ph['rim'] * 0.3, Ph_ - ph['rim'] * 0.3)),
                        radius=(ph['rad'] - ph['rim'] * 0.3) * k, outline=hl, width=max(1, int(ph['rim'] * 0.3 * k)))
    d.rounded_rectangle(bx(ph['glass']), radius=ph['grad'] * k, fill=ph['bezel'] + (255,))
    rsc = rng(seed, i, K_UI)
    scr, ui = make_screen(rsc, ph, k, lit, nz['ui_lines'][0], nz['moire'][0])
    if lit:
        for name in ('moire', 'ui_lines'):
            if nz[name][0]:
                present.append(name)
    sx0, sy0, sx1, sy1 = ph['screen']
    X0, Y0 = int(round(sx0 * k + pad)), int(round(sy0 * k + pad))
    smask = Image.new('L', scr.size, 0)
    ImageDraw.Draw(smask).rounded_rectangle([0, 0, scr.size[0] - 1, scr.size[1] - 1], radius=ph['srad'] * k, fill=255)
    can.paste(scr, (X0, Y0), smask)
    ft = ph['feat']
    cxm = Pw / 2
    black = (6, 6, 8, 255)
    if ft == 'punch':
        rr = rsc.uniform(1.2, 1.8)
        cy = sy0 + rsc.uniform(2.5, 4.5)
        d.ellipse(bx((cxm - rr, cy - rr, cxm + rr, cy + rr)), fill=black)
    elif ft == 'notch':
        nw = rsc.uniform(0.25, 0.45) * (sx1 - sx0)
        d.rounded_rectangle(bx((cxm - nw / 2, sy0 - 2, cxm + nw / 2, sy0 + rsc.uniform(3, 5))), radius=2 * k,
                            fill=black)
    if ft in ('home', 'earpiece', 'cam'):
        slot = (cxm - 5, ph['glass'][1] + (sy0 - ph['glass'][1]) / 2 - 0.6, cxm + 5,
                ph['glass'][1] + (sy0 - ph['glass'][1]) / 2 + 0.6)
        d.rounded_rectangle(bx(slot), radius=0.5 * k, fill=(40, 40, 45, 255))
        d.ellipse(bx((cxm - 13, slot[1] - 0.5, cxm - 11, slot[1] + 1.5)), fill=(20, 20, 40, 255))
    if ft == 'home':
        rr = min(5, (ph['glass'][3] - sy1) * 0.35)
        cy = sy1 + (ph['glass'][3] - sy1) / 2
        d.ellipse(bx((cxm - rr, cy - rr, cxm + rr, cy + rr)),
                  outline=tuple(int(c * 0.7 + 40) for c in ph['bezel']) + (255,),
                  width=max(1, int(0.4 * k)))
    if nz['sticker'][0]:
        sticker(nz['sticker'][1], can, ph, k, pad)
        present.append('sticker')
    # glass mask, room reflection and glare
    gm = Image.new('L', (cw, ch), 0)
    ImageDraw.Draw(gm).rounded_rectangle(bx(ph['glass']), radius=ph['grad'] * k, fill=255)
    glass = np.asarray(gm, dtype=np.float32) * (1.0 / 255)
    L = make_lights(rng(seed, i, K_LIGHT), ph, nz['glare'][0])
    if nz['glare'][0]:
        present.append('glare')
    f = 4
    gw_, gh_ = cw // f + 2, ch // f + 2
    uu, vv = np.meshgrid((np.arange(gw_) * f - pad) / k, (np.arange(gh_) * f - pad) / k)
    gl = glare_map(L, uu.astype(np.float32), vv.astype(np.float32), ph)
    gl = np.stack([np.asarray(Image.fromarray(gl[..., c], 'F').resize((gw_ * f, gh_ * f), Image.BILINEAR))[:ch, :cw]
                   for c in range(3)], -1)
    arr = np.asarray(can, dtype=np.float32).copy()
    arr[..., :3] += gl * glass[..., None]
    if nz['fingerprint'][0]:
        fingerprint(nz['fingerprint'][1], arr, ph, k, pad, glass)
        present.append('fingerprint')
    if nz['smudge'][0]:
        smudge(nz['smudge'][1], arr, ph, k, pad, glass)
        present.append('smudge')
    can = Image.fromarray(np.clip(arr + 0.5, 0, 255).astype(np.uint8), 'RGBA')

    # warp onto the frame
    S = np.array([[k, 0, pad], [0, k, pad], [0, 0, 1.0]])
    C = Hm @ np.linalg.inv(S)
    lo = np.floor(out.min(0)).astype(int) - 2
    hi = np.ceil(out.max(0)).astype(int) + 2
    lo = np.maximum(lo, 0)
    hi = np.minimum(hi, [W, H])
    M = np.linalg.inv(C) @ np.array([[1, 0, lo[0]], [0, 1, lo[1]], [0, 0, 1.0]])
    M = M / M[2, 2]
    warped = can.transform((int(hi[0] - lo[0]), int(hi[1] - lo[1])), Image.PERSPECTIVE, tuple(M.flatten()[:8]),
                           Image.BILINEAR)
    bg.paste(warped, (int(lo[0]), int(lo[1])), warped)
    scene = np.array(bg)

    # frame-space marks on the glass
    gx0, gy0, gx1, gy1 = ph['glass']
    ginside = lambda p: in_rrect(p, ph['glass'], ph['grad'])
    phi = L['phi']

    def catch(P, c0=0.3, cp=2.0):
        a = seg_angles(P)
        return c0 + (1 - c0) * np.abs(np.sin(a - phi)) ** cp

    def tof(P):
        return apply_h(Hm, P)

    def rand_glass(r):
        return np.array([r.uniform(gx0 + 1, gx1 - 1), r.uniform(gy0 + 1, gy1 - 1)])

    def glass_stroke(items, P, r, w_hi, value):
        """A stroke along the part of P on the glass, if any: width 0.6-w_hi (x scale), brightness value(P)."""
        P = P[ginside(P)]
        if len(P) >= 2:
            items.append(dict(pts=tof(P), w=r.uniform(0.6, w_hi) * sc, v=value(P)))

    if nz['scratch'][0]:
        r = nz['scratch'][1]
        items = []
        par = r.random() < 0.4
        a0 = r.uniform(0, np.pi)
        c = rand_glass(r)
        for _ in range(int(r.integers(1, 7))):
            a = a0 + r.normal(0, 0.05) if par else r.uniform(0, np.pi)
            p = c + r.normal(0, 3, 2) if par else rand_glass(r)
            Ls = r.uniform(3, 40)
            P = p + np.outer(np.linspace(-Ls / 2, Ls / 2, 12), [math.cos(a), math.sin(a)])
            glass_stroke(items, P, r, 1.5, lambda P: catch(P) * r.uniform(0.4, 1))
        paint_marks(scene, items, dict(B=r.uniform(8, 40), D=r.uniform(0, 0.06)))
        present.append('scratch')
    if nz['curved_scratch'][0]:
        r = nz['curved_scratch'][1]
        items = []
        for _ in range(int(r.integers(1, 5))):
            c = rand_glass(r)
            R_ = r.uniform(8, 80)
            a = r.uniform(0, 2 * np.pi) + np.linspace(0, r.uniform(0.2, 1.4) * r.choice([-1, 1]), 30)
            P = c + R_ * np.c_[np.cos(a), np.sin(a)]
            glass_stroke(items, P, r, 1.5, lambda P: catch(P) * r.uniform(0.4, 1))
        paint_marks(scene, items, dict(B=r.uniform(8, 35), D=r.uniform(0, 0.05)))
        present.append('curved_scratch')
    if nz['swirl'][0]:
        r = nz['swirl'][1]
        items = []
        c = rand_glass(r)
        for _ in range(int(r.integers(25, 80))):
            R_ = r.uniform(2, 30)
            a = r.uniform(0, 2 * np.pi) + np.linspace(0, r.uniform(0.15, 0.7), 8)
            P = c + R_ * np.c_[np.cos(a), np.sin(a)]
            glass_stroke(items, P, r, 1.0, lambda P: float(r.uniform(0.3, 1)))
        paint_marks(scene, items, dict(B=r.uniform(6, 24)))
        present.append('swirl')
    if nz['protector_edge'][0]:
        r = nz['protector_edge'][1]
        ins = r.uniform(0.4, 2.5)
        b = (gx0 + ins, gy0 + ins, gx1 - ins, gy1 - ins)
        P = rrect_outline(b, max(0.5, ph['grad'] - ins), 12)
        P = np.vstack([P, P[:1]])
        if r.random() < 0.4:  # only part of it shows
            n0 = int(r.integers(0, len(P) - 10))
            P = P[n0:n0 + int(r.integers(10, len(P) - n0 + 1))]
        items = [dict(pts=tof(P), w=r.uniform(0.8, 1.5) * sc, v=catch(P, 0.5))]
        paint_marks(scene, items, dict(B=r.uniform(6, 25), D=r.uniform(0.03, 0.12)))
        if r.random() < 0.5:
            bub = []
            for _ in range(int(r.integers(1, 7))):
                c = np.array([r.uniform(b[0], b[2]), r.uniform(b[1], b[3])])
                rad = r.uniform(0.6, 4) * k
                bub.append(dict(type='ring', pts=tof(c), w=rad, lw=r.uniform(0.8, 1.5) * sc,
                                v=float(r.uniform(0.5, 1))))
            paint_marks(scene, bub, dict(B=r.uniform(10, 35)))
        present.append('protector_edge')
    if nz['dust'][0]:
        r = nz['dust'][1]
        items = []
        for _ in range(int(r.integers(5, 60))):
            c = rand_glass(r)
            items.append(dict(type='dot', pts=tof(c), w=r.uniform(0.4, 2.2) * sc * (2 if r.random() < 0.1 else 1),
                              v=float(r.uniform(0.3, 1))))
        dark = r.random() < 0.3
        col = (r.uniform(50, 90),) * 3 if dark else (r.uniform(190, 235),) * 3
        paint_marks(scene, items, dict(color=col, alpha=r.uniform(0.5, 0.95)))
        present.append('dust')
    if nz['lint'][0]:
        r = nz['lint'][1]
        items = []
        for _ in range(int(r.integers(1, 4))):
            P = walk(r, rand_glass(r), r.uniform(0, 2 * np.pi), r.uniform(2, 12),
                     lambda p: np.ones(len(np.atleast_2d(p)), bool),
                     step=0.3, wig=0.25, kink_p=0.1, jit=0.02)
            items.append(dict(pts=tof(P), w=r.uniform(0.8, 2.0) * sc, v=1.0))
        col = [(230, 230, 235), (70, 90, 160), (150, 150, 155), (200, 60, 60), (30, 30, 35)][int(r.integers(5))]
        paint_marks(scene, items, dict(color=col, alpha=r.uniform(0.5, 0.9)))
        present.append('lint')
    if nz['hair'][0]:
        r = nz['hair'][1]
        a = r.uniform(0, 2 * np.pi)
        n = 120
        Lh = r.uniform(25, 90)
        turn = r.normal(0, 1.0) / n
        t = np.arange(n) / n
        ang = a + np.cumsum(turn + r.normal(0, 0.012, n)) + r.uniform(0.1, 0.5) * np.sin(
            2 * np.pi * t * r.uniform(0.5, 2.5) + r.uniform(0, 2 * np.pi))
        P = rand_glass(r) + np.cumsum((Lh / n) * np.c_[np.cos(ang), np.sin(ang)], 0)
        Pf = tof(P)
        okf = (Pf[:, 0] > 1) & (Pf[:, 0] < W - 1) & (Pf[:, 1] > 1) & (Pf[:, 1] < H - 1)
        Pf = Pf[okf]
        if len(Pf) >= 2:
            blond = r.random() < 0.2
            col = (r.uniform(170, 210), r.uniform(150, 180), r.uniform(100, 130)) if blond else (r.uniform(15, 60),) * 3
            paint_marks(scene, [dict(pts=Pf, w=r.uniform(1.0, 2.6) * sc, v=1.0)],
                        dict(color=col, alpha=r.uniform(0.6, 0.9), B=r.uniform(0, 12)))
            present.append('hair')

    # the crack
    cam = Camera(rng(seed, i, K_CAM), rng(seed, i, K_NOISE), W, H, sc)
    kind, cwid = 'none', 0
    if cracked:
        rc = rng(seed, i, K_CRACK)
        kind = pick(rc, KINDS)
        cwid = 1 if kind == 'hairline' else int(rc.choice([1, 2, 3], p=[0.4, 0.35, 0.25]))
        paths = []
        for _ in range(20):
            paths = crack_paths(rc, kind, ph, cwid)
            if paths:
                break
        if not paths:  # never seen; a straight crack across the screen keeps the label honest
            sx0, sy0, sx1, sy1 = ph['screen']
            P = np.array([[sx0 + 0.5, sy0 + 0.3 * (sy1 - sy0)], [sx1 - 0.5, sy0 + 0.6 * (sy1 - sy0)]])
            paths = [(P, 1.0, cwid)]
        look = make_look(rng(seed, i, K_LOOK), kind)
        if draw_crack(scene, paths, look, cam, Hm, sc, q, phi) is None:
            raise RuntimeError('crack not drawn for seed %d frame %d' % (seed, i))
    data = cam.jpeg(cam.apply(Image.fromarray(scene)), q)
    meta = dict(kind=kind, crack_width=cwid, screen='lit' if lit else 'dark', width=W, height=H, quality=q,
                nuisances=[n for n, _ in NUISANCES if n in present])
    return data, ('cracked' if cracked else 'ok'), meta


def draw_crack(scene, paths, look, cam, Hm, sc, q, phi):
    H, W = scene.shape[:2]
    geo, cat = [], []
    for P, wgt, w in paths:
        a = seg_angles(P)
        slen = np.hypot(*np.diff(P, axis=0).T)
        t = np.cumsum(slen)
        mod = 0.75 + 0.25 * np.sin(2 * np.pi * t / look['wave'] + wgt * 7.0 + P[0, 0])
        c = look['c0'] + (1 - look['c0']) * np.abs(np.sin(a - phi)) ** look['cp']
        Pf = apply_h(Hm, P)
        geo.append(dict(pts=Pf, w=w * sc, v=wgt * mod))
        cat.append(dict(pts=Pf, w=w * sc, v=wgt * c * mod))
    res = raster(geo, W, H, pad=4)
    if res is None:
        return None
    m, mx0, my0 = res
    mc = raster(cat, W, H, pad=4)[0]
    h, w = m.shape
    # crop aligned to the JPEG grid, with margin for the camera blur
    mg = 24
    cx0 = max(0, (mx0 - mg) // 16 * 16)
    cy0 = max(0, (my0 - mg) // 16 * 16)
    cx1 = min(W, -(-(mx0 + w + mg) // 16) * 16)
    cy1 = min(H, -(-(my0 + h + mg) // 16) * 16)
    base = scene[cy0:cy1, cx0:cx1].astype(np.float32)
    M = np.zeros(base.shape[:2], np.float32)
    Mc = np.zeros_like(M)
    M[my0 - cy0:my0 - cy0 + h, mx0 - cx0:mx0 - cx0 + w] = m
    Mc[my0 - cy0:my0 - cy0 + h, mx0 - cx0:mx0 - cx0 + w] = mc
    # bright edge: half on the core, half one pixel towards the light
    sh = (int(round(math.sin(phi))), int(round(math.cos(phi))))
    Mb = 0.5 * Mc + 0.5 * np.roll(Mc, sh, axis=(0, 1))
    # refraction: the content next to the crack is displaced by a pixel or two
    band = np.asarray(Image.fromarray((np.clip(M, 0, 1) * 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(max(0.6, 1.2 * sc * 2))), dtype=np.float32) / 255
    band = np.clip(band * 3, 0, 1) * look['refr']
    d = max(1, int(round(look['shift'] * sc * 1.5)))
    sy, sx = int(round(d * math.sin(look['sdir']))), int(round(d * math.cos(look['sdir'])))
    shifted = np.roll(base, (sy, sx), axis=(0, 1))
    refr = base * (1 - band[..., None]) + shifted * band[..., None]
    Lb = luma(refr) / 255
    dk = (1 - Lb) ** 2

    def comp(fct):
        D = min(0.92, look['D'] * fct)
        Bd = min(230, look['Bd'] * fct)
        Bl = min(200, look['Bl'] * fct)
        outc = refr * (1 - D * M)[..., None] + ((Bd * dk + Bl) * Mb)[..., None] * look['tint']
        return np.clip(outc + 0.5, 0, 255).astype(np.uint8)

    # visibility floor, measured after the camera stage and JPEG against the same crop without the crack
    # (the reference keeps the refraction: the floor is for the fracture line itself, not for displaced content)
    ref = luma(Image.open(io.BytesIO(cam.jpeg(cam.apply(Image.fromarray(to_u8(refr.copy())), cx0, cy0), q))))
    ix0, iy0 = mx0 - cx0, my0 - cy0
    inner = (slice(iy0, iy0 + h), slice(ix0, ix0 + w))
    core = M[inner] >= 0.5 * M.max()
    near = np.asarray(Image.fromarray((np.clip(M, 0, 1) * 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(3 * max(1, sc * 2))), dtype=np.float32)[inner] > 2
    ring = near & (M[inner] < 0.02)
    hp = np.abs(ref - np.asarray(Image.fromarray(np.clip(ref, 0, 255).astype(np.uint8)).filter(
        ImageFilter.GaussianBlur(2 * max(1, sc * 2))), dtype=np.float32))[inner]
    tex = float(np.median(hp[ring])) if ring.any() else 0.0
    need = 6.0 + 0.6 * tex + 0.8 * cam.sigma_mid
    fct = 1.0
    con = 0.0
    for it in range(6):
        outc = comp(fct)
        got = luma(Image.open(io.BytesIO(cam.jpeg(cam.apply(Image.fromarray(outc), cx0, cy0), q))))
        diff = np.abs(got - ref)[inner]
        con = float(np.median(diff[core])) - (float(np.median(diff[ring])) if ring.any() else 0.0)
        if con >= need:
            break
        fct *= min(3.0, max(1.25, 1.2 * need / max(con, 0.5)))
    scene[cy0:cy1, cx0:cx1] = outc
    return con


if __name__ == '__main__':
    import frameset
    frameset.main(render, __doc__.split('\n')[0], workers=1)
