package dev.setrec.jobs.bench.faults;

import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.Recommendation;
import dev.setrec.schemas.ScoredItem;

import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Interactions with event times unique in this JVM, so that each recommendation names the one interaction that
 * triggered it (its trigger event time), and the helpers that read a recommendation back.
 */
public final class Interactions {
    private static final AtomicLong EVENT_TIME = new AtomicLong(System.currentTimeMillis());

    private Interactions() {
    }

    /** A click of {@code user} on {@code item} at a new event time. */
    public static InteractionEvent click(String user, String item) {
        return InteractionEvent.newBuilder().setUserId(user).setItemId(item).setEventType(EventType.CLICK)
                .setEventTime(Instant.ofEpochMilli(EVENT_TIME.incrementAndGet())).build();
    }

    /** The event time of the interaction that triggered {@code recommendation}: which one it answers. */
    public static long trigger(Recommendation recommendation) {
        return recommendation.getTriggerEventTime().toEpochMilli();
    }

    /** The ranked item ids, best first. */
    public static List<String> itemIds(Recommendation recommendation) {
        return recommendation.getItems().stream().map(ScoredItem::getItemId).toList();
    }
}
