package org.exemplar.linalg;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The SIMD kernels behind {@link MappedDots}, on the JDK's Vector API ({@code jdk.incubator.vector}, an incubator
 * module in JDK 17): loaded only when that module is in the boot layer, never referenced otherwise.
 */
final class VectorDots {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    private VectorDots() {
    }

    static String describe() {
        return F.vectorBitSize() + "-bit vectors (" + F.length() + " floats, " + D.length() + " doubles)";
    }

    static void f32(ByteBuffer b, int byteOffset, int rows, int cols, float[] q, int nq, float[] out, int ldOut) {
        int l = F.length();
        int wide = cols - cols % (4 * l);
        int narrow = cols - cols % l;
        for (int r = 0; r < rows; r++) {
            int base = byteOffset + r * cols * 4;
            for (int k = 0; k < nq; k++) {
                int qo = k * cols;
                FloatVector s0 = FloatVector.zero(F);
                FloatVector s1 = FloatVector.zero(F);
                FloatVector s2 = FloatVector.zero(F);
                FloatVector s3 = FloatVector.zero(F);
                int j = 0;
                for (; j < wide; j += 4 * l) {
                    s0 = FloatVector.fromByteBuffer(F, b, base + 4 * j, LE).fma(FloatVector.fromArray(F, q, qo + j), s0);
                    s1 = FloatVector.fromByteBuffer(F, b, base + 4 * (j + l), LE)
                            .fma(FloatVector.fromArray(F, q, qo + j + l), s1);
                    s2 = FloatVector.fromByteBuffer(F, b, base + 4 * (j + 2 * l), LE)
                            .fma(FloatVector.fromArray(F, q, qo + j + 2 * l), s2);
                    s3 = FloatVector.fromByteBuffer(F, b, base + 4 * (j + 3 * l), LE)
                            .fma(FloatVector.fromArray(F, q, qo + j + 3 * l), s3);
                }
                for (; j < narrow; j += l) {
                    s0 = FloatVector.fromByteBuffer(F, b, base + 4 * j, LE).fma(FloatVector.fromArray(F, q, qo + j), s0);
                }
                float s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
                for (; j < cols; j++) {
                    s = Math.fma(b.getFloat(base + 4 * j), q[qo + j], s);
                }
                out[k * ldOut + r] = s;
            }
        }
    }

    static void f64(ByteBuffer b, int byteOffset, int rows, int cols, double[] q, int nq, double[] out, int ldOut) {
        int l = D.length();
        int wide = cols - cols % (4 * l);
        int narrow = cols - cols % l;
        for (int r = 0; r < rows; r++) {
            int base = byteOffset + r * cols * 8;
            for (int k = 0; k < nq; k++) {
                int qo = k * cols;
                DoubleVector s0 = DoubleVector.zero(D);
                DoubleVector s1 = DoubleVector.zero(D);
                DoubleVector s2 = DoubleVector.zero(D);
                DoubleVector s3 = DoubleVector.zero(D);
                int j = 0;
                for (; j < wide; j += 4 * l) {
                    s0 = DoubleVector.fromByteBuffer(D, b, base + 8 * j, LE).fma(DoubleVector.fromArray(D, q, qo + j), s0);
                    s1 = DoubleVector.fromByteBuffer(D, b, base + 8 * (j + l), LE)
                            .fma(DoubleVector.fromArray(D, q, qo + j + l), s1);
                    s2 = DoubleVector.fromByteBuffer(D, b, base + 8 * (j + 2 * l), LE)
                            .fma(DoubleVector.fromArray(D, q, qo + j + 2 * l), s2);
                    s3 = DoubleVector.fromByteBuffer(D, b, base + 8 * (j + 3 * l), LE)
                            .fma(DoubleVector.fromArray(D, q, qo + j + 3 * l), s3);
                }
                for (; j < narrow; j += l) {
                    s0 = DoubleVector.fromByteBuffer(D, b, base + 8 * j, LE).fma(DoubleVector.fromArray(D, q, qo + j), s0);
                }
                double s = s0.add(s1).add(s2.add(s3)).reduceLanes(VectorOperators.ADD);
                for (; j < cols; j++) {
                    s = Math.fma(b.getDouble(base + 8 * j), q[qo + j], s);
                }
                out[k * ldOut + r] = s;
            }
        }
    }
}
