"""Neighbour search at 10k, 100k and 1M stored vectors: usearch HNSW (int8) against exact search.

Data: the 3,123 UCI dev headlines embedded by all-MiniLM-L6-v2 are the centres. Each stored
vector is one centre plus up to half of two other random headlines plus a little isotropic
noise, normalised: reports of some 3,000 events, varying mostly along directions real
embeddings take. The noise (0.01 per dimension) is the level at which a synthetic set of
3,123 vectors has the real headlines' neighbour cosines (median 1st / 10th / 20th nearest
0.85 / 0.63 / 0.57 against 0.84 / 0.68 / 0.62; gap between the 10th and 11th 0.0039 in
both); 0.03 gives 0.69 / 0.51 / 0.46, far noisier than real coverage. Uniform random vectors
would have no neighbours to speak of (all cosines near 0), which is unrealistically hard for
a graph index; the bare centres repeated would be trivially easy. At a million the set is
dense (10th and 11th nearest about 0.001 apart), so recall@10 is demanding. The 10k and
100k sets are prefixes of the 1M set; the 200 queries are made the same way and are not in it.

Per size: build time (multi-threaded add), p50 and p95 latency of single queries (k=10,
the graph search ``AnnIndex`` makes), recall@10 against exact search, the index's memory
(``memory_usage``) and its saved file size. Latencies are measured interleaved: each round
runs one query against every size in turn, so the ratio p50(1M)/p50(10k) compares like with
like on a busy machine. Exact search (one matrix-vector product) is timed the same way.

``grouper_start``: what keeping the graph between runs saves, at a 100k-article window.

The ``grouper_*`` figures justify ``EXACT_BELOW``: the grouper's index work per article (the
nearest-article search, a duplicate search over 10 % of the rows, the add) with ExactIndex
and with AnnIndex's graph, at window sizes around the threshold. Single queries run with one
BLAS thread: a product this small is not worth splitting, and on a busy machine split ones
wait for each other.

    python benchmarks/ann_scale.py    # writes benchmarks/results/ann_scale.json
"""

from __future__ import annotations

import csv
import hashlib
import tempfile
import time
from pathlib import Path

import numpy as np
from common import DEV, RESULTS, row, save
from threadpoolctl import threadpool_limits

from warwatch.embedding import default_model_path, encode, load_model
from warwatch.stories.ann import EXACT_BELOW, AnnIndex, new_graph, quantise
from warwatch.stories.search import ExactIndex

SIZES = (10_000, 100_000, 1_000_000)
QUERIES = 200
K = 10
GROUPER_SIZES = (5_000, EXACT_BELOW, 50_000)
GROUPER_ARTICLES = 200
RESTART_ROWS = 100_000
NOISE = 0.01  # per dimension; see the module docstring


def centres() -> np.ndarray:
    """The dev headlines' embeddings (cached in benchmarks/results by model and text)."""
    with open(DEV / "news-stories" / "uci_headlines.csv", encoding="utf-8") as f:
        titles = [r["TITLE"] for r in csv.DictReader(f)]
    model = default_model_path()
    digest = hashlib.sha256("\n".join([model, *titles]).encode("utf-8")).hexdigest()[:12]
    cache = RESULTS / f"ann_scale_centres_{digest}.npy"
    if cache.is_file():
        return np.load(cache)
    vectors = encode(load_model(model), titles)
    RESULTS.mkdir(parents=True, exist_ok=True)
    np.save(cache, vectors)
    return vectors


