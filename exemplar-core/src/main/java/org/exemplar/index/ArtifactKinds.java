package org.exemplar.index;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import org.exemplar.attribution.Artifact;
import org.exemplar.attribution.Attributors;
import org.exemplar.attribution.CfAttributor;
import org.exemplar.attribution.InfluenceAttributor;
import org.exemplar.attribution.InnerProductForm;
import org.exemplar.attribution.KfacAttributor;
import org.exemplar.attribution.NetworkTracInAttributor;
import org.exemplar.attribution.NtkAttributor;
import org.exemplar.attribution.PreparedAttributor;
import org.exemplar.attribution.SparseExamples;
import org.exemplar.attribution.SparseRepresenterAttributor;
import org.exemplar.attribution.TrakAttributor;
import org.exemplar.data.DataException;
import org.exemplar.linalg.DenseMatrix;

/**
 * The per-method choices of an artifact-backed index, in one place: which kind a method's index is, what its build
 * writes beside the saved artifact, and which {@link ArtifactScorer} opens it.
 * <ul>
 *   <li>{@code influence}: kind {@code artifact} ({@link LibraryTopK});</li>
 *   <li>{@code kfac}, {@code ekfac}: kind {@code inner-product}, keys = the training gradients in the Kronecker
 *   eigenbasis ({@link KfacAttributor} as {@link InnerProductForm});</li>
 *   <li>{@code representer-l1}: kind {@code inner-product}, keys = the support-scaled rows alpha_i x_{i,S}
 *   ({@link SparseRepresenterAttributor#l1InnerProductForm});</li>
 *   <li>{@code trak}: kind {@code inner-product}, keys = the concatenation over the ensemble's models of the rows of
 *   Phi_m (Phi_m^T Phi_m + damping I)^{-1}, scaled by (1/M) times the averaged 1 - p_i ({@link TrakAttributor} as
 *   {@link InnerProductForm}; the query vector is the concatenation of the projected test gradients);</li>
 *   <li>{@code cf-mf}, {@code cf-nuclear}: kind {@code artifact}, query shape {@code pair} (a user and an item; the
 *   library's representer scores through the normalized embeddings, Tsai et al. 2023 Sec. 5);</li>
 *   <li>{@code fia}, {@code tracin-cp}: kind {@code artifact}, query shape {@code pair}: the library's
 *   {@link CfAttributor} topK of the pair, I_FIA = -g_f^T (H + damping I)^{-1} grad (w_z l_z) restricted to
 *   (u_i', v_j') (Cheng et al. 2019) and TracInCP -sum_t eta_t grad (w_z l_z)(theta_t)^T grad f(theta_t) over the
 *   saved SGD checkpoints (Pruthi et al. 2020 eq. 3; Tsai et al. 2023 eq. 20); no self-influence;</li>
 *   <li>{@code tracin-mlp}: kind {@code inner-product}, keys = the training gradients at the checkpoints,
 *   concatenated; the query vector is the concatenation of eta_c grad f_t(theta_c) (Pruthi et al. 2020, eq. 3;
 *   {@link NetworkTracInAttributor} as {@link InnerProductForm});</li>
 *   <li>{@code ntk}: kind {@code artifact}, each features query carrying its real target y_t (the library's exact
 *   leave-one-out change of the squared test loss, Zhang &amp; Zhang 2022 eq. 8-9; one n-long solve per query).</li>
 * </ul>
 */
final class ArtifactKinds {
    private ArtifactKinds() {
    }

    /** Training rows (dense, for queries by id) and labels (class index; representer-l1: 1 for +1, 0 for -1). */
    record Training(DenseMatrix features, int[] labels) {
    }

    static Training training(PreparedAttributor<?> p, Artifact.Reader ar) {
        if (p instanceof CfAttributor) {   // a training rating is the pair (user, item); ratings are no classes
            int[] u = ar.ints("train_users");
            int[] it = ar.ints("train_items");
            DenseMatrix f = new DenseMatrix(u.length, 2);
            for (int t = 0; t < u.length; t++) {
                f.set(t, 0, u[t]);
                f.set(t, 1, it[t]);
            }
            return new Training(f, null);
        }
        if (p instanceof InfluenceAttributor ia) {
            return new Training(ia.trainingData().features(), ExplanationIndex.labelsOf(ia.trainingData().targets()));
        }
        if (p instanceof TrakAttributor ta) {
            if (ta.trainingData() == null) {
                throw new DataException(ar.directory(), "is a trak artifact saved without its training data (saved by an "
                        + "older version); prepare and save it again to build an index from it");
            }
            return new Training(ta.trainingData().features(), ta.trainingData().labels());
        }
        if (p instanceof NtkAttributor) {   // real targets, no classes: a training-id query reads y_i from the artifact
            return new Training(ar.matrix("train_features"), null);
        }
        if (p instanceof SparseRepresenterAttributor sr) {
            SparseExamples t = sr.trainingData();
            int[] y = new int[t.size()];
            for (int i = 0; i < y.length; i++) {
                y[i] = t.labels()[i] > 0 ? 1 : 0;
            }
            return new Training(t.x().toDense(), y);
        }
        return new Training(ar.matrix("train_features"), ExplanationIndex.labelsOf(ar.matrix("train_targets")));
    }

