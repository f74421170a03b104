"""Opens a file that a Swift process is writing in SWMR mode and prints its commit record and row counts as JSON.
Usage: h5py_swmr_read.py FILE.h5"""
import json
import sys

import h5py
import numpy as np

with h5py.File(sys.argv[1], "r", libver="latest", swmr=True) as f:
    commit = f["commit"]
    paths = [p.decode() if isinstance(p, bytes) else p for p in commit.attrs["datasets"]]
    committed = dict(zip(paths, (int(n) for n in commit[1:])))
    reward = f["steps/reward"]
    reward.refresh()
    rows = committed["/steps/reward"]
    values = reward[:rows]
    print(json.dumps({
        "generation": int(commit[0]),
        "committed": committed,
        "rows_visible": int(reward.shape[0]),
        "committed_values_ok": bool(np.array_equal(values, np.arange(rows, dtype=np.float32))),
    }))
