package dev.setrec.jobs.bench;

import dev.setrec.jobs.quickstart.ReplayPlan;
import dev.setrec.jobs.quickstart.Replayer;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Times how long a new item takes to become recommendable. Its ItemEvent is published at t0, then, every 10 ms,
 * an interaction of a probe user (one per item, so the user's first recommendation can only come from the probe)
 * on that item. Interactions that reach the job before the item is onboarded are dead-lettered as unknown items
 * and trigger nothing, so the first recommendation for the probe user marks the moment the item was onboarded and
 * the job scored a history holding it; the figure is that arrival minus t0.
 */
final class ItemOnboardingProbe implements AutoCloseable {
    private static final long INTERACTION_EVERY_NANOS = TimeUnit.MILLISECONDS.toNanos(10);
    private static final Duration GIVE_UP_AFTER = Duration.ofSeconds(60);

    private final Producer<byte[], byte[]> producer;
    private final String itemsTopic;
    private final String interactionsTopic;
    private final RecommendationArrivals arrivals;
    private final AvroCodec<ItemEvent> itemCodec = AvroCodec.of(ItemEvent.class);
    private final AvroCodec<InteractionEvent> interactionCodec = AvroCodec.of(InteractionEvent.class);
    private final AtomicReference<Exception> sendFailure = new AtomicReference<>();

    ItemOnboardingProbe(String bootstrapServers, String itemsTopic, String interactionsTopic,
                        RecommendationArrivals arrivals) {
        this.producer = Replayer.producer(bootstrapServers);
        this.itemsTopic = itemsTopic;
        this.interactionsTopic = interactionsTopic;
        this.arrivals = arrivals;
        // the first send to a topic waits for its metadata: fetched now, it does not count against an item
        producer.partitionsFor(itemsTopic);
        producer.partitionsFor(interactionsTopic);
    }

    /** Milliseconds from publishing {@code item} to the first recommendation triggered by an interaction on it. */
    long millisUntilRecommendable(ReplayPlan.HeldBackItem item, String probeUserId) throws Exception {
        int from = arrivals.count();
        long t0 = System.currentTimeMillis();
        send(itemsTopic, item.itemId(), itemCodec.encode(item.toItemEvent(Instant.ofEpochMilli(t0))), t0);
        long start = System.nanoTime();
        for (long n = 1; ; n++) {
            long due = start + n * INTERACTION_EVERY_NANOS;
            TimeUnit.NANOSECONDS.sleep(Math.max(0, due - System.nanoTime()));
            Optional<RecommendationArrivals.Arrival> first = arrivals.firstFor(probeUserId, from);
            if (first.isPresent()) {
                return first.get().arrivalMillis() - t0;
            }
            if (sendFailure.get() != null) {
                throw new IllegalStateException("probing item " + item.itemId() + ": a send failed", sendFailure.get());
            }
            if (due - start > GIVE_UP_AFTER.toNanos()) {
                throw new IllegalStateException("item " + item.itemId() + " was not recommendable "
                        + GIVE_UP_AFTER.toSeconds() + " s after its item event");
            }
            long now = System.currentTimeMillis();
            InteractionEvent interaction = new InteractionEvent(probeUserId, item.itemId(), EventType.RATING,
                    Instant.ofEpochMilli(now));
            send(interactionsTopic, probeUserId, interactionCodec.encode(interaction), now);
        }
    }

    private void send(String topic, String key, byte[] value, long timestamp) {
        producer.send(new ProducerRecord<>(topic, null, timestamp, key.getBytes(StandardCharsets.UTF_8), value),
                (metadata, e) -> {
                    if (e != null) {
                        sendFailure.compareAndSet(null, e);
                    }
                });
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
