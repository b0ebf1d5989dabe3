"""median1d and median_rows give np.median's value to the bit."""
import numpy as np

from humitout.audio.median import median1d, median_rows


def test_median1d_equals_numpys_median_to_the_bit():
    rng = np.random.default_rng(11)
    for i in range(3000):
        n = int(rng.integers(1, 120))
        v = rng.normal(-20.0, 6.0, n).astype(np.float32 if i % 5 == 0 else np.float64)
        if i % 3 == 0:
            v = np.round(v)   # ties
        if i % 7 == 0:
            v[rng.integers(0, n)] = np.nan
        got, expected = median1d(v), np.median(v)
        assert type(got) is type(expected)
        assert np.array_equal(got, expected, equal_nan=True)


def test_median_rows_equals_numpys_median_along_rows_to_the_bit():
    rng = np.random.default_rng(12)
    for i in range(600):
        k, n = int(rng.integers(1, 12)), int(rng.integers(1, 90))
        v = rng.normal(-20.0, 6.0, (k, n)).astype(np.float32 if i % 5 == 0 else np.float64)
        if i % 3 == 0:
            v = np.round(v)   # ties
        if i % 7 == 0:
            v[rng.integers(0, k), rng.integers(0, n)] = np.nan
        got, expected = median_rows(v), np.median(v, axis=1)
        assert got.dtype == expected.dtype
        assert got.tobytes() == expected.tobytes() or np.array_equal(got, expected, equal_nan=True)
