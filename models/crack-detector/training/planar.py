"""Plane geometry that generators written apart share (evalgen3.py, evalgen6.py, evalgen7.py)."""
import numpy as np


def homography(src, dst):
    """The 3x3 projective map taking four points src to dst (direct linear transform, h33 = 1)."""
    a, b = [], []
    for (x, y), (u, v) in zip(src, dst):
        a.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        b.append(u)
        a.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        b.append(v)
    h = np.linalg.solve(np.array(a, float), np.array(b, float))
    return np.append(h, 1.0).reshape(3, 3)
