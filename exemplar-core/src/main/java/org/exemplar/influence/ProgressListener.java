package org.exemplar.influence;

/** Progress of a long computation: {@code done} of {@code total} units (test points, training points). */
@FunctionalInterface
public interface ProgressListener {
    void progress(long done, long total);

    ProgressListener NONE = (d, t) -> { };
}
