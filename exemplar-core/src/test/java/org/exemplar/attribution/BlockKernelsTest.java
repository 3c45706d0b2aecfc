package org.exemplar.attribution;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.exemplar.influence.InfluenceFunctions;
import org.exemplar.influence.InfluenceOptions;
import org.exemplar.influence.LinearSelfInfluence;
import org.exemplar.influence.TrainingData;
import org.exemplar.linalg.Cholesky;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.loss.Loss;
import org.exemplar.loss.SoftmaxCrossEntropy;
import org.exemplar.model.Curvature;
import org.exemplar.model.LinearModels;
import org.exemplar.model.Mlp;
import org.exemplar.representer.FitOptions;
import org.exemplar.representer.LastLayerFit;
import org.exemplar.representer.LastLayerFitter;
import org.exemplar.representer.LastLayerObjective;
import org.exemplar.representer.RepresenterPoints;
import org.exemplar.representer.SummedLastLayerObjective;
import org.exemplar.solver.ExactSolver;
import org.junit.jupiter.api.Test;

/**
 * The per-block kernels a distributed engine calls (exemplar-spark): each, run on a training set cut into blocks and
 * combined, must give the single-machine library's numbers.
 */
class BlockKernelsTest {
    private static final Loss SOFTMAX = new SoftmaxCrossEntropy();

    private static DenseMatrix gaussian(Random r, int n, int p) {
        DenseMatrix m = new DenseMatrix(n, p);
        for (int k = 0; k < m.data().length; k++) {
            m.data()[k] = r.nextGaussian();
        }
        return m;
    }

    /** Random cut points 0 = b_0 < ... < b_m = n (some blocks empty-free, sizes vary). */
    private static int[] cuts(Random r, int n, int blocks) {
        List<Integer> c = new ArrayList<>();
        for (int i = 1; i < n; i++) {
            c.add(i);
        }
        Collections.shuffle(c, r);
        List<Integer> pick = new ArrayList<>(c.subList(0, blocks - 1));
        pick.add(0);
        pick.add(n);
        Collections.sort(pick);
        return pick.stream().mapToInt(Integer::intValue).toArray();
    }

    @Test
    void mergeableTopKEqualsTopKSinkWhateverTheSplitAndMergeOrder() throws Exception {
        Random r = new Random(7);
        int nt = 6;
        int n = 300;
        DenseMatrix s = new DenseMatrix(nt, n);
        for (int k = 0; k < s.data().length; k++) {
            // few distinct values: many ties, and zeros that belong to neither list
            s.data()[k] = r.nextInt(21) - 10;
        }
        for (int k : new int[] {0, 1, 7, n + 3}) {
            TopKSink sink = new TopKSink(k);
            sink.accept(0, s);
            TopK expected = sink.result();
            int[] cut = cuts(r, n, 5);
            List<MergeableTopK> parts = new ArrayList<>();
            for (int b = 0; b + 1 < cut.length; b++) {
                // a block's columns in shuffled order, named by their global ids
                List<Integer> cols = new ArrayList<>();
                for (int i = cut[b]; i < cut[b + 1]; i++) {
                    cols.add(i);
                }
                Collections.shuffle(cols, r);
                DenseMatrix block = new DenseMatrix(nt, cols.size());
                long[] ids = new long[cols.size()];
                for (int j = 0; j < cols.size(); j++) {
                    ids[j] = cols.get(j);
                    for (int t = 0; t < nt; t++) {
                        block.set(t, j, s.get(t, cols.get(j)));
                    }
                }
                MergeableTopK part = new MergeableTopK(k, nt);
                part.accept(0, block.rowRange(0, 2), ids);
                part.accept(2, block.rowRange(2, nt), ids);
                parts.add(roundTrip(part));
            }
            Collections.shuffle(parts, r);
            MergeableTopK all = new MergeableTopK(k, nt);
            for (MergeableTopK p : parts) {
                all.merge(p);
            }
            assertEquals(expected, all.toTopK(), "k = " + k);
            // scores found with alpha times 4 and scaled by 1/4 afterwards: the same ranking and scores
            MergeableTopK times4 = new MergeableTopK(k, nt);
            DenseMatrix s4 = s.copy().scaleInPlace(4.0);
            long[] allIds = java.util.stream.LongStream.range(0, n).toArray();
            times4.accept(0, s4, allIds);
            assertEquals(expected, times4.scale(0.25).toTopK(), "scaled, k = " + k);
        }
    }

