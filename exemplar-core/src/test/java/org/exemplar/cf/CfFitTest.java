package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.exemplar.eval.AttributionMethod;
import org.junit.jupiter.api.Test;

/** The CF fit dispatch (ALS / SGD / Soft-Impute) and the case-deletion method list, moved out of the CLI. */
class CfFitTest {
    private final Ratings r = CfTestData.lowRank(12, 9, 2, 0.5, 8);
    private final MfOptions mf = MfOptions.squared(2, 3).withEpochs(4).withBatchSize(8).withLearningRate(0.1)
            .withReg(0.2);
    private final SoftImpute.Options soft = new SoftImpute.Options(0.05, 4, 50, 1e-6);

    @Test
    void namesParseAndAnUnknownOneIsRefusedWithTheChoices() {
        assertEquals(CfFit.Algorithm.SOFT_IMPUTE, CfFit.Algorithm.parse("Soft-Impute"));
        assertEquals(CfFit.Algorithm.SOFT_IMPUTE, CfFit.Algorithm.parse("softimpute"));
        assertEquals(CfFit.Algorithm.ALS, CfFit.Algorithm.parse("ALS"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> CfFit.Algorithm.parse("adam"));
        assertTrue(e.getMessage().contains("adam") && e.getMessage().contains("soft-impute"), e.getMessage());
    }

    @Test
    void mfFitSummaryErrorsMatchAHandComputationOnTheFactors() {
        for (CfFit.Algorithm a : List.of(CfFit.Algorithm.ALS, CfFit.Algorithm.SGD)) {
            CfFit.Result f = CfFit.fit(r, a, mf, null);
            assertNull(f.soft());
            assertEquals(a.mf(), f.mf().algorithm());
            // SGD keeps its checkpoints (TracInCP needs them), ALS does not
            assertEquals(a == CfFit.Algorithm.SGD, !f.mf().checkpoints().isEmpty(), a.name());
            double abs = 0;
            double sq = 0;
            for (int t = 0; t < r.size(); t++) {
                double p = 0;
                for (int q = 0; q < 2; q++) {
                    p += f.factors().users().get(r.user(t), q) * f.factors().items().get(r.item(t), q);
                }
                abs += Math.abs(p - r.value(t));
                sq += (p - r.value(t)) * (p - r.value(t));
            }
            // the same sums in another order: 1e-12 relative
            assertEquals(abs / r.size(), (double) f.summary().get("train_mae"), 1e-12 * abs);
            assertEquals(Math.sqrt(sq / r.size()), (double) f.summary().get("train_rmse"), 1e-12 * Math.sqrt(sq));
            assertTrue(f.converged());
        }
    }

    @Test
    void softImputeFitIsTheNuclearNormModelWithItsKktResidual() {
        CfFit.Result f = CfFit.fit(r, CfFit.Algorithm.SOFT_IMPUTE, null, soft);
        assertNotNull(f.soft());
        assertNull(f.mf());
        assertEquals(f.soft().converged(), f.converged());
        // the factors reproduce Theta = U diag(s) V^T of the fit at every observed pair
        for (int t = 0; t < r.size(); t++) {
            assertEquals(f.soft().theta().get(r.user(t), r.item(t)), f.factors().predict(r.user(t), r.item(t)),
                    1e-9 * (1 + Math.abs(f.soft().theta().get(r.user(t), r.item(t)))));
        }
        assertEquals(f.soft().kktResidual(), (double) f.summary().get("kkt_residual"));
    }

    @Test
    void deletionMethodsAreCheckedAgainstTheAlgorithmBeforeAnyTraining() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CfDeletion.checkMethods(List.of("high-dim", "fia"), CfFit.Algorithm.SOFT_IMPUTE));
        assertTrue(e.getMessage().contains("FIA"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CfDeletion.checkMethods(List.of("tracincp"), CfFit.Algorithm.ALS));
        assertTrue(e.getMessage().contains("--train sgd"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> CfDeletion.checkMethods(List.of("loo"), CfFit.Algorithm.SGD));
        assertTrue(e.getMessage().contains("'loo'") && e.getMessage().contains("tracincp"), e.getMessage());
        CfDeletion.checkMethods(CfDeletion.METHODS, CfFit.Algorithm.SGD);
    }

    @Test
    void deletionMethodsScoreTheTargetsPairsWithTheNamedScorers() {
        CfFit.Result f = CfFit.fit(r, CfFit.Algorithm.SGD, mf, null);
        int[] users = {2, 5};
        int[] items = {3, 1};
        CfDeletion target = CfFit.deletion(r, CfFit.Algorithm.SGD, mf, null, users, items);
        List<AttributionMethod> ms = target.methods(List.of("tracincp", "high-dim", "fia", "random"), r, f, mf, 0.0,
                4L);
        assertEquals(List.of("tracincp", "high-dim", "fia", "random"), ms.stream().map(AttributionMethod::name).toList());
        double[] w = CfRepresenter.weights(r, mf);
        for (int t = 0; t < 2; t++) {
            // test point t must be scored at its own pair (users[t], items[t])
            assertArrayEqualsExact(new TracInCp(r, f.mf().checkpoints(), mf.loss(), w).scores(users[t], items[t]),
                    ms.get(0).scores(t));
            assertArrayEqualsExact(f.representer().scores(users[t], items[t]), ms.get(1).scores(t));
            assertArrayEqualsExact(new Fia(r, f.factors(), mf.loss(), w, mf.reg(), 0.0).scores(users[t], items[t]),
                    ms.get(2).scores(t));
            assertArrayEqualsExact(CfDeletion.random(r, 4L).scores(users[t], items[t]), ms.get(3).scores(t));
        }
        // retraining with the same algorithm and settings reproduces the fitted prediction
        assertEquals(f.factors().predict(2, 3), target.score(0), 1e-12);
    }

    private static void assertArrayEqualsExact(double[] want, double[] got) {
        org.junit.jupiter.api.Assertions.assertArrayEquals(want, got, 0.0);
    }
}
