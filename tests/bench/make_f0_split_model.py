#!/usr/bin/env python3
"""Split swift-f0's ONNX model into its spectrogram front end and its CNN (the pitch model's files).

swift-f0's model computes three short-time spectra of the 16 kHz waveform (Hann windows of 1024,
2048 and 512 samples, 256-sample hop, centred) inside the graph as real matrix products that work
out every complex bin, then sums each spectrum's magnitudes into 128 log-spaced bands, takes
``log(bands + eps)`` and stacks the three band spectrograms as the CNN's input (1, 3, 128, frames).
Those products are about a third of the model's CPU time; ``humitout.audio.f0`` computes the same
spectrogram with FFTs and a sparse band sum, and runs only the CNN in onnxruntime.

This script writes both halves next to ``f0.py`` from the swift-f0 wheel installed in the venv:

* ``swift_f0_cnn.onnx``: the model's own graph from the stacked band spectrogram (input
  ``bands``), ``fmin`` and ``fmax`` to ``pitch`` and ``confidence``: the same nodes and weights,
  its 12-channel feature maps widened to 16 channels of zeros (:func:`pad_channels`);
* ``swift_f0_bands.npz``: per spectrum (in the CNN's channel order) its window ``window{i}`` and
  its band matrix as sparse triplets ``bin{i}``, ``band{i}``, ``weight{i}``, plus ``eps``, all
  float32 as in the graph.

It needs the ``onnx`` package, which the product does not (``pip install onnx`` into the venv
first). Re-run it after upgrading swift-f0; ``tests/unit/audio/test_f0_split_model.py`` compares
the split model with swift-f0's own detector and fails when the two disagree.

    .venv/bin/python tests/bench/make_f0_split_model.py
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
import swift_f0
from onnx import numpy_helper, utils

OUT = Path(__file__).resolve().parents[2] / "layers" / "core" / "python" / "humitout" / "audio"


def pad_channels(model: onnx.ModelProto, *, width: int = 12, padded: int = 16) -> None:
    """Widen the CNN's ``width``-channel feature maps to ``padded`` channels of zeros, in place: each
    2-D Conv that writes ``width`` channels gets zero filters and zero biases for the new ones, each
    that reads them zero weights. The extra channels stay 0 (a zero filter, a zero bias, ReLU and the
    residual sums of zeros), so the network computes the same function. onnxruntime's blocked
    (NCHWc) convolutions work on blocks of 8 or 16 channels: at 12 it converts every feature map back
    to plain layout after each Conv and runs the residual Add and ReLU on their own, at 16 it keeps
    the blocked layout and fuses them (the CNN about 25 % faster on AVX-512). Pitch and confidence
    agree to float rounding (the sums run in another order), not to the bit."""
    weights = {t.name: t for t in model.graph.initializer}
    for node in model.graph.node:
        if node.op_type != "Conv" or numpy_helper.to_array(weights[node.input[1]]).ndim != 4:
            continue
        w = numpy_helper.to_array(weights[node.input[1]])
        out_ch, in_ch = (padded if c == width else c for c in w.shape[:2])
        if (out_ch, in_ch) == w.shape[:2]:
            continue
        wide = np.zeros((out_ch, in_ch) + w.shape[2:], w.dtype)
        wide[:w.shape[0], :w.shape[1]] = w
        weights[node.input[1]].CopyFrom(numpy_helper.from_array(wide, node.input[1]))
        if out_ch != w.shape[0]:
            b = numpy_helper.to_array(weights[node.input[2]])
            weights[node.input[2]].CopyFrom(numpy_helper.from_array(np.r_[b, np.zeros(out_ch - len(b), b.dtype)],
                                                                    node.input[2]))
    del model.graph.value_info[:]   # the shapes inferred for 12 channels


def main() -> None:
    src = os.path.join(os.path.dirname(swift_f0.__file__), "model.onnx")
    model = onnx.load(src)
    init = {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}
    producer = {o: n for n in model.graph.node for o in n.output}
    first_conv = next(n for n in model.graph.node if n.op_type == "Conv")
    stack = producer[first_conv.input[0]]
    assert stack.op_type == "Concat", "the CNN's input is no longer the stacked band spectrogram"

    def upstream(name: str):
        """Nodes that feed ``name``, nearest first."""
        seen, todo = [], [name]
        while todo:
            node = producer.get(todo.pop(0))
            if node is not None and node not in seen:
                seen.append(node)
                todo.extend(node.input)
        return seen

    # the band matrices are folded constants (ScatterElements of a zero matrix): expose and read them
    banks, windows, eps = [], [], set()
    for branch in stack.input:
        nodes = upstream(branch)
        band_sum = next(n for n in nodes if n.op_type == "MatMul" and producer[n.input[0]].op_type == "Sqrt")
        banks.append(band_sum.input[1])
        window = [n.input[1] for n in nodes if n.op_type == "Mul" and n.input[1] in init
                  and init[n.input[1]].ndim == 1 and init[n.input[1]].size >= 256]
        assert len(window) == 1
        windows.append(init[window[0]].astype(np.float32))
        add = next(n for n in model.graph.node if n.op_type == "Add" and band_sum.output[0] in n.input)
        eps.add(float(init[[i for i in add.input if i in init][0]]))
    assert len(eps) == 1
    probe = onnx.ModelProto()
    probe.CopyFrom(model)
    del probe.graph.output[:]
    probe.graph.output.extend(onnx.helper.make_empty_tensor_value_info(b) for b in banks)
    session = ort.InferenceSession(probe.SerializeToString(), providers=["CPUExecutionProvider"])
    feeds = {"audio": np.zeros((1, 4096), np.float32), "fmin": np.asarray(55, np.float32),
             "fmax": np.asarray(1400, np.float32)}
    arrays = {}
    for i, (bank, window) in enumerate(zip(session.run(None, feeds), windows)):
        assert bank.shape[0] == len(window) // 2 + 1
        rows, cols = np.nonzero(bank)
        arrays.update({f"window{i}": window, f"bin{i}": rows.astype(np.int32),
                       f"band{i}": cols.astype(np.int32), f"weight{i}": bank[rows, cols].astype(np.float32),
                       f"bands{i}": np.int32(bank.shape[1])})
    np.savez_compressed(OUT / "swift_f0_bands.npz", eps=np.float32(eps.pop()), **arrays)

    utils.extract_model(src, str(OUT / "swift_f0_cnn.onnx"), [stack.output[0], "fmin", "fmax"],
                        ["pitch", "confidence"])
    cnn = onnx.load(str(OUT / "swift_f0_cnn.onnx"))
    for value in list(cnn.graph.input):
        if value.name == stack.output[0]:
            for node in cnn.graph.node:
                node.input[:] = ["bands" if i == value.name else i for i in node.input]
            value.name = "bands"
    pad_channels(cnn)
    cnn.producer_name = f"humitout make_f0_split_model.py from swift-f0 {swift_f0.__version__}"
    onnx.checker.check_model(cnn)
    onnx.save(cnn, str(OUT / "swift_f0_cnn.onnx"))
    print("wrote", OUT / "swift_f0_cnn.onnx", "and", OUT / "swift_f0_bands.npz",
          "windows", [len(w) for w in windows])


if __name__ == "__main__":
    main()