    private static MergeableTopK roundTrip(MergeableTopK m) throws Exception {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(b)) {
            o.writeObject(m);
        }
        try (ObjectInputStream i = new ObjectInputStream(new ByteArrayInputStream(b.toByteArray()))) {
            return (MergeableTopK) i.readObject();
        }
    }

    @Test
    void representerValuesAndAlphaPerBlockEqualTheWholeSet() {
        Random r = new Random(11);
        int n = 90;
        int p = 5;
        int c = 3;
        DenseMatrix f = gaussian(r, n, p);
        int[] y = r.ints(n, 0, c).toArray();
        DenseMatrix t = SOFTMAX.targetsFromLabels(y, c);
        DenseMatrix theta = gaussian(r, c, p);
        RepresenterPoints whole = RepresenterPoints.of(f, t, SOFTMAX, 0.01, theta);
        DenseMatrix ft = gaussian(r, 7, p);
        int[] cls = whole.predictedClasses(ft);
        assertArrayEquals(cls, RepresenterPoints.predictedClasses(theta, SOFTMAX, ft));
        DenseMatrix expected = whole.values(ft, cls);
        int[] cut = cuts(r, n, 4);
        for (int b = 0; b + 1 < cut.length; b++) {
            int i0 = cut[b];
            int i1 = cut[b + 1];
            DenseMatrix a = RepresenterPoints.alphaRows(f.rowRange(i0, i1), t.rowRange(i0, i1), SOFTMAX, 0.01,
                    theta, n);
            for (int i = i0; i < i1; i++) {
                for (int j = 0; j < c; j++) {
                    assertEquals(whole.alpha().get(i, j), a.get(i - i0, j), 1e-15 * Math.abs(whole.alpha().get(i, j)));
                }
            }
            int from = i0;
            RepresenterPoints.values(f.rowRange(i0, i1), a, ft, cls, 3, (first, blk) -> {
                for (int q = 0; q < blk.rows(); q++) {
                    for (int i = 0; i < blk.cols(); i++) {
                        double e = expected.get(first + q, from + i);
                        assertEquals(e, blk.get(q, i), 1e-13 * Math.max(1, Math.abs(e)));
                    }
                }
            });
        }
    }

    @Test
    void summedObjectiveEqualsTheObjectiveAndFitsToTheSameTheta() {
        Random r = new Random(3);
        int n = 120;
        int p = 4;
        int c = 3;
        double lambda = 0.01;
        DenseMatrix f = gaussian(r, n, p);
        DenseMatrix t = SOFTMAX.targetsFromLabels(r.ints(n, 0, c).toArray(), c);
        int[] cut = cuts(r, n, 3);
        LastLayerObjective whole = new LastLayerObjective(f, t, SOFTMAX, lambda);
        SummedLastLayerObjective summed = new SummedLastLayerObjective(c, p, n, lambda,
                new SummedLastLayerObjective.DataTerms() {
                    @Override
                    public double lossAndGradientSums(double[] theta, double[] gradSum) {
                        double s = 0;
                        double[] part = new double[gradSum.length];
                        for (int b = 0; b + 1 < cut.length; b++) {
                            s += new LastLayerObjective(f.rowRange(cut[b], cut[b + 1]), t.rowRange(cut[b],
                                    cut[b + 1]), SOFTMAX, lambda).dataTerm(theta, part);
                            for (int k = 0; k < part.length; k++) {
                                gradSum[k] += part[k];
                            }
                        }
                        return s;
                    }

                    @Override
                    public void hessianSums(double[] theta, double[] v, double[] out) {
                        double[] part = new double[out.length];
                        for (int b = 0; b + 1 < cut.length; b++) {
                            new LastLayerObjective(f.rowRange(cut[b], cut[b + 1]), t.rowRange(cut[b], cut[b + 1]),
                                    SOFTMAX, lambda).hessianDataTerm(theta, v, part);
                            for (int k = 0; k < part.length; k++) {
                                out[k] += part[k];
                            }
                        }
                    }
                });
        double[] th = gaussian(r, c, p).data();
        double[] g1 = new double[c * p];
        double[] g2 = new double[c * p];
        double v1 = whole.valueAndGradient(th, g1);
        double v2 = summed.valueAndGradient(th, g2);
        assertEquals(v1, v2, 1e-13 * Math.abs(v1));
        assertArrayEquals(g1, g2, 1e-13);
        double[] v = gaussian(r, c, p).data();
        whole.hessianVector(th, v, g1);
        summed.hessianVector(th, v, g2);
        assertArrayEquals(g1, g2, 1e-13);

        FitOptions o = new FitOptions(lambda, 1e-10, 5000, true);
        LastLayerFit a = new LastLayerFitter(o).fit(f, t, SOFTMAX, null, null);
        LastLayerFit b = new LastLayerFitter(o).fit(summed, c, p, null, null);
        assertTrue(a.converged() && b.converged(), a.stationarityResidual() + " " + b.stationarityResidual());
        // both stationary to 1e-10 of a strongly convex J (Hessian >= 2 lambda I): |Theta_a - Theta_b| is of the
        // order of the residuals times ||Theta|| / (2 lambda) * 2 lambda, far below 1e-8
        assertArrayEquals(a.theta().data(), b.theta().data(), 1e-8);
    }

    @Test
    void linearSelfInfluenceFromBlocksEqualsTheExactSolversSelfInfluence() {
        Random r = new Random(5);
        int n = 80;
        int d = 4;
        int c = 3;
        double l2 = 0.05;
        double damping = 0.001;
        DenseMatrix x = gaussian(r, n, d);
        DenseMatrix t = SOFTMAX.targetsFromLabels(r.ints(n, 0, c).toArray(), c);
        Mlp model = LinearModels.fromTheta(gaussian(r, c, d + 1));
        double[] expected = InfluenceFunctions.prepare(model, new TrainingData(x, t, SOFTMAX, l2),
                InfluenceOptions.of(Curvature.HESSIAN, damping), new ExactSolver()).selfInfluence(null).values();
        int[] cut = cuts(r, n, 3);
        DenseMatrix h = null;
        for (int b = 0; b + 1 < cut.length; b++) {
            DenseMatrix part = LinearSelfInfluence.hessianDataTerm(model, x.rowRange(cut[b], cut[b + 1]),
                    t.rowRange(cut[b], cut[b + 1]), SOFTMAX, n);
            if (h == null) {
                h = part;
            } else {
                for (int k = 0; k < h.data().length; k++) {
                    h.data()[k] += part.data()[k];
                }
            }
        }
        Cholesky a = LinearSelfInfluence.factor(h, l2, damping);
        Cholesky shipped = Cholesky.fromFactor(a.dim(), a.factorColumnMajor());
        for (int b = 0; b + 1 < cut.length; b++) {
            double[] got = LinearSelfInfluence.values(model, x.rowRange(cut[b], cut[b + 1]),
                    t.rowRange(cut[b], cut[b + 1]), SOFTMAX, shipped, n);
            for (int i = cut[b]; i < cut[b + 1]; i++) {
                assertEquals(expected[i], got[i - cut[b]], 1e-10 * Math.abs(expected[i]), "row " + i);
            }
        }
    }

    @Test
    void l1RepresenterBlockKernelOnRowBlocksEqualsTheAttributorsScores() {
        // an L1 logistic fit with a bias (the bias enters every margin, so alpha sees it)
        SparseExamples train = ContractFixtures.sparse(70, 40, 0.2, 5, true);
        org.exemplar.linalg.CsrMatrix test = ContractFixtures.sparse(9, 40, 0.3, 6, false).x();
        SparseRepresenterAttributor a = Attributors.l1Representer().lambda(0.01).fitBias(true).tolerance(1e-10, 2000)
                .prepare(train);
        org.exemplar.model.SparseFit fit = a.representer().fit();
        assertTrue(fit.support() > 2 && fit.support() < 40, "support " + fit.support());
        assertTrue(fit.bias() != 0);
        // the library's own entry point: the attributor's scores (= HighDimRepresenter.values, score = raw)
        DenseMatrix expected = a.attribute(SparseExamples.unlabeled(test)).scores();
        org.exemplar.representer.HighDimRepresenter.BlockKernel kernel =
                new org.exemplar.representer.HighDimRepresenter.BlockKernel(fit.theta(), fit.bias(), 0.01, test);
        double[] alphaWhole = a.representer().alpha();
        int n = train.size();
        Random r = new Random(13);
        for (int blocks : new int[] {1, 4, 7}) {
            int[] cut = cuts(r, n, blocks);
            for (int b = 0; b + 1 < cut.length; b++) {
                int[] rows = java.util.stream.IntStream.range(cut[b], cut[b + 1]).toArray();
                org.exemplar.linalg.CsrMatrix block = train.x().selectRows(rows);
                double[] labels = java.util.Arrays.copyOfRange(train.labels(), cut[b], cut[b + 1]);
                double[] alpha = kernel.alpha(block, labels, n);
                DenseMatrix v = kernel.values(block, labels, n);
                assertEquals(test.rows(), v.rows());
                for (int i = 0; i < rows.length; i++) {
                    assertEquals(alphaWhole[rows[i]], alpha[i], 1e-15 * Math.abs(alphaWhole[rows[i]]));
                    for (int t = 0; t < test.rows(); t++) {
                        double e = expected.get(t, rows[i]);
                        // same products in the same order: equal up to the last bit or two
                        assertEquals(e, v.get(t, i), 1e-14 * Math.max(1e-3, Math.abs(e)), "test " + t + " row " + rows[i]);
                    }
                }
            }
        }
        // a block of another width is refused
        org.exemplar.linalg.CsrMatrix wide = ContractFixtures.sparse(3, 41, 0.3, 8, true).x();
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> kernel.values(wide, new double[] {1, -1, 1}, n));
    }

    @Test
    void cfPairScoresOverAJoinOnUserAndItemEqualTheRepresentersExplanations() {
        java.util.SplittableRandom g = new java.util.SplittableRandom(21);
        org.exemplar.cf.Ratings d = ContractFixtures.lowRankRatings(25, 30, 3, 0.3, 22);
        int k = 4;
        org.exemplar.cf.Factorization f = new org.exemplar.cf.Factorization(
                ContractFixtures.gaussianMatrix(d.numUsers(), k, g), ContractFixtures.gaussianMatrix(d.numItems(), k, g));
        for (org.exemplar.cf.CfLoss loss : org.exemplar.cf.CfLoss.values()) {
            // logistic: ratings 0/1 (> 3 = 1) with a negative weight of 0.3; squared: the ratings as they are
            org.exemplar.cf.Ratings dd = loss == org.exemplar.cf.CfLoss.LOGISTIC
                    ? new org.exemplar.cf.Ratings(d.numUsers(), d.numItems(), d.users(), d.items(),
                    java.util.Arrays.stream(d.values()).map(v -> v > 3 ? 1 : 0).toArray()) : d;
            double[] w = new double[dd.size()];
            for (int t = 0; t < w.length; t++) {
                w[t] = org.exemplar.cf.CfRepresenter.weight(loss, 0.3, dd.value(t));
            }
            org.exemplar.cf.CfRepresenter rep = org.exemplar.cf.CfRepresenter.forFactorization(dd, f, loss, w);
            // test pairs: observed ones (the rating itself is user-based) and unobserved ones
            int[][] pairs = {{0, 0}, {dd.user(3), dd.item(3)}, {7, 29}, {24, 11}, {dd.user(50), dd.item(9)}};
            for (int[] p : pairs) {
                double[] expected = rep.scores(p[0], p[1]);
                // the join's rows: every rating with the test pair (those sharing neither must score 0)
                int m = dd.size();
                int[] tu = new int[m];
                int[] ti = new int[m];
                java.util.Arrays.fill(tu, p[0]);
                java.util.Arrays.fill(ti, p[1]);
                double[] got = new double[m];
                org.exemplar.cf.CfRepresenter.pairScores(rep.embeddings(), loss, 1.0, dd.users(), dd.items(),
                        dd.values(), w, tu, ti, got);
                for (int t = 0; t < m; t++) {
                    assertEquals(expected[t], got[t], 1e-14 * Math.max(1, Math.abs(expected[t])), "rating " + t);
                    if (org.exemplar.cf.CfRepresenter.kind(dd.user(t), dd.item(t), p[0], p[1]) == null) {
                        assertEquals(0.0, got[t], "rating " + t + " shares neither user nor item");
                    }
                }
                // and the explanation's kinds and scores, rating by rating
                for (org.exemplar.cf.CfAttribution x : rep.explain(p[0], p[1]).attributions()) {
                    int t = x.trainIndex();
                    assertEquals(x.kind(), org.exemplar.cf.CfRepresenter.kind(dd.user(t), dd.item(t), p[0], p[1]));
                    assertEquals(x.score(), got[t], 1e-14 * Math.max(1, Math.abs(x.score())));
                }
            }
        }
    }
}
