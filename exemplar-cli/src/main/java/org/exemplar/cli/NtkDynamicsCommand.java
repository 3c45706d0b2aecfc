package org.exemplar.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.data.DataException;
import org.exemplar.data.Npy;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.DenseMatrix;
import org.exemplar.ntk.NtkDynamics;
import org.exemplar.ntk.NtkKernel;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar ntk dynamics}: influence along gradient flow (SPEC.md section 3, Fig. 7). */
@Command(name = "dynamics", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Influence along gradient flow: f_t(x) = K_x^T (K + lambda I)^{-1} (I - exp(-(K + lambda I) t)) Y, "
                + "and the same with each training point removed (exact; one eigen-decomposition per removed "
                + "point, O(n^4): meant for n up to about a thousand).",
            "Writes DIR/influence_t.npy (times x n_test x n_train), DIR/predictions_t.npy (times x n_test), "
                + "DIR/dynamics.csv and DIR/summary.json; with --flagged, the share of flagged (e.g. label-flipped) "
                + "points among each test point's most influential ones (Fig. 7)."})
final class NtkDynamicsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NtkInputs in;

    @Option(names = "--times", required = true, split = ",", paramLabel = "T",
            description = "Training times t >= 0, comma separated (e.g. 0.1,1,10,100; 'inf' = converged).")
    String[] times;

    @Option(names = "--flagged", paramLabel = "F.npy",
            description = "Optional (n_train,) bool or 0/1 array marking training points (e.g. flipped labels).")
    Path flagged;

    @Option(names = "--top", defaultValue = "1",
            description = "How many most influential points per test point enter the flagged share (default ${DEFAULT-VALUE}).")
    int top;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        NtkProblem p = in.load(log);
        double[] t = new double[times.length];
        for (int i = 0; i < t.length; i++) {
            String v = times[i].trim();
            try {
                t[i] = v.equalsIgnoreCase("inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(v);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--times: '" + v + "' is not a number");
            }
            if (!(t[i] >= 0)) {
                throw new IllegalArgumentException("--times must be >= 0, got " + v);
            }
        }
        if (top < 1) {
            throw new IllegalArgumentException("--top must be >= 1, got " + top);
        }
        boolean[] flags = null;
        if (flagged != null) {
            int[] f = Npy.read(flagged).toIntArray();
            if (f.length != p.x.rows()) {
                throw new DataException(flagged, "has " + f.length + " entries for " + p.x.rows() + " training points");
            }
            flags = new boolean[f.length];
            for (int i = 0; i < f.length; i++) {
                flags[i] = f[i] != 0;
            }
        }
        if (p.duplicates.size() > 0 && in.lambda == 0) {
            throw new DataException(in.trainFeatures, "duplicate training inputs make K singular; use --lambda > 0");
        }
        long t0 = System.nanoTime();
        DenseMatrix k = NtkKernel.gram(p.x);
        DenseMatrix kt = NtkKernel.matrix(p.xt, p.x);
        NtkDynamics.Result r;
        boolean show = Progress.defaultEnabled(in.progress, in.quiet);
        try (Progress bar = Progress.start(show, "leave-one-out", p.x.rows(), "points")) {
            r = new NtkDynamics(k, p.y, in.lambda).influence(t, kt, p.yt, () -> bar.step(1));
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double[] share = flags == null ? null : r.shareFlaggedAmongTop(flags, top);
        int n = p.x.rows();
        int nt = p.xt.rows();
        double[] all = new double[t.length * nt * n];
        for (int s = 0; s < t.length; s++) {
            System.arraycopy(r.influence()[s].data(), 0, all, s * nt * n, nt * n);
        }
        try (OutputDirectory dir = new OutputDirectory(in.out)) {
            Npy.write(dir.file("influence_t.npy"), new long[] {t.length, nt, n}, all);
            Npy.write(dir.file("predictions_t.npy"), r.predictions());
            List<Object[]> rows = new ArrayList<>();
            for (int s = 0; s < t.length; s++) {
                rows.add(new Object[] {t[s], share == null ? "" : share[s]});
            }
            Csv.write(dir.file("dynamics.csv"), new String[] {"time", "share_flagged_among_top"}, rows);
            Map<String, Object> settings = in.settings();
            settings.put("times", t);
            settings.put("top", top);
            Map<String, Object> summary = p.summaryHead("ntk dynamics (gradient flow, SPEC.md section 3)");
            summary.put("times", t);
            summary.put("share_flagged_among_top", share);
            summary.put("flagged_fraction", flags == null ? null : fraction(flags));
            summary.put("seconds", seconds);
            summary.put("method_note", "exact: one eigen-decomposition of K_{\\i} + lambda I per training point");
            summary.put("settings", settings);
            Map<String, Path> inputs = in.inputs();
            if (flagged != null) {
                inputs.put("flagged", flagged);
            }
            summary.put("provenance", Provenance.of("ntk dynamics", settings, inputs, null));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!in.quiet) {
            log.printf("%d times, %d training, %d test points in %.2f s; wrote %s/{influence_t,predictions_t}.npy, "
                    + "dynamics.csv, summary.json%n", t.length, n, nt, seconds, in.out);
        }
        return 0;
    }

    private static double fraction(boolean[] f) {
        int c = 0;
        for (boolean b : f) {
            c += b ? 1 : 0;
        }
        return c / (double) f.length;
    }
}
