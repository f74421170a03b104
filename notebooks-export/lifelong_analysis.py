"""Read Lifelong run logs with h5py and pandas, compute the continual-learning metrics, aggregate across seeds.

Runs are run directories (``runs/quickstart``), their ``log.h5`` files, or merged sweep files written by
``lifelong merge`` (every run they link). Reading uses only h5py, numpy and pandas; the ``plot_*`` functions use
matplotlib, imported when first called.

    import lifelong_analysis as la
    runs = la.load(["../runs/quickstart"])
    runs[0].matrix                    # R[block, task], the performance matrix
    la.summary(runs)                  # one row per run: average performance, forgetting, backward transfer
    la.plot_learning_curves(runs)     # evaluation returns per task, task boundaries shaded

Metric definitions match ``lifelong inspect`` (docs/curriculum.md, "Metrics"). Aggregates follow rliable
(Agarwal et al., NeurIPS 2021): interquartile mean and percentile stratified-bootstrap confidence intervals.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import h5py
import numpy as np
import pandas as pd

__all__ = [
    "Run", "load", "summary", "iqm", "stratified_bootstrap_ci", "aggregate", "curves", "task_windows",
    "plot_learning_curves", "plot_performance_matrix", "plot_forgetting_transfer", "plot_aggregate",
    "plot_world_model_error", "plot_memory_retention", "WORLD_MODEL_PREFIX", "MEMORY_PREFIX",
]

#: Metric keys of the world model's prediction error on each task's held-out data (``task`` = that task).
WORLD_MODEL_PREFIX = "worldmodel/"
#: Metric keys of the episodic memory's retention per task (entries surviving, value error).
MEMORY_PREFIX = "memory/"


def _text(values):
    return [v.decode("utf-8") if isinstance(v, bytes) else str(v) for v in values]


def _committed(log: h5py.File) -> dict:
    """Row counts as of the last commit: rows past it may be torn or about to be rewritten by a resume."""
    if "commit" not in log:
        return {}
    record = log["commit"]
    paths = _text(record.attrs["datasets"])
    counts = record[:]
    return {path.lstrip("/"): int(count) for path, count in zip(paths, counts[1:])}


@dataclass
class Run:
    """One run's log as of its last commit, in pandas form."""

    id: str
    path: str
    attributes: dict
    status: dict
    tasks: list                   # task names, by task index
    evaluated: list               # task index of each evaluation column
    blocks: pd.DataFrame          # index, kind, tasks (list of task indices), budget_steps, budget_episodes, origin
    progress: pd.DataFrame        # block, start_step, end_step (finished blocks)
    metrics: pd.DataFrame         # step, wall_time, task, task_name, key, value
    evaluations: pd.DataFrame     # evaluation, step, block, task, task_name, episode, return
    events: pd.DataFrame          # step, wall_time, kind, detail
    matrix: pd.DataFrame          # R[block, task name]: mean return of each task at the end of each block

    @property
    def name(self) -> str:
        return self.attributes.get("name", "")

    @property
    def strategy(self) -> str:
        return self.attributes.get("strategy", "")

    @property
    def seed(self) -> int:
        return int(self.attributes.get("agent_seed", self.attributes.get("seed", -1)))

    @property
    def evaluated_names(self) -> list:
        return [self.tasks[i] for i in self.evaluated]

    def trained_columns(self) -> list:
        """For each block, the evaluation columns it trained."""
        return [[self.evaluated.index(t) for t in tasks if t in self.evaluated] for tasks in self.blocks["tasks"]]

    def continual_metrics(self) -> dict:
        """Forgetting per task, average performance, backward transfer and AUC, as ``lifelong inspect`` computes."""
        R = self.matrix.to_numpy()
        names = self.evaluated_names
        trained = self.trained_columns()[: len(R)]
        last = len(R) - 1
        forgetting, last_trained = {}, {}
        for column, name in enumerate(names):
            before = [b for b in range(max(last, 0)) if column in trained[b]]
            last_trained[name] = R[before[-1], column] if before else None
            forgetting[name] = None if not before else float(R[before[-1], column] - R[last, column])
        defined = [v for v in forgetting.values() if v is not None]
        final_columns = trained[last] if last >= 0 else []
        counted = [forgetting[n] for c, n in enumerate(names) if c not in final_columns and forgetting[n] is not None]
        means = self.evaluation_means()
        auc = {}
        for column, name in enumerate(names):
            first = next((b for b, columns in enumerate(self.trained_columns()) if column in columns), None)
            inside = means[means["block"] == first][name] if first is not None else pd.Series(dtype=float)
            auc[name] = float(inside.mean()) if len(inside) else None
        return {
            "forgetting": forgetting,
            "mean_forgetting": float(np.mean(defined)) if defined else None,
            "average_performance": float(R[last].mean()) if last >= 0 else None,
            "backward_transfer": -float(np.mean(counted)) if counted else None,
            "final_return": dict(zip(names, R[last].tolist())) if last >= 0 else {},
            "area_under_curve": auc,
        }

    def evaluation_means(self) -> pd.DataFrame:
        """One row per evaluation: step, block and the mean return of each evaluated task (columns by name)."""
        if self.evaluations.empty:
            return pd.DataFrame(columns=["step", "block"] + self.evaluated_names)
        wide = self.evaluations.pivot_table(
            index=["evaluation", "step", "block"], columns="task_name", values="return", aggfunc="mean")
        wide = wide.reset_index().drop(columns="evaluation")
        wide.columns.name = None
        return wide[["step", "block"] + self.evaluated_names]

    def forward_transfer(self, reference: str) -> dict:
        """Continual World's forward transfer per task against ``lifelong reference`` runs in ``reference``:
        (AUC − AUC_ref) / (1 − AUC_ref) on returns normalised so the untrained agent is 0 and the reference's
        final return is 1. Tasks without a reference run are None."""
        means = self.evaluation_means()
        before = means[means["block"] < 0]
        auc = self.continual_metrics()["area_under_curve"]
        result = {}
        for name in self.evaluated_names:
            path = os.path.join(reference, name)
            if not os.path.exists(os.path.join(path, "log.h5")) or auc[name] is None:
                result[name] = None
                continue
            ref = _read_run(path, name)
            ref_means = ref.evaluation_means()
            trained = ref_means[ref_means["block"] >= 0][ref.evaluated_names[0]]
            random = float(before[name].iloc[0]) if len(before) else 0.0
            top = float(ref.matrix.iloc[-1, 0])
            scale = top - random
            if scale == 0 or len(trained) == 0:
                result[name] = None
                continue
            norm_auc = (auc[name] - random) / scale
            norm_ref = (float(trained.mean()) - random) / scale
            result[name] = None if norm_ref == 1 else (norm_auc - norm_ref) / (1 - norm_ref)
        return result


