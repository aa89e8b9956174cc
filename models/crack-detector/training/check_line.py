#!/usr/bin/env python3
"""Checks train_stage2.py --init and --line: a package's second stage continued on frames labelled per frame, in a folder
laid out as fleet-server's dataset export lays it out (ok/, defect/, labels.csv).

    python3 check_line.py [models/crack-detector/v3]      (torch; the sample frames, under a minute)

One line per check; exit status 1 if any fails.
"""
import contextlib
import csv
import io
import json
import os
import shutil
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_v3  # noqa: E402
import train_stage2  # noqa: E402
from checklist import package_checks  # noqa: E402


def main():
    torch, nn, F, check, pkg, samples = package_checks()
    names = sorted(os.listdir(samples))
    # the inspectors' verdicts: the generator's labels, but the first ok frame called a defect (the model is to learn it)
    verdicts = ["defect" if n == names[0] or "cracked" in n else "ok" for n in names]
    with tempfile.TemporaryDirectory() as d:
        line = os.path.join(d, "dataset")
        rows = []
        for n, v in zip(names[:1] + ["broken.jpg"] + names[1:], verdicts[:1] + ["defect"] + verdicts[1:]):
            os.makedirs(os.path.join(line, v), exist_ok=True)
            if n == "broken.jpg":
                open(os.path.join(line, v, n), "wb").write(b"\xff\xd8 truncated")
            else:
                shutil.copy(os.path.join(samples, n), os.path.join(line, v, n))
            rows.append({"file": v + "/" + n, "label": v, "case_id": n[:5]})
        with open(os.path.join(line, "labels.csv"), "w", newline="") as f:
            w = csv.DictWriter(f, ["file", "label", "case_id"])
            w.writeheader()
            w.writerows(rows)
        a = train_stage2.parser().parse_args(["--run", os.path.join(d, "run"), "--first", pkg, "--init", pkg, "--line", line,
                                              "--steps", "40", "--epoch-steps", "40", "--lr", "5e-4", "--line-frames", "4"])
        package = train_stage2.load(torch, nn, [pkg])[0]
        with contextlib.redirect_stdout(sys.stderr):  # training's log: this script's output is its checks
            net = train_stage2.initial(torch, nn, a).train()
        patch = torch.rand(6, 1, train_stage2.CROP, train_stage2.CROP) * 255
        with torch.no_grad():
            gap = float((net(patch) - package(patch)).abs().max())
        described = train_stage2.package_args(json.load(open(os.path.join(pkg, "manifest.json")))["training"]["architecture"])
        check("--init takes the package's second stage as it stands, in training mode too (largest gap %.2g), with its k, "
              "width and weight (%d, %d, %g)" % (gap, a.k, a.width, a.weight),
              gap < 1e-5 and described == {"k": a.k, "width": a.width, "weight": a.weight})

        trained_log = io.StringIO()
        with contextlib.redirect_stdout(trained_log):
            train_stage2.train(a)
        sys.stderr.write(trained_log.getvalue())
        check("--line without --data warns that the package will be for that line only",
              "warning: --line without --data" in trained_log.getvalue())
        mined = np.load(os.path.join(d, "run", "line-0-dataset.npz"))
        first = train_stage2.first_stage(torch, nn, F, [pkg])
        c, _ = train_stage2.candidates(torch, F, first, np.stack([export_v3.frame_tensor(os.path.join(samples, n)) for n in names]), a.k)
        check("the %d frames that decode are mined in order, with their verdicts and the cascade's candidates; the one that "
              "does not is left out" % len(names), mined["y"].tolist() == [float(v == "defect") for v in verdicts]
              and mined["p"].shape == (len(names), a.k, train_stage2.PATCH, train_stage2.PATCH)
              and np.abs(mined["v"] - c[:, :, 2]).max() < 1e-4)

        st = torch.load(os.path.join(d, "run", "last.pt"))
        ca, cb = st["args"]["line_calibration"]
        trained = train_stage2.make(nn, a.width)
        trained.load_state_dict(st["net"])
        o = (train_stage2.PATCH - train_stage2.CROP) // 2
        crops = torch.from_numpy(mined["p"][:, :, o:o + train_stage2.CROP, o:o + train_stage2.CROP].astype(np.float32))
        y = torch.from_numpy(mined["y"])
        losses = []
        with torch.no_grad():
            for n in (package, trained.eval()):
                z = (torch.from_numpy(mined["v"]) + a.weight * n(crops.reshape(-1, 1, *crops.shape[2:])).view(len(y), a.k)).amax(1)
                losses.append(float(F.binary_cross_entropy_with_logits(ca * z + cb, y)))
        check("40 steps on those frames lower their frame loss (the init's logits calibrated as %.3g z %+.3g): %.3f before, "
              "%.3f after" % (ca, cb, *losses), losses[1] < losses[0])
    sys.exit(check.exit_status())


if __name__ == "__main__":
    main()
