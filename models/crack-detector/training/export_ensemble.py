#!/usr/bin/env python3
"""Combines two packaged crack-detector networks into one model: the v3 network over the 960x540 frame and the v2 network
over the same frame box-filtered to 640x360 inside the graph, their crack logits weighted and biased by a logistic
regression fitted on the calibration sets, the bands chosen there, every set scored, and the package written.

    python3 models/crack-detector/training/export_ensemble.py --v3 models/crack-detector/v3 --v2 models/crack-detector/v2 \
        --run /work/model-runs/ens --out /work/model-runs/ens/pkg

The networks are read from the packages' model.onnx (onnx_weights.py), so the combination needs no checkpoint. The frame
sets are export_v3.py's (RUN/sets). The exported graph outputs [0, w3 z3 + w2 z2 + b]: the agent's softmax gives
p(cracked) = sigmoid(w3 z3 + w2 z2 + b) with no agent change.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import argparse
import json
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import eval_v3  # noqa: E402
import export_v3  # noqa: E402
import onnx_weights  # noqa: E402
import preprocess  # noqa: E402
import train_v3  # noqa: E402
from train import reference_statistics  # noqa: E402

W, H = export_v3.W, export_v3.H
W2, H2 = 640, 360


def build(torch, v3_path, v2_path):
    """Module: frame [N, 1, 540, 960] -> logits of both networks [N, 2] (v3's spatial max before its calibration, v2's
    cracked minus ok)."""
    nodes, _, _, _ = onnx_weights.load(v3_path)
    v3_max = next((outs[0] for op, _, outs, _ in nodes if op == "ReduceMax"), None)
    if v3_max is None:
        raise ValueError("%s has no spatial max (ReduceMax): not a fully convolutional v3 network" % v3_path)
    v3 = onnx_weights.module(torch, v3_path, v3_max)
    v2 = onnx_weights.module(torch, v2_path)
    # preprocess.py's exact area filter from 960 to 640 (and 540 to 360) takes every 3 pixels to 2 with weights
    # (2/3, 1/3, 0) and (0, 1/3, 2/3): a stride-3 convolution with two output channels, interleaved (checked below).
    third = torch.tensor([[2.0, 1.0, 0.0], [0.0, 1.0, 2.0]]) / 3.0

    class Both(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.v3, self.v2 = v3, v2
            self.register_buffer("across", third.reshape(2, 1, 1, 3))
            self.register_buffer("down", third.reshape(2, 1, 3, 1))

        def shrink(self, x):
            n = x.shape[0]
            a = torch.nn.functional.conv2d(x, self.across, stride=(1, 3))  # [N, 2, H, W2 / 2]
            a = a.permute(0, 2, 3, 1).reshape(n, 1, H, W2)
            d = torch.nn.functional.conv2d(a, self.down, stride=(3, 1))  # [N, 2, H2 / 2, W2]
            return d.permute(0, 2, 1, 3).reshape(n, 1, H2, W2)

        def forward(self, x):
            l2 = self.v2(self.shrink(x))
            return torch.cat([self.v3(x).reshape(x.shape[0], 1), l2[:, 1:2] - l2[:, 0:1]], dim=1)

    both = Both().eval()
    x = np.random.default_rng(0).uniform(0, 255, (H, W))
    want = preprocess.area_matrix(H, H2) @ x @ preprocess.area_matrix(W, W2).T
    got = both.shrink(torch.from_numpy(x.astype(np.float32))[None, None])[0, 0].numpy()
    if np.abs(got - want).max() > 1e-3:
        raise SystemExit("the in-graph 960x540 -> 640x360 filter differs from preprocess.py's by %.4f" % np.abs(got - want).max())
    return both


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--v3", required=True, help="package of the 960x540 fully convolutional network")
    ap.add_argument("--v2", required=True, help="package of the 640x360 whole-frame network")
    ap.add_argument("--run", required=True, help="folder of export_v3.py's frame sets (RUN/sets) and the scores written here")
    ap.add_argument("--out", required=True)
    export_v3.set_arguments(ap)
    a = export_v3.parse_arguments(ap)
    sets = export_v3.prepare_sets(a)

    import torch
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    paths = [os.path.join(p, "model.onnx") for p in (a.v3, a.v2)]
    for package, size in ((a.v3, (W, H)), (a.v2, (W2, H2))):
        try:
            with open(os.path.join(package, "manifest.json")) as f:
                given = json.load(f)["input"]
        except (OSError, ValueError, KeyError) as e:
            raise SystemExit("export_ensemble: %s: no readable manifest input (%s)" % (package, e))
        if (given.get("width"), given.get("height")) != size:
            raise SystemExit("export_ensemble: %s takes %sx%s frames; this combination needs %dx%d there" % (
                package, given.get("width"), given.get("height"), *size))
    try:
        both = build(torch, *paths)
    except (OSError, ValueError, IndexError) as e:
        raise SystemExit("export_ensemble: not a network this script reads: %s" % e)
    z, rows = {}, {}
    for name, d in sets.items():
        xs = export_v3.set_tensors(d)
        z[name] = np.zeros((len(xs), 2), np.float32)
        with torch.no_grad():
            for s in range(0, len(xs), 8):
                z[name][s:s + 8] = both(torch.from_numpy(preprocess.normalise(np.asarray(xs[s:s + 8])))[:, None]).numpy()
        rows[name] = eval_v3.load_rows(d)
        y = np.array([r["y"] for r in rows[name]])
        train_v3.log("scored %s (%d frames); AUC v3 %.4f, v2 %.4f" % (
            name, len(xs), *[eval_v3.auc(z[name][y == 1, k], z[name][y == 0, k]) for k in (0, 1)]))

    zc, yc = export_v3.calibration_pool(z, rows)
    weights = export_v3.fit_platt(torch, zc, yc)
    train_v3.log("weights: v3 %.4f, v2 %.4f, bias %.4f" % tuple(weights))
    thresholds, results, pc = export_v3.decide(a.run, z, rows, weights, export_v3.band_rule(a))

    class Frame(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.both = both
            self.register_buffer("w", torch.tensor(weights[:2], dtype=torch.float32))
            self.register_buffer("b", torch.tensor(weights[2:], dtype=torch.float32))

        def forward(self, x):
            zz = (self.both(x) * self.w).sum(dim=1, keepdim=True) + self.b
            return torch.cat([torch.zeros_like(zz), zz], dim=1)

    sha, torch_ms = export_v3.export_onnx(torch, Frame().eval(), a.out)
    ref = reference_statistics(export_v3.calibration_tensors(sets), np.maximum(pc, 1 - pc))
    export_v3.write_manifest(
        a.out, "v3",
        "Finds cracks in a line-camera frame of a phone on the conveyor: two networks read the 960x540 grey frame, a fully "
        "convolutional one that scores every 8x8 cell and takes the most crack-like (v3's) and a whole-frame one on the frame "
        "box-filtered to 640x360 (v2's); a logistic regression fitted on calibration frames weighs their logits (v3).",
        thresholds, ref, sha, {
            "command": "python3 models/crack-detector/training/export_ensemble.py --v3 %s --v2 %s --run %s --out %s" % (a.v3, a.v2, a.run, a.out),
            "architecture": "ensemble of %s and %s" % tuple(paths),
        }, {"weights": {"v3": round(weights[0], 5), "v2": round(weights[1], 5)}, "bias": round(weights[2], 5)},
        len(yc), torch_ms, results, export_v3.band_rule(a))
    train_v3.log("wrote %s (torch %.1f ms/frame at 1 thread)" % (a.out, torch_ms))


if __name__ == "__main__":
    main()
