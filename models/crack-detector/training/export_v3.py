#!/usr/bin/env python3
"""Calibrate, choose the decision bands, measure and package a train_v3.py checkpoint.

    python3 export_v3.py [--run /work/model-runs/v3] [--out models/crack-detector/v3] [--version v3] [--checkpoint CKPT ...]
                         [--screen SCREEN_CKPT ...] [--cal-count 400] [--band-confidence 0.95]

Frame sets (JPEG files on disk, made once under RUN/sets, read back with preprocess.py's contract):
  cal-wide   generate.py --wide --seed 601        } calibration: temperature and bias of the
  cal-indep  evalgen.py --seed 11                 } frame logit, then the three decision bands
  cal-4      evalgen4.py --seed 41                }
  test-indep evalgen.py --seed 12                 independent generator (generalisation)
  test-wide  generate.py --wide --seed 778        training generator, wide settings
  test-777   generate.py --seed 777 (400 frames)  the v1/v2 test set
  test-3     evalgen3.py --seed 31                a third generator, written without reading the other two
  test-4     evalgen4.py --seed 42                a fourth, written from a brief alone; no training twins come from it
  test-5 .. test-8  evalgen5.py .. evalgen8.py --seed 52, 62, 72, 82   four more, each written apart from one brief
  test-9, test-10   evalgen9.py, evalgen10.py --seed 92, 102   two more, each from its own brief (evalgen9.py: never for training)
Each run is also judged on the generators it never drew a training twin from: the mean AUC of their test sets
(heldOut in the manifest), so that a run is not chosen on the style of one generator. A chain that continued the second
stage on the line's frames (train_stage2.py --line) names those folders there too (lineFrames): their generator is unknown.
The exported graph is the network's crack-logit map (with --screen, plus log sigmoid of the screen localiser's map, see
train_screen.py), its max over space z, the calibration a * z + b and the two-label logits [0, a * z + b], so that the
agent's softmax gives
p(cracked) = sigmoid(a * z + b) with no agent change. The map itself is a second output, `map`, which the manifest's
explanation names: the agent shows it as the heatmap of a case.
"""
import os

for _v in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_v, "2")

import argparse
import csv
import datetime
import hashlib
import itertools
import json
import importlib
import math
import re
import sys
import time
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import eval_v3  # noqa: E402
import evalgen  # noqa: E402
import evalgen3  # noqa: E402
import evalgen4  # noqa: E402
import frameset  # noqa: E402
import generate  # noqa: E402
import preprocess  # noqa: E402
import train_screen  # noqa: E402
import train_v3  # noqa: E402
from train import choose_thresholds, reference_statistics, resize_area_fast  # noqa: E402

W, H = train_v3.W, train_v3.H
# the manifest's explanation: the agent shows the map output (per 8x8 cell, a logit) as the heatmap of a case
EXPLANATION = {"output": "map", "label": "cracked", "kind": "logits"}
MAP_OUTPUTS = ("logits", EXPLANATION["output"])
# the calibration sets, pooled: three generators, so that the temperature does not fit one generator's style
CAL_SETS = {"cal-wide": "generate.py --wide --seed 601", "cal-indep": "evalgen.py --seed 11", "cal-4": "evalgen4.py --seed 41"}
# the test sets of the generators written from one brief (frameset.py): name -> (generator, seed)
BRIEF_SETS = {"test-%d" % g: ("evalgen%d" % g, 10 * g + 2) for g in (5, 6, 7, 8, 9, 10)}
# the generator behind each test set, for the held-out figure (calibration sets left out: they fit the calibration)
TEST_GENERATORS = dict({"test-indep": "evalgen", "test-wide": "generate", "test-777": "generate", "test-3": "evalgen3",
                        "test-4": "evalgen4"}, **{name: gen for name, (gen, _) in BRIEF_SETS.items()})