def _table(log, path, rows):
    if path not in log:
        return pd.DataFrame()
    data = log[path][: rows.get(path, log[path].shape[0])]
    frame = pd.DataFrame(data)
    for column in frame.columns:
        if frame[column].dtype == object:
            frame[column] = frame[column].str.decode("utf-8")
    return frame


def _read_run(path: str, run_id: str | None = None, log: h5py.Group | None = None) -> Run:
    directory = path if os.path.isdir(path) else os.path.dirname(path)
    own = log is None
    if own:
        log = h5py.File(os.path.join(directory, "log.h5") if os.path.isdir(path) else path, "r",
                        libver="latest", swmr=True)
    try:
        if log.attrs.get("schema") not in ("lifelong.runlog", b"lifelong.runlog"):
            raise ValueError(f"{path}: not a Lifelong run log (its 'schema' attribute is not lifelong.runlog)")
        rows = _committed(log)
        attributes = {k: (v.decode() if isinstance(v, bytes) else v.item() if hasattr(v, "item") else v)
                      for k, v in log.attrs.items()}
        tasks = _text(log["tasks"]["name"])
        evaluated = [int(t) for t in log["eval/returns"].attrs["tasks"]]
        names = [tasks[i] for i in evaluated]
        blocks = _table(log, "schedule/blocks", rows)
        blocks["tasks"] = [[int(t) for t in s.split(",") if t] for s in blocks["tasks"]]
        progress = _table(log, "schedule/progress", rows)
        metrics = _table(log, "metrics", rows)
        if metrics.empty:
            metrics = pd.DataFrame(columns=["step", "wall_time", "task", "key", "value"])
        metrics["task_name"] = [tasks[t] if 0 <= t < len(tasks) else "" for t in metrics["task"]]
        events = _table(log, "events", rows)
        count = rows.get("eval/steps", log["eval/steps"].shape[0])
        returns = log["eval/returns"][: min(count, rows.get("eval/returns", count))]
        steps = log["eval/steps"][: len(returns)]
        block = log["eval/block"][: len(returns)]
        e, t, k = np.meshgrid(np.arange(len(returns)), np.arange(len(evaluated)),
                              np.arange(returns.shape[2] if returns.ndim == 3 else 0), indexing="ij")
        evaluations = pd.DataFrame({
            "evaluation": e.ravel(), "step": steps[e.ravel()] if e.size else [], "block": block[e.ravel()] if e.size else [],
            "task": np.asarray(evaluated, dtype=np.int64)[t.ravel()] if t.size else [],
            "task_name": [names[i] for i in t.ravel()], "episode": k.ravel(), "return": returns.ravel(),
        })
        after = log["eval/after_block"][: rows.get("eval/after_block", log["eval/after_block"].shape[0])]
        matrix = pd.DataFrame(after, columns=names)
        matrix.index.name = "block"
    finally:
        if own:
            log.close()
    status = {}
    status_path = os.path.join(directory, "run.json")
    if os.path.isdir(path) and os.path.exists(status_path):
        with open(status_path) as handle:
            status = json.load(handle)
    return Run(id=run_id or os.path.basename(os.path.normpath(directory)), path=path, attributes=attributes,
               status=status, tasks=tasks, evaluated=evaluated, blocks=blocks, progress=progress, metrics=metrics,
               evaluations=evaluations, events=events, matrix=matrix)


