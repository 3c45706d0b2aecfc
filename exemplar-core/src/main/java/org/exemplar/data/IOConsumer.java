package org.exemplar.data;

import java.io.IOException;

/**
 * A consumer that may throw {@link IOException}; the body of an {@link AtomicFiles} write.
 *
 * @param <T> the type consumed (an output stream or channel)
 */
@FunctionalInterface
public interface IOConsumer<T> {
    /** Consumes {@code t}, writing to it. */
    void accept(T t) throws IOException;
}