    /** Writes kind, outputs and loss into {@code m}, the keys (inner-product kinds) and the artifact into {@code dir}. */
    static void write(PreparedAttributor<?> p, Path dir, ObjectNode m, int n, boolean float32) {
        if (p instanceof KfacAttributor ka) {
            m.put("kind", InnerProductRows.KIND).put("outputs", ka.model().outputWidth()).put("loss", ka.loss().name())
                    .put("keyWidth", ka.keyWidth());
            InnerProductRows.write(dir, ka, n, float32);
        } else if (p instanceof SparseRepresenterAttributor sr) {
            InnerProductForm<SparseExamples> f = sr.l1InnerProductForm();
            if (f.keyWidth() == 0) {
                throw new IllegalArgumentException("the representer-l1 fit has an empty support (theta = 0): every "
                        + "score is 0; refit with a smaller lambda");
            }
            m.put("kind", InnerProductRows.KIND).put("outputs", 1).put("loss", "logistic").put("keyWidth", f.keyWidth());
            InnerProductRows.write(dir, f, n, float32);
        } else if (p instanceof TrakAttributor ta) {
            m.put("kind", InnerProductRows.KIND).put("outputs", ta.models().get(0).model().outputWidth())
                    .put("loss", "correct-class log-odds").put("keyWidth", ta.keyWidth())
                    .put("ensemble", ta.models().size());
            InnerProductRows.write(dir, ta, n, float32);
        } else if (p instanceof NetworkTracInAttributor ta) {
            m.put("kind", InnerProductRows.KIND).put("outputs", ta.model().outputWidth()).put("loss", ta.loss().name())
                    .put("keyWidth", ta.keyWidth()).put("checkpoints", ta.tracIn().checkpoints().size());
            InnerProductRows.write(dir, ta, n, float32);
        } else if (p instanceof NtkAttributor) {
            m.put("kind", LibraryTopK.KIND).put("outputs", 1).put("loss", "squared").put("queryTarget", true);
        } else if (p instanceof CfAttributor) {
            p.save(dir.resolve("artifact"));
            Artifact.Reader ar = Artifact.open(dir.resolve("artifact"));
            m.put("kind", LibraryTopK.KIND).put("outputs", 1).put("queryShape", "pair")
                    .put("numUsers", (int) ar.number("numUsers")).put("numItems", (int) ar.number("numItems"));
            return;
        } else {
            InfluenceAttributor ia = (InfluenceAttributor) p;
            m.put("kind", LibraryTopK.KIND).put("outputs", ia.model().outputWidth())
                    .put("loss", ia.trainingData().loss().name());
        }
        p.save(dir.resolve("artifact"));
    }

    /** Opens the scorer of an artifact-backed index, checking the artifact's key against index.json. */
    @SuppressWarnings("unchecked")
    static ArtifactScorer<?> open(Path dir, JsonNode meta, int n) {
        Path a = dir.resolve("artifact");
        PreparedAttributor<?> p = Attributors.load(a);
        if (!p.method().equals(meta.path("method").asText())) {
            throw new DataException(a, "holds a " + p.method() + " artifact, index.json says "
                    + meta.path("method").asText());
        }
        if (!p.key().equals(meta.path("artifactKey").asText())) {
            throw new DataException(a, "artifact key " + p.key() + " differs from index.json's "
                    + meta.path("artifactKey").asText());
        }
        boolean inner = InnerProductRows.KIND.equals(meta.path("kind").asText());
        if (p instanceof KfacAttributor ka) {
            ArtifactScorer.ModelShape s = new ArtifactScorer.ModelShape(ka.model(), ka.loss());
            return inner ? InnerProductRows.open(dir, s, ka, n) : new LibraryTopK<>(s, ka);
        }
        if (p instanceof SparseRepresenterAttributor sr) {
            ArtifactScorer.SparseShape s = new ArtifactScorer.SparseShape(sr.representer());
            return inner ? InnerProductRows.open(dir, s, sr.l1InnerProductForm(), n) : new LibraryTopK<>(s, sr);
        }
        if (p instanceof TrakAttributor ta) {
            ArtifactScorer.EnsembleShape s = new ArtifactScorer.EnsembleShape(
                    ta.models().stream().map(m -> m.model()).toList());
            return inner ? InnerProductRows.open(dir, s, ta, n) : new LibraryTopK<>(s, ta);
        }
        if (p instanceof NetworkTracInAttributor ta) {
            ArtifactScorer.ModelShape s = new ArtifactScorer.ModelShape(ta.model(), ta.loss());
            return inner ? InnerProductRows.open(dir, s, ta, n) : new LibraryTopK<>(s, ta);
        }
        if (p instanceof NtkAttributor na) {
            return new LibraryTopK<>(new ArtifactScorer.NtkShape(na), na);
        }
        if (p instanceof InfluenceAttributor ia) {
            return new LibraryTopK<>(new ArtifactScorer.ModelShape(ia.model(), ia.trainingData().loss()), ia);
        }
        if (p instanceof CfAttributor cf) {
            if (cf.numUsers() != meta.path("numUsers").asInt() || cf.numItems() != meta.path("numItems").asInt()) {
                throw new DataException(a, "rates " + cf.numUsers() + " users x " + cf.numItems() + " items, "
                        + "index.json says " + meta.path("numUsers").asInt() + " x " + meta.path("numItems").asInt());
            }
            return new LibraryTopK<>(new ArtifactScorer.PairShape(cf), cf);
        }
        throw new DataException(a, "holds a " + p.method() + " artifact, which no index kind scores");
    }
}
