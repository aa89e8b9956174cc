#!/usr/bin/env python3
"""Checks the band rule export_v3.py uses (train.choose_thresholds with a confidence): a band opens only when the
Clopper-Pearson bound of its calibration error allows it, so that a few lucky frames cannot open one.

    python3 check_bands.py        (numpy only, no torch; a second or so)

One line per check; exit status 1 if any fails.
"""
import math
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from checklist import Checklist  # noqa: E402
from train import choose_thresholds, error_bound, min_decisions  # noqa: E402


def frames(n, wrong, seed):
    """n frames, half cracked, scored p(cracked) 0.9-1.0 on their own label; the `wrong` most confident ones flipped."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % 2
    conf = 0.9 + 0.1 * rng.random(n)
    y[np.argsort(-conf)[:wrong]] ^= 1
    pc = np.where(np.arange(n) % 2 == 1, conf, 1 - conf)
    return np.stack([1 - pc, pc], 1), y


def decided(p, y, t):
    pred, conf = p.argmax(1), p.max(1)
    auto = conf >= np.where(pred == 0, t[0], t[1])
    return int(auto.sum()), int((auto & (pred != y)).sum())


def main():
    check = Checklist()

    # Reference values: with no error the bound is 1 - (1 - confidence)^(1/n); 3 of 100 gives Beta(4, 97)'s 95th percentile.
    check("no error in 100: the bound is 1 - 0.05^(1/100)", abs(error_bound(0, 100, 0.95) - (1 - 0.05 ** 0.01)) < 1e-9)
    check("3 wrong in 100: the bound is 0.0757", abs(error_bound(3, 100, 0.95) - 0.07571) < 1e-4)
    check("598 error-free decisions bound the error at 0.5 %, 597 do not",
          min_decisions(0, 0.005, 0.95) == 598 and error_bound(0, 597, 0.95) > 0.005)
    check("one error needs more decisions than none", min_decisions(1, 0.005, 0.95) > 598)

    p, y = frames(200, 0, 1)
    check("200 error-free frames open the counting rule's bands", choose_thresholds(p, y, 0.005) == (0.0, 0.0))
    check("200 error-free frames open no band under the bound", choose_thresholds(p, y, 0.005, 0.95) == (1.0, 1.0))
    p, y = frames(800, 0, 2)
    check("800 error-free frames open the bands under the bound", choose_thresholds(p, y, 0.005, 0.95) == (0.0, 0.0))

    p, y = frames(2000, 6, 3)
    t = choose_thresholds(p, y, 0.005, 0.95)
    n, wrong = decided(p, y, t)
    check("with the most confident frames wrong, the bands leave most of them out and meet the bound (%d decided, %d wrong)"
          % (n, wrong), wrong < 6 and n >= 598 and error_bound(wrong, n, 0.95) <= 0.005)
    t0 = choose_thresholds(p, y, 0.02)
    n0, wrong0 = decided(p, y, t0)
    check("the counting rule at 2 %% keeps them (%d decided, %d wrong)" % (n0, wrong0), wrong0 == 6 and wrong0 <= 0.02 * n0)
    check("a bound is never below the error seen", all(error_bound(e, n, 0.9) >= e / n for e, n in ((0, 5), (2, 50), (40, 1000))))
    check("the bound grows with the confidence", error_bound(1, 300, 0.99) > error_bound(1, 300, 0.95) > error_bound(1, 300, 0.5))
    check("every error: the bound is 1", math.isclose(error_bound(7, 7, 0.95), 1.0))
    return check.exit_status()


if __name__ == "__main__":
    sys.exit(main())
