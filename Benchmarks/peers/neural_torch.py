"""PyTorch side of make bench-neural: the workloads of Benchmarks/NeuralBenchmark/Workloads.swift, timed the
same way (median of samples after warm-up). Prints JSON: {"version", "threads", "seconds": {name: s}}."""
import argparse
import json
import time

import torch

parser = argparse.ArgumentParser()
parser.add_argument("--threads", type=int, default=1)
parser.add_argument("--quick", action="store_true")
args = parser.parse_args()
torch.set_num_threads(args.threads)
torch.manual_seed(0)


def median_seconds(body, samples=15, sample_seconds=0.05):
    for _ in range(5):
        body()
    calls = 1
    while True:
        start = time.perf_counter()
        for _ in range(calls):
            body()
        if time.perf_counter() - start >= sample_seconds / 4:
            break
        calls *= 2
    calls *= 4
    per_call = []
    for _ in range(samples):
        start = time.perf_counter()
        for _ in range(calls):
            body()
        per_call.append((time.perf_counter() - start) / calls)
    return sorted(per_call)[samples // 2]


def mlp_step(sizes, batch):
    layers = []
    for index, (inputs, outputs) in enumerate(zip(sizes, sizes[1:])):
        layers.append(torch.nn.Linear(inputs, outputs))
        if index < len(sizes) - 2:
            layers.append(torch.nn.ReLU())
    net = torch.nn.Sequential(*layers)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-4)
    x = torch.rand(batch, sizes[0]) * 2 - 1
    y = torch.rand(batch, sizes[-1]) * 2 - 1

    def step():
        optimizer.zero_grad()
        loss = ((net(x) - y) ** 2).mean()
        loss.backward()
        optimizer.step()

    return f"mlp_{'-'.join(map(str, sizes))}_b{batch}", step


class Ensemble(torch.nn.Module):
    """7 members of 5-200-200-200-200-8 with SiLU, as batched matrix products (mbrl-lib's layout)."""

    def __init__(self, members=7, sizes=(5, 200, 200, 200, 200, 8)):
        super().__init__()
        self.weights = torch.nn.ParameterList(
            torch.nn.Parameter(torch.randn(members, i, o) / (2 * i ** 0.5)) for i, o in zip(sizes, sizes[1:]))
        self.biases = torch.nn.ParameterList(
            torch.nn.Parameter(torch.zeros(members, 1, o)) for o in sizes[1:])

    def forward(self, x):
        for index, (w, b) in enumerate(zip(self.weights, self.biases)):
            x = torch.baddbmm(b, x, w) if x.dim() == 3 else torch.matmul(x, w) + b
            if index < len(self.weights) - 1:
                x = torch.nn.functional.silu(x)
        return x


ensemble = Ensemble()


def ensemble_step(batch):
    optimizer = torch.optim.Adam(ensemble.parameters(), lr=1e-4)
    x = torch.rand(7, batch, 5) * 2 - 1
    y = torch.rand(7, batch, 4) * 2 - 1

    def step():
        optimizer.zero_grad()
        out = ensemble(x)
        mean, log_variance = out[..., :4], out[..., 4:]
        loss = ((mean - y) ** 2 * torch.exp(-log_variance) + log_variance).mean()
        loss.backward()
        optimizer.step()

    return f"ensemble_step_b{batch}", step


def ensemble_forward(inputs):
    x = torch.rand(inputs, 5) * 2 - 1

    def forward():
        with torch.no_grad():
            ensemble(x)

    return f"ensemble_forward_n{inputs}", forward


workloads = [mlp_step([4, 64, 64, 2], 64), mlp_step([4, 256, 256, 2], 256), ensemble_step(256),
             ensemble_forward(10_000)]
samples = 5 if args.quick else 15
print(json.dumps({
    "version": torch.__version__,
    "threads": torch.get_num_threads(),
    "seconds": {name: median_seconds(body, samples=samples) for name, body in workloads},
}))
