package org.exemplar.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.ml.linalg.DenseVector;
import org.apache.spark.ml.linalg.SparseVector;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.ArrayType;
import org.apache.spark.sql.types.DataType;
import org.apache.spark.sql.types.IntegralType;
import org.apache.spark.sql.types.NumericType;
import org.apache.spark.sql.types.StructField;
import org.exemplar.linalg.CsrMatrix;

/**
 * Sparse rows from any Spark source (a Spark ML Vector column, or indices / values array columns), with the schema
 * checked before any job runs; rows stay sparse all the way into the library's CSR kernels.
 */
public final class SparseSet implements Serializable {
    private static final long serialVersionUID = 1L;
    /** Rows per CSR block handed to a kernel (fewer when the block reaches {@link #CHUNK_NNZ} non-zeros). */
    static final int CHUNK_ROWS = 4096;
    static final int CHUNK_NNZ = 1 << 22;
    private final transient JavaRDD<SparseRow> rows;
    private final String what;
    private final boolean labeled;

    private SparseSet(JavaRDD<SparseRow> rows, String what, boolean labeled) {
        this.rows = rows;
        this.what = what;
        this.labeled = labeled;
    }

    /**
     * @param source any Spark Dataset (Parquet, a table, Spark's libsvm reader with an id column added)
     * @param what   "training" or "test", for messages
     */
    public static SparseSet of(Dataset<Row> source, SparseColumns cols, String what) {
        StructField id = TrainingSet.field(source, cols.id(), what);
        if (!(id.dataType() instanceof IntegralType)) {
            throw new InputException(what + " data: id column '" + cols.id() + "' has type "
                    + id.dataType().simpleString() + ", expected an integer type");
        }
        List<String> select = new ArrayList<>(List.of(cols.id()));
        boolean vector = cols.features() != null;
        if (vector) {
            DataType t = TrainingSet.field(source, cols.features(), what).dataType();
            if (!t.getClass().getName().equals("org.apache.spark.ml.linalg.VectorUDT")) {
                throw new InputException(what + " data: features column '" + cols.features() + "' has type "
                        + t.simpleString() + ", expected an ML Vector (or give --indices and --values columns)");
            }
            select.add(cols.features());
        } else {
            DataType ti = TrainingSet.field(source, cols.indices(), what).dataType();
            if (!(ti instanceof ArrayType a && a.elementType() instanceof IntegralType)) {
                throw new InputException(what + " data: indices column '" + cols.indices() + "' has type "
                        + ti.simpleString() + ", expected an integer array");
            }
            DataType tv = TrainingSet.field(source, cols.values(), what).dataType();
            if (!(tv instanceof ArrayType b && b.elementType() instanceof NumericType)) {
                throw new InputException(what + " data: values column '" + cols.values() + "' has type "
                        + tv.simpleString() + ", expected a numeric array");
            }
            select.add(cols.indices());
            select.add(cols.values());
        }
        boolean labeled = cols.label() != null;
        if (labeled) {
            DataType tl = TrainingSet.field(source, cols.label(), what).dataType();
            if (!(tl instanceof NumericType)) {
                throw new InputException(what + " data: label column '" + cols.label() + "' has type "
                        + tl.simpleString() + ", expected a number (0/1 or -1/+1)");
            }
            select.add(cols.label());
        }
        String w = what;
        JavaRDD<SparseRow> rows = source.selectExpr(select.stream().map(c -> "`" + c + "`").toArray(String[]::new))
                .javaRDD().map(r -> read(r, vector, labeled, w));
        return new SparseSet(rows, what, labeled);
    }

    /** Reads Parquet files; an unreadable or corrupted file fails here with its path. */
    public static SparseSet parquet(SparkSession spark, String path, SparseColumns cols, String what) {
        Dataset<Row> df;
        try {
            df = spark.read().parquet(path);
        } catch (Exception e) { // SparkException is checked in Java, thrown unchecked from Scala
            throw new InputException("cannot read " + what + " data " + path + " as Parquet: "
                    + TrainingSet.rootMessage(e), e);
        }
        return of(df, cols, what);
    }

