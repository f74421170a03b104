"""Writes a file with h5py that the Swift wrapper must read: every element type, strings, a compound table,
a compressed appendable dataset, and attributes. Usage: h5py_write.py OUT.h5"""
import sys

import h5py
import numpy as np

from interop_values import BOOLS, FIXED_WORDS, FLOAT32, FLOAT64, GROWING, INTEGERS, WORDS, metric_rows

with h5py.File(sys.argv[1], "w") as f:  # default (earliest) format: readable by libhdf5 1.10
    f["float32"] = FLOAT32
    f["float64"] = FLOAT64
    for name, values in INTEGERS.items():
        f[f"integers/{name}"] = values
    f["bool"] = BOOLS
    f.create_dataset("strings/variable", data=WORDS, dtype=h5py.string_dtype())
    f.create_dataset("strings/fixed", data=np.array(FIXED_WORDS, dtype="S16"))
    f["metrics"] = metric_rows(50)
    growing = f.create_dataset("growing", shape=(0,), maxshape=(None,), chunks=(64,), dtype=np.int32,
                               compression="gzip", compression_opts=4, shuffle=True)
    growing.resize((len(GROWING),))
    growing[:] = GROWING
    f.attrs["seed"] = np.int64(42)
    f.attrs["rate"] = 2.5e-4
    f.attrs["name"] = "CartPole-v1 ✓"
    f.attrs["tasks"] = ["default", "heavy-pole"]
    f.attrs["shape"] = np.array([4, 2], dtype=np.int32)
    f.attrs["fixed"] = np.bytes_(b"fixed-bytes")
    f.attrs["flag"] = np.bool_(True)
