#!/usr/bin/env python3
"""Write the .npy inputs of the PBRF reproductions (docs/pbrf.md) from ../shared/data.

Usage: python3 scripts/pbrf_data.py DATA_DIR OUT_DIR
  OUT_DIR/wdbc/{x,y,xt,yt}.npy      WDBC (breast cancer), seeded 80/20 split, features standardized by the
                                    training mean / std, labels 0/1 (the paper's Cancer set, Sec. 6.1)
  OUT_DIR/diabetes/{x,y,xt,yt}.npy  scikit-learn's diabetes regression (442 x 10), seeded 80/20 split, inputs
                                    and targets standardized by the training statistics (App. E.3)
  OUT_DIR/mnist/{x,y,xt,yt}.npy     the first 6000 digits of train10k (10 % of MNIST's 60k) and the first
                                    1000 test digits, pixels / 255
  OUT_DIR/fashion/{x,y,xt,yt}.npy   the same for Fashion-MNIST (first 6000 of 60k training, 1000 test)
Needs numpy only. The split seed is 0.
"""
import gzip
import os
import struct
import sys

import numpy as np


def split(x, y, seed=0, test=0.2):
    rng = np.random.default_rng(seed)
    perm = rng.permutation(len(x))
    nt = int(round(test * len(x)))
    return x[perm[nt:]], y[perm[nt:]], x[perm[:nt]], y[perm[:nt]]


def save(d, **arrays):
    os.makedirs(d, exist_ok=True)
    for k, v in arrays.items():
        np.save(os.path.join(d, k + '.npy'), v)


def idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    magic, = struct.unpack('>I', data[:4])
    ndim = magic & 0xff
    dims = struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data[4 + 4 * ndim:], dtype=np.uint8).reshape(dims)


src, dst = sys.argv[1], sys.argv[2]

raw = np.loadtxt(os.path.join(src, 'breast-cancer-wisconsin-diagnostic', 'breast_cancer.csv'), delimiter=',',
                 skiprows=1)
x, y, xt, yt = split(raw[:, :30], raw[:, 30].astype(np.int64))
mu, sd = x.mean(0), x.std(0)
save(os.path.join(dst, 'wdbc'), x=(x - mu) / sd, y=y, xt=(xt - mu) / sd, yt=yt)

with gzip.open(os.path.join(src, 'diabetes-sklearn', 'diabetes_data_raw.csv.gz'), 'rt') as f:
    xd = np.loadtxt(f)
with gzip.open(os.path.join(src, 'diabetes-sklearn', 'diabetes_target.csv.gz'), 'rt') as f:
    yd = np.loadtxt(f)
x, y, xt, yt = split(xd, yd)
mu, sd = x.mean(0), x.std(0)
ym, ys = y.mean(), y.std()
save(os.path.join(dst, 'diabetes'), x=(x - mu) / sd, y=(y - ym) / ys, xt=(xt - mu) / sd, yt=(yt - ym) / ys)

m = os.path.join(src, 'mnist', 'idx')
xi = idx(os.path.join(m, 'train10k-images-idx3-ubyte.gz'))[:6000].reshape(6000, -1) / 255.0
yi = idx(os.path.join(m, 'train10k-labels-idx1-ubyte.gz'))[:6000].astype(np.int64)
xti = idx(os.path.join(m, 't10k-images-idx3-ubyte.gz'))[:1000].reshape(1000, -1) / 255.0
yti = idx(os.path.join(m, 't10k-labels-idx1-ubyte.gz'))[:1000].astype(np.int64)
save(os.path.join(dst, 'mnist'), x=xi, y=yi, xt=xti, yt=yti)
f = os.path.join(src, 'fashion-mnist')
xf = idx(os.path.join(f, 'train-images-idx3-ubyte.gz'))[:6000].reshape(6000, -1) / 255.0
yf = idx(os.path.join(f, 'train-labels-idx1-ubyte.gz'))[:6000].astype(np.int64)
xtf = idx(os.path.join(f, 't10k-images-idx3-ubyte.gz'))[:1000].reshape(1000, -1) / 255.0
ytf = idx(os.path.join(f, 't10k-labels-idx1-ubyte.gz'))[:1000].astype(np.int64)
save(os.path.join(dst, 'fashion'), x=xf, y=yf, xt=xtf, yt=ytf)
print('wrote', dst)
