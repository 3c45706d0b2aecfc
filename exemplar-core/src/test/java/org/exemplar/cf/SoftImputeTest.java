package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SoftImputeTest {

    @Test
    void corollaryFourHoldsAtAConvergedOptimum() {
        Ratings r = CfTestData.lowRank(14, 11, 2, 0.6, 3);
        // lambda chosen so that a few singular values survive; tolerance 1e-15 on the relative change
        SoftImpute.Result fit = SoftImpute.fit(r, new SoftImpute.Options(0.05, 11, 20000, 1e-15));
        assertTrue(fit.converged(), "relative change " + fit.relativeChange());
        assertFalse(fit.rankCapBinding());
        assertTrue(fit.rank() >= 1 && fit.rank() < 11, "rank " + fit.rank());
        // KKT: U^T G = V^T, G V = U and ||G - U V^T||_2 <= 1 (Corollary 3's subgradient)
        assertTrue(fit.kktResidual() < 1e-9, "kkt " + fit.kktResidual());
        assertTrue(fit.spectralSlack() <= 1 + 1e-9, "slack " + fit.spectralSlack());
        CfRepresenter rep = CfRepresenter.forNuclearNorm(r, fit);
        double scale = 0;
        for (double x : fit.theta().data()) {
            scale = Math.max(scale, Math.abs(x));
        }
        // Corollary 4: for EVERY (i', j'), observed or not, eq. (13) alone and eq. (14) alone sum to Theta_i'j'.
        // The error is ~ ||U Sigma|| * kkt residual ~ 1e-11 here; 1e-8 relative leaves margin for rounding.
        for (int i = 0; i < r.numUsers(); i++) {
            for (int j = 0; j < r.numItems(); j++) {
                double th = fit.theta().get(i, j);
                assertEquals(th, rep.userBasedSum(i, j), 1e-8 * scale, "user-based (" + i + "," + j + ")");
                assertEquals(th, rep.itemBasedSum(i, j), 1e-8 * scale, "item-based (" + i + "," + j + ")");
            }
        }
        // and the dense Definition 1 scores of an unobserved pair add up to 2 Theta (both decompositions)
        int i0 = -1;
        int j0 = -1;
        for (int i = 0; i < r.numUsers() && i0 < 0; i++) {
            for (int j = 0; j < r.numItems(); j++) {
                if (r.find(i, j) < 0) {
                    i0 = i;
                    j0 = j;
                    break;
                }
            }
        }
        double sum = 0;
        for (double x : rep.scores(i0, j0)) {
            sum += x;
        }
        assertEquals(2 * fit.theta().get(i0, j0), sum, 1e-8 * scale);
    }

    @Test
    void theIdentityFailsWhenStoppedEarlyAndTheResidualSaysSo() {
        Ratings r = CfTestData.lowRank(14, 11, 2, 0.6, 3);
        SoftImpute.Result fit = SoftImpute.fit(r, new SoftImpute.Options(0.05, 11, 2, 0));
        assertFalse(fit.converged());
        assertTrue(fit.kktResidual() > 1e-4, "kkt " + fit.kktResidual());
    }

    @Test
    void rankCapIsReported() {
        Ratings r = CfTestData.lowRank(14, 11, 3, 0.6, 3);
        SoftImpute.Result fit = SoftImpute.fit(r, new SoftImpute.Options(0.001, 1, 50, 1e-9));
        assertTrue(fit.rankCapBinding());
        assertEquals(1, fit.rank());
    }

    @Test
    void truncatedSvdMatchesTheFullOneOnTheLeadingTriplets() {
        // 150 x 120 with a decaying spectrum plus noise: the top 6 triplets from block subspace iteration equal
        // LAPACK's (singular values to 1e-12 relative, vectors up to sign to 1e-8)
        java.util.SplittableRandom rng = new java.util.SplittableRandom(5);
        org.exemplar.linalg.DenseMatrix a = new org.exemplar.linalg.DenseMatrix(150, 120);
        for (int q = 0; q < 10; q++) {
            double[] u = rng.doubles(150).map(x -> x - 0.5).toArray();
            double[] v = rng.doubles(120).map(x -> x - 0.5).toArray();
            double w = Math.pow(0.6, q) * 10;
            for (int i = 0; i < 150; i++) {
                for (int j = 0; j < 120; j++) {
                    a.add(i, j, w * u[i] * v[j]);
                }
            }
        }
        for (int i = 0; i < 150; i++) {
            for (int j = 0; j < 120; j++) {
                a.add(i, j, 0.01 * rng.nextGaussian());
            }
        }
        ThinSvd full = ThinSvd.of(a);
        ThinSvd top = ThinSvd.top(a, 6, null, 1, 1e-12, 500);
        assertEquals(6, top.s().length);
        for (int p = 0; p < 6; p++) {
            assertEquals(full.s()[p], top.s()[p], 1e-12 * full.s()[0]);
            double dot = 0;
            for (int i = 0; i < 150; i++) {
                dot += full.u().get(i, p) * top.u().get(i, p);
            }
            assertEquals(1.0, Math.abs(dot), 1e-8, "left vector " + p);
        }
    }

    @Test
    void softImputeWithTruncatedSvdsEqualsTheFullSvdVersion() {
        Ratings r = CfTestData.lowRank(90, 80, 3, 0.3, 11);
        SoftImpute.Options o = new SoftImpute.Options(0.004, 5, 200, 1e-12);
        SoftImpute.Result full = SoftImpute.fit(r, o, null, false);
        SoftImpute.Result trunc = SoftImpute.fit(r, o, null, true);
        assertEquals(full.rank(), trunc.rank());
        assertTrue(full.rank() >= 2 && !full.rankCapBinding(), "rank " + full.rank());
        double scale = org.exemplar.linalg.Vectors.maxAbs(full.theta().data());
        for (int p = 0; p < full.theta().data().length; p++) {
            assertEquals(full.theta().data()[p], trunc.theta().data()[p], 1e-9 * scale);
        }
        assertEquals(full.spectralSlack(), trunc.spectralSlack(), 1e-5);
        assertTrue(trunc.kktResidual() < 1e-8, "kkt " + trunc.kktResidual());
    }
}
