/// The Python side of `GymnasiumEnvironment`, passed to the interpreter with `-c`. It makes the environment,
/// describes its spaces as one JSON line, then answers binary commands on stdin/stdout (little-endian):
///
/// | command | payload | answer |
/// |---|---|---|
/// | `r` | u8 has-seed, u64 seed | observation (n × f32) |
/// | `s` | discrete: i64; box: k × f32 | observation, f64 reward, u8 terminated, u8 truncated |
/// | `g` | — | u32 length, JSON list of the state (`env.unwrapped.state`) |
/// | `S` | u32 length, JSON list | u8 1 |
/// | `q` | — | (exits) |
///
/// Observations are flattened: boxes in row-major order, discrete values as one number, dictionaries in key order
/// (non-numeric entries, such as MiniGrid's mission text, are left out).
let gymnasiumBridgeScript = #"""
    import json, os, select, struct, sys, time
    import numpy as np

    def main():
        out = sys.stdout.buffer
        inp = sys.stdin.buffer
        try:
            import gymnasium as gym
            env_id, kwargs = sys.argv[1], json.loads(sys.argv[2])
            if env_id.startswith("MiniGrid"):
                import minigrid  # registers the MiniGrid environments
            env = gym.make(env_id, disable_env_checker=True, **kwargs)
        except BaseException as error:  # reported to Swift as the reason
            out.write((json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\n").encode())
            out.flush()
            return

        numeric = (gym.spaces.Box, gym.spaces.Discrete, gym.spaces.MultiDiscrete, gym.spaces.Dict)

        def bounds(values):  # JSON has no infinity; ±1e308 becomes ±inf as a Swift Float
            return [float(np.clip(v, -1e308, 1e308)) for v in np.ravel(values).astype(np.float64)]

        def describe(space):
            if isinstance(space, gym.spaces.Box):
                return {"kind": "box", "low": bounds(space.low), "high": bounds(space.high), "shape": list(space.shape)}
            if isinstance(space, gym.spaces.Discrete):
                return {"kind": "discrete", "n": int(space.n)}
            if isinstance(space, gym.spaces.MultiDiscrete):
                return {"kind": "multi_discrete", "nvec": [int(v) for v in np.ravel(space.nvec)]}
            if isinstance(space, gym.spaces.Dict):
                parts = [describe(s) for k, s in space.spaces.items() if isinstance(s, numeric)]
                low, high = [], []
                for part in parts:
                    if part["kind"] == "box":
                        low += part["low"]; high += part["high"]
                    elif part["kind"] == "discrete":
                        low.append(0.0); high.append(float(part["n"] - 1))
                    else:
                        low += [0.0] * len(part["nvec"]); high += [float(n - 1) for n in part["nvec"]]
                return {"kind": "box", "low": low, "high": high, "shape": [len(low)]}
            raise TypeError(f"space {space} is not supported by the bridge")

        def flatten(space, value):
            if isinstance(space, gym.spaces.Dict):
                return np.concatenate([flatten(s, value[k]) for k, s in space.spaces.items() if isinstance(s, numeric)])
            return np.ravel(np.asarray(value, dtype=np.float32)).astype(np.float32)

        try:
            observation_space = describe(env.observation_space)
            action_space = describe(env.action_space)
        except BaseException as error:
            out.write((json.dumps({"error": f"{type(error).__name__}: {error}"}) + "\n").encode())
            out.flush()
            return
        out.write((json.dumps({"observation_space": observation_space, "action_space": action_space}) + "\n").encode())
        out.flush()
        discrete = action_space["kind"] == "discrete"
        action_size = 1 if discrete else len(action_space.get("low", action_space.get("nvec", [])))
        action_dtype = env.action_space.dtype if not discrete else None
        box_observation = isinstance(env.observation_space, gym.spaces.Box)
        read, write = os.read, os.write
        fin, fout = inp.fileno(), out.fileno()
        pending = bytearray()
        discrete_action = struct.Struct("<q")
        outcome = struct.Struct("<dBB")

        os.set_blocking(fin, False)
        clock = time.perf_counter

        def take(count):
            # Spin briefly before blocking: waking a sleeping process on another core costs ~50 µs on small VMs,
            # far more than a step; after the spin budget the wait blocks and costs no CPU.
            while len(pending) < count:
                deadline = clock() + 0.0002
                while True:
                    try:
                        chunk = read(fin, 65536)
                        break
                    except BlockingIOError:
                        if clock() > deadline:
                            select.select([fin], [], [])
                if not chunk:
                    sys.exit(0)
                pending.extend(chunk)
            data = bytes(pending[:count])
            del pending[:count]
            return data

        def observation_bytes(value):
            if box_observation:
                return np.asarray(value, dtype=np.float32).tobytes()
            return flatten(env.observation_space, value).tobytes()

        while True:
            command = take(1)
            if command == b"s":
                if discrete:
                    (action,) = discrete_action.unpack(take(8))
                else:
                    action = np.frombuffer(take(4 * action_size), dtype=np.float32).astype(action_dtype)
                    if action_space["kind"] == "multi_discrete":
                        action = action.astype(np.int64)
                observation, reward, terminated, truncated, _ = env.step(action)
                write(fout, observation_bytes(observation) + outcome.pack(float(reward), bool(terminated), bool(truncated)))
            elif command == b"r":
                has_seed, seed = struct.unpack("<BQ", take(9))
                observation, _ = env.reset(seed=int(seed) if has_seed else None)
                write(fout, observation_bytes(observation))
            elif command == b"g":
                state = getattr(env.unwrapped, "state", None)
                data = json.dumps([float(v) for v in np.ravel(state)] if state is not None else None).encode()
                write(fout, struct.pack("<I", len(data)) + data)
            elif command == b"S":
                (length,) = struct.unpack("<I", take(4))
                env.unwrapped.state = np.array(json.loads(take(length)), dtype=np.float64)
                write(fout, b"\x01")
            elif command == b"q":
                return

    main()
    """#