def load(paths) -> list:
    """Reads run directories, ``log.h5`` files and merged sweep files (``lifelong merge``) into a list of runs."""
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    runs = []
    for path in map(str, paths):
        if os.path.isdir(path) or os.path.basename(path) == "log.h5":
            runs.append(_read_run(path))
            continue
        with h5py.File(path, "r") as merged:
            if merged.attrs.get("schema") not in ("lifelong.sweep", b"lifelong.sweep"):
                raise ValueError(f"{path}: neither a run directory nor a merged sweep file")
            table = merged["runs"][:]
            base = os.path.dirname(os.path.abspath(path))
            for row in table:
                run_id = row["id"].decode()
                run_path = os.path.join(base, row["path"].decode())
                run = _read_run(run_path, run_id, log=merged["logs/" + run_id])
                status_path = os.path.join(run_path, "run.json")
                if os.path.exists(status_path):
                    with open(status_path) as handle:
                        run.status = json.load(handle)
                runs.append(run)
    return runs


def summary(runs) -> pd.DataFrame:
    """One row per run: name, strategy, seed, status, steps and the continual-learning metrics."""
    rows = []
    for run in runs:
        m = run.continual_metrics()
        rows.append({
            "run": run.id, "name": run.name, "strategy": run.strategy, "seed": run.seed,
            "status": run.status.get("status", ""), "step": run.status.get("step"),
            "average_performance": m["average_performance"], "mean_forgetting": m["mean_forgetting"],
            "backward_transfer": m["backward_transfer"],
        })
    return pd.DataFrame(rows)


def curves(runs, key: str = "eval/mean_return") -> pd.DataFrame:
    """A metric's time series in long form across runs: run, strategy, seed, step, task_name, value."""
    frames = []
    for run in runs:
        selected = run.metrics[run.metrics["key"] == key]
        frames.append(selected.assign(run=run.id, strategy=run.strategy, seed=run.seed)[
            ["run", "strategy", "seed", "step", "task_name", "value"]])
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def task_windows(run) -> pd.DataFrame:
    """The finished blocks with their step range and trained task names, for shading task boundaries."""
    if run.progress.empty:
        return pd.DataFrame(columns=["block", "start_step", "end_step", "tasks"])
    windows = run.progress.copy()
    windows["tasks"] = [", ".join(run.tasks[t] for t in run.blocks["tasks"][b]) for b in windows["block"]]
    return windows


# ----- aggregation (rliable's estimators) -----

def iqm(scores) -> float:
    """Interquartile mean: the mean of the middle 50% of all scores (25% trimmed from each end)."""
    values = np.sort(np.asarray(scores, dtype=float).ravel())
    n = len(values)
    if n == 0:
        return float("nan")
    # scipy.stats.trim_mean(·, 0.25) semantics: drop int(0.25·n) from each end.
    cut = int(0.25 * n)
    return float(values[cut: n - cut].mean())


