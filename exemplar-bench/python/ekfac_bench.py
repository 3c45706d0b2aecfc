#!/usr/bin/env python3
"""PyTorch twin of EkfacBench (run by it; prints one JSON object).

  ekfac_bench.py WORK LAYERS DAMPING REPEATS THREADS

The same EK-FAC computation as Exemplar's KroneckerFactors.fit + KfacInfluence, float64, on the MLP whose
parameters EkfacBench wrote to WORK (W0.., b0..; W_k is (out, in); ReLU hidden layers, softmax cross-entropy), the
training set (x, y labels) and the test set (xt, yt):

  fit:   per layer A = (1/n) sum a~ a~^T (a~ = [a; 1]), S = (1/n) sum g g^T (g = dL/dz, empirical Fisher: true
         labels), eigh of both, corrected eigenvalues (1/n) sum ((g Q_S)^2)^T ((a~ Q_A)^2) in a second pass;
         blocks of 512 rows, pre-activation gradients by autograd of the summed loss.
  score: the rotated training factors U = G Q_S, V = A~ Q_A (one pass), the test gradients per example in the
         eigenbasis (rank one: (g_t Q_S)(a~_t Q_A)^T) divided by (Lambda + damping), then
         scores = (1/n) R E^T with E's rows the Kronecker products u_i (x) v_i per layer, in blocks.

Times fit and score (median of REPEATS) and compares the corrected eigenvalues and the scores with WORK/java_*.npy.
"""
import json
import statistics
import sys
import time

import numpy as np


def main(work, layers, damping, repeats, threads):
    import torch
    import torch.nn.functional as F
    torch.set_num_threads(threads)
    load = lambda name: torch.from_numpy(np.load(f"{work}/{name}.npy"))
    W = [load(f"W{k}").requires_grad_(True) for k in range(layers)]  # so that every z has a grad_fn
    b = [load(f"b{k}") for k in range(layers)]
    x, y = load("x"), load("y").long()
    xt, yt = load("xt"), load("yt").long()
    n = x.shape[0]

    def layer_grads(xb, yb):
        # forward with each z a leaf of the graph above it: autograd gives dL/dz_k per example
        acts, zs = [], []
        h = xb
        for k in range(layers):
            acts.append(torch.cat([h.detach(), torch.ones(h.shape[0], 1, dtype=h.dtype)], dim=1))  # a~ = [a; 1]
            z = h @ W[k].T + b[k]
            zs.append(z)
            h = torch.relu(z) if k < layers - 1 else z
        loss = F.cross_entropy(h, yb, reduction="sum")
        gs = torch.autograd.grad(loss, zs)
        return acts, gs

    def fit():
        A = [torch.zeros(W[k].shape[1] + 1, W[k].shape[1] + 1, dtype=torch.float64) for k in range(layers)]
        S = [torch.zeros(W[k].shape[0], W[k].shape[0], dtype=torch.float64) for k in range(layers)]
        for i0 in range(0, n, 512):
            acts, gs = layer_grads(x[i0:i0 + 512], y[i0:i0 + 512])
            for k in range(layers):
                A[k] += acts[k].T @ acts[k]
                S[k] += gs[k].T @ gs[k]
        QA, QS = [], []
        for k in range(layers):
            A[k] /= n
            S[k] /= n
            QA.append(torch.linalg.eigh(A[k])[1])
            QS.append(torch.linalg.eigh(S[k])[1])
        lam = [torch.zeros(W[k].shape[0], W[k].shape[1] + 1, dtype=torch.float64) for k in range(layers)]
        for i0 in range(0, n, 512):
            acts, gs = layer_grads(x[i0:i0 + 512], y[i0:i0 + 512])
            for k in range(layers):
                lam[k] += ((gs[k] @ QS[k]) ** 2).T @ ((acts[k] @ QA[k]) ** 2)
        for k in range(layers):
            lam[k] /= n
        return QA, QS, lam

    def score(QA, QS, lam):
        U, V = [], []
        for i0 in range(0, n, 2048):
            acts, gs = layer_grads(x[i0:i0 + 2048], y[i0:i0 + 2048])
            U.append([gs[k] @ QS[k] for k in range(layers)])
            V.append([acts[k] @ QA[k] for k in range(layers)])
        U = [torch.cat([u[k] for u in U]) for k in range(layers)]
        V = [torch.cat([v[k] for v in V]) for k in range(layers)]
        acts, gs = layer_grads(xt, yt)
        R = []
        for k in range(layers):
            # a test gradient of layer k is rank one, g a~^T: rotated it is (g Q_S)(a~ Q_A)^T
            Rk = (gs[k] @ QS[k])[:, :, None] * (acts[k] @ QA[k])[:, None, :] / (lam[k] + damping)
            R.append(Rk.reshape(xt.shape[0], -1))
        R = torch.cat(R, dim=1)
        p = R.shape[1]
        out = torch.empty(xt.shape[0], n, dtype=torch.float64)
        rows = max(1, min(n, (4 << 20) // p))
        for i0 in range(0, n, rows):
            E = torch.cat([(U[k][i0:i0 + rows, :, None] * V[k][i0:i0 + rows, None, :]).reshape(-1, U[k].shape[1]
                                                                                            * V[k].shape[1])
                           for k in range(layers)], dim=1)
            out[:, i0:i0 + rows] = R @ E.T / n
        return out

    fit_times, score_times = [], []
    for _ in range(repeats):
        t0 = time.perf_counter()
        QA, QS, lam = fit()
        fit_times.append(time.perf_counter() - t0)
    for _ in range(repeats):
        t0 = time.perf_counter()
        s = score(QA, QS, lam)
        score_times.append(time.perf_counter() - t0)
    s = s.numpy()
    ref = np.load(f"{work}/java_scores.npy")
    lam_diff = 0.0
    lam_max = 0.0
    for k in range(layers):
        # eigenvectors are defined up to sign and, for repeated eigenvalues, rotation; Lambda is not affected by signs
        jl = np.load(f"{work}/java_lambda{k}.npy")
        lam_diff = max(lam_diff, float(np.abs(lam[k].numpy() - jl).max()))
        lam_max = max(lam_max, float(np.abs(jl).max()))
    return {"torch": torch.__version__, "threads": torch.get_num_threads(),
            "fit_median_seconds": statistics.median(fit_times), "score_median_seconds": statistics.median(score_times),
            "scores_max_rel_diff": float(np.abs(s - ref).max() / np.abs(ref).max()),
            "lambda_max_rel_diff": lam_diff / lam_max}


if __name__ == "__main__":
    w, l, d, r, t = sys.argv[1:6]
    print(json.dumps(main(w, int(l), float(d), int(r), int(t))))
