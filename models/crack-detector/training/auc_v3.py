#!/usr/bin/env python3
"""Ranking figures of train_v3.py checkpoints, to compare networks and choose a checkpoint before export.

    python3 auc_v3.py --run /work/model-runs/v5 CKPT [CKPT ...] [--train-pairs 40] [--sets cal-indep,cal-wide] [--average]

For each checkpoint: the frame AUC (spatial max of the crack map, cracked twin over ok twin) on
--train-pairs training pairs spread evenly over RUN/data (the pairs a `--subset` run trains on), the share
of those cracked twins whose best crack cell is beaten by a crack-free cell of the same frame, and the AUC
of the frame logit on each of --sets (RUN/sets, written by export_v3.py --prepare). AUC is the ranking no
threshold or calibration can improve, so it tells capacity and generalisation apart from calibration.
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
import preprocess  # noqa: E402
import train_screen  # noqa: E402
import train_v3  # noqa: E402


def crack_maps(torch, net, frames):
    """Crack-logit maps [N, GH, GW] of frames [N, H, W] (0..255), eval mode, 4 at a time."""
    out = []
    with torch.no_grad():
        for s in range(0, len(frames), 4):
            x = torch.from_numpy(preprocess.normalise(np.asarray(frames[s:s + 4], np.float32)))[:, None]
            out.append(net(x.contiguous(memory_format=torch.channels_last))[:, 0].float().numpy())  # float: under bf16 autocast too
    return np.concatenate(out)


def measure(torch, net, store, pairs, sets):
    res = {}
    if len(pairs):
        z_ok = crack_maps(torch, net, store.x[pairs, 0])
        z_cr = crack_maps(torch, net, store.x[pairs, 1])
        m = np.asarray(store.mask[pairs]).astype(bool)
        has = m.reshape(len(pairs), -1).any(1)
        best_crack = np.where(m, z_cr, -np.inf).reshape(len(pairs), -1).max(1)
        best_other = np.where(m, -np.inf, z_cr).reshape(len(pairs), -1).max(1)
        res["trainTwinAuc"] = round(eval_v3.auc(z_cr.reshape(len(pairs), -1).max(1), z_ok.reshape(len(pairs), -1).max(1)), 4)
        res["trainCrackCellBeaten"] = "%d of %d" % (int((best_other[has] > best_crack[has]).sum()), int(has.sum()))
    for name, d in sets.items():
        rows = eval_v3.load_rows(d)
        y = np.array([r["y"] for r in rows])
        z = crack_maps(torch, net, export_v3.set_tensors(d)).reshape(len(rows), -1).max(1)
        res[name] = round(eval_v3.auc(z[y == 1], z[y == 0]), 4)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", required=True, help="holds data/ (the training pairs) and sets/")
    ap.add_argument("checkpoints", nargs="+")
    ap.add_argument("--train-pairs", type=int, default=40, help="training pairs to measure, spread evenly (0 = none)")
    ap.add_argument("--sets", default="cal-indep,cal-wide")
    ap.add_argument("--json", help="append one line per checkpoint here")
    ap.add_argument("--screen", nargs="+", metavar="CKPT", help="score the crack map gated by this screen localiser (export_v3.py --screen)")
    ap.add_argument("--average", action="store_true", help="score the weight-by-weight mean of the checkpoints, as one network")
    a = ap.parse_args()
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    spec = json.load(open(os.path.join(a.run, "data", "spec.json")))
    store = train_v3.PairStore.of_spec(a.run, spec)
    pairs = train_v3.subset_pairs(spec["pairs"], a.train_pairs) if a.train_pairs else np.arange(0)
    sets = {n: os.path.join(a.run, "sets", n) for n in a.sets.split(",") if n}
    for paths in [a.checkpoints] if a.average else [[p] for p in a.checkpoints]:
        st, tag = train_v3.load_checkpoints(torch, paths)
        net, _ = train_v3.build_net(nn, st["args"].get("arch", "v3"))
        net.load_state_dict(st["net"])
        if a.screen:
            net = train_screen.gated(nn, F, net, train_screen.load(torch, nn, F, a.screen)[0])
            tag += "+screen"
        net.eval().to(memory_format=torch.channels_last)
        res = {"checkpoint": " ".join(paths), "arch": st["args"].get("arch", "v3"), "step": tag}
        res.update(measure(torch, net, store, pairs, sets))
        line = json.dumps(res)
        print(line, flush=True)
        if a.json:
            with open(a.json, "a") as f:
                f.write(line + "\n")


if __name__ == "__main__":
    main()
