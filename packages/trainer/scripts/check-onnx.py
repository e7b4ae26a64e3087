#!/usr/bin/env python3
"""Dev-only second opinion on exported models: onnx.checker with full shape inference.

Needs the onnx Python package (Debian: apt-get install -y python3-onnx, onnx 1.12, which knows opset 17 and
ai.onnx.ml 3, the ones the trainer targets). Not part of CI, which checks models with onnxruntime-node.
Usage: python3 packages/trainer/scripts/check-onnx.py [model.onnx ...]  (default: the bundled model)
"""
import sys

import onnx

paths = sys.argv[1:] or ["models/pima-diabetes/1.0.0/model.onnx"]
for path in paths:
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
    print(f"{path}: ok (IR {model.ir_version}; {opsets}; {len(model.graph.node)} nodes)")
