#!/usr/bin/env python3
"""Cut the MNIST slice shipped with Exemplar's demo from the full IDX files.

Usage: python3 scripts/make_mnist_slice.py SRC_DIR DST_DIR [N_TRAIN] [N_TEST]
SRC_DIR holds train10k-{images,labels}-idx?-ubyte.gz and t10k-*.gz (e.g. ../shared/data/mnist/idx).
Writes the first N_TRAIN training and N_TEST test digits, gzip'd IDX, byte-identical headers.
"""
import gzip, struct, sys, os

def cut(src, dst, n):
    with gzip.open(src, 'rb') as f:
        data = f.read()
    magic, = struct.unpack('>I', data[:4])
    ndim = magic & 0xff
    dims = list(struct.unpack('>' + 'I' * ndim, data[4:4 + 4 * ndim]))
    item = 1
    for d in dims[1:]:
        item *= d
    dims[0] = n
    head = struct.pack('>I', magic) + struct.pack('>' + 'I' * ndim, *dims)
    body = data[4 + 4 * ndim: 4 + 4 * ndim + n * item]
    with gzip.GzipFile(dst, 'wb', mtime=0) as g:
        g.write(head + body)

src, dst = sys.argv[1], sys.argv[2]
ntr = int(sys.argv[3]) if len(sys.argv) > 3 else 5000
nte = int(sys.argv[4]) if len(sys.argv) > 4 else 1000
os.makedirs(dst, exist_ok=True)
cut(os.path.join(src, 'train10k-images-idx3-ubyte.gz'), os.path.join(dst, 'train-images-idx3-ubyte.gz'), ntr)
cut(os.path.join(src, 'train10k-labels-idx1-ubyte.gz'), os.path.join(dst, 'train-labels-idx1-ubyte.gz'), ntr)
cut(os.path.join(src, 't10k-images-idx3-ubyte.gz'), os.path.join(dst, 'test-images-idx3-ubyte.gz'), nte)
cut(os.path.join(src, 't10k-labels-idx1-ubyte.gz'), os.path.join(dst, 'test-labels-idx1-ubyte.gz'), nte)
