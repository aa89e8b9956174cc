#!/usr/bin/env python3
"""Gives a v3 package made before export_v3.py exported the map its crack map as a second output, so that the agent
shows it as the heatmap (manifest `explanation`) instead of occlusion, which costs a v3 frame ~145 inferences.

    python3 expose_map.py models/crack-detector/v3

The output `map` [N, 1, 68, 120] is the screen-gated crack logit of each 8x8 cell, the map the second look takes its
candidates from (export_v3.py's packages have it from the export on). The scores do not change: the graph gains one
Identity node. Rewrites model.onnx and the manifest's sha256, explanation and training.command.
"""
import hashlib
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_v3  # noqa: E402
import onnx_weights  # noqa: E402
import train_v3  # noqa: E402

GATED = "/net/first/Add_output_0"  # crack logit + log sigmoid(screen logit), as torch names it in v3's cascade export


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__.strip().splitlines()[2].strip())
    package = sys.argv[1]
    onnx_path, manifest_path = os.path.join(package, "model.onnx"), os.path.join(package, "manifest.json")
    nodes, _, _, outputs = onnx_weights.load(onnx_path)
    if export_v3.EXPLANATION["output"] in outputs:
        raise SystemExit("expose_map: %s already has a map output" % onnx_path)
    if not any(GATED in outs for _, _, outs, _ in nodes):
        raise SystemExit("expose_map: %s has no tensor %s: not a v3 cascade export" % (onnx_path, GATED))
    model = onnx_weights.with_output(open(onnx_path, "rb").read(), GATED, export_v3.EXPLANATION["output"], ["N", 1, train_v3.GH, train_v3.GW])
    with open(onnx_path, "wb") as f:
        f.write(model)
    manifest = {}
    for k, v in json.load(open(manifest_path)).items():
        manifest[k] = v
        if k == "output":
            manifest["explanation"] = export_v3.EXPLANATION
    manifest["sha256"] = hashlib.sha256(model).hexdigest()
    manifest["training"]["command"] += " && python3 models/crack-detector/training/expose_map.py %s" % package
    with open(manifest_path, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
    print("%s: output map added, sha256 %s" % (package, manifest["sha256"]))


if __name__ == "__main__":
    main()
