"""Builds the tiny models the heatmap tests explain, where the answer is known by construction.

Input: one 16x8 grey plane (NCHW). The 'spot' logit is 10 * mean of the 4x4 cell at rows 0-3, columns
8-11, minus 5; the 'plain' logit is 0. A frame bright in that cell is 'spot' with p ~ 1; greying out
that cell (and only it) drops p to ~0. Three packages: one with a dynamic batch dimension, one fixed at 1,
and one (dynamic) that also outputs its own map, the same logit for each of the 2x4 cells of 4x4 pixels,
named in its manifest's explanation.
Run: /usr/bin/python3 make_bright_spot.py (writes bright-spot-dynamic/, -fixed/ and -map/ here).
"""
import hashlib
import json
import os

import torch


class BrightSpot(torch.nn.Module):
    def forward(self, image):
        spot = image[:, 0, 0:4, 8:12].mean(dim=(1, 2)) * 10.0 - 5.0
        return torch.stack([torch.zeros_like(spot), spot], dim=1)


class BrightSpotWithMap(BrightSpot):
    def forward(self, image):
        cells = torch.nn.functional.avg_pool2d(image, 4) * 10.0 - 5.0
        return super().forward(image), cells


def write(folder, dynamic, with_map=False):
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    outputs = ["logits", "map"] if with_map else ["logits"]
    torch.onnx.export(
        BrightSpotWithMap() if with_map else BrightSpot(), torch.zeros(1, 1, 8, 16), path, input_names=["image"],
        output_names=outputs, dynamic_axes={k: {0: "batch"} for k in ["image"] + outputs} if dynamic else None, opset_version=13)
    with open(path, "rb") as f:
        digest = hashlib.sha256(f.read()).hexdigest()
    manifest = {
        "schemaVersion": 1, "name": "bright-spot", "version": "map" if with_map else "dynamic" if dynamic else "fixed",
        "description": "Test model: 'spot' when the 4x4 cell at rows 0-3, columns 8-11 is bright.",
        "createdAt": "2026-12-01T00:00:00Z",
        "input": {"name": "image", "elementType": "float32", "layout": "NCHW", "width": 16, "height": 8,
                  "channels": 1, "colorSpace": "gray", "scale": 1 / 255, "mean": [0.5], "std": [0.25]},
        "output": {"name": "logits", "elementType": "float32", "kind": "logits", "labels": ["plain", "spot"]},
        "decision": {"thresholds": {"plain": 0.9, "spot": 0.9}},
        "sha256": digest,
    }
    if with_map:
        manifest["explanation"] = {"output": "map", "label": "spot", "kind": "logits"}
    with open(os.path.join(folder, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=2)


here = os.path.dirname(os.path.abspath(__file__))
write(os.path.join(here, "bright-spot-dynamic"), True)
write(os.path.join(here, "bright-spot-fixed"), False)
write(os.path.join(here, "bright-spot-map"), True, with_map=True)
