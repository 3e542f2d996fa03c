package dev.setrec.jobs.quickstart;

import dev.setrec.schemas.DeadLetter;
import dev.setrec.schemas.Recommendation;
import dev.setrec.schemas.ScoredItem;

import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * The live view's figures, kept from decoded recommendations and dead letters as they arrive (no Kafka here, so
 * they can be tested on their own). Ground truth comes from the {@link ReplayLedger}: a recommendation counts for
 * Recall@10 when the interaction that triggered it was a real replayed one with a next item. Thread-safe: the
 * consumer thread feeds it while others take snapshots.
 */
public final class LiveFigures {
    public static final int DEFAULT_LATENCY_WINDOW = 10_000;
    public static final int RECALL_AT = 10;
    /** The {@code byModel} key of the popularity fallback's recommendations. */
    public static final String FALLBACK = "popularity fallback";
    private static final int RATE_SECONDS = 5;
    private static final int MAX_REASON_LENGTH = 48;
    private static final Pattern QUOTED = Pattern.compile("'[^']*'|\"[^\"]*\"");
    private static final Pattern WORD_WITH_DIGIT = Pattern.compile("\\S*\\d\\S*");
    private static final Pattern SPACES = Pattern.compile("\\s+");

    /**
     * Everything the view shows, at one moment. Latency percentiles are -1 while there is no sample; cold items are
     * the held-back ones, "recommended" counting the distinct ones that appeared in some top 10. {@code byModel}
     * splits the recommendations by the model version they carry (one entry while one model serves), the popularity
     * fallback's under {@link #FALLBACK} whatever version they carry.
     */
    public record Snapshot(int plannedEvents, long eventsSent, long badMessagesSent,
                           long recommendations, double recommendationsPerSecond,
                           int latencySamples, long latencyP50Millis, long latencyP99Millis,
                           long withNextItem, long hitsAt10, long fallbacks,
                           int coldItemsHeldBack, int coldItemsOnboarded, int coldItemsRecommended,
                           long coldTargets, long coldHits,
                           Map<String, Long> deadLettersByReason, long unreadable,
                           long seedEvents, long seedsRecommended, Map<String, ModelFigures> byModel) {
        public Snapshot {
            deadLettersByReason = Collections.unmodifiableMap(new TreeMap<>(deadLettersByReason));
            byModel = Collections.unmodifiableMap(new TreeMap<>(byModel));
        }

        /** Share of recommendations with a known next item that had it in the top 10; NaN before the first. */
        public double recallAt10() {
            return withNextItem == 0 ? Double.NaN : (double) hitsAt10 / withNextItem;
        }

        public long deadLetters() {
            return deadLettersByReason.values().stream().mapToLong(Long::longValue).sum();
        }
    }

    /**
     * The live recommendations of one model version: when its first one arrived (wall clock), how many, and its
     * Recall@10 counts (as in {@link Snapshot}).
     */
    public record ModelFigures(long firstArrivalMillis, long recommendations, long withNextItem, long hitsAt10) {
        /** Share of this model's recommendations with a known next item that had it in the top 10; NaN before. */
        public double recallAt10() {
            return withNextItem == 0 ? Double.NaN : (double) hitsAt10 / withNextItem;
        }
    }

    /** A recent recommendation, to show what the model does: the user's latest item and the first items. */
    public record Sample(String userId, String afterItemId, List<String> topItemIds) {
    }

    private final ReplayLedger ledger;
    private final Set<String> heldBackItemIds;
    private final LatencyWindow latencies;
    private final RecentRate rate = new RecentRate(RATE_SECONDS);
    private final Set<String> coldItemsRecommended = new HashSet<>();
    private final Map<String, Long> deadLettersByReason = new TreeMap<>();
    private final Map<String, ModelFigures> byModel = new TreeMap<>();
    private long recommendations;
    private long withNextItem;
    private long hitsAt10;
    private long fallbacks;
    private long coldTargets;
    private long coldHits;
    private long unreadable;
    private Recommendation latest;
    private String latestAfterItemId;

    public LiveFigures(ReplayLedger ledger, Set<String> heldBackItemIds, int latencyWindow) {
        this.ledger = ledger;
        this.heldBackItemIds = Set.copyOf(heldBackItemIds);
        this.latencies = new LatencyWindow(latencyWindow);
    }