def stratified_bootstrap_ci(scores, statistic=iqm, repetitions: int = 2000, confidence: float = 0.95,
                            seed: int = 0):
    """Percentile confidence interval of ``statistic`` over a runs × tasks score matrix, resampling runs with
    replacement independently within each task (column), as rliable's StratifiedBootstrap does."""
    scores = np.asarray(scores, dtype=float)
    if scores.ndim == 1:
        scores = scores[:, None]
    runs, tasks = scores.shape
    rng = np.random.default_rng(seed)
    estimates = np.empty(repetitions)
    columns = np.arange(tasks)
    for r in range(repetitions):
        picks = rng.integers(0, runs, size=(runs, tasks))
        estimates[r] = statistic(scores[picks, columns])
    alpha = (1 - confidence) / 2
    return float(statistic(scores)), float(np.quantile(estimates, alpha)), float(np.quantile(estimates, 1 - alpha))


def aggregate(runs, by: str = "strategy", score: str = "final_return", statistic=iqm, **bootstrap) -> pd.DataFrame:
    """Per group (strategy, name…): the statistic over runs × tasks of a per-task score (``final_return``,
    ``forgetting`` or ``area_under_curve``) with its stratified-bootstrap interval."""
    groups = {}
    for run in runs:
        value = getattr(run, by) if hasattr(run, by) else run.attributes.get(by, "")
        per_task = run.continual_metrics()[score]
        groups.setdefault(value, []).append([np.nan if v is None else v for v in per_task.values()])
    rows = []
    for group, matrix in groups.items():
        matrix = np.asarray(matrix, dtype=float)
        matrix = matrix[:, ~np.isnan(matrix).any(axis=0)]
        if matrix.size == 0:
            rows.append({by: group, "runs": len(groups[group]), "estimate": np.nan, "low": np.nan, "high": np.nan})
            continue
        estimate, low, high = stratified_bootstrap_ci(matrix, statistic, **bootstrap)
        rows.append({by: group, "runs": len(matrix), "estimate": estimate, "low": low, "high": high})
    return pd.DataFrame(rows)


# ----- plots (matplotlib) -----

def _axes(ax, size=(7, 3.5)):
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=size)
    return ax


def _shade_windows(ax, run):
    windows = task_windows(run)
    for i, row in windows.iterrows():
        if i % 2 == 0:
            ax.axvspan(row["start_step"], row["end_step"], color="0.92", zorder=0)
        ax.text((row["start_step"] + row["end_step"]) / 2, 1.0, row["tasks"], transform=ax.get_xaxis_transform(),
                ha="center", va="bottom", fontsize=7, color="0.35")


def plot_learning_curves(runs, key: str = "eval/mean_return", ax=None):
    """Mean evaluation return per task over training steps (mean across runs, band = min–max), with the first
    run's blocks shaded and labelled by the task they train."""
    ax = _axes(ax)
    data = curves(runs, key)
    if data.empty:
        ax.text(0.5, 0.5, f"no '{key}' metric in these runs", ha="center", transform=ax.transAxes)
        return ax
    _shade_windows(ax, runs[0])
    for name, frame in data.groupby("task_name", sort=False):
        stats = frame.groupby("step")["value"].agg(["mean", "min", "max"])
        line, = ax.plot(stats.index, stats["mean"], label=name)
        if len(runs) > 1:
            ax.fill_between(stats.index, stats["min"], stats["max"], color=line.get_color(), alpha=0.2)
    ax.set_xlabel("environment step")
    ax.set_ylabel(key)
    ax.legend(fontsize=8, loc="best")
    return ax


def plot_performance_matrix(run_or_runs, ax=None):
    """Heatmap of R[block, task]: mean evaluation return of each task after each block (mean across runs)."""
    runs = run_or_runs if isinstance(run_or_runs, list) else [run_or_runs]
    ax = _axes(ax, (6, 4))
    matrices = [r.matrix.to_numpy() for r in runs if r.matrix.shape == runs[0].matrix.shape]
    R = np.mean(matrices, axis=0)
    image = ax.imshow(R, aspect="auto", cmap="viridis")
    ax.figure.colorbar(image, ax=ax, label="mean return")
    ax.set_xticks(range(R.shape[1]), runs[0].evaluated_names, rotation=30, ha="right", fontsize=8)
    trained = [", ".join(runs[0].tasks[t] for t in tasks) for tasks in runs[0].blocks["tasks"][: R.shape[0]]]
    ax.set_yticks(range(R.shape[0]), [f"{b}: {t}" for b, t in enumerate(trained)], fontsize=8)
    for (i, j), value in np.ndenumerate(R):
        ax.text(j, i, f"{value:.2f}", ha="center", va="center", fontsize=7, color="white")
    ax.set_xlabel("evaluated task")
    ax.set_ylabel("after block (trained)")
    return ax


