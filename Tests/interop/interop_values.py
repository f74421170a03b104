"""The values both sides of the interop tests write and expect (mirrored in Tests/HDF5Tests/InteropTests.swift)."""
import math

import numpy as np

FLOAT32 = (np.arange(12, dtype=np.float32).reshape(4, 3) * np.float32(0.5))
FLOAT64 = np.array([0.0, -0.0, math.pi, math.inf, -math.inf, math.nan], dtype=np.float64)
INTEGERS = {
    name: np.array([np.iinfo(dtype).min, 0 if np.iinfo(dtype).min == 0 else -1, 1, np.iinfo(dtype).max], dtype=dtype)
    for name, dtype in [
        ("int8", np.int8), ("int16", np.int16), ("int32", np.int32), ("int64", np.int64),
        ("uint8", np.uint8), ("uint16", np.uint16), ("uint32", np.uint32), ("uint64", np.uint64),
    ]
}
BOOLS = np.array([True, False, True])
WORDS = ["", "CartPole-v1", "σ=0.5 ✓", "a longer sentence with spaces"]
FIXED_WORDS = [b"alpha", b"beta", b""]
GROWING = np.arange(1000, dtype=np.int32) * 3

METRIC_DTYPE = np.dtype([("step", "<i8"), ("task", "i1"), ("key", "S12"), ("value", "<f8"), ("done", "?")])


def metric_rows(count):
    rows = np.zeros(count, dtype=METRIC_DTYPE)
    for index in range(count):
        rows[index] = (index * 100, index % 3, f"loss/{index}".encode(), index / 4, index % 2 == 0)
    return rows
