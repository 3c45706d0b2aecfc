#!/usr/bin/env python3
"""scipy.sparse twin of L1Bench: per-test-point high-dim representer and L2 representer, same formulas.

high-dim: alpha * (X_S @ (|theta_S| * x_t,S)) with X_S the support columns (precomputed, as in Java)       L2 rep: -l'_i * (X @ x_t), l'_i = -y_i sigmoid(-y_i x_i.theta)
"""
import json, sys, time
import numpy as np, scipy, scipy.sparse as sp

train, test, work, points, repeats = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5])
X = sp.load_npz(train).tocsr(); Xt = sp.load_npz(test).tocsr()
theta = np.load(work + '/theta.npy'); alpha = np.load(work + '/alpha.npy'); y = np.load(work + '/signed_labels.npy')
z = X @ theta
lprime = -y / (1 + np.exp(y * z))
abs_theta = np.abs(theta)
support = np.flatnonzero(theta)
XS = X[:, support].tocsr()              # the same support restriction Exemplar precomputes
abs_theta_s = abs_theta[support]
rows = [Xt[t] for t in range(points)]
def highdim(t):
    w = rows[t].toarray().ravel()[support] * abs_theta_s
    return alpha * (XS @ w)
Xc = X.tocsc()                          # column-wise variant: only the test row's columns of X are read
def l2(t):
    return -lprime * (X @ rows[t].toarray().ravel())
def l2_columns(t):
    r = rows[t]
    return -lprime * (Xc[:, r.indices] @ r.data)
for t in range(min(points, 20)):
    highdim(t)
best_hd = best_l2 = best_l2c = float('inf'); checksum = 0.0
for _ in range(repeats):
    t0 = time.perf_counter(); s = 0.0
    for t in range(points):
        s += highdim(t)[t]
    best_hd = min(best_hd, (time.perf_counter() - t0) * 1e3 / points); checksum = s
    t0 = time.perf_counter()
    for t in range(points):
        l2(t)
    best_l2 = min(best_l2, (time.perf_counter() - t0) * 1e3 / points)
    t0 = time.perf_counter()
    for t in range(points):
        l2_columns(t)
    best_l2c = min(best_l2c, (time.perf_counter() - t0) * 1e3 / points)
l2_check = float(sum(l2(t)[t] for t in range(points)))
l2c_check = float(sum(l2_columns(t)[t] for t in range(points)))
print(json.dumps({'highdim_ms': best_hd, 'l2_ms': best_l2, 'l2_columns_ms': best_l2c, 'checksum': checksum,
                  'l2_checksum': l2_check, 'l2_columns_checksum': l2c_check, 'scipy': scipy.__version__}))
