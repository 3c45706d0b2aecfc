"""NumPy/SciPy twin of NtkBench: all-pairs NTK leave-one-out influence (Zhang & Zhang 2022, eq. 4, 8-9).

Usage: ntk_bench.py WORKDIR REPEATS LAMBDA. Reads x.npy, xt.npy, y.npy, yt.npy from WORKDIR, prints one JSON
line with the best-of-REPEATS seconds of each step and a checksum of the influence matrix.
"""
import json
import sys
import time

import numpy as np
import scipy.linalg as sl


def ntk(a, b):
    u = np.clip(a @ b.T, -1.0, 1.0)
    return u * (np.pi - np.arccos(u)) / (2 * np.pi)


def main():
    work, repeats, lam = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    x = np.load(f"{work}/x.npy")
    xt = np.load(f"{work}/xt.npy")
    y = np.load(f"{work}/y.npy")
    yt = np.load(f"{work}/yt.npy")
    n = x.shape[0]
    best = {}
    infl = None
    for _ in range(repeats):
        t = {}
        t0 = time.perf_counter()
        k = ntk(x, x)
        kt = ntk(xt, x)
        t["kernel"] = time.perf_counter() - t0
        m = k + lam * np.eye(n)
        t0 = time.perf_counter()
        c = sl.cho_factor(m, lower=True, overwrite_a=True, check_finite=False)
        t["factorization"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        linv, info = sl.lapack.dtrtri(c[0], lower=1)
        linv = np.tril(linv)
        diag = np.einsum("ij,ij->j", linv, linv)
        t["inverse_diagonal"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        beta = sl.cho_solve(c, y, check_finite=False)
        g = sl.cho_solve(c, kt.T, check_finite=False).T
        t["solve_alpha"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        f = kt @ beta
        res = f - yt
        loo = res[:, None] - g * (beta / diag)[None, :]
        infl = 0.5 * (loo * loo - (res * res)[:, None])
        t["scores"] = time.perf_counter() - t0
        for key, v in t.items():
            best[key] = min(best.get(key, float("inf")), v)
    best["checksum"] = float(np.abs(infl).sum())
    best["numpy"] = np.__version__
    best["scipy"] = __import__("scipy").__version__
    print(json.dumps(best))


if __name__ == "__main__":
    main()
