package org.exemplar.spark;

import java.util.function.Supplier;

/** Runs a Spark action and turns a failed task's bad-input error back into that error (its message intact). */
final class Jobs {
    private Jobs() {
    }

    static <T> T run(Supplier<T> action, String what) {
        try {
            return action.get();
        } catch (InputException e) {
            throw e;
        } catch (Exception e) { // SparkException is checked in Java, thrown unchecked from Scala
            for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
                if (t instanceof InputException ie) {
                    throw new InputException(ie.getMessage(), e);
                }
            }
            String m = String.valueOf(e.getMessage());
            int at = m.indexOf("InputException: ");
            if (at >= 0) {
                throw new InputException(m.substring(at + "InputException: ".length()).lines().findFirst()
                        .orElse(m), e);
            }
            if (m.contains("Parquet") || m.contains("parquet") || m.contains("FAILED_READ_FILE")) {
                throw new InputException("cannot read the " + what + " data: " + TrainingSet.rootMessage(e), e);
            }
            throw e instanceof RuntimeException re ? re : new IllegalStateException(e.getMessage(), e);
        }
    }
}
