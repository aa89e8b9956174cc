#!/usr/bin/env python3
"""Checks train_v3.py --also-data: another run's pairs read through StoreUnion are exactly that run's pairs.

    python3 check_also_data.py        (numpy only, no generation, no torch; a few seconds)

Writes two small pair stores in a temporary folder (rows filled with their own index, no frames
rendered), joins them as train_v3.py does, and compares every access the trainer makes (one crop of
one pair, whole frames of several pairs, masks, info, which pairs are done) with the stores
themselves; that export_v3.py's held-out figure leaves out the generators of a run's stores; that --crack-gain scales a
crop's crack, and nothing else, and draws nothing when off; then checks that an unfinished store is refused. One line per check; exit status 1 if any fails.
"""
import os
import sys
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_v3  # noqa: E402
import train_v3  # noqa: E402
from checklist import Checklist  # noqa: E402


def filled_store(run, pairs, seed, base):
    s = train_v3.PairStore(run, pairs, seed, varied=True)
    for j in range(pairs):
        s.x[j, 0, :, :] = (base + 2 * j) % 256
        s.x[j, 1, :, :] = (base + 2 * j + 1) % 256
        s.x[j, 1, 7, 9] = 255 - s.x[j, 1, 7, 9]  # a pixel that differs from its row, so offsets inside a frame count
        s.mask[j] = 0
        s.mask[j, j % train_v3.GH, j % train_v3.GW] = 1
        s.info[j] = (j % 4, 1 + j % 3, j % 2, 1920, 1080)
        s.done[j] = True
    s._flush()
    return s


class FixedDraws:
    """A stand-in for sample_batch's random generator: every crop at the frame's corner, unflipped, at its exposure, and
    each --crack-gain draw `u`; counts those draws."""

    def __init__(self, u):
        self.u, self.uniform_draws = u, 0

    def random(self):
        return 0.9

    def integers(self, low, high=None):
        return 0 if high is None else low

    def uniform(self, low, high):
        self.uniform_draws += 1
        return self.u


