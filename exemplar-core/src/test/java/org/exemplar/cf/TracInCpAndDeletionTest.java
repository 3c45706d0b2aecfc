package org.exemplar.cf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.exemplar.eval.AttributionMethod;
import org.exemplar.eval.DeletionDiagnostics;
import org.exemplar.eval.DeletionResult;
import org.junit.jupiter.api.Test;

class TracInCpAndDeletionTest {
    private final Ratings r = CfTestData.lowRank(12, 9, 2, 0.5, 8);
    private final MfOptions o = MfOptions.squared(2, 3).withEpochs(4).withBatchSize(8).withLearningRate(0.1)
            .withReg(0.2);

    @Test
    void tracInMatchesFullParameterGradientDotProducts() {
        MfResult res = MfTrainer.train(r, o, MfTrainer.Algorithm.SGD, null, true);
        int iu = 2;
        int jv = 3;
        double[] got = new TracInCp(r, res.checkpoints(), CfLoss.SQUARED, null).scores(iu, jv);
        int k = 2;
        int nu = r.numUsers();
        for (int t = 0; t < r.size(); t++) {
            double want = 0;
            for (MfResult.Checkpoint c : res.checkpoints()) {
                // full gradients over theta = (vec U, vec V)
                double[] gl = new double[(nu + r.numItems()) * k];
                double[] gf = new double[gl.length];
                Factorization f = c.factors();
                double d = f.predict(r.user(t), r.item(t)) - r.value(t);
                for (int q = 0; q < k; q++) {
                    gl[r.user(t) * k + q] += d * f.items().get(r.item(t), q);
                    gl[(nu + r.item(t)) * k + q] += d * f.users().get(r.user(t), q);
                    gf[iu * k + q] += f.items().get(jv, q);
                    gf[(nu + jv) * k + q] += f.users().get(iu, q);
                }
                double dot = 0;
                for (int p = 0; p < gl.length; p++) {
                    dot += gl[p] * gf[p];
                }
                want -= c.learningRate() * dot;
            }
            assertEquals(want, got[t], 1e-12 * (1 + Math.abs(want)), "rating " + t);
        }
    }

    @Test
    void deletionDiagnosticsRunAndDoNotDependOnThreads() {
        int[] users = {0, 1, 2, 3};
        int[] items = new int[4];
        for (int p = 0; p < 4; p++) {
            int j = 0;
            while (r.find(users[p], j) >= 0) {
                j++;
            }
            items[p] = j;
        }
        CfDeletion target = CfDeletion.forMf(r, o, MfTrainer.Algorithm.SGD, users, items);
        MfResult res = MfTrainer.train(r, o, MfTrainer.Algorithm.SGD, null, true);
        CfRepresenter rep = CfRepresenter.forFactorization(r, res.factors(), CfLoss.SQUARED, null);
        List<AttributionMethod> methods = List.of(target.method("high-dim", rep::scores),
                target.method("fia", new Fia(r, res.factors(), CfLoss.SQUARED, null, o.reg(), 0)::scores),
                target.method("tracincp", new TracInCp(r, res.checkpoints(), CfLoss.SQUARED, null)::scores),
                target.method("random", CfDeletion.random(r, 1)));
        assertEquals(res.factors().predict(0, items[0]), target.score(0), 0.0);
        int[] ks = {1, 2};
        List<DeletionResult> one = DeletionDiagnostics.evaluate(target, methods, new int[] {0, 1, 2, 3}, ks, 1, null);
        List<DeletionResult> two = DeletionDiagnostics.evaluate(target, methods, new int[] {0, 1, 2, 3}, ks, 2, null);
        for (int m = 0; m < methods.size(); m++) {
            assertEquals(one.get(m).aucDelPlus(), two.get(m).aucDelPlus(), 0.0);
            assertEquals(one.get(m).aucDelMinus(), two.get(m).aucDelMinus(), 0.0);
        }
        // removing the ratings Definition 1 calls most positive lowers the prediction on average
        assertTrue(one.get(0).aucDelPlus() < 0, "high-dim AUC-DEL+ " + one.get(0).aucDelPlus());
        assertTrue(one.get(0).aucDelMinus() > 0, "high-dim AUC-DEL- " + one.get(0).aucDelMinus());
        double[] rnd = CfDeletion.random(r, 1).scores(0, items[0]);
        for (int t = 0; t < r.size(); t++) {
            boolean shares = r.user(t) == 0 || r.item(t) == items[0];
            assertEquals(shares, rnd[t] != 0, "rating " + t);
        }
    }
}
