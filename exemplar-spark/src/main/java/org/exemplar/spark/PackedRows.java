package org.exemplar.spark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.storage.StorageLevel;

/**
 * A training set packed into dense blocks: every partition's rows, in their order, as blocks of up to
 * {@link Chunks#DEFAULT_ROWS} rows (one contiguous row-major double[] with the rows' ids and labels: one Spark record
 * per block instead of one per row), checked once and kept at a storage level. Built by one job that reads the
 * source once, fills the cache and scans the blocks (count, width, labels, digest); every later pass (top-k per test
 * block, the fit's evaluations) runs BLAS on the cached arrays with no per-row decoding or copying.
 */
public final class PackedRows {
    private final JavaRDD<Chunks.Chunk> blocks;
    private final TrainingSet.Scan scan;

    private PackedRows(JavaRDD<Chunks.Chunk> blocks, TrainingSet.Scan scan) {
        this.blocks = blocks;
        this.scan = scan;
    }

    /**
     * @param width expected feature width, or -1 to take it from the data (rows of another width fail with their id)
     * @param level where Spark keeps the blocks (MEMORY_ONLY: deserialized arrays; MEMORY_AND_DISK to spill)
     */
    public static PackedRows of(TrainingSet train, int width, StorageLevel level) {
        String what = train.what();
        boolean labeled = train.labeled();
        JavaRDD<Chunks.Chunk> blocks = train.rdd().mapPartitions((Iterator<TrainRow> it) -> {
            List<Chunks.Chunk> out = new ArrayList<>();
            if (!it.hasNext()) {
                return out.iterator();
            }
            TrainRow first = it.next();
            int w = width >= 0 ? width : first.getFeatures() == null ? -1 : first.getFeatures().length;
            Chunks.check(first, w, what);
            Chunks.forEach(new Prepended(first, it), w, Chunks.DEFAULT_ROWS, what, out::add);
            return out.iterator();
        }).persist(level);
        TrainingSet.Scan scan;
        try {
            scan = Jobs.run(() -> blocks.mapPartitions((Iterator<Chunks.Chunk> it) -> {
                TrainingSet.Scan s = TrainingSet.Scan.EMPTY;
                while (it.hasNext()) {
                    s = s.plus(scan(it.next(), what, labeled));
                }
                return List.of(s).iterator();
            }).treeReduce(TrainingSet.Scan::merge), what).withWhat(what);
        } catch (RuntimeException e) {
            blocks.unpersist(false);
            throw e;
        }
        return new PackedRows(blocks, scan);
    }

    /** What a block holds: rows, width, labels, the sum of its rows' digests ({@link RowDigest}). */
    static TrainingSet.Scan scan(Chunks.Chunk c, String what, boolean labeled) {
        long digest = 0;
        int min = Integer.MAX_VALUE;
        int max = Integer.MIN_VALUE;
        long firstId = Long.MAX_VALUE;
        for (int r = 0; r < c.rows(); r++) {
            int y = c.labels()[r];
            if (labeled && y < 0) {
                throw new InputException(what + " row id " + c.ids()[r] + " has a negative label " + y);
            }
            digest += RowDigest.of(c.ids()[r], c.data(), r * c.width(), c.width(), y);
            min = Math.min(min, y);
            max = Math.max(max, y);
            firstId = Math.min(firstId, c.ids()[r]);
        }
        return c.rows() == 0 ? TrainingSet.Scan.EMPTY
                : new TrainingSet.Scan(c.rows(), c.width(), firstId, min, max, digest);
    }

    /** What the packing job saw: rows, width, labels and the order-invariant digest. */
    public TrainingSet.Scan scan() {
        return scan;
    }

    JavaRDD<Chunks.Chunk> blocks() {
        return blocks;
    }

    /** Releases the cached blocks. */
    public void unpersist() {
        blocks.unpersist(false);
    }

    /** An iterator with one element put back in front. */
    private static final class Prepended implements Iterator<TrainRow> {
        private TrainRow head;
        private final Iterator<TrainRow> rest;

        Prepended(TrainRow head, Iterator<TrainRow> rest) {
            this.head = head;
            this.rest = rest;
        }

        @Override
        public boolean hasNext() {
            return head != null || rest.hasNext();
        }

        @Override
        public TrainRow next() {
            if (head != null) {
                TrainRow h = head;
                head = null;
                return h;
            }
            return rest.next();
        }
    }
}
