#!/usr/bin/env python3
"""Checks frameset.py's writer: meta.csv names each frame's nuisances whether the render gives them as a list (evalgen5.py
to evalgen8.py) or as text already joined (evalgen4.py, whose sets export_v3.py writes with it), and frames keep their order.

    python3 check_frameset.py        (numpy + PIL; a second)

One line per check; exit status 1 if any fails.
"""
import csv
import os
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import evalgen4  # noqa: E402
import frameset  # noqa: E402
from checklist import Checklist  # noqa: E402


def listed(seed, i):
    return b"jpeg %d" % i, "ok", dict(kind="none", crack_width=0, screen="lit", width=64, height=48, quality=90,
                                      nuisances=["dust", "glare"][:i])


def main():
    check = Checklist()
    with tempfile.TemporaryDirectory() as d:
        frameset.write_set(listed, os.path.join(d, "l"), 3, 1, 1)
        rows = list(csv.DictReader(open(os.path.join(d, "l", "meta.csv"))))
        check("a render's list of nuisances is joined with '+' (%s)" % [r["nuisances"] for r in rows],
              [r["nuisances"] for r in rows] == ["", "dust", "dust+glare"])
        check("frames are written in order under their names", [r["file"] for r in rows] == ["00000_ok.jpg", "00001_ok.jpg", "00002_ok.jpg"]
              and open(os.path.join(d, "l", "00002_ok.jpg"), "rb").read() == b"jpeg 2")
        frameset.write_set(evalgen4.render, os.path.join(d, "4"), 3, 41, 1)
        got = [r["nuisances"] for r in csv.DictReader(open(os.path.join(d, "4", "meta.csv")))]
        want = [evalgen4.render(41, i)[2]["nuisances"] for i in range(3)]
        check("evalgen4.py's joined nuisances are written as it joined them (%s)" % got, got == want and any(got))
    sys.exit(check.exit_status())


if __name__ == "__main__":
    main()
