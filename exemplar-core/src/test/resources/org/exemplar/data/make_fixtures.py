#!/usr/bin/env python3
"""Generates the small NumPy / IDX fixtures used by the org.exemplar.data tests.

Run from anywhere with python3 + numpy:  python3 make_fixtures.py
The files are written next to this script and committed; the Java tests compare
their own output byte-for-byte against several of them, so regenerate only with
a NumPy that writes the same headers (NumPy >= 1.24 pads headers for growth;
these fixtures were produced with NumPy 2.x).
"""
import gzip
import io
import os
import struct
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def path(name):
    return os.path.join(HERE, name)


def save(name, arr, version=None):
    if version is None:
        np.save(path(name), arr, allow_pickle=(arr.dtype == object))
    else:
        with open(path(name), "wb") as f:
            np.lib.format.write_array(f, arr, version=version)


def idx_bytes(arr):
    codes = {np.dtype("uint8"): 0x08, np.dtype("int8"): 0x09, np.dtype(">i2"): 0x0B,
             np.dtype(">i4"): 0x0C, np.dtype(">f4"): 0x0D, np.dtype(">f8"): 0x0E}
    head = struct.pack(">BBBB", 0, 0, codes[arr.dtype], arr.ndim)
    head += b"".join(struct.pack(">I", d) for d in arr.shape)
    return head + arr.tobytes(order="C")


def main():
    # 3 x 4 float64 with negative and fractional values: the reference matrix for most tests.
    m = (np.arange(12, dtype="<f8").reshape(3, 4) - 5.0) * 0.25
    m[2, 3] = 1e-300
    m[0, 0] = -123456.789
    save("f8_c.npy", m)
    save("f8_fortran.npy", np.asfortranarray(m))
    save("f8_be.npy", m.astype(">f8"))
    save("f8_v2.npy", m, version=(2, 0))
    save("f8_v3.npy", m, version=(3, 0))
    save("f8_1d.npy", np.array([0.5, -1.25, 3.0, 1e10, -0.0], dtype="<f8"))
    save("f8_scalar.npy", np.array(3.5, dtype="<f8"))
    save("f8_empty.npy", np.zeros((0, 3), dtype="<f8"))
    save("f8_3d.npy", (np.arange(24, dtype="<f8").reshape(2, 3, 4) / 8.0))
    save("f8_3d_fortran.npy", np.asfortranarray(np.arange(24, dtype="<f8").reshape(2, 3, 4) / 8.0))
    save("f4_c.npy", np.array([[1.5, -2.25, 3.0], [0.1, 1e-7, -4e20]], dtype="<f4"))
    save("i4_1d.npy", np.array([-2, 0, 7, 2147483647, -2147483648], dtype="<i4"))
    save("i8_1d.npy", np.array([-5, 0, 2**40, 2**62, -(2**62)], dtype="<i8"))
    save("b1_1d.npy", np.array([True, False, True, True, False]))
    save("u1_3d.npy", (np.arange(24, dtype=np.int64).reshape(2, 3, 4) * 11 % 256).astype(np.uint8))
    save("i2_be_fortran.npy", np.asfortranarray(np.array([[1, -2], [300, -400], [32767, -32768]], dtype=">i2")))
    # Features with a NaN at (1, 1) and +inf at (2, 0), for Validation.requireFinite.
    bad = np.ones((3, 2))
    bad[1, 1] = np.nan
    bad[2, 0] = np.inf
    save("f8_nan.npy", bad)
    # Unsupported dtypes.
    save("c16.npy", np.array([1 + 2j, 3 - 4j], dtype="<c16"))
    save("object.npy", np.array([1, "a"], dtype=object))

    labels = np.array([2, 0, 1], dtype="<i4")
    mask = np.array([True, False, True])
    np.savez(path("savez.npz"), features=m, labels=labels, mask=mask)
    np.savez_compressed(path("savez_compressed.npz"), features=m, labels=labels, mask=mask)
    # A model-like archive: compressed arrays plus a config.json member.
    np.savez_compressed(path("model.npz"), weights=m.T.copy(), bias=np.array([0.5, -0.5, 0.25, 0.0]))
    with zipfile.ZipFile(path("model.npz"), "a", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("config.json", '{"model": "logistic", "classes": 4}')

    images = (np.arange(60, dtype=np.int64).reshape(3, 4, 5) * 7 % 256).astype(np.uint8)
    digits = np.array([7, 0, 9], dtype=np.uint8)
    with open(path("images.idx3-ubyte"), "wb") as f:
        f.write(idx_bytes(images))
    with open(path("images.idx3-ubyte.gz"), "wb") as raw:
        with gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as g:
            g.write(idx_bytes(images))
    with open(path("labels.idx1-ubyte"), "wb") as f:
        f.write(idx_bytes(digits))
    with open(path("floats.idx2-double"), "wb") as f:
        f.write(idx_bytes(m.astype(">f8")))


if __name__ == "__main__":
    main()
