package dev.setrec.cluster;

import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.EventType;
import dev.setrec.schemas.InteractionEvent;
import dev.setrec.schemas.ItemEvent;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The outside producer: interactions on the job's interactions topic, each with a unique event time (which the
 * recommendation it triggers carries, so every answer names its event), sent one by one or at a steady rate from a
 * thread of its own. Every event counts as sent only once the broker acknowledged it (acks=all).
 */
final class InteractionFeed implements AutoCloseable {
    private static final AvroCodec<InteractionEvent> INTERACTIONS = AvroCodec.of(InteractionEvent.class);
    private static final AvroCodec<ItemEvent> ITEMS = AvroCodec.of(ItemEvent.class);
    /** Event times are unique across feeds, so one recommendations topic never mixes up two events. */
    private static final AtomicLong EVENT_TIME = new AtomicLong(System.currentTimeMillis());
    private static final Duration ACK = Duration.ofSeconds(60);

    /** An acknowledged event: who did what, and when it was handed to the producer (epoch milliseconds). */
    record Sent(String user, String item, long sentAtMillis) {
    }

    /** One user's walk: the items they interact with, in turn, round and round. */
    record Walk(String user, List<String> items) {
    }

    private final KafkaProducer<byte[], byte[]> producer;
    private final List<String> topics;
    private final Map<Long, Sent> sent = new ConcurrentHashMap<>();
    private Thread thread;
    private volatile boolean running;
    private volatile RuntimeException failure;

    /** A feed onto {@code interactionTopics}: each event goes to every one of them (one per job under test). */
    InteractionFeed(String bootstrapServers, List<String> interactionTopics) {
        this.producer = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all", ProducerConfig.LINGER_MS_CONFIG, 0), new ByteArraySerializer(),
                new ByteArraySerializer());
        this.topics = interactionTopics;
    }

    /** Sends one interaction and waits for its acknowledgement; returns its event time. */
    long send(String user, String item) {
        long eventTime = EVENT_TIME.incrementAndGet();
        byte[] value = INTERACTIONS.encode(InteractionEvent.newBuilder().setUserId(user).setItemId(item)
                .setEventType(EventType.CLICK).setEventTime(Instant.ofEpochMilli(eventTime)).build());
        long sentAt = System.currentTimeMillis();
        List<Future<?>> acks = topics.stream().<Future<?>>map(topic -> producer.send(new ProducerRecord<>(topic,
                user.getBytes(StandardCharsets.UTF_8), value))).toList();
        for (Future<?> ack : acks) {
            await(ack);
        }
        sent.put(eventTime, new Sent(user, item, sentAt));
        return eventTime;
    }

    /** Publishes a new item on {@code itemsTopic} and waits for its acknowledgement. */
    void publishItem(String itemsTopic, ItemEvent item) {
        await(producer.send(new ProducerRecord<>(itemsTopic, item.getItemId().getBytes(StandardCharsets.UTF_8),
                ITEMS.encode(item))));
    }

    /** Starts sending {@code perSecond} events a second, the walks taking turns, until {@link #stop()}. */
    void start(List<Walk> walks, int perSecond) {
        running = true;
        long periodNanos = TimeUnit.SECONDS.toNanos(1) / perSecond;
        thread = new Thread(() -> {
            long next = System.nanoTime();
            try {
                for (long n = 0; running; n++) {
                    Walk walk = walks.get((int) (n % walks.size()));
                    send(walk.user(), walk.items().get((int) (n / walks.size() % walk.items().size())));
                    next += periodNanos;
                    long wait = next - System.nanoTime();
                    if (wait > 0) {
                        TimeUnit.NANOSECONDS.sleep(wait);
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                failure = e;
            }
        }, "interaction-feed");
        thread.start();
    }

    /** Stops the steady feed; fails if sending failed. */
    void stop() throws InterruptedException {
        running = false;
        thread.join(ACK.toMillis());
        if (failure != null) {
            throw new IllegalStateException("the feed failed", failure);
        }
    }

    /** Every acknowledged event by event time. */
    Map<Long, Sent> sent() {
        return Map.copyOf(sent);
    }

    private static void await(Future<?> ack) {
        try {
            ack.get(ACK.toSeconds(), TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("an event was not acknowledged", e);
        }
    }

    @Override
    public void close() {
        running = false;
        producer.close(Duration.ofSeconds(10));
    }
}
