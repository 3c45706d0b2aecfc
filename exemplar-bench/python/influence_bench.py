#!/usr/bin/env python3
"""PyTorch / NumPy twins of InfluenceBench (run by it; prints one JSON object).

  influence_bench.py products WORK L2 REPEATS THREADS
      H v (double backward) and G v (forward-mode J v, softmax output Hessian, VJP) of the MLP whose weights
      InfluenceBench wrote to WORK (W0..W2, b0..b2, x, labels, v), float64, objective
      mean cross-entropy + (l2/2)||theta||^2; compares with WORK/java_hv.npy and java_gv.npy.
  influence_bench.py scores WORK L2 DAMPING C THREADS
      explicit Hessian of softmax regression at WORK/s_theta.npy (W row-major, then b), Cholesky, s_test
      solves, per-example gradients in blocks of 1024 and the (1/n) S G^T scores; compares with
      WORK/s_scores_java.npy.
"""
import json
import sys
import time

import numpy as np


def products(work, l2, repeats, threads):
    import torch
    from functorch import jvp
    torch.set_num_threads(threads)
    W = [torch.from_numpy(np.load(f"{work}/W{k}.npy")) for k in range(3)]
    b = [torch.from_numpy(np.load(f"{work}/b{k}.npy")) for k in range(3)]
    x = torch.from_numpy(np.load(f"{work}/x.npy"))
    y = torch.from_numpy(np.load(f"{work}/labels.npy").astype(np.int64))
    v = torch.from_numpy(np.load(f"{work}/v.npy"))
    params = []
    for k in range(3):
        params += [W[k], b[k]]
    sizes = [p.numel() for p in params]
    vs = [t.reshape(p.shape) for t, p in zip(torch.split(v, sizes), params)]

    def logits(*ps):
        h = x
        for k in range(3):
            h = h @ ps[2 * k].T + ps[2 * k + 1]
            if k < 2:
                h = torch.relu(h)
        return h

    def objective(ps):
        return torch.nn.functional.cross_entropy(logits(*ps), y) + 0.5 * l2 * sum((p * p).sum() for p in ps)

    def hvp():
        ps = [p.detach().requires_grad_(True) for p in params]
        g = torch.autograd.grad(objective(ps), ps, create_graph=True)
        return torch.cat([t.reshape(-1) for t in torch.autograd.grad(g, ps, grad_outputs=vs)])

    def gnvp():
        ps = [p.detach().requires_grad_(True) for p in params]
        out, jv = jvp(lambda *q: logits(*q), tuple(p.detach() for p in params), tuple(vs))
        pr = torch.softmax(out, dim=1)
        u = (pr * jv - pr * (pr * jv).sum(dim=1, keepdim=True)) / x.shape[0]
        z = logits(*ps)
        g = torch.autograd.grad(z, ps, grad_outputs=u)
        return torch.cat([t.reshape(-1) for t in g]) + l2 * v

    res = {"torch": torch.__version__, "threads": torch.get_num_threads()}
    for name, fn in (("hvp", hvp), ("gnvp", gnvp)):
        best = float("inf")
        out = None
        for r in range(repeats + 3):
            t0 = time.perf_counter()
            out = fn()
            dt = time.perf_counter() - t0
            if r >= 3:
                best = min(best, dt)
        ref = np.load(f"{work}/java_{'hv' if name == 'hvp' else 'gv'}.npy")
        o = out.detach().numpy()
        res[name + "_seconds"] = best
        res[name + "_max_rel_diff"] = float(np.linalg.norm(o - ref) / np.linalg.norm(ref))
    print(json.dumps(res))


def scores(work, l2, damping, c, threads):
    import os
    f = np.load(f"{work}/s_features.npy")
    y = np.load(f"{work}/s_labels.npy")
    ft = np.load(f"{work}/s_test_features.npy")
    yt = np.load(f"{work}/s_test_labels.npy")
    theta = np.load(f"{work}/s_theta.npy")
    n, p = f.shape
    W = theta[: c * p].reshape(c, p)
    bias = theta[c * p:]
    P = c * (p + 1)

    def index_perm():
        # our flat order: W row-major (class-major), then b; build it from (class, feature-with-one) pairs
        idx = np.empty((c, p + 1), dtype=np.int64)
        idx[:, :p] = np.arange(c * p).reshape(c, p)
        idx[:, p] = c * p + np.arange(c)
        return idx.reshape(-1)

    perm = index_perm()
    t0 = time.perf_counter()
    xa = np.hstack([f, np.ones((n, 1))])
    z = f @ W.T + bias
    z -= z.max(axis=1, keepdims=True)
    pr = np.exp(z)
    pr /= pr.sum(axis=1, keepdims=True)
    Hk = np.zeros((c * (p + 1), c * (p + 1)))  # Kronecker-ordered (class, feature)
    q = p + 1
    for a in range(c):
        for b in range(a, c):
            w = pr[:, a] * ((a == b) - pr[:, b]) / n
            blk = (xa * w[:, None]).T @ xa
            Hk[a * q:(a + 1) * q, b * q:(b + 1) * q] = blk
            Hk[b * q:(b + 1) * q, a * q:(a + 1) * q] = blk.T
    H = np.empty_like(Hk)
    H[np.ix_(perm, perm)] = Hk
    H[np.diag_indices(P)] += l2 + damping
    L = np.linalg.cholesky(H)
    prep = time.perf_counter() - t0

    import scipy.linalg as sl
    t0 = time.perf_counter()

    def grads(x, labels):
        xa_ = np.hstack([x, np.ones((x.shape[0], 1))])
        z_ = x @ W.T + bias
        z_ -= z_.max(axis=1, keepdims=True)
        p_ = np.exp(z_)
        p_ /= p_.sum(axis=1, keepdims=True)
        p_[np.arange(len(labels)), labels] -= 1.0
        gk = (p_[:, :, None] * xa_[:, None, :]).reshape(len(labels), -1)  # Kronecker order
        g = np.empty_like(gk)
        g[:, perm] = gk
        return g

    gt = grads(ft, yt)
    S = sl.cho_solve((L, True), gt.T).T  # s_test rows
    out = np.empty((ft.shape[0], n))
    for i0 in range(0, n, 1024):
        g = grads(f[i0:i0 + 1024], y[i0:i0 + 1024])
        out[:, i0:i0 + 1024] = S @ g.T / n
    sc = time.perf_counter() - t0
    ref = np.load(f"{work}/s_scores_java.npy")
    print(json.dumps({"prepare_seconds": prep, "score_seconds": sc, "numpy": np.__version__,
                      "max_rel_diff": float(np.abs(out - ref).max() / np.abs(ref).max())}))


if __name__ == "__main__":
    mode = sys.argv[1]
    if mode == "products":
        products(sys.argv[2], float(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5]))
    elif mode == "scores":
        scores(sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), int(sys.argv[5]), int(sys.argv[6]))
    else:
        raise SystemExit("unknown mode " + mode)
