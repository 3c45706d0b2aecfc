package org.exemplar.model;

import static org.exemplar.model.ModelTestSupport.at;
import static org.exemplar.model.ModelTestSupport.fdDirectional;
import static org.exemplar.model.ModelTestSupport.relErr;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.exemplar.linalg.DenseMatrix;
import org.junit.jupiter.api.Test;

/**
 * {@link RForwardPass}: the directional derivatives R{z_k} and R{a_k} of every layer, not only the logits'
 * R{z_L} = J v that the public {@link Mlp#parameterJvp} exposes. The Hessian's backward R-pass reads R{z_k}
 * (the sigma'' term) and R{a_k} (the R{grad W_k} term) of hidden layers, so an error there would otherwise be
 * visible only through the Hessian product. Reference: central differences of {@link Mlp#forward} at
 * theta +- h v, h = 1e-5, relative tolerance 1e-6 (truncation ~1e-10, rounding ~1e-11 on O(1) values).
 */
class RForwardPassTest {
    private static final double H = 1e-5;
    private static final double TOL = 1e-6;
    private static final int N = 4;

    @Test
    void directionalDerivativesOfEveryLayerMatchFiniteDifferences() {
        DenseMatrix x = ModelTestSupport.uniform(N, 4, -2, 2, 951);
        for (Activation act : Activation.values()) {
            Mlp m = ModelTestSupport.tinyNet(act, 3, x, 960 + act.ordinal());
            ParameterLayout layout = new ParameterLayout(m.widths());
            double[] v = ModelTestSupport.uniform(m.parameterCount(), -1, 1, 970);
            RForwardPass r = RForwardPass.along(BackpropagationTest.layersOf(m), m.activations(), layout,
                    m.forward(x), v);
            for (int k = 1; k <= m.layerCount(); k++) {
                final int kk = k;
                double[] fz = fdDirectional(th -> at(m, th).forward(x).preActivation(kk).data(), m.parameters(), v, H);
                double[] fa = fdDirectional(th -> at(m, th).forward(x).activation(kk).data(), m.parameters(), v, H);
                double ez = relErr(r.rz[k].data(), fz);
                double ea = relErr(r.ra[k].data(), fa);
                assertTrue(ez < TOL, act + " R{z_" + k + "}: relative error " + ez);
                assertTrue(ea < TOL, act + " R{a_" + k + "}: relative error " + ea);
                int off = m.weightOffset(k - 1);
                assertArrayEquals(Arrays.copyOfRange(v, off, off + m.weight(k - 1).data().length),
                        r.dirW[k - 1].data(), "V_" + (k - 1));
            }
            assertArrayEquals(m.parameterJvp(x, v).data(), r.logits().data());
        }
    }
}
