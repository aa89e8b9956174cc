"""Builds the two packages the latency-gate test rolls out: the same tiny network, once plain and once with heavy work.

Both take a frame as v2 does (640x360 grey, NCHW, same scaling) and answer 'ok' with p ~ 0.998 whatever the frame,
so old and new decide alike and only their speed differs. v2 adds twelve 3x3 convolutions (16 channels) over the full
640x360 plane whose result enters the logits multiplied by zero: about 13 GFLOP of real work per frame that ONNX
Runtime cannot fold away (it depends on the input), while v1 costs next to nothing beyond decoding the JPEG.
Run: /usr/bin/python3 make_latency_probe.py (writes latency-probe-v1/ and latency-probe-v2/ here).
"""
import hashlib
import json
import os

import torch

WIDTH, HEIGHT = 640, 360


class LatencyProbe(torch.nn.Module):
    def __init__(self, heavy_layers):
        super().__init__()
        torch.manual_seed(1)
        self.widen = torch.nn.Conv2d(1, 16, 3, padding=1)
        # One set of weights applied again and again: the work grows, the file does not.
        self.heavy = torch.nn.Conv2d(16, 16, 3, padding=1)
        self.heavy_layers = heavy_layers

    def forward(self, image):
        ok = image.mean(dim=(1, 2, 3)) * 0.0 + 3.0
        if self.heavy_layers:
            x = self.widen(image)
            for _ in range(self.heavy_layers):
                x = torch.tanh(self.heavy(x))
            ok = ok + x.mean(dim=(1, 2, 3)) * 0.0
        return torch.stack([ok, -ok], dim=1)


def write(folder, version, heavy_layers, description):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    torch.onnx.export(
        LatencyProbe(heavy_layers).eval(), torch.zeros(1, 1, HEIGHT, WIDTH), path, input_names=["image"], output_names=["logits"],
        dynamic_axes={"image": {0: "N"}, "logits": {0: "N"}}, opset_version=13, do_constant_folding=True)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    manifest = {
        "schemaVersion": 1, "name": "latency-probe", "version": version, "description": description,
        "createdAt": "2026-12-01T00:00:00Z",
        "input": {"name": "image", "elementType": "float32", "layout": "NCHW", "width": WIDTH, "height": HEIGHT,
                  "channels": 1, "colorSpace": "gray", "scale": 1 / 255, "mean": [0.5], "std": [0.25]},
        "output": {"name": "logits", "elementType": "float32", "kind": "logits", "labels": ["ok", "cracked"]},
        "decision": {"thresholds": {"ok": 0.9, "cracked": 0.9}},
        "sha256": digest,
    }
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)


here = os.path.dirname(os.path.abspath(__file__))
write(os.path.join(here, "latency-probe-v1"), "v1", 0, "Test model: 'ok' for every frame, at almost no cost.")
write(os.path.join(here, "latency-probe-v2"), "v2", 12, "Test model: v1's answers, after twelve full-resolution 16-channel convolutions (about 13 GFLOP a frame).")
