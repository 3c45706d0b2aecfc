package org.exemplar.cf;

import org.exemplar.linalg.DenseMatrix;
import org.exemplar.linalg.Vectors;

/**
 * User and item embeddings U^ (|U| x k) and V^ (|I| x k); the predicted score of (i, j) is &lt;U^_i, V^_j&gt;.
 * The matrices are held by reference (callers must not mutate them after construction).
 */
public record Factorization(DenseMatrix users, DenseMatrix items) {
    public Factorization {
        if (users.cols() != items.cols()) {
            throw new IllegalArgumentException("user embeddings " + users.shapeString() + " and item embeddings "
                    + items.shapeString() + " differ in width");
        }
    }

    public int rank() {
        return users.cols();
    }

    public double predict(int i, int j) {
        int k = users.cols();
        return Vectors.dot(users.data(), i * k, items.data(), j * k, k);
    }

    public Factorization copy() {
        return new Factorization(users.copy(), items.copy());
    }
}
