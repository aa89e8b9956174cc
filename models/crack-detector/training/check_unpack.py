#!/usr/bin/env python3
"""Checks that a committed package's networks can be read back for training (train_v3.package_checkpoint): the crack network
and the screen localiser, rebuilt from model.onnx, compute what the file computes, and with freeze_batchnorm training mode
computes the same (the folded BatchNorm layers keep their statistics); that an s2d network grown into --arch s2dg
starts from what it computed; and that an --arch s2db network (a BatchNorm the export cannot fold) exported and read back
computes what it did.

    python3 check_unpack.py [models/crack-detector/v3]      (torch; a few seconds)

One line per check; exit status 1 if any fails.
"""
import collections
import copy
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
import train_screen  # noqa: E402
import train_stage2  # noqa: E402
import train_v3  # noqa: E402
from checklist import package_checks  # noqa: E402


def main():
    torch, nn, F, check, pkg, samples = package_checks()
    files = sorted(os.listdir(samples))[:4]
    x = torch.from_numpy(preprocess.normalise(np.stack([export_v3.frame_tensor(os.path.join(samples, f)) for f in files])))[:, None]

    st, tag = train_v3.load_checkpoints(torch, [pkg])
    crack, _ = train_v3.build_net(nn, st["args"]["arch"])
    crack.load_state_dict(st["net"])
    screen = train_screen.load(torch, nn, F, [pkg])[0]
    net = train_stage2.of_package(torch, nn, F, pkg, train_screen.gated(nn, F, crack, screen).eval())
    cal = json.load(open(os.path.join(pkg, "manifest.json")))["training"]["calibration"]
    with torch.no_grad():
        mine = net(x).amax(dim=(1, 2, 3)) * cal["a"] + cal["b"]
        theirs = onnx_weights.module(torch, os.path.join(pkg, "model.onnx"))(x)[:, 1]
    gap = float((mine - theirs).abs().max())
    check("%s: the networks read back from model.onnx give its logits on %d sample frames (largest gap %.2g)" % (
        tag, len(files), gap), gap < 1e-3)
    check("the checkpoint is marked as folded, so that training freezes its BatchNorm layers", bool(st.get("unfolded")))
    check("its recipe starts with the package's own command chain",
          export_v3.recipe(torch, {"init": [pkg], "arch": "s2d"})[0] == st["args"]["command"] != "")

    crops = x[:, :, 100:228, 300:428].contiguous()
    with torch.no_grad():
        before = crack.eval()(crops)
        kept = copy.deepcopy(crack)
        free = crack.train()(crops)  # also moves the running statistics, as training would
        train_v3.freeze_batchnorm(torch, kept)
        kept.train()(crops)
        frozen = kept(crops)  # after a first training-mode pass: frozen statistics do not move
    gap = lambda a: float((a - before).abs().max())  # noqa: E731
    check("without freezing, training mode's batch statistics change the crack map (largest gap %.2g)" % gap(free),
          gap(free) > 0.1 * float(before.abs().max()))
    check("frozen, training mode computes the eval-mode map (largest gap %.2g)" % gap(frozen), gap(frozen) < 1e-5 * float(before.abs().max()) + 1e-5)
    check("and the frozen network still takes gradients", all(p.requires_grad for p in kept.parameters()))
    s2d, _ = train_v3.build_net(nn, "s2d")
    grown, _ = train_v3.build_net(nn, "s2dg")
    branches = train_v3.grown_branches("s2dg", "s2d")
    train_v3.load_grown(grown, s2d.state_dict(), branches)
    train_v3.freeze_batchnorm(torch, grown, branches)
    with torch.no_grad():
        gap = float((grown.train()(crops) - s2d.eval()(crops)).abs().max())
    check("an s2d network grown by zero-start branches (--arch s2dg) computes what it did (largest gap %.2g)" % gap, gap < 1e-5)
    trains = {n.split(".")[0]: m.training for n, m in grown.named_modules() if isinstance(m, nn.BatchNorm2d)}
    check("the grown branches' BatchNorm layers train with batch statistics, the inherited ones stay frozen (%s)" % trains,
          all(trains[b] for b in branches) and not any(v for k, v in trains.items() if k not in branches))
    try:
        train_v3.grown_branches("s2d", "s2dg")
        check("a grown network cannot be shrunk back into the one it grew from", False)
    except SystemExit as e:
        check("a grown network cannot be shrunk back into the one it grew from (%s)" % e, True)
    check_block_contrast(torch, nn, F, check, st, screen, x)
    try:
        train_v3.load_checkpoints(torch, [pkg, pkg])
        check("a package cannot be averaged with another checkpoint", False)
    except SystemExit as e:
        check("a package cannot be averaged with another checkpoint (%s)" % e, True)
    sys.exit(check.exit_status())


def check_block_contrast(torch, nn, F, check, st, screen, x):
    """--arch s2db starts from the package's s2dn network, and its export (the stem's BatchNorm stays a BatchNormalization
    node, with its own weights between it and the stem) reads back into a fresh network that computes the same map."""
    block, _ = train_v3.build_net(nn, "s2db")
    train_v3.load_grown(block, st["net"], train_v3.grown_branches("s2db", st["args"]["arch"]))
    with torch.no_grad():
        block.local[1].running_mean.uniform_(-0.5, 0.5)  # a BatchNorm that does something, as after training
        block.local[1].running_var.uniform_(0.5, 2.0)
    holder = nn.Sequential(collections.OrderedDict(net=train_screen.gated(nn, F, block, screen))).eval()  # names as export_v3's
    with tempfile.TemporaryDirectory() as d, warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The shape inference of prim::Constant type is missing")
        path = os.path.join(d, "model.onnx")
        torch.onnx.export(holder, x[:1], path, input_names=["image"], opset_version=13, do_constant_folding=True)
        ops = {op for op, *_ in onnx_weights.load(path)[0]}
        back = nn.Module()
        back.net = train_screen.gated(nn, F, train_v3.build_net(nn, "s2db")[0], train_screen.ScreenNet.make(nn, F))
        onnx_weights.unfold(torch, back, path)
        with torch.no_grad():
            want = holder.net(x)
            gaps = [float((m(x) - want).abs().max()) for m in (back.net.eval(), onnx_weights.module(torch, path))]
    check("an s2db network exported (%s) reads back into a fresh one and runs as the file (largest gaps %.2g, %.2g)" % (
        "BatchNormalization kept" if "BatchNormalization" in ops else "no BatchNormalization", *gaps),
        "BatchNormalization" in ops and max(gaps) < 1e-4)
    try:
        train_v3.grown_branches("s2dn", "s2db")
        check("an s2dn network cannot start from an s2db one", False)
    except SystemExit as e:
        check("an s2dn network cannot start from an s2db one (%s)" % e, True)


if __name__ == "__main__":
    main()
