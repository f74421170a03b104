"""mbrl-lib 0.2.0's PETS on its continuous CartPole with the `pets_cartpole` settings: the peer of
`make bench-worldmodel`.

Modes (the last output line is a JSON object):
  speed  --steps N --seed S   one random trial (200 steps) fills the buffer, one fit (25 epochs), then the median
                              seconds per planning step (agent.act) over N steps.
  trials --trials T --seed S  one random trial, then T PETS trials of 200 steps (a fit every 50 steps, as
                              pets_cartpole), returning each trial's return.
"""

import argparse
import json
import time

import numpy as np
import omegaconf
import torch

import mbrl.env.cartpole_continuous as cartpole_env
import mbrl.env.reward_fns as reward_fns
import mbrl.env.termination_fns as termination_fns
import mbrl.models as models
import mbrl.planning as planning
import mbrl.util.common as common_util

TRIAL_LENGTH = 200


def build(seed):
    env = cartpole_env.CartPoleEnv()
    env.reset(seed=seed)
    env.action_space.seed(seed)
    rng = np.random.default_rng(seed=seed)
    torch.manual_seed(seed)
    generator = torch.Generator(device="cpu")
    generator.manual_seed(seed)
    obs_shape = env.observation_space.shape
    act_shape = env.action_space.shape
    cfg = omegaconf.OmegaConf.create(
        {
            # pets_cartpole: gaussian_mlp_ensemble (7 × 4 × 200 SiLU, random_model propagation), known reward.
            "dynamics_model": {
                "_target_": "mbrl.models.GaussianMLP",
                "_recursive_": False,  # Hydra ≥ 1.1: GaussianMLP instantiates its activation itself
                "device": "cpu",
                "num_layers": 4,
                "ensemble_size": 7,
                "hid_size": 200,
                "in_size": "???",
                "out_size": "???",
                "deterministic": False,
                "propagation_method": "random_model",
                "learn_logvar_bounds": False,
                "activation_fn_cfg": {"_target_": "torch.nn.SiLU"},
            },
            "algorithm": {"learned_rewards": False, "target_is_delta": True, "normalize": True},
            "overrides": {"trial_length": TRIAL_LENGTH, "num_steps": 5000, "model_batch_size": 256,
                          "validation_ratio": 0},
        }
    )
    dynamics_model = common_util.create_one_dim_tr_model(cfg, obs_shape, act_shape)
    model_env = models.ModelEnv(
        env, dynamics_model, termination_fns.cartpole, reward_fns.cartpole, generator=generator)
    replay_buffer = common_util.create_replay_buffer(cfg, obs_shape, act_shape, rng=rng)
    agent_cfg = omegaconf.OmegaConf.create(
        {
            "_target_": "mbrl.planning.TrajectoryOptimizerAgent",
            "_recursive_": False,  # Hydra ≥ 1.1: the agent builds its optimizer itself
            "planning_horizon": 15,
            "replan_freq": 1,
            "verbose": False,
            "action_lb": "???",
            "action_ub": "???",
            "optimizer_cfg": {
                "_target_": "mbrl.planning.CEMOptimizer",
                "num_iterations": 5,
                "elite_ratio": 0.1,
                "population_size": 350,
                "alpha": 0.1,
                "device": "cpu",
                "lower_bound": "???",
                "upper_bound": "???",
                "return_mean_elites": False,
                "clipped_normal": False,
            },
        }
    )
    agent = planning.create_trajectory_optim_agent_for_model(model_env, agent_cfg, num_particles=20)
    trainer = models.ModelTrainer(dynamics_model, optim_lr=7.5e-4, weight_decay=3e-5)
    common_util.rollout_agent_trajectories(
        env, TRIAL_LENGTH, planning.RandomAgent(env), {}, replay_buffer=replay_buffer, trial_length=TRIAL_LENGTH)
    return env, dynamics_model, trainer, replay_buffer, agent


def fit(dynamics_model, trainer, replay_buffer):
    dynamics_model.update_normalizer(replay_buffer.get_all())
    train, validation = common_util.get_basic_buffer_iterators(
        replay_buffer, batch_size=256, val_ratio=0, ensemble_size=7, shuffle_each_epoch=True,
        bootstrap_permutes=False)
    trainer.train(train, dataset_val=validation, num_epochs=25, patience=25, improvement_threshold=0.01)


def speed(steps, seed):
    env, dynamics_model, trainer, replay_buffer, agent = build(seed)
    fit(dynamics_model, trainer, replay_buffer)
    obs, _ = env.reset(seed=seed + 1)
    agent.reset()
    times = []
    for step in range(steps + 1):
        start = time.perf_counter()
        action = agent.act(obs)
        elapsed = time.perf_counter() - start
        if step > 0:  # the first call warms up
            times.append(elapsed)
        obs, _, terminated, truncated, _ = env.step(action)
        if terminated or truncated:
            obs, _ = env.reset()
            agent.reset()
    return {"seconds_per_step": float(np.median(times)), "threads": torch.get_num_threads(),
            "torch": torch.__version__}


def trials(count, seed):
    env, dynamics_model, trainer, replay_buffer, agent = build(seed)
    returns = []
    steps = 0
    for _ in range(count):
        obs, _ = env.reset()
        agent.reset()
        total = 0.0
        for step in range(TRIAL_LENGTH):
            if steps % 50 == 0:
                fit(dynamics_model, trainer, replay_buffer)
            obs, reward, terminated, truncated, _ = common_util.step_env_and_add_to_buffer(
                env, obs, agent, {}, replay_buffer)
            steps += 1
            total += reward
            if terminated or truncated:
                break
        returns.append(total)
    return {"returns": returns}


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["speed", "trials"])
    parser.add_argument("--steps", type=int, default=10)
    parser.add_argument("--trials", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: torch's default)")
    arguments = parser.parse_args()
    if arguments.threads > 0:
        torch.set_num_threads(arguments.threads)
    if arguments.mode == "speed":
        print(json.dumps(speed(arguments.steps, arguments.seed)))
    else:
        print(json.dumps(trials(arguments.trials, arguments.seed)))
