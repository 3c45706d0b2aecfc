package org.exemplar.cli;

/** A solver stopped short of its tolerance and the user did not allow unconverged results. */
final class NotConvergedException extends org.exemplar.solver.NotConvergedException {
    private static final long serialVersionUID = 1L;

    NotConvergedException(String message) {
        super(message);
    }
}
