"""Continual-learning results: fine-tuning, replay, EWC, A-GEM and PackNet on the shipped curricula, several seeds each.

Runs `lifelong run` on strategy variants of each curriculum (same curriculum otherwise), reads every run's metrics
with `lifelong inspect --json`, and prints a Markdown table of mean ± standard deviation over seeds (forgetting,
average performance, backward transfer) per curriculum and strategy. The last line summarises.

    python Benchmarks/continual/results.py --seeds 5 --out runs/results
"""

import argparse
import json
import pathlib
import statistics
import subprocess
import sys
import time

STRATEGIES = {
    "finetune": {"name": "finetune"},
    "replay": {"name": "replay", "eviction": "reservoir"},
    "ewc": {"name": "ewc", "lambda": 100, "fisher_samples": 1000},
    "agem": {"name": "agem"},
    "packnet": {"name": "packnet"},
}


def run(lifelong, curriculum_path, strategy, seed, out):
    curriculum = json.loads(pathlib.Path(curriculum_path).read_text())  # key order kept: task order is meaningful
    curriculum["strategy"] = STRATEGIES[strategy]
    curriculum.pop("output", None)
    directory = out / curriculum["name"] / strategy / f"seed-{seed}"
    if not (directory / "metrics.json").exists():
        subprocess.run(["rm", "-rf", str(directory)], check=True)
        directory.parent.mkdir(parents=True, exist_ok=True)
        variant = directory.parent / f"seed-{seed}.json"
        variant.write_text(json.dumps(curriculum, indent=2))
        started = time.time()
        subprocess.run([lifelong, "run", str(variant), "--out", str(directory), "--seed", str(seed)],
                       check=True, stdout=subprocess.DEVNULL)
        print(f"  {curriculum['name']} {strategy} seed {seed}: {time.time() - started:.0f} s", file=sys.stderr)
    inspected = subprocess.run([lifelong, "inspect", str(directory), "--json"], check=True, capture_output=True,
                               text=True)
    return json.loads(inspected.stdout)


def summary(values):
    values = [v for v in values if v is not None]
    if not values:
        return "—"
    if len(values) == 1:
        return f"{values[0]:.3f}"
    return f"{statistics.mean(values):.3f} ± {statistics.stdev(values):.3f}"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--lifelong", default=".build/release/lifelong")
    parser.add_argument("--seeds", type=int, default=5)
    parser.add_argument("--out", default="runs/results")
    parser.add_argument("--curricula", nargs="+",
                        default=["experiments/cartpole-physics.json", "experiments/gridworld-goals.json"])
    parser.add_argument("--strategies", nargs="+", default=list(STRATEGIES))
    arguments = parser.parse_args()
    out = pathlib.Path(arguments.out)
    print("| curriculum | strategy | mean forgetting ↓ | average performance ↑ | backward transfer ↑ | seeds |")
    print("|---|---|---|---|---|---|")
    finals = {}
    for curriculum in arguments.curricula:
        for strategy in arguments.strategies:
            results = [run(arguments.lifelong, curriculum, strategy, seed, out)
                       for seed in range(1, arguments.seeds + 1)]
            name = json.loads(pathlib.Path(curriculum).read_text())["name"]
            forgetting = [r["mean_forgetting"] for r in results]
            finals[(name, strategy)] = statistics.mean([f for f in forgetting if f is not None] or [0])
            print(f"| {name} | {strategy} | {summary(forgetting)} | "
                  f"{summary([r['average_performance'] for r in results])} | "
                  f"{summary([r['backward_transfer'] for r in results])} | {len(results)} |", flush=True)
    parts = [f"{name}/{strategy} forgetting {value:.3f}" for (name, strategy), value in finals.items()]
    print("SUMMARY " + "; ".join(parts))


if __name__ == "__main__":
    main()
