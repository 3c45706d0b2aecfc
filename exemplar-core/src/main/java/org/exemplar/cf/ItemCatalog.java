package org.exemplar.cf;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.exemplar.data.DataException;

/**
 * Movie titles and genres from MovieLens-100k {@code u.item} (ISO-8859-1, '|' separated:
 * id|title|release date|video release date|IMDb URL|19 genre flags). Index = movie id - 1.
 */
public record ItemCatalog(List<String> titles, List<List<String>> genres) {
    /** The 19 genre columns of {@code u.item}, in order (as listed in {@code u.genre}). */
    public static final List<String> GENRES = List.of("unknown", "Action", "Adventure", "Animation", "Children's",
            "Comedy", "Crime", "Documentary", "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery",
            "Romance", "Sci-Fi", "Thriller", "War", "Western");

    public static ItemCatalog read(Path file) {
        List<String> titles = new ArrayList<>();
        List<List<String>> genres = new ArrayList<>();
        try (BufferedReader r = Files.newBufferedReader(file, StandardCharsets.ISO_8859_1)) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] f = line.split("\\|", -1);
                if (f.length != 5 + GENRES.size()) {
                    throw new DataException(file, "line " + lineNo + ": expected " + (5 + GENRES.size())
                            + " '|'-separated fields, got " + f.length);
                }
                int id;
                try {
                    id = Integer.parseInt(f[0].strip());
                } catch (NumberFormatException e) {
                    throw new DataException(file, "line " + lineNo + ": movie id '" + f[0] + "' is not an integer");
                }
                if (id != titles.size() + 1) {
                    throw new DataException(file, "line " + lineNo + ": movie id " + id + " out of sequence (expected "
                            + (titles.size() + 1) + ")");
                }
                List<String> g = new ArrayList<>();
                for (int p = 0; p < GENRES.size(); p++) {
                    String flag = f[5 + p].strip();
                    if (!flag.equals("0") && !flag.equals("1")) {
                        throw new DataException(file, "line " + lineNo + ": genre flag '" + flag + "' is not 0 or 1");
                    }
                    if (flag.equals("1")) {
                        g.add(GENRES.get(p));
                    }
                }
                titles.add(f[1]);
                genres.add(List.copyOf(g));
            }
        } catch (IOException e) {
            throw new DataException(file, "cannot read: " + e.getMessage(), e);
        }
        return new ItemCatalog(List.copyOf(titles), List.copyOf(genres));
    }

    public int size() {
        return titles.size();
    }
}
