#!/usr/bin/env python3
"""Fit ``three_beat_max_off_beat`` of :func:`humitout.audio.rhythm.analyse_rhythm` (issue 9, beat level) on notated
folk tunes: how often a 3/4 tune divides its quarters, and a 6/8 tune its eighths.

A slow 6/8 air counted at its eighths and a fast 3/4 tune counted at its quarters both give bars of three
fast beats; the share of the onsets that fall between two of those beats (:func:`off_beat_share`, more than
0.2 beat from both) tells them apart: for each notated 3/4 tune of ``learn_meter_profiles``'s training
collections (Essen collections used by neither dev nor the held-out stand-ins) the share of its onsets off
the quarter, for each 6/8 tune the share off the eighth. Prints both distributions, the densities (Gaussian
kernel) and where they cross, and a logistic fit for comparison.

    /tmp/bench-venv/bin/python tests/bench/learn_phrase_ends.py --cache out/notated.pkl   # parse once
    .venv/bin/python tests/bench/learn_off_beat_boundary.py out/notated.pkl

Measured (265 3/4 and 242 6/8 tunes): off-beat share median 0.267 (3/4) and 0.031 (6/8); 6/8 90th / 95th
percentile 0.136 / 0.187, 3/4 25th 0.091; the densities cross at 0.15 (kernel width 0.02-0.04); the
logistic boundary (equal counts) 0.118, 0.787 right.
"""
from __future__ import annotations

import argparse
import pickle
from pathlib import Path

import numpy as np

NEAR = 0.2   # beats: an onset this close to a beat is on it (rhythm.off_beat_share)


def shares(tunes: list) -> dict[str, np.ndarray]:
    """Per meter class (3/4, 6/8): each tune's share of onsets off the quarter (3/4) or off the eighth (6/8)."""
    out: dict[str, list[float]] = {"3/4": [], "6/8": []}
    for meter, notes, *_ in tunes:
        if meter not in out:
            continue
        pos = np.array([n[0] for n in notes]) * (3.0 if meter == "6/8" else 1.0)   # 6/8 positions are dotted quarters
        out[meter].append(float(np.mean(np.abs(pos - np.round(pos)) > NEAR)))
    return {k: np.array(v) for k, v in out.items()}


def density(v: np.ndarray, x: np.ndarray, width: float) -> np.ndarray:
    return np.mean(np.exp(-0.5 * ((x[:, None] - v[None]) / width) ** 2), axis=1) / (width * np.sqrt(2 * np.pi))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("cache", type=Path, help="pickle of the parsed tunes (learn_phrase_ends.py --cache)")
    a = ap.parse_args(argv)
    s = shares(pickle.loads(a.cache.read_bytes()))
    simple, compound = s["3/4"], s["6/8"]
    for meter, v in s.items():
        print(f"{meter}: {len(v)} tunes, off-beat share percentiles 5/10/25/50/75/90/95: "
              f"{np.percentile(v, [5, 10, 25, 50, 75, 90, 95]).round(3)}")
    x = np.arange(0.0, 0.4, 0.01)
    for width in (0.02, 0.03, 0.04):
        d = np.log(density(compound, x, width) / density(simple, x, width))
        print(f"kernel {width}: densities cross at", [round(float(x[i]), 2) for i in range(1, len(x)) if d[i - 1] > 0 >= d[i]])
    X = np.c_[np.ones(len(simple) + len(compound)), np.r_[simple, compound]]
    y = np.r_[np.zeros(len(simple)), np.ones(len(compound))]
    w = np.zeros(2)
    for _ in range(50):   # Newton steps of the logistic log-likelihood
        p = 1 / (1 + np.exp(-X @ w))
        w -= np.linalg.solve(-(X.T * (p * (1 - p))) @ X, X.T @ (y - p))
    print(f"logistic: boundary {-w[0] / w[1]:.3f}, right {np.mean((X @ w > 0) == y):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
