package dev.setrec.jobs.scoring;

import dev.setrec.jobs.records.Ranking;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.setrec.ModelVersions;
import dev.setrec.model.setrec.SetRecService;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.text.TextEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * In-process SETRec on a models folder: a folder whose subfolders are model dirs, one per version. The newest
 * complete version serves: complete is a subfolder that holds model.json and whose name does not start with a dot
 * (a writer saves under a dot name in the same folder and renames it into place, which is atomic); newest is the
 * last by name. The folder is looked at again every refresh interval, off the scoring path: a newer version is
 * loaded, the items onboarded so far are added to it, and it is swapped in between batches (a batch in flight
 * finishes on the version it started with, which is closed after it). A version that cannot be loaded is logged
 * with its reason and skipped, the current one keeps serving. While no version has loaded, the operator is not
 * {@link #available()} and {@link #recommend} fails at once (the popularity fallback answers), its catalogue is not
 * loaded (interactions pass), and onboarded items are kept for the first version.
 */
public final class ModelFolderSetRec implements SetRecOperator {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFolderSetRec.class);

    private final Path folder;
    private final TextEncoder encoder;
    private final ModelVersions versions = new ModelVersions();
    /** Guards {@link #onboarded} and the swap, so that no onboarded item misses a version swapped in. */
    private final Object onboarding = new Object();
    /** Every item onboarded so far by id (its latest text) with the sequence number of its last change. */
    private final Map<String, Onboarded> onboarded = new LinkedHashMap<>();
    private long changes;
    private boolean closed;
    /** Versions that failed to load, by name: not tried again. Used by the watcher thread only. */
    private final Set<String> broken = new HashSet<>();
    private final ScheduledExecutorService watcher;

    private record Onboarded(SetRecService.NewItem item, long change) {
    }

    /**
     * Loads the newest complete version now, if there is one (so that a model present at the start serves the first
     * request), then looks for a newer one every {@code refreshInterval}. Closes the encoder when closed.
     */
    public ModelFolderSetRec(Path folder, TextEncoder encoder, Duration refreshInterval) {
        this.folder = folder;
        this.encoder = encoder;
        refresh();
        watcher = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "setrec-models-folder");
            thread.setDaemon(true);
            return thread;
        });
        long interval = Math.max(1, refreshInterval.toMillis());
        watcher.scheduleWithFixedDelay(this::refresh, interval, interval, TimeUnit.MILLISECONDS);
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
     * Adds version {@code name} to the models folder as a job expects it: written under a dot name in the folder,
     * then renamed into place at once, so that no job sees it half written. Returns the version's dir.
     */
    public static Path addVersion(Path folder, String name, ModelWriter writer) throws IOException {
        Path temporary = folder.resolve("." + name + ".tmp");
        writer.write(temporary);
        return Files.move(temporary, folder.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The complete versions of {@code folder}, newest first. */
    public static List<Path> completeVersions(Path folder) throws IOException {
        try (Stream<Path> list = Files.list(folder)) {
            return list.filter(dir -> !dir.getFileName().toString().startsWith("."))
                    .filter(dir -> Files.isRegularFile(dir.resolve(ModelManifest.FILE)))
                    .sorted(Comparator.comparing((Path dir) -> dir.getFileName().toString()).reversed())
                    .toList();
        }
    }

    /** Loads and swaps in the newest complete version newer than the serving one, skipping broken ones. */
    private void refresh() {
        List<Path> candidates;
        try {
            candidates = completeVersions(folder);
        } catch (IOException | RuntimeException e) {
            LOG.warn("could not list the models folder {}: {}", folder, e.toString());
            return;
        }
        ModelVersions.Version serving = versions.peek();
        String servingName = serving == null ? "" : serving.dir.getFileName().toString();
        for (Path dir : candidates) {
            String name = dir.getFileName().toString();
            if (name.compareTo(servingName) <= 0) {
                return;
            }
            if (!broken.contains(name) && load(dir)) {
                return;
            }
        }
    }

    /** Loads {@code dir}, adds the onboarded items and swaps it in; false (logged) where it cannot be loaded. */
    private boolean load(Path dir) {
        SetRecService service = null;
        try {
            service = SetRecService.load(dir, encoder);
            long added = addOnboarded(service, -1); // off the lock: tokenizing many items takes a while
            synchronized (onboarding) {
                addOnboarded(service, added); // the ones onboarded meanwhile
                if (closed) {
                    service.close();
                    return true;
                }
                versions.replace(new ModelVersions.Version(service, dir));
            }
            LOG.info("serving SETRec model {} from {} ({} items)", service.version(), dir, service.numItems());
            return true;
        } catch (Exception e) {
            if (service != null) {
                service.close();
            }
            broken.add(dir.getFileName().toString());
            LOG.warn("skipped the model version {}: it cannot be loaded: {}", dir, e.toString());
            return false;
        }
    }

    /** Adds the items onboarded after change {@code after} to {@code service}; returns the last change added. */
    private long addOnboarded(SetRecService service, long after) {
        List<SetRecService.NewItem> items = new ArrayList<>();
        long last;
        synchronized (onboarding) {
            for (Onboarded item : onboarded.values()) {
                if (item.change() > after) {
                    items.add(item.item());
                }
            }
            last = changes;
        }
        if (!items.isEmpty()) {
            service.addItems(items);
        }
        return last;
    }

    @Override
    public List<Ranking> recommend(List<String[]> histories, RankingOptions ranking) {
        ModelVersions.Version model = versions.acquire();
        if (model == null) {
            throw new IllegalStateException("no model in the models folder " + folder + " yet");
        }
        try {
            return InProcessSetRec.recommend(model.service, histories, ranking);
        } finally {
            model.release();
        }
    }

    @Override
    public boolean knows(String itemId) {
        ModelVersions.Version model = versions.acquire();
        if (model == null) {
            return false;
        }
        try {
            return model.service.knows(itemId);
        } finally {
            model.release();
        }
    }

    @Override
    public boolean catalogueLoaded() {
        return versions.peek() != null;
    }

    /** Onboards the items into the serving version, if any, and keeps them for every version loaded later. */
    @Override
    public void addItems(List<ItemEvent> items) {
        List<SetRecService.NewItem> batch = InProcessSetRec.newItems(items);
        synchronized (onboarding) {
            ModelVersions.Version model = versions.acquire();
            if (model != null) {
                try {
                    model.service.addItems(batch); // refused items throw before they are kept
                } finally {
                    model.release();
                }
            }
            changes++;
            for (SetRecService.NewItem item : batch) {
                onboarded.put(item.id(), new Onboarded(item, changes));
            }
        }
    }

    @Override
    public String modelVersion() {
        ModelVersions.Version model = versions.peek();
        return model == null ? UNKNOWN_VERSION : model.version();
    }

    @Override
    public boolean available() {
        return versions.peek() != null;
    }

    /** Stops looking for versions (waiting for a load in progress, which uses the encoder), then closes them all. */
    @Override
    public void close() throws Exception {
        watcher.shutdown(); // not shutdownNow: an interrupt would break a load in progress (logged as broken)
        try {
            if (!watcher.awaitTermination(1, TimeUnit.MINUTES)) {
                LOG.warn("a model version in {} is still loading after a minute; closing anyway", folder);
            }
        } finally {
            synchronized (onboarding) {
                closed = true;
            }
            try {
                versions.close();
            } finally {
                encoder.close();
            }
        }
    }
}
