package org.exemplar.linalg;

/** Whether a BLAS operand is used as stored or transposed. */
public enum Transpose {
    NO("N"), YES("T");

    final String blasFlag;

    Transpose(String flag) {
        this.blasFlag = flag;
    }
}
