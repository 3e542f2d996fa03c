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

    private final AtomicInteger plannedEvents = new AtomicInteger();
    private final Map<EventKey, SentEvent> sent = new ConcurrentHashMap<>();
    private final AtomicLong eventsSent = new AtomicLong();
    private final AtomicLong badMessagesSent = new AtomicLong();
    private final AtomicInteger itemsOnboarded = new AtomicInteger();
    private final Set<EventKey> seeds = ConcurrentHashMap.newKeySet();
    private final AtomicLong seedsRecommended = new AtomicLong();

    /** @param plannedEvents the live events of the first replay round */
    public ReplayLedger(int plannedEvents) {
        this.plannedEvents.set(plannedEvents);
    }

    /** Another round of {@code events} live events is planned. */
    void roundPlanned(int events) {
        plannedEvents.addAndGet(events);
    }

    /** A round ended early: {@code unsent} of its planned events are not sent. */
    void roundEndedEarly(int unsent) {
        plannedEvents.addAndGet(-unsent);
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

    /** The live events of every replay round started so far (less those a round ended early left out). */
    public int plannedEvents() {
        return plannedEvents.get();
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
