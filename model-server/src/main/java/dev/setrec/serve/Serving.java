package dev.setrec.serve;

import dev.setrec.batch.MicroBatcher;
import dev.setrec.eval.Setting;
import dev.setrec.model.setrec.ModelVersions;
import dev.setrec.model.setrec.SetRecService;
import dev.setrec.text.TextEncoder;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;

/**
 * What the model server does, without HTTP: dynamic batching of recommend calls over the current model version,
 * onboarding into the durable item store, and versioned model swaps with rollback. Thread-safe.
 */
final class Serving implements AutoCloseable {
    /** One history to rank: the items to leave out, how many to return, from which catalogue, and until when. */
    record Query(List<String> history, List<String> excluded, int k, int newItemSlots, Setting setting,
                 long deadlineNanos) {
    }

    /**
     * The ranking of one query and how many of its history's ids the model knows, by the named model version;
     * {@code expired} when its deadline passed first.
     */
    record Answer(List<SetRecService.Scored> items, int knownItems, String modelVersion, boolean expired) {
    }

    /** One item onboarded, found already known, or re-tokenized from new text, and its row. */
    record Onboarded(String itemId, int row, SetRecService.Change change) {
    }

    /** A model directory that cannot serve (corrupt, another type, a text encoder it was not trained with). */
    static final class ModelRefused extends Exception {
        ModelRefused(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final TextEncoder encoder;
    private final ItemStore store;
    private final PrintStream log;
    private final ModelVersions versions = new ModelVersions();
    private final MicroBatcher<Query, Answer> batcher;
    private final ServerMetrics metrics;
    // Onboarding, swaps and rollbacks take turns, so that no item is onboarded into a model that is being replaced.
    private final ReentrantLock catalogueLock = new ReentrantLock();
    private volatile boolean closing;

    Serving(ServerConfig config, TextEncoder encoder, ItemStore store, PrintStream log) {
        this.encoder = encoder;
        this.store = store;
        this.log = log;
        this.batcher = new MicroBatcher<>("setrec-server-batcher", config.maxBatch(), config.maxQueueDelay(),
                config.queueCapacity(), this::scoreBatch);
        this.metrics = new ServerMetrics(batcher::queued, () -> {
            ModelVersions.Version v = versions.peek();
            return v == null ? 0 : v.service.numItems();
        }, () -> {
            ModelVersions.Version v = versions.peek();
            return v == null ? null : v.version();
        });
    }

    ServerMetrics metrics() {
        return metrics;
    }

    boolean ready() {
        return versions.peek() != null;
    }

    /** False once closing has begun: refusals are then "unavailable" (503), not "overloaded" (429). */
    boolean accepting() {
        return !closing;
    }

    long onboardedItems() {
        return store.count();
    }

    /** Queues one history for the next batch; fails at once with RejectedExecutionException when the queue is full. */
    CompletableFuture<Answer> recommend(Query query) {
        return batcher.submit(query);
    }

    private List<Answer> scoreBatch(List<Query> batch) {
        ModelVersions.Version model = lease();
        try {
            Answer[] answers = new Answer[batch.size()];
            long now = System.nanoTime();
            long modelTime = 0;
            int live = 0;
            for (Setting setting : Setting.values()) {
                List<Integer> positions = new ArrayList<>();
                List<List<String>> histories = new ArrayList<>();
                List<List<String>> excluded = new ArrayList<>();
                List<Integer> ks = new ArrayList<>();
                List<Integer> slots = new ArrayList<>();
                for (int i = 0; i < batch.size(); i++) {
                    Query q = batch.get(i);
                    if (q.setting() != setting) {
                        continue;
                    }
                    if (now - q.deadlineNanos() > 0) {
                        answers[i] = new Answer(List.of(), 0, model.version(), true);
                        metrics.expired();
                        continue;
                    }
                    positions.add(i);
                    histories.add(q.history());
                    excluded.add(q.excluded());
                    ks.add(q.k());
                    slots.add(q.newItemSlots());
                }
                if (positions.isEmpty()) {
                    continue;
                }
                live += positions.size();
                long start = System.nanoTime();
                List<SetRecService.Ranking> ranked = model.service.rank(histories,
                        ks.stream().mapToInt(Integer::intValue).toArray(), setting, excluded,
                        slots.stream().mapToInt(Integer::intValue).toArray());
                modelTime += System.nanoTime() - start;
                for (int j = 0; j < positions.size(); j++) {
                    SetRecService.Ranking ranking = ranked.get(j);
                    answers[positions.get(j)] = new Answer(ranking.items(), ranking.knownItems(), model.version(),
                            false);
                }
            }
            if (live > 0) {
                metrics.batch(live, modelTime);
            }
            return Arrays.asList(answers);
        } finally {
            model.release();
        }
    }

    /**
     * Makes the items rankable in one table update (new ids added, known ids with new text re-tokenized, the rest
     * left alone), then stores their newest text durably; returns only when both are done. A failure of the store
     * leaves the items rankable but unacknowledged: a retry stores them.
     */
    List<Onboarded> onboard(List<ItemStore.StoredItem> items) throws IOException {
        catalogueLock.lock();
        ModelVersions.Version model = null;
        try {
            model = lease(); // under the lock: no swap can replace this version while items go into it
            SetRecService service = model.service;
            List<SetRecService.ItemUpdate> updates = service.putItems(newItems(items));
            // every item with a given text, including unchanged ones (a retry after a failed write stores them);
            // not a trained item sent with its own text: the model's files keep that
            store.putAll(items.stream().filter(item -> service.textGiven(item.itemId())).toList());
            List<Onboarded> result = new ArrayList<>(items.size());
            for (int i = 0; i < items.size(); i++) {
                SetRecService.ItemUpdate update = updates.get(i);
                metrics.onboarded(update.change());
                result.add(new Onboarded(items.get(i).itemId(), update.row(), update.change()));
            }
            return result;
        } finally {
            if (model != null) {
                model.release();
            }
            catalogueLock.unlock();
        }
    }

    private static List<SetRecService.NewItem> newItems(List<ItemStore.StoredItem> items) {
        return items.stream().map(item -> new SetRecService.NewItem(item.itemId(), item.text(), null)).toList();
    }

    /**
     * Loads a model directory, tokenizes every stored item with it, then swaps it in; the old version finishes the
     * batches it has and stays loaded for {@link #rollback()}. A directory that cannot serve leaves everything as it
     * was.
     */
    ModelVersions.Version load(Path dir) throws ModelRefused {
        catalogueLock.lock();
        try {
            SetRecService service;
            try {
                service = SetRecService.load(dir, encoder);
            } catch (IOException | RuntimeException e) {
                throw new ModelRefused("model " + dir + " refused: " + e.getMessage(), e);
            }
            try {
                restoreItems(service);
            } catch (RuntimeException e) {
                service.close();
                throw new ModelRefused("model " + dir + " refused: onboarded items do not tokenize: " + e.getMessage(),
                        e);
            }
            ModelVersions.Version version = new ModelVersions.Version(service, dir);
            versions.swap(version);
            log.println("serving model " + version.version() + " from " + dir + " (" + service.numItems() + " items)");
            return version;
        } finally {
            catalogueLock.unlock();
        }
    }

    /** Serves the previous version again (with every item onboarded since); false where there is none. */
    boolean rollback() {
        catalogueLock.lock();
        try {
            ModelVersions.Version previous = versions.previous();
            if (previous == null) {
                return false;
            }
            restoreItems(previous.service);
            versions.rollback();
            log.println("rolled back to model " + previous.version() + " from " + previous.dir);
            return true;
        } finally {
            catalogueLock.unlock();
        }
    }

    /** Brings every stored item into {@code service} with its newest text, in one table update. */
    private void restoreItems(SetRecService service) {
        List<ItemStore.StoredItem> stored = store.all(log);
        if (stored.isEmpty()) {
            return;
        }
        long changed = service.putItems(newItems(stored)).stream()
                .filter(u -> u.change() != SetRecService.Change.UNCHANGED).count();
        if (changed > 0) {
            log.println("tokenized " + changed + " onboarded items with model " + service.version());
        }
    }

    ModelVersions.Version current() {
        return versions.peek();
    }

    ModelVersions.Version previous() {
        return versions.previous();
    }

    /** The current version, leased: callers release it. */
    ModelVersions.Version lease() {
        ModelVersions.Version v = versions.acquire();
        if (v == null) {
            throw new IllegalStateException("no model is loaded yet");
        }
        return v;
    }

    /** Stops batching (queued requests fail), then closes the models. */
    @Override
    public void close() throws InterruptedException {
        closing = true;
        try {
            batcher.close();
        } finally {
            versions.close();
        }
    }
}
