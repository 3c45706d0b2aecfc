package org.exemplar.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ActivationTest {

    /** Points away from the ReLU kink at 0, spanning the saturating regions of tanh and sigmoid. */
    private static final double[] POINTS = {-6.0, -2.5, -1.0, -0.3, -0.01, 0.02, 0.4, 1.0, 3.0, 7.5};

    @Test
    void valuesMatchClosedForms() {
        assertEquals(0.0, Activation.RELU.apply(-1.5));
        assertEquals(2.5, Activation.RELU.apply(2.5));
        assertEquals(Math.tanh(0.7), Activation.TANH.apply(0.7));
        assertEquals(0.5, Activation.SIGMOID.apply(0.0));
        assertEquals(1.0 / (1.0 + Math.exp(-1.3)), Activation.SIGMOID.apply(1.3), 1e-16);
        assertEquals(Math.log(2.0), Activation.SOFTPLUS.apply(0.0), 1e-16);
        assertEquals(Math.log(1.0 + Math.exp(1.3)), Activation.SOFTPLUS.apply(1.3), 1e-15);
        assertEquals(-4.25, Activation.IDENTITY.apply(-4.25));
    }

    @Test
    void firstDerivativesMatchCentralDifferences() {
        // h = 1e-5: truncation h^2 |f'''| / 6 < 1e-10 and rounding eps |f| / h < 1e-10 for |f| <= 8.
        double h = 1e-5;
        for (Activation a : Activation.values()) {
            for (double z : POINTS) {
                double fd = (a.apply(z + h) - a.apply(z - h)) / (2 * h);
                assertEquals(fd, a.derivative(z), 1e-9, a + " at " + z);
            }
        }
    }

    @Test
    void secondDerivativesMatchCentralDifferencesOfTheFirst() {
        double h = 1e-5;
        for (Activation a : Activation.values()) {
            for (double z : POINTS) {
                double fd = (a.derivative(z + h) - a.derivative(z - h)) / (2 * h);
                assertEquals(fd, a.secondDerivative(z), 1e-9, a + " at " + z);
            }
        }
    }

    @Test
    void reluUsesZeroDerivativeAtTheKinkAndOnlyCurvedActivationsHaveSecondDerivatives() {
        assertEquals(0.0, Activation.RELU.derivative(0.0));
        assertEquals(0.0, Activation.RELU.secondDerivative(1.0));
        assertEquals(0.0, Activation.IDENTITY.secondDerivative(1.0));
        assertTrue(Activation.TANH.isCurved() && Activation.SIGMOID.isCurved() && Activation.SOFTPLUS.isCurved());
        assertTrue(!Activation.RELU.isCurved() && !Activation.IDENTITY.isCurved());
    }

    @Test
    void softplusAndSigmoidAreStableForLargeArguments() {
        assertEquals(1000.0, Activation.SOFTPLUS.apply(1000.0));
        assertEquals(0.0, Activation.SOFTPLUS.apply(-1000.0));
        // The naive log(1 + e^z) overflows to infinity at z = 800.
        assertEquals(800.0, Activation.SOFTPLUS.apply(800.0));
        // softplus(-30) = e^-30 - e^-60 / 2 + O(e^-90); the naive form would round 1 + e^-30 to 1 and return 0.
        double e30 = Math.exp(-30);
        assertEquals(e30 - e30 * e30 / 2, Activation.SOFTPLUS.apply(-30.0), 1e-15 * e30);
        assertEquals(1.0, Activation.SIGMOID.apply(1000.0));
        assertEquals(0.0, Activation.SIGMOID.apply(-1000.0));
        assertEquals(1.0, Activation.SOFTPLUS.derivative(1000.0));
        assertEquals(0.0, Activation.SOFTPLUS.derivative(-1000.0));
        for (Activation a : Activation.values()) {
            for (double z : new double[] {-1e6, 1e6}) {
                assertTrue(Double.isFinite(a.apply(z)) && Double.isFinite(a.derivative(z))
                        && Double.isFinite(a.secondDerivative(z)), a + " at " + z);
            }
        }
    }

    @Test
    void bulkKernelsAgreeWithScalarMethods() {
        double[] z = ModelTestSupport.uniform(37, -4, 4, 11);
        double[] g = ModelTestSupport.uniform(37, -1, 1, 12);
        for (Activation a : Activation.values()) {
            double[] out = new double[z.length];
            a.applyAll(z, out);
            double[] scaled = g.clone();
            a.multiplyByDerivative(z, scaled);
            for (int i = 0; i < z.length; i++) {
                assertEquals(a.apply(z[i]), out[i], 0.0);
                assertEquals(g[i] * a.derivative(z[i]), scaled[i], 0.0);
            }
        }
    }

    @Test
    void parsesLowerCaseNamesAndRoundTrips() {
        for (Activation a : Activation.values()) {
            assertEquals(a, Activation.fromName(a.externalName()));
            assertEquals(a, Activation.fromName(a.name()));
        }
        assertEquals("softplus", Activation.SOFTPLUS.externalName());
        assertEquals(Activation.IDENTITY, Activation.fromName("linear"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Activation.fromName("gelu"));
        assertTrue(e.getMessage().contains("gelu") && e.getMessage().contains("relu, tanh"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Activation.fromName(null));
    }
}
