package org.exemplar.spark;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.sql.Column;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.Metadata;
import org.apache.spark.sql.types.MetadataBuilder;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;

/**
 * Writes a result folder, all or nothing (into a hidden sibling folder first, then renamed): {@code NAME.parquet}
 * (Spark's folder of part files) and {@code summary.json}. The provenance (method, settings, input digests, seed,
 * library / Java / BLAS versions, time) is in the Parquet metadata itself, as the metadata key {@value #KEY} of every
 * column (Spark stores the schema with its metadata in each file's footer), and in {@code summary.json} with the
 * job's summary figures.
 */
public final class ParquetResults {
    /** The column-metadata key holding the provenance JSON. */
    public static final String KEY = "exemplar.provenance";

    private ParquetResults() {
    }

    /** A provenance record for a Spark job (the data digests are given by the caller). */
    public static Provenance provenance(String method, Map<String, Object> settings, Map<String, String> inputs,
                                        Long seed) {
        return new Provenance(method, new LinkedHashMap<>(settings), new LinkedHashMap<>(inputs), seed,
                Provenance.currentLibraryVersion(), System.getProperty("java.version"), Blas.backend().description(),
                Instant.now());
    }

    /**
     * @param out     a folder that must not exist yet
     * @param summary figures for summary.json (diagnostics, counts, times)
     */
    public static void write(SparkSession spark, Dataset<Row> result, String out, String name,
                             Provenance provenance, Map<String, Object> summary) {
        write(spark, Map.of(name, result), out, provenance, summary);
    }

    /**
     * Several results in one folder, all or nothing: {@code NAME.parquet} per entry (each with the provenance in its
     * metadata) and {@code summary.json}.
     */
    public static void write(SparkSession spark, Map<String, Dataset<Row>> results, String out,
                             Provenance provenance, Map<String, Object> summary) {
        String json = Json.write(provenance);
        Metadata md = new MetadataBuilder().putString(KEY, json).build();
        try {
            Path target = new Path(out);
            FileSystem fs = target.getFileSystem(spark.sparkContext().hadoopConfiguration());
            if (fs.exists(target)) {
                throw new InputException("output " + out + " exists; give a new folder (results are never merged)");
            }
            Path tmp = new Path(target.getParent() == null ? new Path(".") : target.getParent(),
                    "." + target.getName() + ".tmp-" + java.util.UUID.randomUUID());
            try {
                for (Map.Entry<String, Dataset<Row>> e : results.entrySet()) {
                    Dataset<Row> result = e.getValue();
                    Column[] cols = new Column[result.columns().length];
                    for (int q = 0; q < cols.length; q++) {
                        String c = result.columns()[q];
                        cols[q] = result.col(c).as(c, md);
                    }
                    result.select(cols).write().parquet(new Path(tmp, e.getKey() + ".parquet").toString());
                }
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("provenance", provenance);
                s.putAll(summary);
                try (OutputStream o = fs.create(new Path(tmp, "summary.json"), false)) {
                    o.write(Json.write(s).getBytes(StandardCharsets.UTF_8));
                }
                if (!fs.rename(tmp, target)) {
                    throw new IOException("could not rename " + tmp + " to " + target);
                }
            } finally {
                if (fs.exists(tmp)) {
                    fs.delete(tmp, true);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("writing " + out + ": " + e.getMessage(), e);
        }
    }

    /** Fails (before any job runs) when the output folder exists already. */
    public static void requireAbsent(SparkSession spark, String out) {
        try {
            Path target = new Path(out);
            if (target.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(target)) {
                throw new InputException("output " + out + " exists; give a new folder (results are never merged)");
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("checking " + out + ": " + e.getMessage(), e);
        }
    }

    /** The provenance JSON stored in a Parquet result's metadata (its first column's). */
    public static String readProvenance(SparkSession spark, String path) {
        Dataset<Row> df = spark.read().parquet(path);
        Metadata md = df.schema().fields()[0].metadata();
        if (!md.contains(KEY)) {
            throw new InputException(path + " carries no exemplar provenance in its Parquet metadata");
        }
        return md.getString(KEY);
    }
}
