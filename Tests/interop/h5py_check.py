"""Checks a file the Swift wrapper wrote, as a researcher would read it: h5py values and dtypes, and a compound
table loaded into a pandas DataFrame in one call. Usage: h5py_check.py FILE.h5; exits non-zero on a mismatch."""
import sys

import h5py
import numpy as np
import pandas as pd

from interop_values import BOOLS, FIXED_WORDS, FLOAT32, FLOAT64, GROWING, INTEGERS, WORDS, metric_rows

failures = []


def check(condition, message):
    if not condition:
        failures.append(message)


with h5py.File(sys.argv[1], "r") as f:
    check(f["float32"].dtype == np.dtype("<f4"), f"float32 dtype {f['float32'].dtype}")
    check(np.array_equal(f["float32"][:], FLOAT32), "float32 values")
    check(f["float64"].dtype == np.dtype("<f8"), f"float64 dtype {f['float64'].dtype}")
    check(np.array_equal(f["float64"][:], FLOAT64, equal_nan=True), f"float64 values {f['float64'][:]}")
    check(np.signbit(f["float64"][1]), "negative zero kept its sign")
    for name, values in INTEGERS.items():
        dataset = f[f"integers/{name}"]
        check(dataset.dtype == values.dtype.newbyteorder("<"), f"{name} dtype {dataset.dtype}")
        check(np.array_equal(dataset[:], values), f"{name} values {dataset[:]}")
    check(f["bool"].dtype == np.dtype(bool), f"bool dtype {f['bool'].dtype} (expected numpy bool)")
    check(np.array_equal(f["bool"][:], BOOLS), "bool values")

    variable = f["strings/variable"]
    check(h5py.check_string_dtype(variable.dtype).length is None, "variable strings are variable-length")
    check(h5py.check_string_dtype(variable.dtype).encoding == "utf-8", "variable strings are UTF-8")
    check(list(variable.asstr()[:]) == WORDS, f"variable strings {list(variable.asstr()[:])}")
    fixed = f["strings/fixed"]
    check(h5py.check_string_dtype(fixed.dtype).length == 16, f"fixed strings dtype {fixed.dtype}")
    check(list(fixed[:]) == FIXED_WORDS, f"fixed strings {list(fixed[:])}")

    table = pd.DataFrame(f["metrics"][:])
    expected = pd.DataFrame(metric_rows(50))
    check(list(table.columns) == ["step", "task", "key", "value", "done"], f"columns {list(table.columns)}")
    check(table.dtypes.to_dict() == expected.dtypes.to_dict(), f"column dtypes {table.dtypes.to_dict()}")
    check(table.equals(expected), f"table values\n{table.head()}")

    growing = f["growing"]
    check(growing.maxshape == (None,), f"growing maxshape {growing.maxshape}")
    check(growing.compression == "gzip" and growing.shuffle, "growing is shuffle + gzip")
    check(np.array_equal(growing[:], GROWING), "growing values")

    check(f.attrs["seed"] == 42 and f.attrs["seed"].dtype == np.int64, f"seed {f.attrs['seed']!r}")
    check(f.attrs["rate"] == 2.5e-4, "rate")
    check(f.attrs["name"] == "CartPole-v1 ✓", f"name {f.attrs['name']!r}")
    check(list(f.attrs["tasks"]) == ["default", "heavy-pole"], f"tasks {f.attrs['tasks']!r}")
    check(np.array_equal(f.attrs["shape"], [4, 2]) and f.attrs["shape"].dtype == np.int32, "shape attribute")
    check(bool(f.attrs["flag"]) is True, f"flag {f.attrs['flag']!r}")

if failures:
    print("h5py found mismatches:\n  " + "\n  ".join(failures))
    sys.exit(1)
print("h5py and pandas read every dataset and attribute as written")