def synthetic(c: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` normalised vectors: a centre, up to half of two others, and noise (see the docstring)."""
    out = np.empty((n, c.shape[1]), np.float32)
    for start in range(0, n, 100_000):
        m = min(100_000, n - start)
        picks = c[rng.integers(0, len(c), (3, m))]
        w = rng.uniform(0.0, 0.5, (2, m, 1)).astype(np.float32)
        v = picks[0] + w[0] * picks[1] + w[1] * picks[2] + rng.normal(0, NOISE, (m, c.shape[1])).astype(np.float32)
        out[start:start + m] = v / np.linalg.norm(v, axis=1, keepdims=True)
    return out


def exact_top(data: np.ndarray, queries: np.ndarray, k: int) -> list[set[int]]:
    """The ids of each query's ``k`` nearest rows, by brute force in blocks."""
    best_ids = np.zeros((len(queries), 0), np.int64)
    best = np.zeros((len(queries), 0), np.float32)
    for start in range(0, len(data), 100_000):
        sims = np.concatenate([best, queries @ data[start:start + 100_000].T], axis=1)
        ids = np.concatenate([best_ids, np.broadcast_to(np.arange(start, start + min(100_000, len(data) - start)),
                                                        (len(queries), min(100_000, len(data) - start)))], axis=1)
        top = np.argpartition(-sims, k - 1, axis=1)[:, :k]
        best, best_ids = np.take_along_axis(sims, top, 1), np.take_along_axis(ids, top, 1)
    return [set(r.tolist()) for r in best_ids]


def per_article(index, vectors: np.ndarray) -> list[float]:
    """Seconds of the grouper's index work for each new vector: nearest, duplicates over 10 %, add."""
    times = []
    for v in vectors:
        n = len(index)
        recent = np.zeros(n, bool)
        recent[n - n // 10:] = True
        start = time.perf_counter()
        index.search(v, 1, np.ones(n, bool))
        index.search(v, 8, recent)
        index.add(v)
        times.append(time.perf_counter() - start)
    return times


def grouper_costs(c: np.ndarray, rng: np.random.Generator) -> dict[int, dict[str, float]]:
    """Median ms per article for ExactIndex and AnnIndex's graph, per window size, interleaved."""
    out = {}
    for n in GROUPER_SIZES:
        data = synthetic(c, n + GROUPER_ARTICLES, rng)
        exact, ann = ExactIndex(), AnnIndex(exact_below=0)
        for v in data[:n]:
            exact.add(v)
            ann.add(v)
        ann.search(data[0], 1, np.ones(n, bool))  # builds the graph
        times = {"exact": [], "ann": []}
        for v in data[n:]:
            times["exact"] += per_article(exact, v[None])
            times["ann"] += per_article(ann, v[None])
        out[n] = {name: float(np.median(t)) * 1e3 for name, t in times.items()}
    return out


def restart_cost(data: np.ndarray, tmp: Path) -> dict[str, float]:
    """Seconds from an empty AnnIndex to its first graph search over ``data``: with the graph built
    from the rows (no saved file: the first run, or a lost file), and read back from the file the
    previous run saved (every row reused). Each path is timed twice, alternately; the faster counts."""
    path = tmp / "restart.usearch"
    everything = np.ones(len(data), bool)

    def start() -> float:
        began = time.perf_counter()
        index = AnnIndex(exact_below=0, saved=path)
        for key, v in enumerate(data):
            index.add(v, key)
        index.search(data[0], 1, everything)
        took = time.perf_counter() - began
        index.save()
        return took

    times = {"built_s": [], "saved_s": []}
    for _ in range(2):
        path.unlink(missing_ok=True)
        times["built_s"].append(start())
        times["saved_s"].append(start())
    return {name: round(min(t), 2) for name, t in times.items()}


def main() -> None:
    rng = np.random.default_rng(20240806)
    c = centres()
    data = synthetic(c, SIZES[-1], rng)
    queries = synthetic(c, QUERIES, rng)
    figures: dict[int, dict] = {}
    graphs = {}
    with tempfile.TemporaryDirectory() as tmp:
        for n in SIZES:
            truth = exact_top(data[:n], queries, K)
            graph = new_graph(data.shape[1])
            start = time.perf_counter()
            graph.add(np.arange(n, dtype=np.uint64), quantise(data[:n]), threads=0)
            build = time.perf_counter() - start
            path = Path(tmp) / f"{n}.usearch"
            graph.save(str(path))
            figures[n] = {"build_s": round(build, 1), "memory_mib": round(graph.memory_usage / 2**20, 1),
                          "file_mib": round(path.stat().st_size / 2**20, 1)}
            path.unlink()
            graphs[n] = (graph, truth)
            print(f"{n}: built in {build:.1f} s", flush=True)

        latency = {n: [] for n in SIZES}
        exact_latency = {n: [] for n in SIZES}
        recall = {n: [] for n in SIZES}
        with threadpool_limits(1):
            for i, q in enumerate(queries):
                for n, (graph, truth) in graphs.items():
                    start = time.perf_counter()
                    found = graph.search(quantise(q), K).keys
                    latency[n].append(time.perf_counter() - start)
                    recall[n].append(len(truth[i] & set(found.tolist())) / K)
                    if i % 10 == 0:
                        start = time.perf_counter()
                        sims = data[:n] @ q
                        np.argpartition(-sims, K)[:K]
                        exact_latency[n].append(time.perf_counter() - start)
            grouper = grouper_costs(c, rng)
            restart = restart_cost(data[:RESTART_ROWS], Path(tmp))
    for n in SIZES:
        figures[n].update(p50_ms=round(float(np.median(latency[n])) * 1e3, 3),
                          p95_ms=round(float(np.percentile(latency[n], 95)) * 1e3, 3),
                          exact_p50_ms=round(float(np.median(exact_latency[n])) * 1e3, 2),
                          recall_at_10=round(float(np.mean(recall[n])), 4))
    small, large = figures[SIZES[0]], figures[SIZES[-1]]
    ratio = round(large["p50_ms"] / small["p50_ms"], 2)
    result = {
        "data": f"{len(c)} UCI dev headline embeddings as centres, plus two others' parts and noise; {QUERIES} queries",
        "index": "usearch HNSW, cosine, int8 (per-vector scaled), connectivity/expansion from warwatch.stories.ann",
        "sizes": {str(n): f for n, f in figures.items()},
        "p50_ratio_1m_to_10k": ratio,
        "grouper_ms_per_article": {str(n): {k: round(v, 3) for k, v in t.items()} for n, t in grouper.items()},
        "exact_below": EXACT_BELOW,
        f"grouper_start_{RESTART_ROWS}": restart,
    }
    table = [
        row("ANN p50 query latency, 1M / 10k vectors", ratio, "<= 2", ratio <= 2),
        row("ANN recall@10 vs exact at 1M", large["recall_at_10"], ">= 0.95", large["recall_at_10"] >= 0.95),
        row("ANN recall@10 vs exact at 10k / 100k",
            f"{small['recall_at_10']} / {figures[SIZES[1]]['recall_at_10']}", ">= 0.95",
            min(small["recall_at_10"], figures[SIZES[1]]["recall_at_10"]) >= 0.95),
        row("ANN index memory at 1M (MiB)", large["memory_mib"], "<= 1024", large["memory_mib"] <= 1024),
        row("ANN p50 / p95 query at 1M (ms)", f"{large['p50_ms']} / {large['p95_ms']}"),
        row("exact p50 query at 1M (ms)", large["exact_p50_ms"]),
        row("ANN build at 1M, 2 cores (s)", large["build_s"]),
    ]
    for n, t in grouper.items():
        table.append(row(f"grouper index work per article at {n:,} rows, ANN / exact",
                         round(t["ann"] / t["exact"], 2),
                         f"> 1 below {EXACT_BELOW:,} rows, < 1 above" if n != EXACT_BELOW else "about 1",
                         (t["ann"] > t["exact"]) == (n < EXACT_BELOW) if n != EXACT_BELOW else None))
    table.append(row(f"grouper start at {RESTART_ROWS:,} rows, saved graph / built (s: {restart['saved_s']} / "
                     f"{restart['built_s']})", round(restart["saved_s"] / restart["built_s"], 3)))
    save("ann_scale", result, table=table)


if __name__ == "__main__":
    main()