def calibration_pool(values, rows):
    """Per-set values (logits, probabilities) of the calibration sets, concatenated, and their labels."""
    return np.concatenate([values[n] for n in CAL_SETS]), np.array([r["y"] for n in CAL_SETS for r in rows[n]])


def calibration_tensors(sets):
    """The calibration sets' preprocessed frames, concatenated (the drift reference is measured on them)."""
    return np.concatenate([set_tensors(sets[n]) for n in CAL_SETS])


def ensure_set(root, name, count, seed, gen, wide=False):
    """RUN/sets/NAME: `count` frames of generator module `gen` (generate, evalgen, evalgen3 to evalgen8) at `seed`,
    written once."""
    d = os.path.join(root, name)
    if os.path.exists(os.path.join(d, ".complete")):
        have = len(eval_v3.load_rows(d))
        if have != count:
            raise SystemExit("%s holds %d frames, not %d: remove it or pass the matching count" % (d, have, count))
        return d
    train_v3.log("sets: writing %s (%d frames)" % (name, count))
    if hasattr(gen, "render"):  # the generators written from one brief share frameset.py's writer
        frameset.write_set(gen.render, d, count, seed, 2)
    else:
        gen.main(["--out", d, "--count", str(count), "--seed", str(seed), "--workers", "2"] + (["--wide"] if wide else []))
    open(os.path.join(d, ".complete"), "w").close()
    return d


def frame_tensor(path):
    """preprocess.py's contract (decode, exact area resize via the integral image, cast to float32): 0..255."""
    return resize_area_fast(preprocess.decode_gray(path, W, H), W, H)


def set_tensors(d):
    """Every frame of a set after steps 1-2 of the contract, [N, H, W] float32 0..255, cached beside the set."""
    path = d.rstrip("/") + ".x.npy"
    if not os.path.exists(path):
        rows = eval_v3.load_rows(d)
        x = np.lib.format.open_memmap(path + ".tmp.npy", "w+", np.float32, (len(rows), H, W))
        for i, r in enumerate(rows):
            x[i] = frame_tensor(os.path.join(d, r["file"]))
        x.flush()
        del x
        os.replace(path + ".tmp.npy", path)
    return np.load(path, mmap_mode="r")


def score_set(torch, score, d, cache):
    """score(frames) for every file in meta.csv, 8 frames at a time, cached per checkpoint: the frame logits (spatial max of
    the crack map), or a cascade's candidate logits (train_stage2.cascade's parts)."""
    if os.path.exists(cache):
        return np.load(cache)
    xs = set_tensors(d)
    with torch.no_grad():
        z = np.concatenate([score(torch.from_numpy(preprocess.normalise(np.asarray(xs[s:s + 8])))[:, None].contiguous(
            memory_format=torch.channels_last)).numpy() for s in range(0, len(xs), 8)]).astype(np.float32)
    np.save(cache, z)
    return z


def stage2_weight(given, parts):
    """The patch logit's weight: the one given, or for `auto` train_stage2.spread_weight over the calibration sets'
    candidates (parts[set]: [N, k, 2] map and patch logits)."""
    import train_stage2
    if given != "auto":
        return given
    cal = np.concatenate([parts[n].reshape(-1, 2) for n in CAL_SETS])
    return train_stage2.spread_weight(cal[:, 0], cal[:, 1])


def fit_platt(torch, z, y):
    """Weights and bias minimising the log loss of sigmoid(z @ w + b): a, b (temperature 1/a plus a bias) for one logit
    per frame ([N]), a weight per column for several ([N, k], e.g. two networks' logits)."""
    zt, yt = torch.tensor(np.asarray(z, np.float64).reshape(len(y), -1)), torch.tensor(y, dtype=torch.float64)
    p = torch.tensor([1.0] * zt.shape[1] + [0.0], dtype=torch.float64, requires_grad=True)
    opt = torch.optim.LBFGS([p], max_iter=200, line_search_fn="strong_wolfe")

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.binary_cross_entropy_with_logits(zt @ p[:-1] + p[-1], yt)
        loss.backward()
        return loss
    opt.step(closure)
    return [float(v) for v in p]