    /** One recommendation, read at {@code arrivalMillis} (wall clock). */
    public synchronized void recommendation(Recommendation r, long arrivalMillis) {
        if (ledger.seedRecommended(r.getUserId(), r.getTriggerEventTime().toEpochMilli())) {
            return; // history warm-up, scored flat out: not part of the live figures
        }
        recommendations++;
        rate.add(arrivalMillis);
        latencies.add(Math.max(0, arrivalMillis - r.getTriggerRecordTime().toEpochMilli()));
        if (r.getFallback()) {
            fallbacks++;
        }
        List<ScoredItem> items = r.getItems();
        int top = Math.min(RECALL_AT, items.size());
        for (int i = 0; i < top; i++) {
            String itemId = items.get(i).getItemId();
            if (heldBackItemIds.contains(itemId)) {
                coldItemsRecommended.add(itemId);
            }
        }
        ReplayLedger.SentEvent trigger = ledger.sentEvent(r.getUserId(), r.getTriggerEventTime().toEpochMilli());
        String next = trigger == null ? null : trigger.nextItemId();
        boolean hit = next != null && containsItem(items, top, next);
        countForModel(r.getFallback() ? FALLBACK : r.getModelVersion(), arrivalMillis, next != null, hit);
        if (trigger == null) {
            return; // not triggered by a replayed event: no ground truth
        }
        latest = r;
        latestAfterItemId = trigger.itemId();
        if (next == null) {
            return;
        }
        withNextItem++;
        hitsAt10 += hit ? 1 : 0;
        if (heldBackItemIds.contains(next)) {
            coldTargets++;
            coldHits += hit ? 1 : 0;
        }
    }

    public synchronized void deadLetter(DeadLetter d) {
        deadLettersByReason.merge(reasonKind(d.getReason()), 1L, Long::sum);
    }

    /** A message on a watched topic that did not decode. */
    public synchronized void unreadable() {
        unreadable++;
    }

    public synchronized Snapshot snapshot(long nowMillis) {
        long[] p = latencies.percentiles(0.50, 0.99);
        return new Snapshot(ledger.plannedEvents(), ledger.eventsSent(), ledger.badMessagesSent(),
                recommendations, rate.perSecond(nowMillis), latencies.size(), p[0], p[1],
                withNextItem, hitsAt10, fallbacks,
                heldBackItemIds.size(), ledger.itemsOnboarded(), coldItemsRecommended.size(), coldTargets, coldHits,
                deadLettersByReason, unreadable, ledger.seedEventsSent(), ledger.seedsRecommended(), byModel);
    }

    /** Whether a model, not the popularity fallback, has ranked a recommendation. */
    public synchronized boolean aModelServes() {
        return byModel.keySet().stream().anyMatch(model -> !FALLBACK.equals(model));
    }

    /** The latest recommendation triggered by a replayed event, if any yet. */
    public synchronized Optional<Sample> latestSample() {
        if (latest == null) {
            return Optional.empty();
        }
        List<String> top = latest.getItems().stream().limit(RECALL_AT).map(ScoredItem::getItemId).toList();
        return Optional.of(new Sample(latest.getUserId(), latestAfterItemId, top));
    }

    /**
     * What kind of failure a dead letter's reason names, without its particulars: less quoted parts, the text
     * before the first ':' or '(', less words with digits (ids, offsets); e.g. "unknown item id 'x1': ..." ->
     * "unknown item id".
     */
    static String reasonKind(String reason) {
        String kind = QUOTED.matcher(reason).replaceAll(" ");
        int end = kind.length();
        for (char stop : new char[] {':', '('}) {
            int at = kind.indexOf(stop);
            end = at >= 0 ? Math.min(end, at) : end;
        }
        kind = SPACES.matcher(WORD_WITH_DIGIT.matcher(kind.substring(0, end)).replaceAll(" ")).replaceAll(" ").strip();
        if (kind.isEmpty()) {
            return "other";
        }
        return kind.length() <= MAX_REASON_LENGTH ? kind : kind.substring(0, MAX_REASON_LENGTH);
    }

    private void countForModel(String modelVersion, long arrivalMillis, boolean withNext, boolean hit) {
        ModelFigures was = byModel.get(modelVersion);
        byModel.put(modelVersion, was == null
                ? new ModelFigures(arrivalMillis, 1, withNext ? 1 : 0, hit ? 1 : 0)
                : new ModelFigures(was.firstArrivalMillis(), was.recommendations() + 1,
                        was.withNextItem() + (withNext ? 1 : 0), was.hitsAt10() + (hit ? 1 : 0)));
    }

    private static boolean containsItem(List<ScoredItem> items, int top, String itemId) {
        for (int i = 0; i < top; i++) {
            if (items.get(i).getItemId().equals(itemId)) {
                return true;
            }
        }
        return false;
    }
}
