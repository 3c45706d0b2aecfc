package org.exemplar.spark;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.data.Npy;
import org.exemplar.data.SparseData;
import org.exemplar.data.SparseNpz;
import org.exemplar.data.SvmLight;
import org.exemplar.linalg.CsrMatrix;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code exemplar spark convert}: the single-machine CLI's input files as Parquet for the Spark jobs, read by the
 * library's own readers so that ids are the CLI's row indices (a Spark job's train_id / test_id is the CLI's
 * train_index / test_index).
 */
@Command(name = "convert", mixinStandardHelpOptions = true,
        description = {"Writes the CLI's input files as Parquet for `spark l1` / `spark cf`, ids = row indices:",
            "--sparse X.npz|X.svm [--labels y.npy] -> id, features (ML SparseVector), label;",
            "--ratings R.npy|u.data [--normalize-ratings] -> user, item, rating (0-based, as `hdrep cf` reads them);",
            "--pairs P.npy -> id, user, item."})
final class ConvertCommand implements Callable<Integer> {
    @ArgGroup(exclusive = true, multiplicity = "1")
    Input input;

    static final class Input {
        @Option(names = "--sparse", description = "sparse rows: SciPy CSR .npz or svmlight") Path sparse;
        @Option(names = "--ratings", description = "(n, 3) .npy triplets or MovieLens u.data") Path ratings;
        @Option(names = "--pairs", description = "(n, 2) or (n, 3) .npy test pairs") Path pairs;
    }

    @Option(names = "--labels", description = "labels .npy for an .npz (svmlight carries its own)") Path labels;
    @Option(names = "--normalize-ratings", description = "map ratings 1..5 onto [-1, 1] by (y - 3) / 2, as "
            + "`hdrep cf --normalize-ratings`") boolean normalize;
    @Option(names = "--limit", description = "only the first N rows / ratings / pairs") Integer limit;
    @Option(names = "--partitions", defaultValue = "4", description = "Parquet part files") int partitions;
    @Option(names = "--master") String master;
    @Option(names = "--out", required = true, description = "output .parquet folder (must not exist)") String out;

    @Override
    public Integer call() {
        Main.Common c = new Main.Common();
        c.master = master;
        c.out = out;
        List<Row> rows = new ArrayList<>();
        StructType schema;
        if (input.sparse != null) {
            CsrMatrix x;
            double[] y = null;
            if (input.sparse.toString().endsWith(".npz")) {
                x = SparseNpz.read(input.sparse);
                if (labels != null) {
                    y = Npy.read(labels).toDoubleArray();
                    if (y.length != x.rows()) {
                        throw new InputException(labels + " has " + y.length + " labels for the " + x.rows()
                                + " rows of " + input.sparse);
                    }
                }
            } else {
                SparseData d = SvmLight.read(input.sparse);
                x = d.features();
                y = d.labels();
            }
            for (int i = 0; i < rowsToWrite(x.rows()); i++) {
                int a = x.indptr()[i];
                int b = x.indptr()[i + 1];
                Object v = Vectors.sparse(x.cols(), Arrays.copyOfRange(x.indices(), a, b),
                        Arrays.copyOfRange(x.values(), a, b));
                rows.add(y == null ? RowFactory.create((long) i, v) : RowFactory.create((long) i, v, y[i]));
            }
            schema = new StructType().add("id", DataTypes.LongType, false)
                    .add("features", SQLDataTypes.VectorType(), false);
            if (y != null) {
                schema = schema.add("label", DataTypes.DoubleType, false);
            }
        } else if (input.ratings != null) {
            Ratings r = RatingsFiles.read(input.ratings);
            if (normalize) {
                r = r.affine(0.5, -1.5);
            }
            for (int t = 0; t < rowsToWrite(r.size()); t++) {
                rows.add(RowFactory.create((long) r.user(t), (long) r.item(t), r.value(t)));
            }
            schema = new StructType().add("user", DataTypes.LongType, false).add("item", DataTypes.LongType, false)
                    .add("rating", DataTypes.DoubleType, false);
        } else {
            int[][] p = RatingsFiles.readPairs(input.pairs);
            for (int t = 0; t < rowsToWrite(p[0].length); t++) {
                rows.add(RowFactory.create((long) t, (long) p[0][t], (long) p[1][t]));
            }
            schema = new StructType().add("id", DataTypes.LongType, false).add("user", DataTypes.LongType, false)
                    .add("item", DataTypes.LongType, false);
        }
        SparkSession s = c.session();
        s.createDataFrame(rows, schema).repartition(partitions).write().parquet(out);
        System.err.printf("convert: wrote %d rows to %s%n", rows.size(), out);
        return 0;
    }

    private int rowsToWrite(int n) {
        if (limit != null && limit < 0) {
            throw new InputException("--limit must be >= 0, got " + limit);
        }
        return limit == null ? n : Math.min(n, limit);
    }
}
