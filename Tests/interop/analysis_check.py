"""Checks of the analysis exports against the readers researchers use (h5py, pandas, nbformat, Pillow, Minari).

    analysis_check.py csv RUN_DIR CSV_DIR            the CSV files say what log.h5 says
    analysis_check.py metrics RUN_DIR INSPECT_JSON   lifelong_analysis computes what `lifelong inspect` does
    analysis_check.py merge SWEEP_H5 RUN_DIR...      the merged file reads as the runs themselves
    analysis_check.py inject RUN_DIR                 adds committed worldmodel/* and memory/* metric rows
    analysis_check.py notebook EXECUTED_IPYNB        no errors; prints the number of figures
    analysis_check.py screenshot PNG                 counts pixels of the report's plot colours
    analysis_check.py minari ROOT ID                 Minari loads the exported dataset

Each prints one line starting with "ok" on success and exits non-zero with the difference otherwise.
"""

import json
import os
import sys

import h5py
import numpy as np
import pandas as pd

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..", "notebooks-export"))
import lifelong_analysis as la  # noqa: E402


def fail(message):
    print("FAIL: " + message)
    sys.exit(1)


def committed(log):
    paths = [p.decode() if isinstance(p, bytes) else p for p in log["commit"].attrs["datasets"]]
    return {p.lstrip("/"): int(c) for p, c in zip(paths, log["commit"][1:])}


def check_csv(run_dir, csv_dir):
    with h5py.File(os.path.join(run_dir, "log.h5"), "r") as log:
        rows = committed(log)
        metrics = log["metrics"][: rows["metrics"]]
        returns = log["eval/returns"][: rows["eval/returns"]]
        steps = log["eval/steps"][: rows["eval/steps"]]
        matrix = log["eval/after_block"][: rows["eval/after_block"]]
        tasks = [t.decode() for t in log["tasks"]["name"]]
        evaluated = list(log["eval/returns"].attrs["tasks"])
    frame = pd.read_csv(os.path.join(csv_dir, "metrics.csv"))
    if len(frame) != len(metrics):
        fail(f"metrics.csv has {len(frame)} rows, log.h5 {len(metrics)}")
    np.testing.assert_array_equal(frame["step"].to_numpy(), metrics["step"])
    np.testing.assert_array_equal(frame["value"].to_numpy(), metrics["value"])
    np.testing.assert_array_equal(frame["key"].to_numpy(), [k.decode() for k in metrics["key"]])
    names = [tasks[t] if t >= 0 else np.nan for t in metrics["task"]]
    if not all((a == b) or (pd.isna(a) and pd.isna(b)) for a, b in zip(frame["task_name"], names)):
        fail("metrics.csv task_name differs from /tasks")
    long = pd.read_csv(os.path.join(csv_dir, "evaluations.csv"))
    if len(long) != returns.size:
        fail(f"evaluations.csv has {len(long)} rows, /eval/returns {returns.size} values")
    tensor = np.full(returns.shape, np.nan)
    columns = {task: i for i, task in enumerate(evaluated)}
    evaluation = long["evaluation"].to_numpy()
    tensor[evaluation, long["task"].map(columns).to_numpy(), long["episode"].to_numpy()] = long["return"].to_numpy()
    if not (steps[evaluation] == long["step"].to_numpy()).all():
        fail("evaluations.csv steps differ from /eval/steps")
    np.testing.assert_array_equal(tensor, returns)
    wide = pd.read_csv(os.path.join(csv_dir, "performance_matrix.csv"))
    np.testing.assert_array_equal(wide[[tasks[t] for t in evaluated]].to_numpy(), matrix)
    blocks = pd.read_csv(os.path.join(csv_dir, "blocks.csv"))
    if len(blocks) == 0 or list(pd.read_csv(os.path.join(csv_dir, "tasks.csv"))["name"]) != tasks:
        fail("blocks.csv or tasks.csv does not match the log")
    print(f"ok csv: {len(frame)} metric rows, {len(long)} evaluation episodes, {len(wide)} matrix rows")


def check_metrics(run_dir, inspect_json):
    with open(inspect_json) as handle:
        expected = json.load(handle)
    got = la.load([run_dir])[0].continual_metrics()
    for key in ("average_performance", "mean_forgetting", "backward_transfer"):
        if not np.isclose(got[key] if got[key] is not None else np.nan,
                          expected[key] if expected[key] is not None else np.nan, equal_nan=True):
            fail(f"{key}: lifelong_analysis {got[key]}, lifelong inspect {expected[key]}")
    for key in ("forgetting", "area_under_curve"):
        for task, value in expected[key].items():
            mine = got[key][task]
            if (value is None) != (mine is None) or (value is not None and not np.isclose(value, mine)):
                fail(f"{key}[{task}]: lifelong_analysis {mine}, lifelong inspect {value}")
    print("ok metrics: average performance, forgetting, backward transfer and AUC agree with lifelong inspect")


