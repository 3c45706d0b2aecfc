package org.exemplar.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.exemplar.eval.DeletionDiagnostics;
import org.exemplar.eval.DeletionPlan;
import org.exemplar.eval.DeletionResult;

/**
 * Case-deletion diagnostics (Tsai et al. 2023, Sec. 6.1; AUC-DEL) with the retrainings fanned out as Spark tasks.
 * The driver prepares core's {@link DeletionPlan} (every method's removal sets per test point, sign and k, and the
 * original scores); the model's data goes out once as a broadcast ({@link DeletionSpec}); every retraining is one
 * element of an RDD whose task calls core's retraining ({@link org.exemplar.eval.DeletionTarget#scoreWithout});
 * the new scores come back to the driver and core's {@link DeletionPlan#results} computes DEL+/DEL- and AUC-DEL.
 * The numbers are those of {@link DeletionDiagnostics#evaluate} on one machine: the same plan, the same
 * deterministic retrainings, the same summary; only where each retraining runs differs.
 */
public final class SparkDeletion {
    private SparkDeletion() {
    }

    /** One retraining as a task: its position in the plan, the test point, the training points removed. */
    record Task(int position, int testIndex, int[] removed) implements Serializable {
    }

    /**
     * A retraining that failed (did not converge): its message names the removal set; the job fails as a whole and
     * nothing is written.
     */
    public static final class RetrainingFailed extends RuntimeException {
        private static final long serialVersionUID = 1L;

        RetrainingFailed(String m, Throwable cause) {
            super(m, cause);
        }
    }

    /**
     * @param plan   the plan, prepared on the driver with the target {@code spec.target()} builds
     * @param slices Spark partitions of the retrainings (0: one retraining per task)
     * @return per method, as {@link DeletionDiagnostics#evaluate}
     */
    public static List<DeletionResult> evaluate(SparkSession spark, DeletionSpec spec, DeletionPlan plan, int slices) {
        List<Task> tasks = new ArrayList<>();
        List<DeletionPlan.Retraining> rs = plan.retrainings();
        for (int j = 0; j < rs.size(); j++) {
            if (rs.get(j).needsRetraining()) {
                tasks.add(new Task(j, rs.get(j).testIndex(), rs.get(j).removed()));
            }
        }
        double[] scores = new double[rs.size()];
        if (!tasks.isEmpty()) {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            Broadcast<DeletionSpec> b = jsc.broadcast(spec);
            int n = slices > 0 ? Math.min(slices, tasks.size()) : tasks.size();
            List<double[]> out;
            try {
                out = jsc.parallelize(tasks, n).map(t -> new double[] {t.position(),
                    b.value().target().scoreWithout(t.testIndex(), t.removed())}).collect();
            } catch (Exception e) { // SparkException is checked in Java, thrown unchecked from Scala
                throw failure(e);
            } finally {
                b.destroy();
            }
            if (out.size() != tasks.size()) {
                throw new IllegalStateException(out.size() + " retraining results for " + tasks.size() + " tasks");
            }
            boolean[] seen = new boolean[rs.size()];
            for (double[] r : out) {
                int j = (int) r[0];
                if (seen[j]) {
                    throw new IllegalStateException("retraining " + j + " came back twice");
                }
                seen[j] = true;
                scores[j] = r[1];
            }
        }
        return plan.results(scores);
    }

    private static RuntimeException failure(Exception e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ArithmeticException) {
                return new RetrainingFailed(t.getMessage(), e);
            }
        }
        String m = String.valueOf(e.getMessage());
        int at = m.indexOf("ArithmeticException: ");
        if (at >= 0) {
            return new RetrainingFailed(m.substring(at + "ArithmeticException: ".length()).lines().findFirst()
                    .orElse(m), e);
        }
        return e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
    }
}