def plot_forgetting_transfer(runs, reference: str | None = None, ax=None):
    """Bars per task: forgetting (and forward transfer when ``reference`` names reference runs), mean across runs
    with the min–max range; backward transfer in the title."""
    ax = _axes(ax)
    names = runs[0].evaluated_names
    metrics = [r.continual_metrics() for r in runs]
    series = {"forgetting": [[m["forgetting"][n] for m in metrics] for n in names]}
    if reference:
        transfers = [r.forward_transfer(reference) for r in runs]
        series["forward transfer"] = [[t[n] for t in transfers] for n in names]
    width = 0.8 / len(series)
    for k, (label, values) in enumerate(series.items()):
        clean = [[v for v in per_task if v is not None] for per_task in values]
        means = [np.mean(v) if v else np.nan for v in clean]
        low = [m - min(v) if v else 0 for m, v in zip(means, clean)]
        high = [max(v) - m if v else 0 for m, v in zip(means, clean)]
        ax.bar(np.arange(len(names)) + k * width, means, width, yerr=[low, high], label=label, capsize=3)
    bwt = [m["backward_transfer"] for m in metrics if m["backward_transfer"] is not None]
    ax.set_title(f"backward transfer {np.mean(bwt):.3f}" if bwt else "backward transfer undefined", fontsize=9)
    ax.axhline(0, color="0.3", lw=0.8)
    ax.set_xticks(np.arange(len(names)) + width * (len(series) - 1) / 2, names, rotation=30, ha="right", fontsize=8)
    ax.legend(fontsize=8)
    return ax


def plot_aggregate(runs, by: str = "strategy", score: str = "final_return", ax=None, **bootstrap):
    """Interquartile mean of a per-task score per group with 95% stratified-bootstrap intervals."""
    ax = _axes(ax, (6, 3))
    table = aggregate(runs, by=by, score=score, **bootstrap)
    y = np.arange(len(table))
    ax.errorbar(table["estimate"], y, xerr=[table["estimate"] - table["low"], table["high"] - table["estimate"]],
                fmt="o", capsize=4)
    ax.set_yticks(y, [f"{g} ({n} runs)" for g, n in zip(table[by], table["runs"])])
    ax.set_xlabel(f"IQM of {score} (95% stratified bootstrap CI)")
    return ax


def _prefixed(runs, prefix, ax, what):
    ax = _axes(ax)
    frames = [r.metrics[r.metrics["key"].str.startswith(prefix)].assign(run=r.id) for r in runs]
    data = pd.concat(frames) if frames else pd.DataFrame()
    if data.empty:
        ax.text(0.5, 0.5, f"no {what} metrics ('{prefix}*') in these runs", ha="center", transform=ax.transAxes)
        ax.set_axis_off()
        return ax
    _shade_windows(ax, runs[0])
    for (key, task), frame in data.groupby(["key", "task_name"], sort=False):
        stats = frame.groupby("step")["value"].mean()
        ax.plot(stats.index, stats.values, label=f"{key[len(prefix):]} · {task or 'all'}")
    ax.set_xlabel("environment step")
    ax.legend(fontsize=8)
    return ax


def plot_world_model_error(runs, ax=None):
    """The world model's prediction error on each task's held-out data over time (keys ``worldmodel/*``)."""
    ax = _prefixed(runs, WORLD_MODEL_PREFIX, ax, "world-model")
    ax.set_ylabel("prediction error")
    return ax


def plot_memory_retention(runs, ax=None):
    """The episodic memory's retention per task over time (keys ``memory/*``: entries surviving, value error)."""
    ax = _prefixed(runs, MEMORY_PREFIX, ax, "episodic-memory")
    ax.set_ylabel("retention")
    return ax
