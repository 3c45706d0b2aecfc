package org.exemplar.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lit;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Encoders;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.exemplar.linalg.DenseMatrix;

/**
 * Rows from any Spark source, normalized to (id: long, features: array&lt;double&gt;, label: int) whatever the source
 * used (array&lt;float&gt;, an ML Vector, int ids), with its schema checked before any job runs.
 */
public final class TrainingSet implements Serializable {
    private static final long serialVersionUID = 1L;
    private final transient Dataset<TrainRow> rows;
    private final String what;
    private final boolean labeled;

    private TrainingSet(Dataset<TrainRow> rows, String what, boolean labeled) {
        this.rows = rows;
        this.what = what;
        this.labeled = labeled;
    }

    /**
     * @param source any Spark Dataset (Parquet, a table, generated rows)
     * @param cols   which columns hold the id, the features, the label (null: none)
     * @param what   "training" or "test", for messages
     */
    public static TrainingSet of(Dataset<Row> source, Columns cols, String what) {
        StructField id = field(source, cols.id(), what);
        if (!(id.dataType() instanceof IntegralType)) {
            throw new InputException(what + " data: id column '" + cols.id() + "' has type "
                    + id.dataType().simpleString() + ", expected an integer type");
        }
        StructField f = field(source, cols.features(), what);
        Column features = featuresColumn(f, what);
        Column label;
        if (cols.label() == null) {
            label = lit(-1);
        } else {
            StructField l = field(source, cols.label(), what);
            if (!(l.dataType() instanceof IntegralType)) {
                throw new InputException(what + " data: label column '" + cols.label() + "' has type "
                        + l.dataType().simpleString() + ", expected an integer class label");
            }
            label = col(cols.label()).cast(DataTypes.IntegerType);
        }
        Dataset<TrainRow> rows = source.select(col(cols.id()).cast(DataTypes.LongType).as("id"),
                features.as("features"), label.as("label")).as(Encoders.bean(TrainRow.class));
        return new TrainingSet(rows, what, cols.label() != null);
    }

    /** Reads Parquet files; an unreadable or corrupted file fails here with its path. */
    public static TrainingSet parquet(SparkSession spark, String path, Columns cols, String what) {
        Dataset<Row> df;
        try {
            df = spark.read().parquet(path);
        } catch (Exception e) { // SparkException is checked in Java, thrown unchecked from Scala
            throw new InputException("cannot read " + what + " data " + path + " as Parquet: " + rootMessage(e), e);
        }
        return of(df, cols, what);
    }

