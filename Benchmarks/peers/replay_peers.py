"""Peers of make bench-replay: cpprb, TorchRL and Stable-Baselines3 buffers with the same capacity and
CartPole-sized transitions (obs 4 float32, one discrete action, reward, done): insert one transition, uniform
sample of 256, prioritized sample of 256 plus priority update (cpprb, TorchRL); and h5py appending the same
columns in 4096-row batches with a flush every 100k rows. Prints JSON of median seconds."""
import argparse
import json
import os
import shutil
import time

import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--capacity", type=int, default=1_000_000)
parser.add_argument("--rows", type=int, default=1_000_000)
parser.add_argument("--scratch", default="/tmp/lifelong-replay-h5py")
parser.add_argument("--image-capacity", type=int, default=100_000)
args = parser.parse_args()
N = args.capacity
rng = np.random.default_rng(1)
obs = rng.uniform(-1, 1, (N, 4)).astype(np.float32)
act = (np.arange(N) % 2).astype(np.int64)
rew = np.ones(N, dtype=np.float32)
done = (np.arange(N) % 200 == 199)


def median(samples, body):
    return sorted(body() for _ in range(samples))[samples // 2]


def per_call(count, body):
    def run():
        start = time.perf_counter()
        for i in range(count):
            body(i)
        return (time.perf_counter() - start) / count
    return run


results, versions = {}, []

# cpprb
import cpprb  # noqa: E402
from importlib.metadata import version  # noqa: E402
versions.append(f"cpprb {version('cpprb')}")
env_dict = {"obs": {"shape": 4}, "act": {"shape": 1, "dtype": np.int64}, "rew": {}, "next_obs": {"shape": 4}, "done": {}}
rb = cpprb.ReplayBuffer(N, env_dict)
rb.add(obs=obs, act=act[:, None], rew=rew, next_obs=obs, done=done)
insert = median(5, per_call(20_000, lambda i: rb.add(obs=obs[i], act=act[i], rew=rew[i], next_obs=obs[i], done=done[i])))
uniform = median(9, per_call(2000, lambda i: rb.sample(256)))
prb = cpprb.PrioritizedReplayBuffer(N, env_dict, alpha=0.6)
prb.add(obs=obs, act=act[:, None], rew=rew, next_obs=obs, done=done)
updates = rng.uniform(0.01, 1, 256)


def prioritized_cpprb(_):
    sample = prb.sample(256, beta=0.4)
    prb.update_priorities(sample["indexes"], updates)


results["cpprb"] = {"insert": insert, "uniform": uniform, "prioritized": median(9, per_call(1000, prioritized_cpprb))}

# TorchRL
import torch  # noqa: E402
import torchrl  # noqa: E402
from tensordict import TensorDict  # noqa: E402
from torchrl.data import LazyTensorStorage, PrioritizedReplayBuffer, ReplayBuffer  # noqa: E402
torch.set_num_threads(1)
versions.append(f"TorchRL {torchrl.__version__}")
data = TensorDict({"obs": torch.from_numpy(obs), "act": torch.from_numpy(act), "rew": torch.from_numpy(rew),
                   "next_obs": torch.from_numpy(obs), "done": torch.from_numpy(done)}, batch_size=[N])
trb = ReplayBuffer(storage=LazyTensorStorage(N), batch_size=256)
trb.extend(data)
one = data[0]
insert = median(5, per_call(2000, lambda i: trb.add(one)))
uniform = median(9, per_call(500, lambda i: trb.sample()))
tprb = PrioritizedReplayBuffer(alpha=0.6, beta=0.4, storage=LazyTensorStorage(N), batch_size=256)
tprb.extend(data)
tupdates = torch.from_numpy(updates.astype(np.float32))


def prioritized_torchrl(_):
    sample, info = tprb.sample(return_info=True)
    tprb.update_priority(info["index"], tupdates)


results["torchrl"] = {"insert": insert, "uniform": uniform, "prioritized": median(9, per_call(300, prioritized_torchrl))}

# Stable-Baselines3
import gymnasium as gym  # noqa: E402
import stable_baselines3  # noqa: E402
from stable_baselines3.common.buffers import ReplayBuffer as SB3Buffer  # noqa: E402
versions.append(f"SB3 {stable_baselines3.__version__}")
sb = SB3Buffer(N, gym.spaces.Box(-np.inf, np.inf, (4,), np.float32), gym.spaces.Discrete(2), device="cpu")
sb.observations[:, 0] = obs
sb.next_observations[:, 0] = obs
sb.actions[:, 0, 0] = act
sb.rewards[:, 0] = rew
sb.dones[:, 0] = done
sb.full, sb.pos = True, 0
infos = [{}]
insert = median(5, per_call(20_000, lambda i: sb.add(obs[i:i + 1], obs[i:i + 1], act[i:i + 1], rew[i:i + 1], done[i:i + 1], infos)))
results["sb3"] = {"insert": insert, "uniform": median(9, per_call(2000, lambda i: sb.sample(256)))}

# 84×84×1 uint8 frames: insert one transition, uniform sample of 256, smaller capacity.
import gc  # noqa: E402
M = args.image_capacity
frames = rng.integers(0, 256, (64, 84, 84, 1), dtype=np.uint8)
image_dict = {"obs": {"shape": (84, 84, 1), "dtype": np.uint8}, "act": {"shape": 1, "dtype": np.int64}, "rew": {},
              "next_obs": {"shape": (84, 84, 1), "dtype": np.uint8}, "done": {}}
crb = cpprb.ReplayBuffer(M, image_dict)
for start in range(0, M, 64):
    crb.add(obs=frames, act=np.ones((64, 1)), rew=np.ones(64), next_obs=frames, done=np.zeros(64))
results["cpprb"]["image_insert"] = median(5, per_call(2000, lambda i: crb.add(
    obs=frames[i & 63], act=1, rew=1.0, next_obs=frames[(i + 1) & 63], done=0.0)))
results["cpprb"]["image_uniform"] = median(9, per_call(100, lambda i: crb.sample(256)))
del crb
gc.collect()
image_space = gym.spaces.Box(0, 255, (84, 84, 1), np.uint8)
isb = SB3Buffer(M, image_space, gym.spaces.Discrete(4), device="cpu")
isb.observations[:, 0] = frames[np.arange(M) % 64]
isb.next_observations[:, 0] = frames[(np.arange(M) + 1) % 64]
isb.full, isb.pos = True, 0
results["sb3"]["image_insert"] = median(5, per_call(2000, lambda i: isb.add(
    frames[i & 63][None], frames[(i + 1) & 63][None], np.array([1]), np.array([1.0]), np.array([False]), infos)))
results["sb3"]["image_uniform"] = median(9, per_call(100, lambda i: isb.sample(256)))
del isb
gc.collect()
image_frames = torch.from_numpy(frames[np.arange(M) % 64])
image_data = TensorDict({"obs": image_frames, "next_obs": image_frames, "act": torch.ones(M, dtype=torch.int64),
                         "rew": torch.ones(M), "done": torch.zeros(M, dtype=torch.bool)}, batch_size=[M])
irb = ReplayBuffer(storage=LazyTensorStorage(M), batch_size=256)
irb.extend(image_data)
image_one = image_data[0]
results["torchrl"]["image_insert"] = median(5, per_call(1000, lambda i: irb.add(image_one)))
results["torchrl"]["image_uniform"] = median(9, per_call(50, lambda i: irb.sample()))
del irb, image_data, image_frames
gc.collect()

# h5py writing the same columns as the replay log.
import h5py  # noqa: E402
versions.append(f"h5py {h5py.__version__}")
shutil.rmtree(args.scratch, ignore_errors=True)
os.makedirs(args.scratch)
rows = args.rows
start = time.perf_counter()
with h5py.File(os.path.join(args.scratch, "steps.h5"), "w", libver="latest") as f:
    columns = {
        "observation": ((0, 4), np.float32, 16384), "next_observation": ((0, 4), np.float32, 16384),
        "action": ((0, 1), np.float32, 65536), "reward": ((0,), np.float32, 65536),
        "terminated": ((0,), bool, 65536), "truncated": ((0,), bool, 65536), "is_first": ((0,), bool, 65536),
        "is_last": ((0,), bool, 65536), "task": ((0,), np.int32, 65536), "episode": ((0,), np.int64, 65536),
        "step": ((0,), np.int32, 65536),
    }
    datasets = {name: f.create_dataset(name, shape=shape, maxshape=(None,) + shape[1:], dtype=dtype,
                                       chunks=(chunk,) + shape[1:]) for name, (shape, dtype, chunk) in columns.items()}
    written = 0
    while written < rows:
        count = min(4096, rows - written)
        block = {"observation": obs[:count], "next_observation": obs[:count], "action": act[:count, None].astype(np.float32),
                 "reward": rew[:count], "terminated": done[:count], "truncated": np.zeros(count, bool),
                 "is_first": np.zeros(count, bool), "is_last": done[:count], "task": np.zeros(count, np.int32),
                 "episode": np.zeros(count, np.int64), "step": np.zeros(count, np.int32)}
        for name, dataset in datasets.items():
            dataset.resize(written + count, axis=0)
            dataset[written:written + count] = block[name]
        written += count
        if written % 98_304 < 4096:
            f.flush()
    f.flush()
results["h5py"] = {"persist": (time.perf_counter() - start) / rows}
shutil.rmtree(args.scratch, ignore_errors=True)
print(json.dumps({"versions": ", ".join(versions), "seconds": results}))
