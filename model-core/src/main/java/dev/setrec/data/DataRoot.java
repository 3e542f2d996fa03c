package dev.setrec.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * Where the commands find their data sets when no data dir is given: the folder named by the environment variable
 * {@value #ENV}, which holds the data sets as {@code setrec/toys}, {@code atspeed_games}, ... (docs/data.md). The
 * product has no built-in data path: a user's data lives wherever the user keeps it.
 */
public final class DataRoot {
    public static final String ENV = "SETREC_DATA";
    /** The data set the streaming commands run on by default, under the data root. */
    public static final String TOYS = "setrec/toys";

    private DataRoot() {
    }

    /** The given root, else the one {@value #ENV} names in {@code environment}; empty where neither is set. */
    public static Optional<Path> of(Path given, Map<String, String> environment) {
        if (given != null) {
            return Optional.of(given);
        }
        String named = environment.get(ENV);
        return named == null || named.isBlank() ? Optional.empty() : Optional.of(Path.of(named));
    }

    /** The given data dir, else {@code name} under the data root where that dir exists; empty otherwise. */
    public static Optional<Path> findDataSet(Path given, String name, Map<String, String> environment) {
        if (given != null) {
            return Optional.of(given);
        }
        return of(null, environment).map(root -> root.resolve(name)).filter(Files::isDirectory);
    }

    /** As {@link #findDataSet}, for commands that cannot run without data: a message saying how to give it. */
    public static Path requireDataSet(Path given, String name, Map<String, String> environment) {
        return findDataSet(given, name, environment).orElseThrow(() -> new IllegalArgumentException(
                "no data: give --data DIR, or set " + ENV + " to the folder that holds " + name + " (docs/data.md)"));
    }

    /** As {@link #of}, for commands that cannot run without data: a message saying how to give it. */
    public static Path require(Path given, Map<String, String> environment) {
        return of(given, environment).orElseThrow(() -> new IllegalArgumentException(
                "no data: give --data-root DIR, or set " + ENV + " to the folder that holds the data sets "
                        + "(docs/data.md)"));
    }
}
