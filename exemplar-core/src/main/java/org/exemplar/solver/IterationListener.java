package org.exemplar.solver;

/** Receives one event per optimizer iteration (for progress bars and logs). */
@FunctionalInterface
public interface IterationListener {
    void iteration(int iteration, double value, double residual);

    IterationListener NONE = (i, v, r) -> { };
}