    static String rootMessage(Throwable e) {
        Throwable t = e;
        String msg = e.getMessage();
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
            if (t.getMessage() != null) {
                msg = t.getMessage();
            }
        }
        return msg == null ? e.toString() : msg.lines().findFirst().orElse(msg);
    }

    static StructField field(Dataset<Row> source, String name, String what) {
        for (StructField f : source.schema().fields()) {
            if (f.name().equals(name)) {
                return f;
            }
        }
        throw new InputException(what + " data has no column '" + name + "' (columns: "
                + String.join(", ", source.columns()) + ")");
    }

    private static Column featuresColumn(StructField f, String what) {
        DataType t = f.dataType();
        if (t instanceof ArrayType a) {
            if (a.elementType() instanceof NumericType) {
                return col(f.name()).cast(DataTypes.createArrayType(DataTypes.DoubleType));
            }
        } else if (t.getClass().getName().equals("org.apache.spark.ml.linalg.VectorUDT")) {
            return org.apache.spark.ml.functions.vector_to_array(col(f.name()), "float64");
        }
        throw new InputException(what + " data: features column '" + f.name() + "' has type " + t.simpleString()
                + ", expected array<double> or an ML Vector");
    }

    public Dataset<TrainRow> rows() {
        return rows;
    }

    public String what() {
        return what;
    }

    public boolean labeled() {
        return labeled;
    }

    /** The same rows cached in memory (for iterative jobs: the fit reads them once per L-BFGS step). */
    public TrainingSet cache() {
        return new TrainingSet(rows.cache(), what, labeled);
    }

    /** The same rows in {@code n} partitions (round robin), e.g. to test that results do not depend on it. */
    public TrainingSet repartition(int n) {
        return new TrainingSet(rows.repartition(n), what, labeled);
    }

    JavaRDD<TrainRow> rdd() {
        return rows.javaRDD();
    }

    /**
     * One pass over the data: row count, width (every row checked against {@code expectedWidth}, or against each
     * other when it is -1), label range, and an order-invariant digest of the content.
     */
    public Scan scan(int expectedWidth) {
        String w = what;
        boolean lab = labeled;
        Scan zero = Scan.EMPTY;
        return Jobs.run(() -> rdd().mapPartitions((Iterator<TrainRow> it) -> {
            Scan s = Scan.EMPTY;
            while (it.hasNext()) {
                TrainRow r = it.next();
                int width = expectedWidth >= 0 ? expectedWidth : r.getFeatures() == null ? -1
                        : s.rows() > 0 ? s.width() : r.getFeatures().length;
                Chunks.check(r, width, w);
                if (lab && r.getLabel() < 0) {
                    throw new InputException(w + " row id " + r.getId() + " has a negative label " + r.getLabel());
                }
                s = s.plus(new Scan(1, width, r.getId(), r.getLabel(), r.getLabel(), RowDigest.of(r)));
            }
            return List.of(s).iterator();
        }).treeReduce(Scan::merge), w).withWhat(w);
    }

    /** Passes rows through while counting them and summing their digests (for a pass that also does work). */
    static final class ScanningIterator implements Iterator<TrainRow> {
        private final Iterator<TrainRow> in;
        private final int width;
        private long rows;
        private long digest;
        private long firstId;
        private int minLabel = Integer.MAX_VALUE;
        private int maxLabel = Integer.MIN_VALUE;

        ScanningIterator(Iterator<TrainRow> in, int width) {
            this.in = in;
            this.width = width;
        }

        @Override
        public boolean hasNext() {
            return in.hasNext();
        }

        @Override
        public TrainRow next() {
            TrainRow r = in.next();
            Chunks.check(r, width, "training");
            if (rows == 0) {
                firstId = r.getId();
            }
            rows++;
            digest += RowDigest.of(r);
            minLabel = Math.min(minLabel, r.getLabel());
            maxLabel = Math.max(maxLabel, r.getLabel());
            return r;
        }

        Scan scan() {
            return rows == 0 ? Scan.EMPTY : new Scan(rows, width, firstId, minLabel, maxLabel, digest);
        }
    }

    /** Collects a small set (test points) to the driver, ordered by id. */
    public Collected collect(int expectedWidth) {
        List<TrainRow> list = new ArrayList<>(Jobs.run(() -> rows.orderBy("id").collectAsList(), what));
        if (list.isEmpty()) {
            throw new InputException(what + " data is empty");
        }
        int width = expectedWidth >= 0 ? expectedWidth : list.get(0).getFeatures() == null ? -1
                : list.get(0).getFeatures().length;
        DenseMatrix f = new DenseMatrix(list.size(), Math.max(0, width));
        long[] ids = new long[list.size()];
        int[] labels = new int[list.size()];
        for (int i = 0; i < list.size(); i++) {
            TrainRow r = list.get(i);
            Chunks.check(r, width, what);
            if (i > 0 && r.getId() == ids[i - 1]) {
                throw new InputException(what + " data has the id " + r.getId() + " twice");
            }
            System.arraycopy(r.getFeatures(), 0, f.data(), i * width, width);
            ids[i] = r.getId();
            labels[i] = r.getLabel();
        }
        return new Collected(f, ids, labels);
    }

    /** A small set on the driver: features, ids (ascending), labels (-1 when none). */
    public record Collected(DenseMatrix features, long[] ids, int[] labels) {
    }

    /**
     * What one pass saw.
     *
     * @param rows     number of rows
     * @param width    feature width
     * @param firstId  an id seen (for messages)
     * @param minLabel smallest label
     * @param maxLabel largest label
     * @param digest   order-invariant 64-bit content digest ({@link RowDigest}), summed over rows
     */
    public record Scan(long rows, int width, long firstId, int minLabel, int maxLabel, long digest)
            implements Serializable {
        static final Scan EMPTY = new Scan(0, -1, 0, Integer.MAX_VALUE, Integer.MIN_VALUE, 0);

        Scan plus(Scan o) {
            return merge(this, o);
        }

        static Scan merge(Scan a, Scan b) {
            if (a.rows == 0) {
                return b;
            }
            if (b.rows == 0) {
                return a;
            }
            if (a.width != b.width) {
                throw new InputException("rows of different widths: id " + a.firstId + " has " + a.width
                        + " features, id " + b.firstId + " has " + b.width);
            }
            return new Scan(a.rows + b.rows, a.width, Math.min(a.firstId, b.firstId), Math.min(a.minLabel, b.minLabel),
                    Math.max(a.maxLabel, b.maxLabel), a.digest + b.digest);
        }

        Scan withWhat(String what) {
            if (rows == 0) {
                throw new InputException(what + " data is empty");
            }
            return this;
        }

        /** The digest as 16 hex digits. */
        public String digestHex() {
            return String.format("%016x", digest);
        }
    }

    @Override
    public String toString() {
        return what + " " + Arrays.toString(rows.columns());
    }
}
