package dev.setrec.jobs.quickstart;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * What the replayer has sent so far, shared with the live view: counts, and for every real interaction its item
 * and the user's next real item, found again by (user id, event time) when the recommendation it triggered
 * arrives; seed events (history warm-up) are kept apart, so that the replayer can wait until the job has scored
 * them. The replayer writes, the live view counts seed recommendations, any thread reads.
 */
public final class ReplayLedger {
    /** A real interaction that was sent; {@code nextItemId} is null when it was the user's last one. */
    public record SentEvent(String itemId, String nextItemId) {
    }

    private record EventKey(String userId, long eventTimeMillis) {
    }

    private final int plannedEvents;
    private final Map<EventKey, SentEvent> sent = new ConcurrentHashMap<>();
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong badMessagesSent = new AtomicLong();
    private final AtomicInteger itemsOnboarded = new AtomicInteger();
    private final Set<EventKey> seeds = ConcurrentHashMap.newKeySet();
    private final AtomicLong seedsRecommended = new AtomicLong();

    ReplayLedger(int plannedEvents) {
        this.plannedEvents = plannedEvents;
    }

    void eventSent(String userId, long eventTimeMillis, String itemId, String nextItemId) {
        sent.put(new EventKey(userId, eventTimeMillis), new SentEvent(itemId, nextItemId));
        eventsSent.incrementAndGet();
    }

    void seedSent(String userId, long eventTimeMillis) {
        seeds.add(new EventKey(userId, eventTimeMillis));
    }

    /** Whether this user's event at this time was a seed; if so, it is counted as recommended. */
    public boolean seedRecommended(String userId, long eventTimeMillis) {
        if (!seeds.contains(new EventKey(userId, eventTimeMillis))) {
            return false;
        }
        seedsRecommended.incrementAndGet();
        return true;
    }

    public long seedEventsSent() {
        return seeds.size();
    }

    public long seedsRecommended() {
        return seedsRecommended.get();
    }

    void badMessageSent() {
        badMessagesSent.incrementAndGet();
    }

    void itemOnboarded() {
        itemsOnboarded.incrementAndGet();
    }

    /** The real interaction sent for this user at this event time, or null when none was (e.g. a broken one). */
    public SentEvent sentEvent(String userId, long eventTimeMillis) {
        return sent.get(new EventKey(userId, eventTimeMillis));
    }

    public int plannedEvents() {
        return plannedEvents;
    }

    public long eventsSent() {
        return eventsSent.get();
    }

    public long badMessagesSent() {
        return badMessagesSent.get();
    }

    /** Held-back items published on the items topic (and acknowledged). */
    public int itemsOnboarded() {
        return itemsOnboarded.get();
    }
}
