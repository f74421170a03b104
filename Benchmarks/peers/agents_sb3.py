"""Stable-Baselines3 side of make bench-agents: DQN on CartPole-v1 with rl-zoo's hyper-parameters (or CleanRL's dqn.py
defaults with --cleanrl-steps) on the given seeds, or SAC on Pendulum-v1 with rl-zoo's settings (--sac-steps), on
--threads torch threads; time to train and the greedy mean return over 20 episodes (seeds 10000…). Prints JSON."""
import argparse
import json
import time

import gymnasium as gym
import stable_baselines3
import torch
from stable_baselines3 import DQN
from stable_baselines3.common.logger import Logger

parser = argparse.ArgumentParser()
parser.add_argument("--seeds", type=int, default=5)
parser.add_argument("--steps", type=int, default=50_000)
parser.add_argument("--sac-steps", type=int, default=0, help="run only SAC on Pendulum-v1 for this many steps")
parser.add_argument("--cleanrl-steps", type=int, default=0,
                    help="run only DQN with CleanRL's dqn.py defaults for this many steps on --seeds seeds")
parser.add_argument("--threads", type=int, default=1, help="torch threads")
args = parser.parse_args()
torch.set_num_threads(args.threads)


def silent_logger():
    """What verbose=0 logs (nothing), without the empty SB3-<date> directory its default logger leaves in /tmp."""
    return Logger(folder=None, output_formats=[])


def greedy_return(model, env_id, episodes=20):
    env = gym.make(env_id)
    total = 0.0
    for episode in range(episodes):
        observation, _ = env.reset(seed=10_000 + episode)
        done = False
        while not done:
            action, _ = model.predict(observation, deterministic=True)
            observation, reward, terminated, truncated, _ = env.step(action)
            total += reward
            done = terminated or truncated
    return total / episodes


if args.sac_steps:
    from stable_baselines3 import SAC
    model = SAC("MlpPolicy", gym.make("Pendulum-v1"), learning_rate=1e-3, seed=1, device="cpu", verbose=0)
    model.set_logger(silent_logger())
    start = time.perf_counter()
    model.learn(total_timesteps=args.sac_steps)
    seconds = time.perf_counter() - start
    print(json.dumps({"version": stable_baselines3.__version__,
                      "sac": {"seconds": seconds, "score": greedy_return(model, "Pendulum-v1")}}))
    raise SystemExit(0)

def train_dqn(steps, **settings):
    """DQN on CartPole-v1 for `steps` steps on each seed: seconds and greedy return per run."""
    runs = []
    for seed in range(1, args.seeds + 1):
        model = DQN("MlpPolicy", gym.make("CartPole-v1"), gamma=0.99, seed=seed, device="cpu", verbose=0, **settings)
        model.set_logger(silent_logger())
        start = time.perf_counter()
        model.learn(total_timesteps=steps)
        seconds = time.perf_counter() - start
        runs.append({"seconds": seconds, "score": greedy_return(model, "CartPole-v1")})
    return runs


if args.cleanrl_steps:
    # CleanRL's dqn.py defaults. CleanRL's loss is the mean squared TD error without gradient clipping: SB3's DQN
    # is given it by replacing the smooth L1 its train() calls (in its own module only) and a clip norm of 1e30.
    import types
    import torch.nn.functional as functional
    import stable_baselines3.dqn.dqn as sb3_dqn
    patched = types.SimpleNamespace(**{name: getattr(functional, name) for name in dir(functional)})
    patched.smooth_l1_loss = functional.mse_loss
    sb3_dqn.F = patched
    runs = train_dqn(args.cleanrl_steps, learning_rate=2.5e-4, batch_size=128, buffer_size=10_000,
                     learning_starts=10_000, target_update_interval=500, train_freq=10, gradient_steps=1,
                     exploration_fraction=0.5, exploration_final_eps=0.05, max_grad_norm=1e30,
                     policy_kwargs={"net_arch": [120, 84]})
    print(json.dumps({"version": stable_baselines3.__version__, "cleanrl": runs}))
    raise SystemExit(0)

runs = train_dqn(args.steps, learning_rate=2.3e-3, batch_size=64, buffer_size=100_000, learning_starts=1000,
                 target_update_interval=10, train_freq=256, gradient_steps=128, exploration_fraction=0.16,
                 exploration_final_eps=0.04, policy_kwargs={"net_arch": [256, 256]})
print(json.dumps({"version": stable_baselines3.__version__, "runs": runs}))
