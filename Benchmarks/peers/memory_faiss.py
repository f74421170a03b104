"""FAISS's exact index (IndexFlatL2) on the same keys and queries as MemoryBenchmark, on one thread.

usage: memory_faiss.py KEYS_F32 QUERIES_F32 DIM K SIZE [SIZE ...]
Prints one JSON line: per size, adds per second, queries per second at batch 32 and 1 (medians), and the top-k
ids of the first 32 queries (to check both sides find the same neighbours).
"""
import json
import sys
import time

import numpy as np
import faiss

faiss.omp_set_num_threads(1)
keys_path, queries_path, dim, k = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
sizes = [int(s) for s in sys.argv[5:]]
keys = np.fromfile(keys_path, dtype="<f4").reshape(-1, dim)
queries = np.fromfile(queries_path, dtype="<f4").reshape(-1, dim)


def median(samples, body):
    times = []
    for _ in range(samples):
        start = time.perf_counter()
        body()
        times.append(time.perf_counter() - start)
    return float(np.median(times))


report = {"faiss": faiss.__version__, "threads": faiss.omp_get_max_threads(), "sizes": {}}
for size in sizes:
    data = np.ascontiguousarray(keys[:size])
    add_seconds = median(3, lambda: faiss.IndexFlatL2(dim).add(data))
    index = faiss.IndexFlatL2(dim)
    index.add(data)
    batches = [queries[i: i + 32] for i in range(0, len(queries), 32)]
    rounds = max(1, 3_200_000 // size)  # about the same work per size
    used = batches[: min(len(batches), rounds)]
    batch32 = median(5, lambda: [index.search(b, k) for b in used]) / (32 * len(used))
    singles = queries[: min(len(queries), max(20, rounds * 4))]
    batch1 = median(5, lambda: [index.search(q[None, :], k) for q in singles]) / len(singles)
    _, top = index.search(queries[:32], k)
    report["sizes"][str(size)] = {
        "add_per_second": size / add_seconds, "batch32_qps": 1 / batch32, "batch1_qps": 1 / batch1,
        "top": top.tolist(),
    }
print(json.dumps(report))
