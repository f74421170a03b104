"""Reads a live replay log the way docs/replay.md shows: h5py in SWMR mode, only committed rows, into pandas.
Usage: replay_read.py STEPS_H5; prints a one-line summary and exits non-zero on a mismatch."""
import sys

import h5py
import numpy as np
import pandas as pd

with h5py.File(sys.argv[1], "r", libver="latest", swmr=True) as f:
    commit = f["commit"]
    paths = [p.decode() if isinstance(p, bytes) else p for p in commit.attrs["datasets"]]
    rows = int(commit[1 + paths.index("/steps/reward")])
    steps = f["steps"]
    frame = pd.DataFrame({name: steps[name][:rows] for name in
                          ["reward", "terminated", "truncated", "is_first", "is_last", "task", "episode", "step"]})
    observations = steps["observation"][:rows]

assert np.array_equal(observations[:, 0], np.arange(rows, dtype=np.float32)), "observation column"
assert frame["is_first"].dtype == bool and frame["is_first"].sum() == frame["episode"].nunique(), "is_first flags"
returns = frame.groupby("episode")["reward"].sum()
expected = pd.Series({e: sum(i / 100 for i in range(e * 10, e * 10 + 10)) for e in returns.index})
assert np.allclose(returns.values, expected.values, rtol=1e-5), "episode returns"
tasks = frame["task"].value_counts().sort_index().to_dict()
print(f"{rows} rows, {frame['episode'].nunique()} episodes, tasks {tasks}, returns ok")
