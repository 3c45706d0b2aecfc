package org.exemplar.response;

/**
 * Progress of a response computation: which task runs (base training, "point 3 of 20, response 4 of 6: pbrf",
 * an influence solve) and its epochs. Both methods do nothing by default.
 */
public interface ResponseListener {
    /** A new task starts; {@code units} is its number of epochs (0 for a task without epochs). */
    default void task(String description, int units) {
    }

    /** Epoch {@code epoch} (from 1) of {@code epochs} of the current task finished (L-BFGS: iteration of the cap). */
    default void epoch(int epoch, int epochs) {
    }

    ResponseListener NONE = new ResponseListener() {
    };
}
