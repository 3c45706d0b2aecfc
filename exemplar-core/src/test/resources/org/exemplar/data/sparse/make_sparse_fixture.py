#!/usr/bin/env python3
"""Writes csr_fixture.npz with scipy.sparse.save_npz (uncompressed and compressed) for SparseNpz tests."""
import numpy as np, scipy.sparse as sp
m = sp.csr_matrix(np.array([[0, 1.5, 0, 0], [0, 0, 0, 0], [2.0, 0, 0, -3.25], [0, 0, 4.0, 0]]))
sp.save_npz('csr_fixture.npz', m, compressed=False)
sp.save_npz('csr_fixture_compressed.npz', m, compressed=True)
