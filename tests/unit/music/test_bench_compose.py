"""The compose benchmark as a module function (for a ``./dev bench compose`` dispatcher)."""
import importlib.util
from pathlib import Path

import pytest

_PATH = Path(__file__).resolve().parents[2] / "bench" / "bench_compose.py"
_spec = importlib.util.spec_from_file_location("bench_compose", _PATH)
bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench)

needs_corpus = pytest.mark.skipif(not any((bench.BENCH_DIR / "data" / "dev").glob("*.notes.csv")),
                                  reason="no melody corpus under shared/")


@needs_corpus
def test_main_prints_the_table_per_style_with_targets(capsys):
    assert bench.main(["--limit", "2"]) in (0, 1)
    out = capsys.readouterr().out
    for style in ("pop", "rock", "jazz", "electronic", "acoustic", "hip-hop"):
        assert f"| {style} |" in out
    assert "(≥0.8)" in out


@needs_corpus
def test_main_fails_only_when_a_target_is_missed(monkeypatch, capsys):
    monkeypatch.setattr(bench, "TARGETS", {"pop": {"CTR": (0.0, "min")}})
    assert bench.main(["--limit", "2"]) == 0
    monkeypatch.setattr(bench, "TARGETS", {"pop": {"CTR": (1.01, "min")}})
    assert bench.main(["--limit", "2"]) == 1
    assert "MISSED: pop CTR" in capsys.readouterr().out


def test_missed_reads_min_and_max_targets(monkeypatch):
    monkeypatch.setattr(bench, "TARGETS", {"pop": {"CTR": (0.8, "min"), "MCTD": (1.2, "max")}})
    assert bench.missed("pop", {"CTR": 0.81, "MCTD": 1.1}) == []
    assert len(bench.missed("pop", {"CTR": 0.79, "MCTD": 1.3})) == 2


@needs_corpus
def test_main_fails_when_a_whole_song_target_is_missed(monkeypatch, capsys):
    monkeypatch.setattr(bench, "TARGETS", {})
    monkeypatch.setattr(bench, "SONG_TARGETS", {"DRUMS8 min": (99.0, "min")})
    assert bench.main(["--limit", "1"]) == 1
    out = capsys.readouterr().out
    assert "DRUMS8 mean" in out and "LEN normal" in out and "MISSED: pop DRUMS8 min" in out
