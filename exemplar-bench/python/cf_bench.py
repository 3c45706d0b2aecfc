"""NumPy twin of CfBench: Algorithm 1 (Tsai et al. 2023, App. F, with V~ = V2 V3 sqrt(S3)) plus the global
importances, and Definition 1 explanations of the same pairs. Usage: cf_bench.py WORK REPEATS.
Reads WORK/{U,V,R,pairs}.npy written by CfBench and prints one JSON object."""
import json
import sys
import time

import numpy as np


def preprocess(U, V, R):
    U1, S1, V1t = np.linalg.svd(U, full_matrices=False)
    U2, S2, V2t = np.linalg.svd(V.T, full_matrices=False)
    U3, S3, V3t = np.linalg.svd((S1[:, None] * (V1t @ U2)) * S2[None, :])
    Ut = (U1 @ U3) * np.sqrt(S3)
    Vt = (V2t.T @ V3t.T) * np.sqrt(S3)
    users = R[:, 0].astype(np.int64)
    items = R[:, 1].astype(np.int64)
    pred = np.einsum("ij,ij->i", Ut[users], Vt[items])
    alpha = -(pred - R[:, 2])                       # squared loss, c = 1
    by_user = np.argsort(users, kind="stable")
    by_item = np.argsort(items, kind="stable")
    ustart = np.searchsorted(users[by_user], np.arange(U.shape[0] + 1))
    istart = np.searchsorted(items[by_item], np.arange(V.shape[0] + 1))
    return Ut, Vt, alpha, users, items, by_user, by_item, ustart, istart


def explain(state, i, j):
    Ut, Vt, alpha, users, items, by_user, by_item, ustart, istart = state
    ru = by_item[istart[j]:istart[j + 1]]          # ratings of item j: user-based
    ri = by_user[ustart[i]:ustart[i + 1]]          # ratings of user i: item-based
    ri = ri[items[ri] != j]
    su = alpha[ru] * (Ut[users[ru]] @ Ut[i])
    si = alpha[ri] * (Vt[items[ri]] @ Vt[j])
    idx = np.concatenate([ru, ri])
    sc = np.concatenate([su, si])
    order = np.argsort(-sc, kind="stable")
    return idx[order], sc[order]


def main():
    work, repeats = sys.argv[1], int(sys.argv[2])
    U = np.load(f"{work}/U.npy")
    V = np.load(f"{work}/V.npy")
    R = np.load(f"{work}/R.npy")
    P = np.load(f"{work}/pairs.npy").astype(np.int64)
    pre = []
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        state = preprocess(U, V, R)
        pre.append(time.perf_counter() - t0)
    per = []
    total = 0.0
    for _ in range(repeats + 1):
        t0 = time.perf_counter()
        for i, j in P:
            idx, sc = explain(state, i, j)
            total += sc[0]
        per.append((time.perf_counter() - t0) / len(P))
    Ut, Vt = state[0], state[1]
    prod_err = float(np.abs(Ut @ Vt.T - U @ V.T).max())
    print(json.dumps({"numpy": np.__version__, "preprocess_s": sorted(pre[1:])[len(pre[1:]) // 2],
                      "per_pair_s": sorted(per[1:])[len(per[1:]) // 2], "product_max_abs_error": prod_err,
                      "checksum": total / (repeats + 1)}))


if __name__ == "__main__":
    main()
