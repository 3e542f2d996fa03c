package dev.setrec.models;

import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * A models folder: a folder whose subfolders are model dirs, one per version, read by the scoring job and the model
 * server alike. A version is complete when it holds model.json and its name does not start with a dot (a writer
 * saves under a dot name in the same folder and renames it into place, which is atomic, see {@link #addVersion});
 * the newest is the last by name. {@link Watcher} follows a folder and loads each newer version as it appears.
 */
public final class ModelFolder {
    private ModelFolder() {
    }

    /** Whether {@code dir} is a models folder, not a model dir: a folder without model.json. */
    public static boolean isModelsFolder(Path dir) {
        return Files.isDirectory(dir) && !Files.exists(dir.resolve(ModelManifest.FILE));
    }

    /** Writes a model dir (into a folder that does not exist yet). */
    @FunctionalInterface
    public interface ModelWriter {
        void write(Path dir) throws IOException;
    }

    /**
     * Adds version {@code name} to the models folder: written under a dot name in the folder, then renamed into
     * place at once, so that no reader sees it half written; where writing fails, nothing is left behind. Returns
     * the version's dir.
     */
    public static Path addVersion(Path folder, String name, ModelWriter writer) throws IOException {
        Path temporary = folder.resolve("." + name + ".tmp");
        try {
            writer.write(temporary);
            return Files.move(temporary, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException | RuntimeException e) {
            deleteTree(temporary);
            throw e;
        }
    }

    /**
     * Adds a copy of model dir {@code model} as version {@code name}, checked against its manifest before it
     * appears.
     */
    public static Path addCopy(Path folder, String name, Path model) throws IOException {
        return addVersion(folder, name, dir -> {
            copyTree(model, dir);
            ModelIO.readManifest(dir); // the copy hashes to the model's version
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path source : (Iterable<Path>) files::iterator) {
                Files.copy(source, to.resolve(from.relativize(source).toString()));
            }
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path path : (Iterable<Path>) files.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(path);
            }
        }
    }

    /** The complete versions of {@code folder}, newest first. */
    public static List<Path> completeVersions(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.filter(dir -> !dir.getFileName().toString().startsWith("."))
                    .filter(dir -> Files.isRegularFile(dir.resolve(ModelManifest.FILE)))
                    .sorted(Comparator.comparing(ModelFolder::name).reversed())
                    .toList();
        }
    }

    /**
     * The complete versions of {@code folder} newer by name than {@code newerThan} ("" for all) and not in
     * {@code broken}, newest first: the ones to try, in order, until one loads.
     */
    public static List<Path> versionsToTry(Path folder, String newerThan, Set<String> broken) throws IOException {
        return completeVersions(folder).stream()
                .filter(dir -> name(dir).compareTo(newerThan) > 0 && !broken.contains(name(dir)))
                .toList();
    }

    /** The version's name: its folder's name. */
    public static String name(Path version) {
        return version.getFileName().toString();
    }

    /** Loads a version and puts it into service; throws where it cannot. */
    @FunctionalInterface
    public interface VersionLoader {
        void load(Path version) throws Exception;
    }

    /**
     * Follows a models folder on a daemon thread: every interval it hands the newest complete version newer than
     * the newest it has loaded to its {@link VersionLoader}. A version the loader refuses is reported once with its
     * reason and never tried again; the next older candidate is tried instead, so what serves only moves forward.
     */
    public static final class Watcher implements AutoCloseable {
        private final Path folder;
        private final VersionLoader loader;
        private final Consumer<String> warn;
        /** Versions that failed to load, by name. Used under this watcher's lock only. */
        private final Set<String> broken = new HashSet<>();
        private volatile String newestLoaded = "";
        private final ScheduledExecutorService thread;

        /**
         * Loads the newest loadable version now, on the caller's thread (so that a version present at the start
         * serves at once), then looks again every {@code interval}.
         *
         * @param warn where a refused version or an unreadable folder is reported, one line each
         */
        public Watcher(Path folder, Duration interval, VersionLoader loader, Consumer<String> warn) {
            this.folder = folder;
            this.loader = loader;
            this.warn = warn;
            check();
            thread = Executors.newSingleThreadScheduledExecutor(task -> {
                Thread daemon = new Thread(task, "setrec-models-folder");
                daemon.setDaemon(true);
                return daemon;
            });
            long millis = Math.max(1, interval.toMillis());
            thread.scheduleWithFixedDelay(this::check, millis, millis, TimeUnit.MILLISECONDS);
        }

        /** The name of the newest version loaded so far, or "" before the first. */
        public String newestLoaded() {
            return newestLoaded;
        }

        /** Loads the newest complete version newer than the newest loaded, skipping (and remembering) broken ones. */
        private synchronized void check() {
            List<Path> candidates;
            try {
                candidates = versionsToTry(folder, newestLoaded, broken);
            } catch (IOException | RuntimeException e) {
                warn.accept("could not list the models folder " + folder + ": " + e);
                return;
            }
            for (Path version : candidates) {
                try {
                    loader.load(version);
                    newestLoaded = name(version);
                    return;
                } catch (Exception e) {
                    broken.add(name(version));
                    warn.accept("skipped the model version " + version + ": it cannot be loaded: " + e);
                }
            }
        }

        /** Stops looking, waiting for a load in progress (an interrupt would break it and mark it broken). */
        @Override
        public void close() throws InterruptedException {
            thread.shutdown();
            if (!thread.awaitTermination(1, TimeUnit.MINUTES)) {
                warn.accept("a model version in " + folder + " is still loading after a minute; closing anyway");
            }
        }
    }
}
