package org.exemplar.cli;

import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.exemplar.data.AtomicFiles;
import org.exemplar.data.Csv;
import org.exemplar.io.Json;
import org.exemplar.io.Provenance;
import org.exemplar.linalg.Blas;
import org.exemplar.response.PbrfResult;
import org.exemplar.response.PbrfSweep;
import org.exemplar.response.ResponseSettings;
import org.exemplar.response.SweepParameter;
import org.exemplar.response.SweepRow;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar pbrf sweep}: Sec. 6.2's ablations, one CSV row per value. */
@Command(name = "sweep", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Repeats `exemplar pbrf` with one setting varied (Bae et al. 2022, Sec. 6.2, Figure 5): "
                + "--vary width=64,128,256 | depth=1,2,3 | epochs=10,20 | l2=0,0.001 | damping=0.001,0.01 | "
                + "removed_fraction=0.1,0.2.",
            "Writes DIR/sweep.csv (parameter, value, the five mean gaps, Pearson and Spearman of the first solver "
                + "with cold-start, warm-start, PBRF and two-stage, base gradient norm, seconds) and DIR/summary.json."})
final class PbrfSweepCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    PbrfInputs in;

    @Option(names = "--vary", required = true, paramLabel = "NAME=V1,V2,...", description = "The parameter and its values.")
    String vary;

    @Override
    public Integer call() {
        PrintWriter log = spec.commandLine().getErr();
        int eq = vary.indexOf('=');
        if (eq < 1 || eq == vary.length() - 1) {
            throw new IllegalArgumentException("--vary must look like width=64,128,256, got " + vary);
        }
        SweepParameter param = SweepParameter.parse(vary.substring(0, eq).trim());
        double[] values;
        try {
            values = java.util.Arrays.stream(vary.substring(eq + 1).split(",")).map(String::trim)
                    .mapToDouble(Double::parseDouble).toArray();
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad --vary values in '" + vary + "': " + e.getMessage());
        }
        if (param == SweepParameter.EPOCHS && in.epochs == null) {
            in.epochs = (int) values[0];
        }
        if (!in.quiet) {
            log.println(Blas.backendNotice());
        }
        PbrfInputs.Problem p = in.load(log);
        if (param == SweepParameter.EPOCHS && p.settings().response().optimizer() != ResponseSettings.Optimizer.SGD) {
            throw new IllegalArgumentException("an epochs sweep needs --optimizer sgd");
        }
        List<SweepRow> rows;
        try (PbrfProgress bars = new PbrfProgress(Progress.defaultEnabled(in.progress, in.quiet), in.quiet ? null : log)) {
            rows = PbrfSweep.run(p.architecture(), p.hidden(), p.train(), p.testX(), p.testT(), p.settings(), param,
                    values, bars);
        }
        String[] truths = {"cold_start", "warm_start", "pbrf", "two_stage"};
        List<String> header = new ArrayList<>(List.of("parameter", "value"));
        header.addAll(PbrfResult.GAP_NAMES);
        for (String t : truths) {
            header.add("pearson_" + t);
            header.add("spearman_" + t);
        }
        header.add("base_gradient_norm");
        header.add("seconds");
        List<Object[]> csv = new ArrayList<>();
        for (SweepRow r : rows) {
            List<Object> row = new ArrayList<>(List.of(param.externalName(), r.value()));
            for (double g : r.meanGaps()) {
                row.add(g);
            }
            for (String t : truths) {
                row.add(r.pearson().get(t));
                row.add(r.spearman().get(t));
            }
            row.add(r.baseGradientNorm());
            row.add(r.seconds());
            csv.add(row.toArray());
        }
        try (OutputDirectory dir = new OutputDirectory(in.out)) {
            Csv.write(dir.file("sweep.csv"), header.toArray(new String[0]), csv);
            Map<String, Object> settings = in.settingsMap(p);
            settings.put("vary", vary);
            Map<String, Object> summary = new LinkedHashMap<>();
            summary.put("method", "response-function ablations (Bae et al. 2022, Sec. 6.2)");
            summary.put("definitions", PbrfOutputs.definitions());
            summary.put("rows", rows);
            summary.put("settings", settings);
            summary.put("provenance", Provenance.of("pbrf sweep", settings, p.inputs(), in.seed));
            AtomicFiles.writeString(dir.file("summary.json"), Json.write(summary));
            dir.commit();
        }
        if (!in.quiet) {
            log.printf("wrote %s/sweep.csv (%d settings), summary.json%n", in.out, rows.size());
        }
        return 0;
    }
}