def decide(run, z, rows, weights, bands):
    """Calibrated p(cracked) on every set, the two decision bands chosen on the calibration sets (CAL_SETS), each
    set's report (eval_v3.report) and RUN/scores-SET.csv. z[set]: [N] or [N, k] logits; weights: what fit_platt returned;
    bands: band_rule(args)."""
    prob = {name: 1 / (1 + np.exp(-(np.asarray(v, np.float64).reshape(len(v), -1) @ weights[:-1] + weights[-1])))
            for name, v in z.items()}
    pc, yc = calibration_pool(prob, rows)
    t_ok, t_cr = choose_thresholds(np.stack([1 - pc, pc], 1), yc, bands["maxAutoError"], bands["bandConfidence"])
    t_ok, t_cr = math.ceil(t_ok * 1e6) / 1e6, math.ceil(t_cr * 1e6) / 1e6
    train_v3.log("thresholds ok >= %.6f, cracked >= %.6f" % (t_ok, t_cr))
    results = {}
    for name, p in prob.items():
        results[name] = r = eval_v3.report(p, rows[name], t_ok, t_cr)
        train_v3.log("%-10s acc %.4f recall %.4f auto %.4f autoErr %s FRR %.4f thin1080 %s" % (
            name, r["accuracy"], r["recall"], r["autoShare"], r["autoError"], r["falseRejectRate"], r["recall1pxAt1080p"]))
        with open(os.path.join(run, "scores-%s.csv" % name), "w", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(["file", "p_cracked"])
            w.writerows([rw["file"], "%.6f" % pv] for rw, pv in zip(rows[name], p))
    return (t_ok, t_cr), results, pc


def frame_module(torch, net, ca, cb):
    """The exported graph: network -> spatial max -> calibrated two-label logits [0, a z + b]; and the map that the
    network's maximum (or a second stage's candidates) comes from, which the agent shows as the heatmap (EXPLANATION)."""

    class Frame(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.net = net
            self.register_buffer("ab", torch.tensor([ca, cb], dtype=torch.float32))

        def forward(self, x):
            scores, crack_map = self.net.with_map(x) if hasattr(self.net, "with_map") else (self.net(x),) * 2
            zz = scores.amax(dim=(2, 3)) * self.ab[0] + self.ab[1]
            return torch.cat([torch.zeros_like(zz), zz], dim=1), crack_map

    return Frame().eval()


def export_onnx(torch, frame, out, outputs=("logits",)):
    """OUT/model.onnx (input image [N, 1, H, W], outputs named `outputs`: logits [N, 2], and with MAP_OUTPUTS the map
    [N, 1, 68, 120]); returns its SHA-256 and the torch latency of one frame at one thread in ms (onnxruntime is not
    installed for python here)."""
    os.makedirs(out, exist_ok=True)
    onnx_path = os.path.join(out, "model.onnx")
    with warnings.catch_warnings():  # the screen localiser's upsampling sizes are traced as constants, which is what it needs
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant type is missing")
        warnings.filterwarnings("ignore", message="Constant folding - Only steps=1")  # a second stage's replicate padding
        torch.onnx.export(frame, torch.zeros(1, 1, H, W), onnx_path, input_names=["image"], output_names=list(outputs),
                          dynamic_axes={k: {0: "N"} for k in ("image",) + tuple(outputs)}, opset_version=13, do_constant_folding=True)
    sha = hashlib.sha256(open(onnx_path, "rb").read()).hexdigest()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    x1 = torch.zeros(1, 1, H, W)
    with torch.no_grad():
        frame(x1)
        times = []
        for _ in range(10):
            t = time.perf_counter()
            frame(x1)
            times.append(time.perf_counter() - t)
    torch.set_num_threads(threads)
    train_v3.log("wrote %s (%d bytes, sha256 %s)" % (onnx_path, os.path.getsize(onnx_path), sha))
    return sha, 1000 * float(np.median(times))


def write_manifest(out, version, description, thresholds, reference, sha, training, calibration, frames, torch_ms, results, bands,
                   explanation=None):
    """OUT/manifest.json; `training` (how the network was made) gains the calibration, the latency and every set's metrics."""
    training = dict(training, calibration={
        "sets": ["%s (%s)" % kv for kv in CAL_SETS.items()], "frames": int(frames), **calibration,
        **bands}, torchLatencyMs1Thread=round(torch_ms, 1), metrics=results["test-777"], metricsBySet=results)
    manifest = {
        "schemaVersion": 1,
        "name": "crack-detector",
        "version": version,
        "description": description,
        "createdAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "input": {"name": "image", "elementType": "float32", "layout": "NCHW", "width": W, "height": H, "channels": 1,
                  "colorSpace": "gray", "scale": 1.0 / 255.0, "mean": [preprocess.MEAN], "std": [preprocess.STD]},
        "output": {"name": "logits", "elementType": "float32", "kind": "logits", "labels": ["ok", "cracked"]},
        **({"explanation": explanation} if explanation else {}),
        "decision": {"thresholds": {"ok": thresholds[0], "cracked": thresholds[1]}},
        "referenceStatistics": reference,
        "sha256": sha,
        "training": training,
    }
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def prepare_sets(a):
    """The fourteen frame sets under RUN/sets and their preprocessed tensors, written once."""
    sets_root = os.path.join(a.run, "sets")
    sets = {
        "cal-wide": ensure_set(sets_root, "cal-wide", a.cal_count, 601, generate, wide=True),
        "cal-indep": ensure_set(sets_root, "cal-indep", a.cal_count, 11, evalgen),
        "cal-4": ensure_set(sets_root, "cal-4", a.cal_count, 41, evalgen4),
        "test-indep": ensure_set(sets_root, "test-indep", a.indep_count, 12, evalgen),
        "test-wide": ensure_set(sets_root, "test-wide", a.wide_count, 778, generate, wide=True),
        "test-777": ensure_set(sets_root, "test-777", a.test777_count, 777, generate),
        "test-3": ensure_set(sets_root, "test-3", a.test3_count, 31, evalgen3),
        "test-4": ensure_set(sets_root, "test-4", a.test4_count, 42, evalgen4),
    }
    for name, (gen, seed) in BRIEF_SETS.items():
        sets[name] = ensure_set(sets_root, name, a.brief_count, seed, importlib.import_module(gen))
    for name, d in sets.items():
        set_tensors(d)
        train_v3.log("sets: %s ready" % name)
    return sets


def parse_arguments(ap):
    """ap.parse_args(), with set_arguments' values checked: a wrong one ends the run in one line."""
    a = ap.parse_args()
    if not 0 < a.max_auto_error < 1:
        ap.error("--max-auto-error %g: a share, above 0 and below 1" % a.max_auto_error)
    if not 0 <= a.band_confidence < 1:
        ap.error("--band-confidence %g: 0 (count the errors) or a confidence below 1, e.g. 0.95" % a.band_confidence)
    return a


def band_rule(a):
    """How the bands were chosen, as the manifest records it."""
    return {"maxAutoError": a.max_auto_error, "bandConfidence": a.band_confidence}


def set_arguments(ap):
    ap.add_argument("--cal-count", type=int, default=400, help="frames in each of the three calibration sets")
    ap.add_argument("--indep-count", type=int, default=200, help="frames in test-indep")
    ap.add_argument("--wide-count", type=int, default=100, help="frames in test-wide")
    ap.add_argument("--test777-count", type=int, default=200, help="the first N frames of the v1/v2 test set")
    ap.add_argument("--test3-count", type=int, default=200, help="frames in test-3 (evalgen3.py, the third generator)")
    ap.add_argument("--test4-count", type=int, default=200, help="frames in test-4 (evalgen4.py, the fourth generator)")
    ap.add_argument("--brief-count", type=int, default=200, help="frames in each of test-5 to test-10 (evalgen5.py to evalgen10.py)")
    ap.add_argument("--max-auto-error", type=float, default=0.005, help="the most automatic decisions a band may get wrong")
    ap.add_argument("--band-confidence", type=float, default=0.95,
                    help="a band opens only if the Clopper-Pearson bound of its calibration error at this confidence is at "
                         "most --max-auto-error (598 error-free decisions at the defaults); 0 counts the errors instead")


def recipe(torch, args):
    """The train_v3.py commands that reproduce a checkpoint with these args: the --init run's first, then the commands
    that write its --also-data stores (those the chain has not written yet, each once), then its own."""
    init = args.get("init") or []
    init = [init] if isinstance(init, str) else init  # one file before --init took several
    if init and train_v3.is_package(init[-1]):  # the package's own chain, which ends by exporting it there
        first = [json.load(open(os.path.join(init[-1], "manifest.json")))["training"]["command"]]
    else:
        first = recipe(torch, torch.load(init[-1], map_location="cpu")["args"]) if init else []
    # a store given several times is written once; the run's own store (given again for weight) by its own command
    stores = [train_v3.store_command(r) for r in dict.fromkeys(args.get("also_data") or []) if r != args.get("run")]
    return first + [c for c in stores if not any(c in f for f in first)] + [train_v3.command(args)]


def chain_commands(chain, script):
    """The commands of a chain that run `script` (a package's chain is one string of its commands joined by &&)."""
    return [c for link in chain for c in link.split(" && ") if "/%s " % script in c]


def trained_generators(chain):
    """The generators a chain of commands drew training twins from: each train_v3.py command's --source (generate.py's
    when it names none). A chain holds the commands of every --also-data store (recipe), so their sources count too."""
    sources = [re.search(r"--source (\S+)", c) for c in chain_commands(chain, "train_v3.py")]
    return {m.group(1) if m else "generate" for m in sources}


def line_folders(chain):
    """The folders of frames labelled per frame that a chain's train_stage2.py commands trained on (--line, each once):
    frames whose generator, if any, the chain cannot tell, so the held-out figure names them beside its sets."""
    folders = []
    for c in chain_commands(chain, "train_stage2.py"):
        words = c.split()
        for i in (i for i, w in enumerate(words) if w == "--line"):
            folders += itertools.takewhile(lambda w: not w.startswith("--"), words[i + 1:])
    return list(dict.fromkeys(folders))


def held_out(results, trained, lines=()):
    """The test sets of the generators not in `trained`, and the mean of their AUCs (None when it trained on them all);
    with the --line folders the chain also trained on, which may hold frames of any generator."""
    sets = [n for n, g in TEST_GENERATORS.items() if g not in trained and results.get(n, {}).get("auc") is not None]
    held = {"sets": sets, "meanAuc": round(float(np.mean([results[n]["auc"] for n in sets])), 4) if sets else None}
    return dict(held, lineFrames=list(lines)) if lines else held


def weight_or_auto(text):
    """--stage2-weight's value: auto, or a finite number above 0."""
    if text == "auto":
        return text
    try:
        w = float(text)
    except ValueError:
        w = 0.0
    if 0 < w < float("inf"):
        return w
    raise argparse.ArgumentTypeError("'%s': a finite weight above 0, or auto" % text)


def version_label(text):
    """--version's value: the manifest's rule for a version (docs/manifest.md)."""
    if re.fullmatch(r"[a-z0-9][a-z0-9_.-]{0,63}", text):
        return text
    raise argparse.ArgumentTypeError("'%s': 1-64 characters of a-z, 0-9, -, _ and ., starting with a letter or digit" % text)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run", default="/work/model-runs/v3")
    ap.add_argument("--out", default=os.path.join(HERE, "..", "v3"))
    ap.add_argument("--version", type=version_label, default="v3", help="the manifest's version: another than v3 for a package "
                    "that goes out beside it (e.g. one continued on the line's reviewed frames)")
    set_arguments(ap)
    ap.add_argument("--checkpoint", nargs="+", help="a checkpoint file other than RUN/last.pt (e.g. a copy taken while training "
                    "goes on); several are averaged weight by weight (train_v3.load_checkpoints)")
    ap.add_argument("--screen", nargs="+", metavar="CKPT", help="gate the crack map with train_screen.py's screen localiser "
                    "(one checkpoint, or several averaged): a cell's crack logit gains log sigmoid(its screen logit)")
    ap.add_argument("--stage2", nargs="+", metavar="CKPT", help="a second look at the gated map's candidates: train_stage2.py's "
                    "patch classifier (one checkpoint, or several averaged) over its top-k local maxima, as one graph")
    ap.add_argument("--stage2-weight", type=weight_or_auto, metavar="W", help="the patch logit's weight in a candidate's logit (map logit + W x patch "
                    "logit), or auto: the ratio of the map logits' spread to the patch logits' over the calibration sets' "
                    "candidates (train_stage2.spread_weight); default: the checkpoint's train_stage2.py --weight")
    ap.add_argument("--prepare", action="store_true", help="only write the frame sets and their preprocessed tensors (no checkpoint needed)")
    a = parse_arguments(ap)
    if a.stage2_weight is not None and not a.stage2:
        ap.error("--stage2-weight: only with --stage2")

    sets = prepare_sets(a)
    if a.prepare:
        return

    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    torch.set_num_threads(int(os.environ.get("TORCH_THREADS", "2")))
    st, tag = train_v3.load_checkpoints(torch, a.checkpoint or [os.path.join(a.run, "last.pt")])
    net, arch = train_v3.build_net(nn, st["args"].get("arch", "v3"))
    net.load_state_dict(st["net"])
    net.eval()
    # a package's network (package_checkpoint) comes with the chain of commands that made it
    chain, train_s = ([st["args"]["command"]] if st.get("unfolded") else recipe(torch, st["args"])), st["trainSeconds"]
    if a.screen:
        screen, sst, stag = train_screen.load(torch, nn, F, a.screen)
        net = train_screen.gated(nn, F, net, screen).eval()
        arch += "; screen gate (crack logit + log sigmoid(screen logit)): " + train_screen.ScreenNet.DESCRIPTION
        if not sst.get("unfolded"):
            chain.append(train_screen.command(sst["args"]))
            train_s += sst["trainSeconds"]
        elif sst["args"]["command"] not in chain:  # a package's localiser: its chain makes it
            chain.insert(0, sst["args"]["command"])
        tag += "+screen-" + stag
    second = ""
    if a.stage2:
        import train_stage2
        second, s2st, s2tag = train_stage2.load(torch, nn, a.stage2)
        net = train_stage2.cascade(torch, nn, F, net, second, s2st["args"]["k"], None).eval()
        chain.append(train_stage2.command(s2st["args"]))
        train_s += s2st["trainSeconds"]
        tag += "+stage2-" + s2tag
        second = (" The crack map's %d most crack-like cells get a second look: a patch classifier over the %dx%d pixels around "
                  "each." % (s2st["args"]["k"], train_stage2.CROP, train_stage2.CROP))
    net.to(memory_format=torch.channels_last)
    step = st["step"]
    train_v3.log("checkpoint %s (%.0f s of training)" % (tag, st["trainSeconds"]))

    z, rows = {}, {}
    for name, d in sets.items():
        if a.stage2:  # the candidates' two logits: the frame logits at the weight chosen below follow from them
            z[name] = score_set(torch, lambda x: torch.stack(net.parts(x), 2), d, os.path.join(a.run, "parts-%s-%s.npy" % (name, tag)))
        else:
            z[name] = score_set(torch, lambda x: net(x).amax(dim=(1, 2, 3)), d, os.path.join(a.run, "scores-%s-%s.npy" % (name, tag)))
        rows[name] = eval_v3.load_rows(d)
        train_v3.log("scored %s (%d frames)" % (name, len(z[name])))
    if a.stage2:
        net.weight = stage2_weight(s2st["args"]["weight"] if a.stage2_weight is None else a.stage2_weight, z)
        arch += "; " + train_stage2.description(dict(s2st["args"], weight=net.weight))
        train_v3.log("second stage: patch logit weight %g%s" % (net.weight, " (auto)" if a.stage2_weight == "auto" else ""))
        z = {name: (p[:, :, 0] + net.weight * p[:, :, 1]).max(1) for name, p in z.items()}

    zc, yc = calibration_pool(z, rows)
    ca, cb = fit_platt(torch, zc, yc)
    train_v3.log("calibration: a %.4f b %.4f (temperature %.3f)" % (ca, cb, 1 / ca))
    thresholds, results, pc = decide(a.run, z, rows, [ca, cb], band_rule(a))
    unseen = held_out(results, trained_generators(chain), line_folders(chain))
    train_v3.log("held out of training: %s, mean AUC %s%s" % (", ".join(unseen["sets"]) or "none", unseen["meanAuc"], "".join(
        "; also trained on the frames in %s, whose generator this cannot tell" % d for d in unseen.get("lineFrames", []))))

    frame = frame_module(torch, net, ca, cb)
    net.to(memory_format=torch.contiguous_format)
    sha, torch_ms = export_onnx(torch, frame, a.out, MAP_OUTPUTS)

    ref = reference_statistics(calibration_tensors(sets), np.maximum(pc, 1 - pc))
    args = st["args"]
    export_cmd = "python3 models/crack-detector/training/export_v3.py --run %s" % a.run + (
        "" if a.version == "v3" else " --version %s" % a.version) + "".join(
        " %s %s" % (flag, " ".join(paths)) for flag, paths in (("--checkpoint", a.checkpoint), ("--screen", a.screen),
                                                               ("--stage2", a.stage2)) if paths) + (
        "" if a.stage2_weight is None else " --stage2-weight %s" % (a.stage2_weight if a.stage2_weight == "auto" else "%g" % a.stage2_weight))
    if st.get("unfolded"):  # a package's crack network: how it was trained is in its manifest
        prior = json.load(open(os.path.join(args["package"], "manifest.json")))["training"]
        made = {k: prior[k] for k in ("seed", "trainPairs", "steps", "batchCrops", "crop")}
    else:
        made = {"seed": args["seed"], "trainPairs": train_v3.train_pairs(args), "steps": int(step), "batchCrops": args["batch"],
                "crop": args["crop"]}
    write_manifest(
        a.out, a.version,
        "Finds cracks in a line-camera frame of a phone on the conveyor: a fully convolutional network scores every 8x8 "
        "cell of the 960x540 grey frame and the frame takes the most crack-like cell (v3)." + second,
        thresholds, ref, sha, dict(made, **{
            "command": " && ".join(chain + [export_cmd]), "architecture": arch, "params": int(sum(p.numel() for p in net.parameters())),
            "mflops": round(train_v3.count_mflops(torch, net, W, H), 1), "trainSeconds": round(train_s), "heldOut": unseen,
        }), {"a": round(ca, 5), "b": round(cb, 5), "temperature": round(1 / ca, 4)}, len(yc), torch_ms, results,
        band_rule(a), EXPLANATION)
    train_v3.log("wrote %s (torch %.1f ms/frame at 1 thread)" % (a.out, torch_ms))


if __name__ == "__main__":
    main()