def main():
    check = Checklist()

    with tempfile.TemporaryDirectory() as tmp:
        own = filled_store(os.path.join(tmp, "own"), 3, 8, base=10)
        other = filled_store(os.path.join(tmp, "other"), 2, 5, base=100)
        union = train_v3.StoreUnion([own, train_v3.PairStore.open_complete(os.path.join(tmp, "other"))])
        check("the union holds both stores' pairs, the run's own first", union.pairs == 5)
        rows = [(own, 0), (own, 1), (own, 2), (other, 0), (other, 1)]
        check("every pair's crop (as sample_batch reads it) is its store's",
              all(np.array_equal(union.x[r, :, 0:16, 0:16], s.x[j, :, 0:16, 0:16]) for r, (s, j) in enumerate(rows)))
        check("every pair's mask and info are its store's",
              all(np.array_equal(union.mask[r], s.mask[j]) and np.array_equal(union.info[r], s.info[j])
                  for r, (s, j) in enumerate(rows)))
        pick = np.array([1, 3, 4])
        check("whole frames of several pairs (as sample_frames and mine_hard read them) cross the stores",
              np.array_equal(union.x[pick], np.stack([own.x[1], other.x[0], other.x[1]]))
              and np.array_equal(union.x[pick, 0], np.stack([own.x[1, 0], other.x[0, 0], other.x[1, 0]])))
        check("all pairs are done", union.done().tolist() == [True] * 5)

        brief = train_v3.PairStore(os.path.join(tmp, "brief"), 2, 501, source="evalgen5")
        brief.done[:] = True
        brief._flush()
        args = {"run": os.path.join(tmp, "own"), "pairs": 3, "seed": 8, "varied": True,
                "also_data": [os.path.join(tmp, "other"), os.path.join(tmp, "brief")]}
        trained = export_v3.trained_generators(export_v3.recipe(None, args))
        check("a run's generators are its own store's and its --also-data stores'", trained == {"generate", "evalgen5"})
        check("a package's chain (one string of commands joined by &&) counts every command's generator",
              export_v3.trained_generators([" && ".join("python3 t/train_v3.py --run %s --seed 9%s --data-only" % (r, g)
                                                         for r, g in (("a", " --source evalgen3"), ("b", " --source evalgen5"))),
                                             "python3 t/train_v3.py --run c --seed 9"]) == {"evalgen3", "evalgen5", "generate"})
        again = dict(args, also_data=[args["run"], args["run"]] + args["also_data"] * 2)
        chain = export_v3.recipe(None, again)
        check("a store given several times is written once in the recipe, the run's own store by its own command",
              [c.split("--run ")[1].split()[0] for c in chain] == [os.path.join(tmp, "other"), os.path.join(tmp, "brief"), args["run"]]
              and "--data-only" not in chain[-1])
        results = {n: {"auc": 0.5 + 0.01 * k} for k, n in enumerate(export_v3.TEST_GENERATORS)}
        results["test-8"]["auc"] = None
        held = export_v3.held_out(results, trained)
        check("the held-out figure leaves out the sets of those generators and sets without both labels",
              held["sets"] == ["test-indep", "test-3", "test-4", "test-6", "test-7", "test-9", "test-10"])
        check("the held-out figure is the mean AUC of the rest",
              held["meanAuc"] == round(float(np.mean([results[n]["auc"] for n in held["sets"]])), 4) and "lineFrames" not in held)
        lines = export_v3.line_folders(["python3 t/train_v3.py --run a", "python3 t/train_stage2.py --run s --line d1 d/2 "
                                        "--line-frames 4 && python3 t/train_stage2.py --run u --init s --line d/2 d3"])
        check("the held-out figure names the --line folders the chain trained on, each once (%s)" % lines,
              lines == ["d1", "d/2", "d3"] and export_v3.held_out(results, trained, lines)["lineFrames"] == lines)

        # pair 0 of `own`: ok twin 10, cracked twin 11 but 244 at (7, 9), so the crack is +1 and +234 there
        crops = {}
        for gain, u in ((0.0, 0.0), (1.0, -1.0), (1.0, 1.0)):
            draws = FixedDraws(u)
            crops[gain, u] = train_v3.sample_batch(own, draws, [0], 16, crack_gain=gain)[0][:, 0], draws.uniform_draws
        (plain, plain_draws), (faint, _), (plainer, _) = crops.values()
        check("--crack-gain 0 leaves the crop as stored and draws nothing",
              plain_draws == 0 and np.array_equal(plain[0], own.x[0, 0, :16, :16]) and np.array_equal(plain[1], own.x[0, 1, :16, :16]))
        check("--crack-gain 1 at its ends scales the crack by 1/2 and 2 (clipped at 255), the ok twin untouched",
              all(np.array_equal(c[0], plain[0]) for c in (faint, plainer))
              and faint[1, 0, 0] == 10.5 and faint[1, 7, 9] == 127 and plainer[1, 0, 0] == 12 and plainer[1, 7, 9] == 255)

        half = train_v3.PairStore(os.path.join(tmp, "half"), 4, 9, varied=True)
        half.done[:2] = True
        half._flush()
        try:
            train_v3.PairStore.open_complete(os.path.join(tmp, "half"), "--data")
            check("an unfinished store is refused, named by the option that gave it", False)
        except SystemExit as e:
            check("an unfinished store is refused, named by the option that gave it", str(e).startswith("--data ")
                  and "only 2 of 4 pairs" in str(e))
        try:
            train_v3.PairStore.open_complete(os.path.join(tmp, "none"))
            check("a run without a store is refused", False)
        except SystemExit as e:
            check("a run without a store is refused", "no pair store" in str(e))
    return check.exit_status()


if __name__ == "__main__":
    sys.exit(main())
