#!/usr/bin/env python3
"""Check a crack-detector package without torch or onnxruntime.

    python3 check_package.py models/crack-detector/v2 [--test-dir DIR] [--limit N]

* manifest keys, sha256 of model.onnx, ONNX input/output names, element types and shapes;
* runs model.onnx with a tiny numpy interpreter (Conv, Relu, Reduce*, Concat, Gemm, ...) on the
  test folder written by `generate.py --out DIR --count 400 --seed 777`, preprocessed with
  preprocess.py, and recomputes accuracy / precision / recall / recallThin / autoShare / autoError
  at the manifest thresholds, i.e. what the agent should reproduce.
"""
import argparse
import csv
import hashlib
import json
import os
import sys

import numpy as np
import onnx
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import preprocess  # noqa: E402


def _attrs(node):
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def _conv(x, w, b, at):
    s = at.get("strides", [1, 1])
    p = at.get("pads", [0, 0, 0, 0])
    d = at.get("dilations", [1, 1])
    assert at.get("group", 1) == 1 and d == [1, 1]
    kh, kw = w.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (p[0], p[2]), (p[1], p[3])))
    win = np.lib.stride_tricks.sliding_window_view(xp, (kh, kw), axis=(2, 3))[:, :, ::s[0], ::s[1]]
    n, c, ho, wo = win.shape[:4]
    cols = win.transpose(0, 2, 3, 1, 4, 5).reshape(n * ho * wo, c * kh * kw)
    out = cols @ w.reshape(w.shape[0], -1).T
    if b is not None:
        out = out + b
    return out.reshape(n, ho, wo, -1).transpose(0, 3, 1, 2)


def run_onnx(model, feeds):
    env = {i.name: numpy_helper.to_array(i) for i in model.graph.initializer}
    env.update(feeds)
    for nd in model.graph.node:
        a = _attrs(nd)
        x = [env[i] if i else None for i in nd.input]
        t = nd.op_type
        if t == "Conv":
            y = _conv(x[0], x[1], x[2] if len(x) > 2 else None, a)
        elif t == "Relu":
            y = np.maximum(x[0], 0)
        elif t in ("ReduceMax", "ReduceMean"):
            f = np.max if t == "ReduceMax" else np.mean
            y = f(x[0], axis=tuple(a["axes"]), keepdims=bool(a.get("keepdims", 1)))
        elif t == "Concat":
            y = np.concatenate(x, axis=a["axis"])
        elif t == "Gemm":
            A = x[0].T if a.get("transA", 0) else x[0]
            B = x[1].T if a.get("transB", 0) else x[1]
            y = a.get("alpha", 1.0) * A @ B + (a.get("beta", 1.0) * x[2] if len(x) > 2 else 0)
        elif t == "Flatten":
            y = x[0].reshape(x[0].shape[0], -1)
        elif t == "BatchNormalization":
            sc, bi, mu, var = x[1:5]
            r = lambda v: v[None, :, None, None]  # noqa: E731
            y = (x[0] - r(mu)) / np.sqrt(r(var) + a.get("epsilon", 1e-5)) * r(sc) + r(bi)
        else:
            raise NotImplementedError(t)
        env[nd.output[0]] = y.astype(np.float32)
    return [env[o.name] for o in model.graph.output]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("package")
    ap.add_argument("--test-dir", default="/tmp/crackdet-test777")
    ap.add_argument("--limit", type=int, default=0)
    a = ap.parse_args()
    man = json.load(open(os.path.join(a.package, "manifest.json")))
    raw = open(os.path.join(a.package, "model.onnx"), "rb").read()
    assert hashlib.sha256(raw).hexdigest() == man["sha256"], "sha256 mismatch"
    m = onnx.load_from_string(raw)
    onnx.checker.check_model(m)
    assert all(o.version <= 17 for o in m.opset_import if o.domain in ("", "ai.onnx"))
    W, H = man["input"]["width"], man["input"]["height"]
    (inp,), (out,) = m.graph.input, m.graph.output
    dims = lambda v: [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]  # noqa: E731
    assert inp.name == man["input"]["name"] == "image" and out.name == man["output"]["name"] == "logits"
    assert inp.type.tensor_type.elem_type == out.type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    assert dims(inp)[1:] == [1, H, W] and isinstance(dims(inp)[0], str), dims(inp)
    assert dims(out)[1:] == [2] and isinstance(dims(out)[0], str), dims(out)
    assert man["output"]["labels"] == ["ok", "cracked"]
    assert len(raw) < 2 * 1024 * 1024
    print("package ok: %s %dx%d, onnx %d bytes, opset %s" % (man["version"], W, H, len(raw), [o.version for o in m.opset_import]))

    rows = list(csv.DictReader(open(os.path.join(a.test_dir, "meta.csv"))))
    if a.limit:
        rows = rows[:a.limit]
    labels = {r["file"]: r["label"] for r in csv.DictReader(open(os.path.join(a.test_dir, "labels.csv")))}
    y = np.array([labels[r["file"]] == "cracked" for r in rows], int)
    w = np.array([int(r["crack_width"]) for r in rows])
    probs = []
    for r in rows:
        x = preprocess.preprocess_file(os.path.join(a.test_dir, r["file"]), W, H)
        (lg,) = run_onnx(m, {"image": x})
        e = np.exp(lg[0].astype(np.float64) - lg[0].max())
        probs.append(e / e.sum())
    p = np.array(probs)
    pred = p.argmax(1)
    conf = p.max(1)
    th = man["decision"]["thresholds"]
    auto = conf >= np.where(pred == 0, th["ok"], th["cracked"])
    tp = int(((pred == 1) & (y == 1)).sum())
    res = {
        "accuracy": round(float((pred == y).mean()), 4),
        "precision": round(tp / max(1, int((pred == 1).sum())), 4),
        "recall": round(tp / max(1, int((y == 1).sum())), 4),
        "recallThin": round(float((pred[(y == 1) & (w == 1)] == 1).mean()), 4),
        "autoShare": round(float(auto.mean()), 4),
        "autoError": round(float((auto & (pred != y)).sum() / max(1, auto.sum())), 4),
    }
    print("numpy-onnx on %d test frames: %s" % (len(rows), json.dumps(res)))
    print("manifest metrics:              %s" % json.dumps(man["training"]["metrics"]))


if __name__ == "__main__":
    main()
