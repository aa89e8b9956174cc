#!/usr/bin/env python3
"""Checks train_stage2.py's second look: the cascade graph (top-k local maxima of the gated map, patches gathered around
them, the patch classifier) runs in ONNX as in torch, gathers the patches that training cut, reads back from a package,
and mining labels candidates by the twin's crack mask.

    python3 check_stage2.py [models/crack-detector/v3]      (torch; a few seconds)

One line per check; exit status 1 if any fails.
"""
import collections
import contextlib
import io
import json
import os
import sys
import tempfile
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_v3  # noqa: E402
import onnx_weights  # noqa: E402
import preprocess  # noqa: E402
import train_stage2  # noqa: E402
import train_v3  # noqa: E402
from checklist import package_checks  # noqa: E402

K, WIDTH, WEIGHT = 4, 8, 0.5


def main():
    torch, nn, F, check, pkg, samples = package_checks()
    # whole grey levels, as the stores hold: the graph's patches and training's uint8 patches are then the same pixels
    frames = np.rint(np.stack([export_v3.frame_tensor(os.path.join(samples, f)) for f in sorted(os.listdir(samples))[:3]]))
    x = torch.from_numpy(preprocess.normalise(frames.astype(np.float32)))[:, None]

    first = train_stage2.first_stage(torch, nn, F, [pkg])
    second = train_stage2.make(nn, WIDTH).eval()
    with torch.no_grad():  # BatchNorm layers that do something, as after training
        for m in second.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.3, 0.3)
                m.running_var.uniform_(0.5, 2.0)
    holder = nn.Sequential(collections.OrderedDict(net=train_stage2.cascade(torch, nn, F, first, second, K, WEIGHT))).eval()
    with torch.no_grad():
        want = holder(x).view(len(x), K)
        c, p = train_stage2.candidates(torch, F, first, frames, K)
        o = (train_stage2.PATCH - train_stage2.CROP) // 2
        crops = torch.from_numpy(p[:, :, o:o + train_stage2.CROP, o:o + train_stage2.CROP].astype(np.float32))
        cut = torch.from_numpy(c[:, :, 2]) + WEIGHT * second(crops.reshape(-1, 1, *crops.shape[2:])).view(len(x), K)
    gap = float((want - cut).abs().max())
    check("the cascade scores the patches that training cuts around its %d candidates (largest gap %.2g)" % (K, gap), gap < 1e-3)
    check("its candidates are distinct cells", all(len({(int(a), int(b)) for a, b in f[:, :2]}) == K for f in c))
    with torch.no_grad():  # export_v3.py --stage2-weight auto scores the parts once, then sets the weight
        v, s = (t.numpy() for t in holder.net.parts(x))
        holder.net.weight = 2 * WEIGHT
        moved = holder(x).view(len(x), K).numpy()
        holder.net.weight = WEIGHT
    gap = float(np.abs(moved - (v + 2 * WEIGHT * s)).max())
    w1, w2 = train_stage2.spread_weight(v, s), train_stage2.spread_weight(v, 2 * s)
    check("a weight set after the cascade is made is the one it applies (largest gap %.2g); the spread rule gives %g, and %g "
          "for patch logits twice as wide" % (gap, w1, w2), gap < 1e-3 and abs(w1 - v.std() / s.std()) <= 0.005 * w1
          and abs(w2 - w1 / 2) <= 0.01 * w1)

    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant type is missing")
        warnings.filterwarnings("ignore", message="Constant folding - Only steps=1")  # the replicate padding's reversals
        path = os.path.join(d, "model.onnx")
        torch.onnx.export(holder, x[:1], path, input_names=["image"], opset_version=13, do_constant_folding=True,
                          dynamic_axes={"image": {0: "N"}})
        ops = {op for op, *_ in onnx_weights.load(path)[0]}
        with torch.no_grad():
            run = onnx_weights.module(torch, path)(x).view(len(x), K)
        gap = float((run - want).abs().max())
        check("exported, the graph (%s among its operators) computes what torch does (largest gap %.2g)" % (
            ", ".join(sorted(ops & {"TopK", "GatherElements", "Pad", "MaxPool"})), gap), gap < 1e-3 and "TopK" in ops)
        # the first stage's part of the package's description (the package may have a second stage of its own)
        described = json.load(open(os.path.join(pkg, "manifest.json")))["training"]["architecture"].split("; second stage")[0]
        args = {"k": K, "width": WIDTH, "weight": WEIGHT}
        with open(os.path.join(d, "manifest.json"), "w") as f:
            json.dump({"training": {"architecture": described + "; " + train_stage2.description(args)}}, f)
        check("the manifest's description gives back k, width and weight (%s)" % train_stage2.package_args(
            described + "; " + train_stage2.description(args)), train_stage2.package_args(
            described + "; " + train_stage2.description(args)) == args and train_stage2.package_args(described) is None)
        again = train_stage2.of_package(torch, nn, F, d, train_stage2.first_stage(torch, nn, F, [d]))
        with torch.no_grad():
            gap = float((again(x).view(len(x), K) - want).abs().max())
        check("a package with a second stage reads back into its three networks, which compute the file (largest gap %.2g)" % gap,
              gap < 1e-3)

        # export_v3.py's graph: the calibrated frame logits, and the first stage's map as the agent's explanation
        with contextlib.redirect_stdout(io.StringIO()):  # its log line
            export_v3.export_onnx(torch, export_v3.frame_module(torch, holder.net, 2.0, -1.0), os.path.join(d, "frame"), export_v3.MAP_OUTPUTS)
        path = os.path.join(d, "frame", "model.onnx")
        with torch.no_grad():
            logits, crack_map = (onnx_weights.module(torch, path, name)(x) for name in export_v3.MAP_OUTPUTS)
            gaps = (float((logits[:, 1] - (2.0 * want.amax(1) - 1.0)).abs().max()), float(logits[:, 0].abs().max()),
                    float((crack_map - first(x)).abs().max()))
        check("export_v3.py's graph outputs %s: [0, a z + b] of the cascade's best candidate and the first stage's map "
              "(largest gaps %.2g, %.2g, %.2g)" % (" and ".join(onnx_weights.load(path)[3]), *gaps),
              onnx_weights.load(path)[3] == list(export_v3.MAP_OUTPUTS) and max(gaps) < 1e-3)

    check_mining(torch, F, check, first, frames)
    sys.exit(check.exit_status())


