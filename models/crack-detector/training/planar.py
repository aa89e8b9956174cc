"""Plane geometry that generators written apart share (evalgen3.py, evalgen5.py to evalgen12.py)."""
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


def project(hm, pts):
    """Points (N x 2) through the homography hm."""
    pts = np.asarray(pts, float).reshape(-1, 2)
    p = np.c_[pts, np.ones(len(pts))] @ hm.T
    return p[:, :2] / p[:, 2:3]
