package org.exemplar.spark;

/** Bad input (a missing column, a wrong vector width, an unreadable file): the message names what and where. */
public class InputException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    public InputException(String message) {
        super(message);
    }

    public InputException(String message, Throwable cause) {
        super(message, cause);
    }
}
