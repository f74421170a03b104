"""The oracle for environment parity: runs the real Gymnasium environment from an explicit internal state and
applies actions in order, printing one JSON object per step exactly as `lifelong env rollout` does.

Usage: gymnasium_rollout.py ENV_ID PARAMS_JSON INITIAL_STATE_JSON ACTIONS_JSON
       gymnasium_rollout.py --batch CASES.json   (a list of {env, params, initial_state, actions}; prints one JSON
                                                   list of steps per case, one line each)

Parameters are applied as Gymnasium allows: constructor keywords where it takes them, attributes of
env.unwrapped otherwise (with CartPole's derived masses recomputed). CartPoleContinuous-v0 is mbrl-lib's
definition: Gymnasium's CartPole with force = float32(action) * force_mag.
"""
import json
import sys

import gymnasium as gym
import numpy as np
from gymnasium.envs.classic_control.cartpole import CartPoleEnv

KEYWORDS = {"CartPole-v1": {"sutton_barto_reward"}, "MountainCar-v0": {"goal_velocity"},
            "MountainCarContinuous-v0": {"goal_velocity"}, "Pendulum-v1": {"g"}}
ACROBOT_ATTRIBUTES = {"link_length_1": "LINK_LENGTH_1", "link_length_2": "LINK_LENGTH_2",
                      "link_mass_1": "LINK_MASS_1", "link_mass_2": "LINK_MASS_2",
                      "link_com_pos_1": "LINK_COM_POS_1", "link_com_pos_2": "LINK_COM_POS_2",
                      "link_moi": "LINK_MOI", "max_vel_1": "MAX_VEL_1", "max_vel_2": "MAX_VEL_2"}


class MbrlContinuousCartPole(CartPoleEnv):
    """mbrl-lib's cartpole_continuous step on top of Gymnasium's CartPole physics."""

    def __init__(self):
        super().__init__()
        self.action_space = gym.spaces.Box(-1.0, 1.0, shape=(1,), dtype=np.float32)

    def step(self, action):
        force = np.float32(action[0]) * np.float32(self.force_mag)
        saved = self.force_mag, self.action_space
        self.force_mag, self.action_space = float(force), gym.spaces.Discrete(2)
        try:
            return super().step(1)  # "push right" with the computed (signed) force
        finally:
            self.force_mag, self.action_space = saved


def make(env_id, params):
    limit = params.pop("max_episode_steps", None)
    if env_id == "CartPoleContinuous-v0":
        env = gym.wrappers.TimeLimit(MbrlContinuousCartPole(), max_episode_steps=int(limit or 200))
    else:
        keywords = {k: v for k, v in params.items() if k in KEYWORDS.get(env_id, set())}
        extra = {"max_episode_steps": int(limit)} if limit is not None else {}
        env = gym.make(env_id, disable_env_checker=True, **keywords, **extra)
    inner = env.unwrapped
    for name, value in params.items():
        if name in KEYWORDS.get(env_id, set()):
            continue
        attribute = ACROBOT_ATTRIBUTES.get(name, name) if env_id == "Acrobot-v1" else name
        if not hasattr(inner, attribute):
            raise SystemExit(f"the oracle does not know parameter {name} of {env_id}")
        setattr(inner, attribute, value)
    if isinstance(inner, CartPoleEnv):
        inner.total_mass = inner.masspole + inner.masscart
        inner.polemass_length = inner.masspole * inner.length
    return env


def rollout(env_id, params, initial, actions):
    env = make(env_id, dict(params))
    env.reset(seed=0)
    env.unwrapped.state = np.array(initial, dtype=np.float64)
    continuous = isinstance(env.action_space, gym.spaces.Box)
    steps = []
    for action in actions:
        step_action = np.array([action], dtype=np.float32) if continuous else int(action)
        observation, reward, terminated, truncated, _ = env.step(step_action)
        steps.append({"obs": [float(v) for v in np.asarray(observation, dtype=np.float32)],
                      "reward": float(reward), "terminated": bool(terminated), "truncated": bool(truncated)})
        if terminated or truncated:
            break
    return steps


def main():
    if sys.argv[1] == "--batch":
        with open(sys.argv[2]) as cases:
            for case in json.load(cases):
                print(json.dumps(rollout(case["env"], case["params"], case["initial_state"], case["actions"])))
        return
    for step in rollout(sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3]), json.loads(sys.argv[4])):
        print(json.dumps(step))


main()
