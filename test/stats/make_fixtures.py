"""Reference values for the statistics tests, computed once with SciPy.

Run from the repository root:  python3 test/stats/make_fixtures.py
It rewrites test/stats/fixtures/*.json. Inputs are drawn from a seeded NumPy generator and
stored next to the expected outputs, so the tests need neither Python nor SciPy.
"""
import json
import os

import numpy as np
import scipy
from scipy import stats

OUT = os.path.join(os.path.dirname(__file__), "fixtures")
rng = np.random.default_rng(20261115)


def dump(name, data):
    data = {"scipy": scipy.__version__, **data}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(data, f, indent=1)
        f.write("\n")


# Standard normal: CDF, upper tail, quantile.
xs = [-8.5, -5, -3.2, -1.96, -1, -0.3, 0, 0.25, 1, 1.6448536269514722, 2.9, 3, 4.5, 7]
ps = [1e-10, 1e-4, 0.001, 0.01, 0.02425, 0.025, 0.2, 0.5, 0.8, 0.95, 0.975, 0.999, 1 - 1e-7]
dump("normal.json", {
    "cdf": [[x, stats.norm.cdf(x)] for x in xs],
    "sf": [[x, stats.norm.sf(x)] for x in xs],
    "ppf": [[p, stats.norm.ppf(p)] for p in ps],
})

# Wilcoxon signed-rank as scipy.stats.wilcoxon(d, correction=True): two-sided, zero_method="wilcox",
# method="auto", with the continuity correction turned on. The cases reach each branch of "auto": exact, permutation, asymptotic.
def ints(n, lo, hi):
    return [int(v) for v in rng.integers(lo, hi + 1, n)]

wilcoxon_cases = {
    "exact, no ties, n=9": [round(float(v), 3) for v in rng.normal(0.4, 1, 9)],
    "exact, no ties, n=30": [round(float(v), 4) for v in rng.normal(0.3, 1, 30)],
    "ties, n=10 (enumerated)": ints(10, -2, 3),
    "ties and zeros, n=13 (enumerated)": ints(13, -2, 2),
    "ties, n=14 (normal)": ints(14, -1, 3),
    "ties and zeros, n=40 (normal)": ints(40, -2, 2),
    "half-point differences, n=25": [float(v) / 2 for v in rng.integers(-4, 6, 25)],
    "no ties, n=60 (normal)": [round(float(v), 4) for v in rng.normal(-0.2, 1, 60)],
    "one difference": [1.5],
    "all differences negative, n=6": [-1, -2, -3, -4, -5, -6],
}
rows = []
for name, d in wilcoxon_cases.items():
    r = stats.wilcoxon(d, correction=True)
    rows.append({"name": name, "diffs": d, "statistic": float(r.statistic), "p": float(r.pvalue)})
dump("wilcoxon.json", {"cases": rows})

# Mann-Whitney U, SciPy defaults (two-sided, use_continuity=True, method="auto").
mwu_cases = {
    "exact, 5 vs 7": ([round(float(v), 3) for v in rng.normal(0, 1, 5)], [round(float(v), 3) for v in rng.normal(1, 1, 7)]),
    "exact, 8 vs 30": ([round(float(v), 4) for v in rng.normal(0, 1, 8)], [round(float(v), 4) for v in rng.normal(0.5, 1, 30)]),
    "ties, 6 vs 6 (normal)": (ints(6, 1, 5), ints(6, 1, 5)),
    "ties, 25 vs 20 (normal)": (ints(25, 1, 5), ints(20, 2, 5)),
    "no ties, 12 vs 15 (normal)": ([round(float(v), 4) for v in rng.normal(0, 1, 12)], [round(float(v), 4) for v in rng.normal(0.8, 1, 15)]),
    "thirds, 10 vs 9": ([round(float(v) / 3, 6) for v in rng.integers(3, 16, 10)], [round(float(v) / 3, 6) for v in rng.integers(3, 16, 9)]),
    "one each": ([1.0], [2.0]),
}
rows = []
for name, (x, y) in mwu_cases.items():
    r = stats.mannwhitneyu(x, y)
    rows.append({"name": name, "x": x, "y": y, "statistic": float(r.statistic), "p": float(r.pvalue)})
dump("mannwhitney.json", {"cases": rows})

# Bootstrap intervals. With one rating per item by a single rater, the item-and-rater cluster
# bootstrap is the ordinary bootstrap of item values: compare with scipy.stats.bootstrap
# (percentile method). The TypeScript side uses another generator, so the check is within
# Monte Carlo error.
values = [int(v) for v in rng.integers(1, 6, 40)]
r = stats.bootstrap((values,), np.mean, method="percentile", n_resamples=20000, random_state=1)
diffs = [int(v) for v in rng.integers(-2, 4, 30)]
rd = stats.bootstrap((diffs,), np.mean, method="percentile", n_resamples=20000, random_state=2)
dump("bootstrap.json", {
    "mean": {"values": values, "low": float(r.confidence_interval.low), "high": float(r.confidence_interval.high)},
    "pairedDiff": {"diffs": diffs, "low": float(rd.confidence_interval.low), "high": float(rd.confidence_interval.high)},
})

# Sample size: the exact answer from the noncentral t distribution (smallest n with power
# >= 0.8 at alpha 0.05, two-sided), against which the approximation is checked.
def exact_n(design, effect):
    for n in range(2, 100000):
        if design == "paired":
            df, nc = n - 1, effect * np.sqrt(n)
        else:
            df, nc = 2 * n - 2, effect * np.sqrt(n / 2)
        t = stats.t.ppf(0.975, df)
        power = stats.nct.sf(t, df, nc) + stats.nct.cdf(-t, df, nc)
        if power >= 0.8:
            return n
rows = []
for design in ["paired", "unpaired"]:
    for effect in [0.1, 0.2, 0.35, 0.5, 0.8, 1.2, 2.0]:
        rows.append({"design": design, "effect": effect, "n": exact_n(design, effect)})
dump("power.json", {"cases": rows})
print("fixtures written to", OUT)
