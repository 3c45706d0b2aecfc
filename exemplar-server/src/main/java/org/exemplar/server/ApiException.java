package org.exemplar.server;

/** A request the server refuses, with the HTTP status and the message for the JSON error body. */
final class ApiException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    ApiException(int status, String message) {
        super(message);
        this.status = status;
    }
}
