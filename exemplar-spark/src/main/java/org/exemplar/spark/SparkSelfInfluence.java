package org.exemplar.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.exemplar.influence.LinearSelfInfluence;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;

/**
 * Self-influence of every training point of a linear model f(x) = W x + b (Koh &amp; Liang 2017, eq. 2 with
 * z_test = z_i; J = (1/n) sum_i L_i + (l2/2)||theta||^2, bias penalized, as {@link LinearModels}):
 * the Hessian's data term is aggregated once over the partitions, A = H + damping I is factored on the driver
 * (Cholesky), the factor is broadcast, and every partition computes (1/n) grad L_i^T A^{-1} grad L_i for its rows,
 * all with {@link LinearSelfInfluence}. The Hessian is P x P for P = c (d + 1): the driver holds it and each
 * executor one copy of the factor.
 */
public final class SparkSelfInfluence {
    private SparkSelfInfluence() {
    }

    /**
     * @param theta   [W | b], c x (d + 1) ({@link LinearModels#fromTheta})
     * @param loss    loss name: sigmoid (c = 1, labels 0/1), softmax, squared (labels as real targets not supported)
     * @param l2      the model's L2 strength
     * @param damping added to the Hessian's diagonal
     * @return (id: long, self_influence: double) per training row
     */
    public static Dataset<Row> compute(SparkSession spark, TrainingSet train, TrainingSet.Scan scan, DenseMatrix theta,
                                       String loss, double l2, double damping) {
        Mlp model = LinearModels.fromTheta(theta);
        if (scan.width() != model.inputWidth()) {
            throw new InputException("training features have " + scan.width() + " columns, the model takes "
                    + model.inputWidth() + " (theta is " + theta.shapeString() + " = c x (d + 1))");
        }
        Loss.named(loss);
        Spec spec = new Spec(theta.rows(), theta.cols(), theta.data().clone(), loss, scan.rows());
        int p = model.parameterCount();
        JavaRDD<TrainRow> rdd = train.rdd();
        double[] hsum = Jobs.run(() -> rdd.mapPartitions((Iterator<TrainRow> it) -> {
            Mlp m = spec.model();
            Loss l = Loss.named(spec.loss());
            double[] sum = new double[p * p];
            Chunks.forEach(it, spec.d(), Chunks.DEFAULT_ROWS, "training", ch -> {
                DenseMatrix h = LinearSelfInfluence.hessianDataTerm(m, ch.features(), spec.targets(l, ch.labels()),
                        l, spec.n());
                for (int q = 0; q < sum.length; q++) {
                    sum[q] += h.data()[q];
                }
            });
            return List.of(sum).iterator();
        }).treeReduce((a, b) -> {
            double[] s = a.clone();
            for (int q = 0; q < s.length; q++) {
                s[q] += b[q];
            }
            return s;
        }), "training");
        Cholesky a = LinearSelfInfluence.factor(new DenseMatrix(p, p, hsum), l2, damping);
        Broadcast<double[]> factor = JavaSparkContext.fromSparkContext(spark.sparkContext())
                .broadcast(a.factorColumnMajor());
        JavaRDD<Row> rows = rdd.mapPartitions((Iterator<TrainRow> it) -> {
            Mlp m = spec.model();
            Loss l = Loss.named(spec.loss());
            Cholesky f = Cholesky.fromFactor(p, factor.value());
            List<Row> out = new ArrayList<>();
            Chunks.forEach(it, spec.d(), Chunks.DEFAULT_ROWS, "training", ch -> {
                double[] v = LinearSelfInfluence.values(m, ch.features(), spec.targets(l, ch.labels()), l, f,
                        spec.n());
                for (int r = 0; r < v.length; r++) {
                    out.add(RowFactory.create(ch.ids()[r], v[r]));
                }
            });
            return out.iterator();
        });
        StructType schema = new StructType().add("id", DataTypes.LongType, false)
                .add("self_influence", DataTypes.DoubleType, false);
        return spark.createDataFrame(rows, schema);
    }

    /** What every partition needs: the model and n. */
    record Spec(int c, int cols, double[] theta, String loss, long n) implements Serializable {
        int d() {
            return cols - 1;
        }

        Mlp model() {
            return LinearModels.fromTheta(new DenseMatrix(c, cols, theta.clone()));
        }

        DenseMatrix targets(Loss l, int[] labels) {
            for (int y : labels) {
                if (y < 0 || (c > 1 && y >= c) || (c == 1 && y > 1)) {
                    throw new InputException("label " + y + " does not fit a model of " + c + " outputs");
                }
            }
            return l.targetsFromLabels(labels, c);
        }
    }
}
