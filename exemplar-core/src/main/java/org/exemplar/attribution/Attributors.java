package org.exemplar.attribution;

import java.nio.file.Path;
import org.exemplar.cf.CfLoss;
import org.exemplar.cf.Factorization;
import org.exemplar.cf.MfOptions;
import org.exemplar.data.DataException;
import org.exemplar.loss.Loss;
import org.exemplar.model.DifferentiableModel;
import org.exemplar.model.LinearModels;
import org.exemplar.model.SparseLogisticRegression;

/**
 * Entry point: one builder per method, each with validated options and a {@code prepare(train)} that returns a
 * {@link PreparedAttributor}; and {@link #load} for saved artifacts.
 *
 * <pre>{@code
 * var scores = Attributors.influence(LinearModels.Kind.LOGISTIC).solver(Solver.CG).damping(1e-3)
 *         .prepare(train).attribute(test);
 * }</pre>
 */
public final class Attributors {
    private Attributors() {
    }

    /** RPS-L2: representer points of a last layer fitted on the given features (Yeh et al. 2018). */
    public static RepresenterAttributor.Builder representer() {
        return new RepresenterAttributor.Builder();
    }

    /** Influence functions of a linear model of the given kind, which {@code prepare} trains (bias penalized). */
    public static InfluenceAttributor.Builder influence(LinearModels.Kind kind) {
        return new InfluenceAttributor.Builder(kind);
    }

    /** Influence functions of a trained model (it should sit at an optimum of J with the builder's l2). */
    public static InfluenceAttributor.Builder influence(DifferentiableModel model, Loss loss) {
        return new InfluenceAttributor.Builder(model, loss);
    }

    /** The high-dimensional representer of L1 logistic regression on sparse data (Tsai et al. 2023, Cor. 2). */
    public static SparseRepresenterAttributor.Builder l1Representer() {
        return new SparseRepresenterAttributor.Builder(SparseLogisticRegression.Penalty.L1);
    }

    /** The representer of L2 logistic regression on sparse data. */
    public static SparseRepresenterAttributor.Builder l2Representer() {
        return new SparseRepresenterAttributor.Builder(SparseLogisticRegression.Penalty.L2);
    }

    /** NTK kernel regression with exact leave-one-out influence (Zhang &amp; Zhang 2022). */
    public static NtkAttributor.Builder ntk() {
        return new NtkAttributor.Builder();
    }

    /** The representer of the nuclear-norm CF model (Tsai et al. 2023, Cor. 4), fitted by Soft-Impute. */
    public static CfAttributor.NuclearNormBuilder cfNuclearNorm() {
        return new CfAttributor.NuclearNormBuilder();
    }

    /** The representer of matrix factorization (eq. 16), trained with the given options. */
    public static CfAttributor.FactorizationBuilder cfMatrixFactorization(MfOptions options) {
        return new CfAttributor.FactorizationBuilder(CfAttributor.Kind.MF, options);
    }

    /** The representer of imported two-tower embeddings (eq. 17-18). */
    public static CfAttributor.FactorizationBuilder cfTwoTower(Factorization embeddings, CfLoss loss) {
        return new CfAttributor.FactorizationBuilder(embeddings, loss);
    }

    /** Fast influence analysis of matrix factorization (Cheng et al. 2019). */
    public static CfAttributor.FactorizationBuilder fia(MfOptions options) {
        return new CfAttributor.FactorizationBuilder(CfAttributor.Kind.FIA, options);
    }

    /** TracInCP over the SGD checkpoints of matrix factorization (Pruthi et al. 2020). */
    public static CfAttributor.FactorizationBuilder tracInCp(MfOptions options) {
        return new CfAttributor.FactorizationBuilder(CfAttributor.Kind.TRACIN_CP, options);
    }

    /** Influence with K-FAC curvature of a linear model of the given kind, which {@code prepare} trains. */
    public static KfacAttributor.Builder kfac(LinearModels.Kind kind) {
        return new KfacAttributor.Builder(false, kind);
    }

    /** Influence with K-FAC curvature of a trained network (Martens &amp; Grosse 2015; Grosse et al. 2023). */
    public static KfacAttributor.Builder kfac(org.exemplar.model.Mlp model, Loss loss) {
        return new KfacAttributor.Builder(false, model, loss);
    }

    /** Influence with EK-FAC curvature of a linear model of the given kind, which {@code prepare} trains. */
    public static KfacAttributor.Builder ekfac(LinearModels.Kind kind) {
        return new KfacAttributor.Builder(true, kind);
    }

    /** Influence with EK-FAC curvature of a trained network (George et al. 2018; Grosse et al. 2023, eq. 20). */
    public static KfacAttributor.Builder ekfac(org.exemplar.model.Mlp model, Loss loss) {
        return new KfacAttributor.Builder(true, model, loss);
    }

    /**
     * TracInCP of a network that {@code prepare} trains by SGD with checkpoints (Pruthi et al. 2020): hidden widths
     * (empty: a linear / softmax model), their activation and the training loss.
     */
    public static NetworkTracInAttributor.Builder tracInNetwork(int[] hidden, org.exemplar.model.Activation activation,
                                                                Loss loss) {
        return new NetworkTracInAttributor.Builder(hidden, activation, loss);
    }

    /** TracInCP over given checkpoints of a network (each with its learning rate). */
    public static NetworkTracInAttributor.Builder tracInNetwork(java.util.List<org.exemplar.tracin.Checkpoint> checkpoints,
                                                                Loss loss) {
        return new NetworkTracInAttributor.Builder(checkpoints, loss);
    }

    /** TRAK: randomly projected output gradients of an ensemble of trained models (Park et al. 2023). */
    public static TrakAttributor.Builder trak() {
        return new TrakAttributor.Builder();
    }

    /** Reloads a saved artifact of any method, without refitting. */
    public static PreparedAttributor<?> load(Path dir) {
        Artifact.Reader r = Artifact.open(dir);
        String m = r.method();
        return switch (m) {
            case RepresenterAttributor.METHOD -> RepresenterAttributor.load(r);
            case InfluenceAttributor.METHOD -> InfluenceAttributor.load(r);
            case SparseRepresenterAttributor.L1, SparseRepresenterAttributor.L2 -> SparseRepresenterAttributor.load(r);
            case NtkAttributor.METHOD -> NtkAttributor.load(r);
            case NetworkTracInAttributor.METHOD -> NetworkTracInAttributor.load(r);
            case KfacAttributor.KFAC, KfacAttributor.EKFAC -> KfacAttributor.load(r);
            case TrakAttributor.METHOD -> TrakAttributor.load(r);
            case "cf-nuclear", "cf-mf", "fia", "tracin-cp" -> CfAttributor.load(r);
            default -> throw new DataException(dir, "unknown attribution method '" + m + "'");
        };
    }

    /** Reloads a saved artifact and checks that it is of the expected type (e.g. a dense-test method). */
    public static <A extends PreparedAttributor<?>> A load(Path dir, Class<A> type) {
        PreparedAttributor<?> p = load(dir);
        if (!type.isInstance(p)) {
            throw new DataException(dir, "holds a " + p.method() + " artifact (" + p.getClass().getSimpleName()
                    + "), not a " + type.getSimpleName());
        }
        return type.cast(p);
    }
}
