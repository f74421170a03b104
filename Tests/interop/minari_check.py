"""Loads a Minari dataset that Lifelong exported, with minari itself, and a D4RL-style file with h5py.
Usage: minari_check.py ROOT DATASET_ID D4RL_FILE; prints a summary line, exits non-zero on a mismatch."""
import os
import sys

os.environ["MINARI_DATASETS_PATH"] = sys.argv[1]
import h5py  # noqa: E402
import minari  # noqa: E402
import numpy as np  # noqa: E402

dataset = minari.load_dataset(sys.argv[2])
episodes = list(dataset.iterate_episodes())
assert len(episodes) == dataset.total_episodes, "episode count"
steps = sum(len(e.rewards) for e in episodes)
assert steps == dataset.total_steps, "step count"
for episode in episodes:
    first = float(episode.observations[0][0])
    assert np.allclose(episode.observations[:, 0], first + np.arange(len(episode.rewards) + 1)), "observations follow the stream"
    assert np.allclose(episode.rewards, (first + np.arange(len(episode.rewards))) / 100), "rewards"
    assert episode.terminations[-1] and not episode.terminations[:-1].any(), "terminal step"
assert dataset.action_space.n == 2, f"action space {dataset.action_space}"

with h5py.File(sys.argv[3], "r") as f:
    n = f["rewards"].shape[0]
    assert f["observations"].shape == (n, 4) and f["terminals"].dtype == bool, "D4RL layout"
    assert n == steps, "D4RL holds the same transitions"
print(f"minari: {len(episodes)} episodes, {steps} steps; d4rl: {n} rows")
