package dev.setrec.jobs.scoring;

import dev.setrec.jobs.records.Ranking;
import dev.setrec.model.setrec.ModelVersions;
import dev.setrec.model.setrec.SetRecService;
import dev.setrec.models.ModelFolder;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.text.TextEncoder;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * In-process SETRec on a {@link ModelFolder models folder}: the newest complete version serves. The folder is looked
 * at again every refresh interval, off the scoring path: a newer version is loaded, the items onboarded so far are
 * added to it, and it is swapped in between batches (a batch in flight finishes on the version it started with,
 * which is closed after it). A version that cannot be loaded is logged
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
    private final ModelFolder.Watcher watcher;

    private record Onboarded(SetRecService.NewItem item, long change) {
    }

    /**
     * Loads the newest complete version now, if there is one (so that a model present at the start serves the first
     * request), then looks for a newer one every {@code refreshInterval}. Closes the encoder when closed.
     */
    public ModelFolderSetRec(Path folder, TextEncoder encoder, Duration refreshInterval) {
        this.folder = folder;
        this.encoder = encoder;
        watcher = new ModelFolder.Watcher(folder, refreshInterval, this::load, LOG::warn);
    }

    /** Loads {@code dir}, adds the onboarded items and swaps it in; throws where it cannot be loaded. */
    private void load(Path dir) throws IOException {
        SetRecService service = SetRecService.load(dir, encoder);
        try {
            long added = addOnboarded(service, -1); // off the lock: tokenizing many items takes a while
            synchronized (onboarding) {
                addOnboarded(service, added); // the ones onboarded meanwhile
                if (closed) {
                    service.close();
                    return;
                }
                versions.replace(new ModelVersions.Version(service, dir));
            }
        } catch (RuntimeException e) {
            service.close();
            throw e;
        }
        LOG.info("serving SETRec model {} from {} ({} items)", service.version(), dir, service.numItems());
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
        try {
            watcher.close();
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
