"""Gymnasium side of make bench-env: steps per second of each classic-control environment (gym.make, as
researchers use it) on random actions from the same generator as EnvironmentBenchmark, resetting on episode
end; and CartPole's NumPy-vectorised environment with 64 copies. Prints JSON."""
import argparse
import json
import time

import gymnasium as gym
import numpy as np

parser = argparse.ArgumentParser()
parser.add_argument("--quick", action="store_true")
args = parser.parse_args()
STEPS = 10_000 if args.quick else 100_000


def steps_per_second(run, steps, samples=5):
    run(min(steps, 1000))
    rates = []
    for _ in range(samples):
        start = time.perf_counter()
        run(steps)
        rates.append(steps / (time.perf_counter() - start))
    return sorted(rates)[samples // 2]


def measure(env_id):
    env = gym.make(env_id, disable_env_checker=True)
    env.reset(seed=0)
    rng = np.random.default_rng(1)
    if isinstance(env.action_space, gym.spaces.Discrete):
        actions = [int(a) for a in rng.integers(0, env.action_space.n, 4096)]
    else:
        low, high = float(env.action_space.low[0]), float(env.action_space.high[0])
        actions = [np.array([a], dtype=np.float32) for a in rng.uniform(low, high, 4096)]

    def run(count):
        for step in range(count):
            _, _, terminated, truncated, _ = env.step(actions[step & 4095])
            if terminated or truncated:
                env.reset()

    return steps_per_second(run, STEPS)


rates = {env_id: measure(env_id) for env_id in
         ["CartPole-v1", "MountainCar-v0", "MountainCarContinuous-v0", "Acrobot-v1", "Pendulum-v1"]}

vector = gym.make_vec("CartPole-v1", num_envs=64, vectorization_mode="vector_entry_point")
vector.reset(seed=0)
vector_actions = np.random.default_rng(2).integers(0, 2, (64, 64))


def run_vector(count):
    for step in range(count):
        vector.step(vector_actions[step & 63])


rates["vector"] = steps_per_second(run_vector, STEPS // 50) * 64
print(json.dumps({"version": gym.__version__, "numpy": np.__version__, "steps_per_second": rates}))
