"""hnswlib (M 16, ef_construction 200, one thread) on the same Gaussian keys as MemoryBenchmark's approximate part.

usage: memory_hnswlib.py KEYS_F32 QUERIES_F32 DIM K SIZE TRUTH_I32
Prints one JSON line: build seconds and, per ef, recall@K against the exact neighbours in TRUTH (int32 [queries, K])
and queries per second (median of 3).
"""
import json
import sys
import time

import numpy as np
import hnswlib

keys_path, queries_path, dim, k, size, truth_path = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]), sys.argv[6]
keys = np.fromfile(keys_path, dtype="<f4").reshape(-1, dim)[:size]
truth = np.fromfile(truth_path, dtype="<i4").reshape(-1, k)
queries = np.fromfile(queries_path, dtype="<f4").reshape(-1, dim)[: len(truth)]
index = hnswlib.Index(space="l2", dim=dim)
start = time.perf_counter()
index.init_index(max_elements=size, M=16, ef_construction=200, random_seed=1)
index.set_num_threads(1)
index.add_items(keys, np.arange(size), num_threads=1)
build = time.perf_counter() - start
points = []
for ef in [50, 100, 200, 400, 800, 1600]:
    index.set_ef(max(ef, k))
    times = []
    for _ in range(3):
        start = time.perf_counter()
        labels, _ = index.knn_query(queries, k=k, num_threads=1)
        times.append(time.perf_counter() - start)
    found = sum(len(set(labels[i]) & set(truth[i])) for i in range(len(truth)))
    points.append({"ef": ef, "recall": found / truth.size, "qps": len(queries) / float(np.median(times))})
print(json.dumps({"hnswlib": getattr(hnswlib, "__version__", "0.8.0"), "build_seconds": build, "points": points}))