def check_merge(sweep, run_dirs):
    with h5py.File(sweep, "r") as merged:
        if merged.attrs["schema"] != "lifelong.sweep":
            fail("schema attribute is not lifelong.sweep")
        table = merged["runs"][:]
        for row in table:
            link = merged["logs"].get(row["id"].decode(), getlink=True)
            if not isinstance(link, h5py.ExternalLink) or os.path.isabs(link.filename):
                fail(f"/logs/{row['id'].decode()} is not a relative external link: {link}")
        stacked = {name: merged["stacked/eval/" + name][:] for name in ("after_block", "returns", "steps")}
        if not merged["stacked/eval/returns"].is_virtual:
            fail("/stacked/eval/returns is not a virtual dataset")
    direct = la.load(run_dirs)
    via = la.load([sweep])
    if [r.id for r in via] != [r.id for r in direct]:
        fail(f"run ids differ: {[r.id for r in via]} vs {[r.id for r in direct]}")
    for index, (a, b) in enumerate(zip(via, direct)):
        pd.testing.assert_frame_equal(a.metrics, b.metrics)
        pd.testing.assert_frame_equal(a.evaluations, b.evaluations)
        pd.testing.assert_frame_equal(a.matrix, b.matrix)
        rows = len(b.matrix)
        np.testing.assert_array_equal(stacked["after_block"][index, :rows], b.matrix.to_numpy())
        if not np.isnan(stacked["after_block"][index, rows:]).all():
            fail(f"run {index}: stacked rows past its matrix are not NaN")
        with h5py.File(os.path.join(run_dirs[index], "log.h5"), "r") as log:
            count = committed(log)["eval/returns"]
            np.testing.assert_array_equal(stacked["returns"][index, :count], log["eval/returns"][:count])
            np.testing.assert_array_equal(stacked["steps"][index, :count], log["eval/steps"][:count])
        if table[index]["seed"] != b.seed or table[index]["strategy"].decode() != b.strategy:
            fail(f"/runs row {index} disagrees with the run's attributes")
    print(f"ok merge: {len(via)} runs read through the merged file as from their directories")


def inject(run_dir):
    """Appends committed rows as a world model and an episodic memory would log them, one series per task."""
    with h5py.File(os.path.join(run_dir, "log.h5"), "r+") as log:
        rows = committed(log)
        metrics = log["metrics"]
        count = rows["metrics"]
        steps = np.unique(log["eval/steps"][: rows["eval/steps"]])
        tasks = len(log["tasks"])
        new = []
        for step in steps:
            for task in range(tasks):
                new.append((step, 0.0, task, b"worldmodel/one_step_mse", 1.0 / (1 + step / 100 + task)))
                new.append((step, 0.0, task, b"memory/entries", float(step * (task + 1))))
        metrics.resize((count + len(new),))
        metrics[count:] = np.array(new, dtype=metrics.dtype)
        paths = [p.decode() if isinstance(p, bytes) else p for p in log["commit"].attrs["datasets"]]
        record = log["commit"][:]
        record[1 + paths.index("/metrics")] = count + len(new)
        log["commit"][:] = record
    print(f"ok inject: {len(new)} rows")


def check_notebook(path):
    with open(path) as handle:
        notebook = json.load(handle)
    figures = 0
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            if output["output_type"] == "error" or output.get("name") == "stderr" and "Traceback" in output["text"]:
                fail(f"cell failed: {output}")
            figures += "image/png" in output.get("data", {})
    print(f"ok notebook: {figures} figures")


def screenshot(path):
    from PIL import Image
    image = np.asarray(Image.open(path).convert("RGB")).astype(int)

    def count(hex_colour):
        rgb = [int(hex_colour[i: i + 2], 16) for i in (1, 3, 5)]
        return int((np.abs(image - rgb).sum(axis=2) <= 24).sum())

    counts = {
        "blue": count("#1f77b4"), "orange": count("#ff7f0e"), "green": count("#2ca02c"),
        "viridis_low": count("#440154"), "shading": count("#ececec"),
    }
    print("ok screenshot " + json.dumps(counts))


def check_minari(root, dataset_id):
    os.environ["MINARI_DATASETS_PATH"] = root
    import minari
    dataset = minari.load_dataset(dataset_id)
    steps = sum(len(episode.rewards) for episode in dataset.iterate_episodes())
    print(f"ok minari: {dataset.total_episodes} episodes, {steps} steps")


if __name__ == "__main__":
    command, arguments = sys.argv[1], sys.argv[2:]
    {
        "csv": lambda: check_csv(*arguments),
        "metrics": lambda: check_metrics(*arguments),
        "merge": lambda: check_merge(arguments[0], arguments[1:]),
        "inject": lambda: inject(*arguments),
        "notebook": lambda: check_notebook(*arguments),
        "screenshot": lambda: screenshot(*arguments),
        "minari": lambda: check_minari(*arguments),
    }[command]()
