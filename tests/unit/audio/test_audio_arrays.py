"""true_runs finds each run of True in a boolean mask as a half-open [start, stop); without_huge_pages
turns numpy's huge-page advice off for a block only."""
import numpy as np
import pytest

from humitout.audio.arrays import true_runs, without_huge_pages


def test_true_runs_are_half_open_and_include_runs_at_both_ends():
    starts, stops = true_runs(np.array([1, 1, 0, 0, 1, 0, 1, 1, 1], bool))
    assert starts.tolist() == [0, 4, 6] and stops.tolist() == [2, 5, 9]


def test_true_runs_of_an_all_false_or_empty_mask_are_empty():
    for mask in (np.zeros(5, bool), np.zeros(0, bool)):
        starts, stops = true_runs(mask)
        assert len(starts) == len(stops) == 0


def test_true_runs_cover_exactly_the_true_samples():
    rng = np.random.default_rng(3)
    for _ in range(200):
        mask = rng.random(int(rng.integers(1, 60))) < rng.random()
        starts, stops = true_runs(mask)
        rebuilt = np.zeros(len(mask), bool)
        for a, b in zip(starts, stops):
            assert a < b and mask[a:b].all()
            assert (a == 0 or not mask[a - 1]) and (b == len(mask) or not mask[b])
            rebuilt[a:b] = True
        assert np.array_equal(rebuilt, mask)


def _numpy_advises_huge_pages() -> bool:
    setter = np._core.multiarray._set_madvise_hugepage
    current = setter(True)
    setter(current)
    return current


def test_without_huge_pages_turns_numpy_advice_off_inside_and_restores_it_even_after_an_error():
    original = _numpy_advises_huge_pages()
    for before in (True, False):
        np._core.multiarray._set_madvise_hugepage(before)
        try:
            with without_huge_pages():
                assert not _numpy_advises_huge_pages()
            assert _numpy_advises_huge_pages() is before
            with pytest.raises(RuntimeError), without_huge_pages():
                raise RuntimeError("stage failed")
            assert _numpy_advises_huge_pages() is before
        finally:
            np._core.multiarray._set_madvise_hugepage(original)