    private static SparseRow read(Row r, boolean vector, boolean labeled, String what) {
        if (r.isNullAt(0)) {
            throw new InputException(what + " data has a row with a null id");
        }
        long id = ((Number) r.get(0)).longValue();
        int[] idx = null;
        double[] val = null;
        int size = -1;
        if (vector) {
            Object o = r.get(1);
            if (o instanceof SparseVector sv) {
                idx = sv.indices();
                val = sv.values();
                size = sv.size();
            } else if (o instanceof DenseVector dv) {
                double[] d = dv.values();
                int nz = 0;
                for (double v : d) {
                    nz += v != 0 ? 1 : 0;
                }
                idx = new int[nz];
                val = new double[nz];
                for (int j = 0, q = 0; j < d.length; j++) {
                    if (d[j] != 0) {
                        idx[q] = j;
                        val[q++] = d[j];
                    }
                }
                size = d.length;
            }
        } else if (!r.isNullAt(1) && !r.isNullAt(2)) {
            List<Object> li = r.getList(1);
            List<Object> lv = r.getList(2);
            idx = new int[li.size()];
            val = new double[lv.size()];
            for (int k = 0; k < idx.length; k++) {
                Object o = li.get(k);
                if (o == null) {
                    throw new InputException(what + " row id " + id + " has a null feature index");
                }
                long j = ((Number) o).longValue();
                idx[k] = j < Integer.MIN_VALUE || j > Integer.MAX_VALUE ? -1 : (int) j;
            }
            for (int k = 0; k < val.length; k++) {
                Object o = lv.get(k);
                val[k] = o == null ? Double.NaN : ((Number) o).doubleValue();
            }
        }
        double label = Double.NaN;
        if (labeled) {
            int at = vector ? 2 : 3;
            if (r.isNullAt(at)) {
                throw new InputException(what + " row id " + id + " has no label (null)");
            }
            label = ((Number) r.get(at)).doubleValue();
        }
        return new SparseRow(id, idx, val, size, label);
    }

    public String what() {
        return what;
    }

    public boolean labeled() {
        return labeled;
    }

    /** The same rows in {@code n} partitions (round robin), e.g. to test that results do not depend on it. */
    public SparseSet repartition(int n) {
        return new SparseSet(rows.repartition(n), what, labeled);
    }

    public SparseSet cache() {
        return new SparseSet(rows.cache(), what, labeled);
    }

    JavaRDD<SparseRow> rdd() {
        return rows;
    }

    /** One CSR block of checked rows: the matrix, the rows' ids and labels (NaN when unlabeled). */
    record Chunk(CsrMatrix x, long[] ids, double[] labels) {
    }

    interface ChunkConsumer {
        void accept(Chunk c) throws Exception;
    }

    /** Cuts a partition's rows into CSR blocks of at most {@link #CHUNK_ROWS} rows, checking every row first. */
    static void forEach(Iterator<SparseRow> it, int width, String what, ChunkConsumer consumer) throws Exception {
        List<SparseRow> buf = new ArrayList<>();
        long nnz = 0;
        while (it.hasNext()) {
            SparseRow r = it.next();
            r.check(width, what);
            buf.add(r);
            nnz += r.indices().length;
            if (buf.size() == CHUNK_ROWS || nnz >= CHUNK_NNZ) {
                consumer.accept(chunk(buf, width));
                buf.clear();
                nnz = 0;
            }
        }
        if (!buf.isEmpty()) {
            consumer.accept(chunk(buf, width));
        }
    }

    static Chunk chunk(List<SparseRow> rows, int width) {
        int m = rows.size();
        int[] ptr = new int[m + 1];
        for (int i = 0; i < m; i++) {
            ptr[i + 1] = ptr[i] + rows.get(i).indices().length;
        }
        int[] idx = new int[ptr[m]];
        double[] val = new double[ptr[m]];
        long[] ids = new long[m];
        double[] labels = new double[m];
        for (int i = 0; i < m; i++) {
            SparseRow r = rows.get(i);
            System.arraycopy(r.indices(), 0, idx, ptr[i], r.indices().length);
            System.arraycopy(r.values(), 0, val, ptr[i], r.values().length);
            ids[i] = r.id();
            labels[i] = r.label();
        }
        return new Chunk(new CsrMatrix(m, width, ptr, idx, val), ids, labels);
    }

    /** Collects a small set (test points) to the driver as one CSR matrix, rows ordered by id. */
    public Chunk collect(int width) {
        List<SparseRow> list = new ArrayList<>(Jobs.run(() -> rows.collect(), what));
        if (list.isEmpty()) {
            throw new InputException(what + " data is empty");
        }
        list.sort(Comparator.comparingLong(SparseRow::id));
        for (int i = 0; i < list.size(); i++) {
            list.get(i).check(width, what);
            if (i > 0 && list.get(i).id() == list.get(i - 1).id()) {
                throw new InputException(what + " data has the id " + list.get(i).id() + " twice");
            }
        }
        return chunk(list, width);
    }

    @Override
    public String toString() {
        return what + " sparse rows" + (labeled ? " (labeled)" : "");
    }
}
