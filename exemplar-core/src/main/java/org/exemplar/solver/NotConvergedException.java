package org.exemplar.solver;

/**
 * A solver stopped above its tolerance where the caller asked not to continue with unconverged results; the message
 * names the residual. The command line maps it to exit code 3.
 */
public class NotConvergedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotConvergedException(String message) {
        super(message);
    }
}
