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
}
