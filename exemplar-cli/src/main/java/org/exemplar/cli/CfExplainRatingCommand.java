package org.exemplar.cli;

import static org.exemplar.cli.CfCommands.fit;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import org.exemplar.cf.CfAttribution;
import org.exemplar.cf.CfFit;
import org.exemplar.cf.ItemCatalog;
import org.exemplar.cf.PairExplanation;
import org.exemplar.cf.Ratings;
import org.exemplar.cf.RatingsFiles;
import org.exemplar.cli.CfCommands.ModelOptions;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code exemplar hdrep explain-rating}. */
@Command(name = "explain-rating", mixinStandardHelpOptions = true, sortOptions = false,
        description = {
            "Explains one MovieLens-100k prediction in the style of Tsai et al. (2023), Table 3: trains MF on "
                + "DIR/u.data without the explained (user, movie) rating, predicts it, and lists the user's own "
                + "ratings with the largest |importance| (item-based, Definition 1), or other users' ratings of the "
                + "movie (--kind user). Titles and genres come from DIR/u.item (ISO-8859-1)."})
public final class CfExplainRatingCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--movielens", required = true, paramLabel = "DIR", description = "Folder holding u.data and u.item (your copy of ml-100k).")
    Path movielens;

    @Option(names = "--user", required = true, description = "MovieLens user id (1-based).")
    int user;

    @Option(names = "--item", required = true, description = "MovieLens movie id (1-based).")
    int item;

    @Option(names = "--top", defaultValue = "6", description = "Rows to show (default ${DEFAULT-VALUE}).")
    int top;

    @Option(names = "--kind", defaultValue = "item", description = "item (the user's ratings) | user (others' ratings of the movie) (default ${DEFAULT-VALUE}).")
    String kind;

    @Mixin
    ModelOptions model;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter log = spec.commandLine().getErr();
        if (model.train == null) {
            model.train = "sgd";
        }
        if (model.algorithm() == CfFit.Algorithm.SOFT_IMPUTE && model.normalize) {
            throw new IllegalArgumentException("explain-rating prints ratings on the 1-5 scale; drop --normalize-ratings");
        }
        CfAttribution.Kind k = switch (kind) {
            case "item" -> CfAttribution.Kind.ITEM;
            case "user" -> CfAttribution.Kind.USER;
            default -> throw new IllegalArgumentException("--kind must be item or user, got " + kind);
        };
        Path data = movielens.resolve("u.data");
        Ratings all = RatingsFiles.readMovieLens(data);
        ItemCatalog movies = ItemCatalog.read(movielens.resolve("u.item"));
        int u = user - 1;
        int j = item - 1;
        if (u < 0 || u >= all.numUsers()) {
            throw new IllegalArgumentException("--user " + user + " is not in 1.." + all.numUsers());
        }
        if (j < 0 || j >= all.numItems() || j >= movies.size()) {
            throw new IllegalArgumentException("--item " + item + " is not in 1.." + Math.min(all.numItems(), movies.size()));
        }
        int own = all.find(u, j);
        Ratings train = all;
        if (own >= 0) {
            int[] keep = java.util.stream.IntStream.range(0, all.size()).filter(t -> t != own).toArray();
            train = all.subset(keep);
        }
        Ratings prepared = model.prepare(train);
        CfFit.Result fd = fit(prepared, model, log, true);
        PairExplanation e = fd.representer().explain(u, j);
        double pred = model.normalize ? 2 * e.prediction() + 3 : e.prediction();
        out.printf("The %s model predicts user %d's rating of \"%s\" (%s) to be %.2f%s.%n",
                model.algorithm().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'), user,
                movies.titles().get(j), String.join(", ", movies.genres().get(j)), pred,
                own >= 0 ? " (the user's actual rating, held out of training: " + fmt(all.value(own)) + ")" : "");
        out.printf("%s%n", k == CfAttribution.Kind.ITEM
                ? "Mostly because of your ratings on the following movies (item-based, Definition 1):"
                : "Mostly because of these users' ratings of the movie (user-based, Definition 1):");
        List<CfAttribution> list = e.byMagnitude(k);
        out.printf("%-45s %-8s %-40s %10s%n", k == CfAttribution.Kind.ITEM ? "Movie" : "User", "Rating",
                k == CfAttribution.Kind.ITEM ? "Movie genre" : "", "Importance");
        for (int p = 0; p < Math.min(top, list.size()); p++) {
            CfAttribution a = list.get(p);
            double y = train.value(a.trainIndex());
            String who = k == CfAttribution.Kind.ITEM ? movies.titles().get(a.item()) : "user " + (a.user() + 1);
            String genre = k == CfAttribution.Kind.ITEM ? String.join(", ", movies.genres().get(a.item())) : "";
            out.printf("%-45s %-8s %-40s %10.4f%n", abbreviate(who, 45), fmt(y), abbreviate(genre, 40), a.score());
        }
        out.printf("(%d %s ratings in all; scores sum to %.4f; importance > 0 pushes the prediction up)%n", list.size(),
                k == CfAttribution.Kind.ITEM ? "of the user's" : "of the movie's",
                k == CfAttribution.Kind.ITEM ? e.itemBasedSum() : e.userBasedSum());
        return 0;
    }

    private static String fmt(double y) {
        return y == Math.rint(y) ? String.valueOf((long) y) : String.valueOf(y);
    }

    private static String abbreviate(String s, int n) {
        return s.length() <= n ? s : s.substring(0, n - 3) + "...";
    }
}
