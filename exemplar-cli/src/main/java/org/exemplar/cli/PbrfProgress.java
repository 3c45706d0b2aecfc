package org.exemplar.cli;

import java.io.PrintWriter;
import org.exemplar.response.ResponseListener;

/** Progress bars: one per task (base training, point i of P response k of 6, influence), stepping by epoch. */
final class PbrfProgress implements ResponseListener, AutoCloseable {
    private final boolean enabled;
    private final PrintWriter lines;
    private final long start = System.nanoTime();
    private Progress bar;

    /** Bars when enabled; otherwise, unless {@code lines} is null, one stderr line per point / setting. */
    PbrfProgress(boolean enabled, PrintWriter lines) {
        this.enabled = enabled;
        this.lines = enabled ? null : lines;
    }

    @Override
    public void task(String description, int units) {
        close();
        bar = Progress.start(enabled, description, Math.max(units, 1), "epochs");
        if (lines != null && (description.contains("response 1 of") || description.startsWith("sweep")
                || description.startsWith("influence") || description.startsWith("base"))) {
            lines.printf("[%.0f s] %s%n", (System.nanoTime() - start) * 1e-9,
                    description.replaceAll(", response 1 of .*", ""));
            lines.flush();
        }
    }

    @Override
    public void epoch(int epoch, int epochs) {
        if (bar != null) {
            bar.stepTo(epoch);
        }
    }

    @Override
    public void close() {
        if (bar != null) {
            bar.close();
            bar = null;
        }
    }
}