def check_mining(torch, F, check, first, frames):
    """Twins of the sample frames with a bright line drawn through the ok twin's most crack-like cell (so that the first
    stage keeps a candidate on it): the mined labels follow the mask, the ok twin's patch stands beside every positive, and
    random crack cells cut both twins at the same place."""

    class Store:  # train_v3.PairStore's fields that mining reads
        pass

    store = Store()
    ok = frames.astype(np.uint8)
    cracked = ok.copy()
    store.mask = np.zeros((len(frames), train_v3.GH, train_v3.GW), np.uint8)
    cell = train_v3.CELL
    for n, (gy, gx, _) in enumerate(train_stage2.candidates(torch, F, first, frames, 1)[0][:, 0].astype(int)):
        lo, hi = max(0, gx - 5), min(train_v3.GW, gx + 6)
        cracked[n, gy * cell + 3:gy * cell + 6, lo * cell:hi * cell] = 255  # mid-cell
        store.mask[n, gy, lo:hi] = 1
    store.x = np.stack([ok, cracked], 1)
    store.pairs = len(frames)
    p, lab, tw = train_stage2.mine(torch, F, first, store, 2, K)
    check("mining keeps %d candidates of 2 pairs' twins (%d on the line, %d beside it, %d elsewhere)" % (
        len(lab), (lab == 1).sum(), (lab == -1).sum(), (lab == 0).sum()), len(lab) == len(p) == 2 * 2 * K)
    twins = lab.reshape(2, -1, K)  # one block of pairs: the ok twins' candidates, then the cracked twins'
    check("each cracked twin has a candidate on or beside the line, and no ok twin's candidate is labelled",
          (twins[1] != 0).any(1).all() and (twins[1] == 1).any() and not twins[0].any())
    # the line's three rows are the centre row of the cells of its mask row and the rows beside it
    line = slice(train_stage2.PATCH // 2 - 1, train_stage2.PATCH // 2 + 2)
    differs = np.argwhere(p[lab == 1] != tw)[:, 1] if len(tw) == (lab == 1).sum() else np.array([-1])
    check("every positive has its ok twin's patch at the same place: they differ on the line's rows only",
          len(differs) > 0 and set(differs.tolist()) <= set(range(line.start, line.stop)))
    pos, neg = train_stage2.crack_cells(store, 2, 3, np.random.default_rng(0))
    c = train_stage2.PATCH // 2
    check("random crack cells cut the cracked twin on the line and the ok twin at the same place (%d cells)" % len(pos),
          len(pos) == len(neg) == 3 and (pos[:, line, c] == 255).all() and set(np.argwhere(pos != neg)[:, 1].tolist())
          <= set(range(line.start, line.stop)))


if __name__ == "__main__":
    main()
