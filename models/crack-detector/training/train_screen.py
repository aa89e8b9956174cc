#!/usr/bin/env python3
"""Train the screen localiser that gates the crack detector's map: a crack can only be on the screen.

    python3 train_screen.py --run /work/model-runs/screen --data RUN [RUN ...] [--steps 3000] [--resume]
    python3 train_screen.py --data RUN [RUN ...] --quads-only

The crack network scores every 8x8 cell of the frame and the frame takes the most crack-like cell, so a
crack-like texture anywhere in the frame (a perforated plate, a woven mat, a grid under the phone) can decide
it. The localiser scores, per cell, whether the cell lies on the phone's screen; export_v3.py --screen adds
log sigmoid(screen logit) to the crack logit before the spatial max, so a cell off the screen cannot decide.

Labels: the screen's and the phone's corners in every training pair's ok twin, from generate.scene_quads (the
phone alone is drawn again, about a third of a frame's time), written once beside each train_v3.py pair store
(RUN/data/quads.f32, resumable like the store). Target: the share of each cell the screen covers.
Training: whole frames, either twin (960x540, as the crack network sees them), flipped, with exposure jitter, and in
--bg-share of them everything outside the phone replaced by a random texture (gratings, dot and hole lattices,
line grids, blotches, printed marks), so that what is not a phone is learned as "not screen" whatever it looks
like, not as the handful of surfaces the generator draws.
Network (ScreenNet): a 4x4 average pool (the localiser needs no fine detail), a stride-2 stem and three
stride-2 depthwise-separable blocks down to 1/64 with dilated blocks there (a receptive field of the whole
frame), and top-down sums back to the crack network's 8x8 cells. Checkpoints as train_v3.py's; CUDA when present.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import argparse
import functools
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import train_v3  # noqa: E402
from train_v3 import CELL, GH, GW, H, W, Quads, log, polygon_mask, texture  # noqa: E402


# ----------------------------------------------------------------------------- labels
def screen_cells(quad, ss=2):
    """The share of each 8x8 output cell the screen covers, [GH, GW] (measured on a raster ss times finer)."""
    return polygon_mask(quad, ss).reshape(GH, CELL * ss, GW, CELL * ss).mean(axis=(1, 3))


def sample(store, quads, rs, pairs, bg_share):
    """Whole frames (x [B, 1, H, W] float 0..255), either twin of each pair (a crack is part of the screen, and a gate that
    had never seen one could shut on it), and screen-cover targets [B, 1, GH, GW], augmented."""
    xs = np.zeros((len(pairs), 1, H, W), np.float32)
    ts = np.zeros((len(pairs), 1, GH, GW), np.float32)
    for n, j in enumerate(pairs):
        x = np.asarray(store.x[j, rs.integers(0, 2)], np.float32)
        if rs.random() < bg_share:  # the phone pasted onto a texture
            m = polygon_mask(quads[j, 0])[:H]
            x = m * x + (1 - m) * texture(rs)
        t = screen_cells(quads[j, 1])
        if rs.random() < 0.5:
            x, t = x[:, ::-1], t[:, ::-1]
        if rs.random() < 0.5:  # as train_v3.sample_frames: the last cell row covers 4 input rows, it stays in place
            top = (GH - 1) * CELL
            x = np.concatenate([x[:top][::-1], x[top:]])
            t = np.concatenate([t[:GH - 1][::-1], t[GH - 1:]])
        if rs.random() < 0.5:
            x = np.clip((x - 128) * float(np.exp(rs.normal(0, 0.3))) + 128 + rs.normal(0, 15), 0, 255)
        xs[n, 0], ts[n, 0] = x, t
    return xs, ts


# ----------------------------------------------------------------------------- model
class ScreenNet:
    DESCRIPTION = ("avgpool 4x4; conv3x3/2 1->24, depthwise-separable 24->48/2, 48->48, 48->96/2, 96->96, 96->128/2, "
                   "128->128 (dil 2), 128->128 (dil 4) at 1/64; top-down 1x1 sums to 1/8; depthwise 3x3 and 1x1 head: a screen logit per 8x8 cell")

    @staticmethod
    def make(nn, F):
        ds = functools.partial(train_v3.separable, nn)

        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.pool = nn.AvgPool2d(4)
                self.e1 = nn.Sequential(nn.Conv2d(1, 24, 3, 2, 1, bias=False), nn.BatchNorm2d(24), nn.ReLU(inplace=True))
                self.e2 = nn.Sequential(*(ds(24, 48, 2) + ds(48, 48)))
                self.e3 = nn.Sequential(*(ds(48, 96, 2) + ds(96, 96)))
                self.e4 = nn.Sequential(*(ds(96, 128, 2) + ds(128, 128, 1, 2) + ds(128, 128, 1, 4)))
                self.l1, self.l2, self.l3, self.l4 = (nn.Conv2d(c, 32, 1) for c in (24, 48, 96, 128))
                self.head = nn.Sequential(nn.ReLU(inplace=True), nn.Conv2d(32, 32, 3, 1, 1, groups=32), nn.ReLU(inplace=True),
                                          nn.Conv2d(32, 1, 1))

            def forward(self, x):
                f1 = self.e1(self.pool(x))
                f2 = self.e2(f1)
                f3 = self.e3(f2)
                u = self.l4(self.e4(f3))
                for f, lat in ((f3, self.l3), (f2, self.l2), (f1, self.l1)):
                    u = lat(f) + F.interpolate(u, size=f.shape[2:], mode="nearest")
                return self.head(u)

        return Net()


def gated(nn, F, crack, screen):
    """crack logit + log sigmoid(screen logit), per cell: what export_v3.py --screen packages."""

    class Gated(nn.Module):
        def __init__(self):
            super().__init__()
            self.crack, self.screen = crack, screen

        def forward(self, x):
            return self.crack(x) + F.logsigmoid(self.screen(x))

    return Gated()


def load(torch, nn, F, paths):
    """A ScreenNet from one checkpoint, the weight mean of several, or a package's (train_v3.load_checkpoints), in eval mode, and its
    tag."""
    st, tag = train_v3.load_checkpoints(torch, paths, part="screen")
    net = ScreenNet.make(nn, F)
    net.load_state_dict(st["net"])
    return net.eval(), st, tag


# ----------------------------------------------------------------------------- training
def train(a):
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    stores = [train_v3.PairStore.open_complete(r, "--data") for r in a.data]
    quads = [Quads(s).fill(a.workers) for s in stores]
    if a.quads_only:
        return
    union = train_v3.StoreUnion(stores)
    q = np.concatenate([np.asarray(k.q) for k in quads])
    # every 20th pair is held out, to see whether the localiser generalises past the scenes it trained on
    held = np.arange(0, union.pairs, 20)
    ready = np.setdiff1d(np.arange(union.pairs), held)
    torch.manual_seed(a.seed)
    net = ScreenNet.make(nn, F).to(dev)
    log("model: screen | %d params | %.0f MFLOPs at %dx%d | device %s" % (
        sum(p.numel() for p in net.parameters()), train_v3.count_mflops(torch, net, W, H), W, H, dev))
    opt = torch.optim.AdamW(net.parameters(), lr=a.lr, weight_decay=1e-4)
    sched = train_v3.warm_cosine(torch, opt, a.steps, min(200, a.steps // 10))
    rs = np.random.default_rng([a.seed, 98])
    step, train_s = train_v3.resume_checkpoint(torch, a, net, opt, sched, rs, dev)
    args = dict(vars(a), arch="screen")


    def held_out():
        """Cell accuracy and the mean screen IoU (cells over 0.5) on up to 48 held-out pairs, as trained (no texture)."""
        net.eval()
        acc, iou = [], []
        with torch.no_grad():
            for s in range(0, min(len(held), 48), 8):
                js = held[s:s + 8]
                x = torch.from_numpy(np.asarray(union.x[js, 0], np.float32)[:, None]).to(dev)
                pr = (net(train_v3.normalise(torch, x))[:, 0] > 0).cpu().numpy()
                gt = np.stack([screen_cells(q[j, 1]) > 0.5 for j in js])
                acc.append((pr == gt).mean())
                iou += [(p & g).sum() / max(1, (p | g).sum()) for p, g in zip(pr, gt)]
        net.train()
        return float(np.mean(acc)), float(np.mean(iou))

    net.train()
    t0, run_l, run_n = time.time() - train_s, 0.0, 0
    while step < a.steps:
        xs, ts = sample(union, q, rs, ready[rs.integers(0, len(ready), a.batch)], a.bg_share)
        x = train_v3.normalise(torch, torch.from_numpy(xs).to(dev))
        loss = F.binary_cross_entropy_with_logits(net(x), torch.from_numpy(ts).to(dev))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        step += 1
        train_s = time.time() - t0
        run_l, run_n = run_l + float(loss), run_n + 1
        if step % 25 == 0:
            log("step %d/%d bce %.4f lr %.2e (%.2fs/step)" % (step, a.steps, run_l / run_n, sched.get_last_lr()[0], train_s / step))
            run_l, run_n = 0.0, 0
        if step % a.epoch_steps == 0 or step == a.steps:
            train_v3.save_checkpoint(torch, a, net, opt, sched, rs, step, train_s, args)
            log("checkpoint step %d: held-out cell accuracy %.4f, screen IoU %.4f" % ((step,) + held_out()))
    log("training done: %d steps, %.0f s" % (step, train_s))


def parser():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="/work/model-runs/screen")
    ap.add_argument("--data", nargs="+", required=True, metavar="RUN", help="train_v3.py runs whose finished pair stores to use")
    ap.add_argument("--steps", type=int, default=3000)
    ap.add_argument("--epoch-steps", type=int, default=250)
    ap.add_argument("--batch", type=int, default=8, help="whole frames per step")
    ap.add_argument("--bg-share", type=float, default=0.5, help="frames whose surroundings are replaced by a random texture")
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--seed", type=int, default=21)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--keep", action="store_true", help="also keep RUN/stepN.pt at every --epoch-steps")
    ap.add_argument("--resume", action="store_true")
    ap.add_argument("--quads-only", action="store_true", help="only write the labels (RUN/data/quads.f32 of every --data run)")
    return ap


def command(args):
    """The train_screen.py command line that reproduces a checkpoint's `args`."""
    return train_v3.command({k: v for k, v in args.items() if k != "arch"}, parser(), "train_screen.py")


def main():
    ap = parser()
    a = ap.parse_args()
    if not 0 <= a.bg_share <= 1:
        ap.error("--bg-share %g: a share, from 0 to 1" % a.bg_share)
    os.makedirs(a.run, exist_ok=True)
    train(a)


if __name__ == "__main__":
    main()
