package dev.setrec.jobs.quickstart;

import dev.setrec.jobs.JobOptions;
import dev.setrec.schemas.AvroCodec;
import dev.setrec.schemas.ItemEvent;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.serialization.ByteArraySerializer;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Replays a {@link ReplayPlan} into Kafka on its own thread: first the held-back items on the items topic (waiting
 * for their acknowledgements, so they are onboarded before anyone interacts with them), then the plan's seed events
 * flat out (waiting until they are scored), then the interactions, keyed by user, paced by the wall clock. Every {@code
 * badEvery}-th interaction is preceded by a broken message;
 * the real one is still sent, so nothing real is lost. Each real event is entered in the {@link #ledger()} before
 * it is sent. {@link ReplayRounds} may have the seeds and interactions replayed again, in rounds of fresh users.
 *
 * <p>Record timestamps are the send time. Event times are the send time too, but strictly increasing (at least
 * 1 ms apart), so that (user, event time) names one event; at a rate above 1000/s they run ahead of the clock.
 */
public final class Replayer implements AutoCloseable {
    /**
     * @param eventsPerSecond target rate of real interactions; 0 = as fast as the producer takes them
     * @param badEvery a broken message before every this-many-th interaction; 0 = never
     */
    public record Settings(String itemsTopic, String interactionsTopic, double eventsPerSecond, int badEvery) {
        public static final double DEFAULT_EVENTS_PER_SECOND = 200;
        public static final int DEFAULT_BAD_EVERY = 500;

        public Settings {
            if (!(eventsPerSecond >= 0) || Double.isInfinite(eventsPerSecond)) {
                throw new IllegalArgumentException("eventsPerSecond must be finite and >= 0, got " + eventsPerSecond);
            }
            if (badEvery < 0) {
                throw new IllegalArgumentException("badEvery must be >= 0, got " + badEvery);
            }
        }

        /** The job's default topics, 200 events/s, a broken message every 500. */
        public static Settings defaults() {
            return new Settings(JobOptions.ITEMS_TOPIC.defaultValue(), JobOptions.INTERACTIONS_TOPIC.defaultValue(),
                    DEFAULT_EVENTS_PER_SECOND, DEFAULT_BAD_EVERY);
        }

        public Settings withEventsPerSecond(double rate) {
            return new Settings(itemsTopic, interactionsTopic, rate, badEvery);
        }

        public Settings withBadEvery(int every) {
            return new Settings(itemsTopic, interactionsTopic, eventsPerSecond, every);
        }
    }

    private static final Duration PRODUCER_CLOSE_TIMEOUT = Duration.ofSeconds(5);
    /** Longest wait for the job to score the seed events before live events start anyway. */
    private static final Duration SEED_WAIT = Duration.ofMinutes(3);

    private final Producer<byte[], byte[]> producer;
    private final ReplayPlan plan;
    private final Settings settings;
    private final ReplayLedger ledger;
    private final ReplayRounds rounds;
    private final InteractionMessages messages;
    private final AvroCodec<ItemEvent> itemCodec = AvroCodec.of(ItemEvent.class);
    private final AtomicReference<Exception> failure = new AtomicReference<>();
    private final Callback keepFirstFailure = this::onAcknowledged;
    private final Thread thread;
    private volatile boolean stopping;
    private boolean closed;
    private long lastEventTime;

    private Replayer(Producer<byte[], byte[]> producer, ReplayPlan plan, Settings settings, ReplayLedger ledger,
                     ReplayRounds rounds) {
        this.producer = producer;
        this.plan = plan;
        this.settings = settings;
        this.ledger = ledger;
        this.rounds = rounds;
        this.messages = new InteractionMessages(settings.interactionsTopic());
        this.thread = new Thread(this::run, "setrec-replayer");
        thread.setDaemon(true);
    }

    /** Starts replaying; the replayer owns {@code producer} from now on and closes it in {@link #close()}. */
    public static Replayer start(Producer<byte[], byte[]> producer, ReplayPlan plan, Settings settings) {
        return start(producer, plan, settings, new ReplayLedger(plan.events().size()), ReplayRounds.once());
    }

    /**
     * As above, in {@code rounds}, the first at the settings' rate; {@code ledger} (of the plan's events) is given
     * by the caller, who may need it before the replay starts.
     */
    public static Replayer start(Producer<byte[], byte[]> producer, ReplayPlan plan, Settings settings,
                                 ReplayLedger ledger, ReplayRounds rounds) {
        Replayer replayer = new Replayer(producer, plan, settings, ledger, rounds);
        replayer.thread.start();
        return replayer;
    }

    /** A producer for {@link #start}: acks=all, byte-array keys and values. */
    public static Producer<byte[], byte[]> producer(String bootstrapServers) {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.CLIENT_ID_CONFIG, "setrec-replayer");
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    public ReplayLedger ledger() {
        return ledger;
    }

    /** Waits until every message is sent and acknowledged, the replay failed, or it was closed. */
    public boolean awaitDone(Duration timeout) throws InterruptedException {
        thread.join(Math.max(1, timeout.toMillis()));
        return !thread.isAlive();
    }

    /** Why the replay stopped early, if it did (a failed send, an unreachable broker). */
    public Optional<Exception> failure() {
        return Optional.ofNullable(failure.get());
    }

    /** Stops the replay at once (messages not yet sent are dropped), then closes the producer. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        stopping = true;
        thread.interrupt();
        boolean interrupted = Threads.joinUninterruptibly(thread);
        producer.close(PRODUCER_CLOSE_TIMEOUT);
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }

    private void run() {
        try {
            publishHeldBackItems();
            ReplayRounds.Round round = ReplayRounds.Round.first(settings.eventsPerSecond());
            ReplayPlan replayed = plan;
            while (true) {
                seedHistories(replayed);
                replayInteractions(replayed, round);
                Optional<ReplayRounds.Round> next = stopping ? Optional.empty() : rounds.after(round);
                if (next.isEmpty()) {
                    break;
                }
                round = next.get();
                replayed = plan.round(round.number());
                ledger.roundPlanned(replayed.events().size());
            }
            producer.flush();
            throwIfSendFailed();
        } catch (Exception e) {
            if (!stopping) { // when stopping, an interrupted sleep or send is the expected way out
                failure.compareAndSet(null, e instanceof ExecutionException && e.getCause() instanceof Exception c
                        ? c : e);
            }
        }
    }

    private void publishHeldBackItems() throws InterruptedException, ExecutionException {
        List<Future<RecordMetadata>> acks = new ArrayList<>();
        for (ReplayPlan.HeldBackItem item : plan.heldBackItems()) {
            long now = System.currentTimeMillis();
            byte[] value = itemCodec.encode(item.toItemEvent(Instant.ofEpochMilli(now)));
            acks.add(producer.send(new ProducerRecord<>(settings.itemsTopic(), null, now,
                    item.itemId().getBytes(StandardCharsets.UTF_8), value)));
        }
        producer.flush();
        for (Future<RecordMetadata> ack : acks) {
            ack.get();
            ledger.itemOnboarded();
        }
    }

    /**
     * The plan's seed events, as fast as the producer takes them, then a wait until the live view has seen the job
     * score them all (or {@link #SEED_WAIT}): live events then meet filled histories and an idle job.
     */
    private void seedHistories(ReplayPlan replayed) throws Exception {
        List<ReplayPlan.Event> seeds = replayed.seedEvents();
        for (int n = 0; n < seeds.size() && !stopping; n++) {
            long now = System.currentTimeMillis();
            long eventTime = nextEventTime(now);
            ledger.seedSent(seeds.get(n).userId(), eventTime);
            producer.send(messages.real(seeds.get(n), now, eventTime), keepFirstFailure);
            throwIfSendFailed();
        }
        producer.flush();
        long deadline = System.nanoTime() + SEED_WAIT.toNanos();
        while (!stopping && ledger.seedsRecommended() < ledger.seedEventsSent() && System.nanoTime() < deadline) {
            TimeUnit.MILLISECONDS.sleep(100);
        }
    }

    private void replayInteractions(ReplayPlan replayed, ReplayRounds.Round round) throws Exception {
        List<ReplayPlan.Event> events = replayed.events();
        double nanosPerEvent = round.eventsPerSecond() > 0 ? 1e9 / round.eventsPerSecond() : 0;
        long start = System.nanoTime();
        for (int n = 0; n < events.size() && !stopping; n++) {
            if (rounds.endsEarly(round)) {
                ledger.roundEndedEarly(events.size() - n);
                return;
            }
            sleepUntil(start + (long) (n * nanosPerEvent)); // due time from the start: no drift
            ReplayPlan.Event event = events.get(n);
            if (settings.badEvery() > 0 && (n + 1) % settings.badEvery() == 0) {
                long now = System.currentTimeMillis();
                producer.send(messages.broken(event, now, nextEventTime(now)), keepFirstFailure);
                ledger.badMessageSent();
            }
            long now = System.currentTimeMillis();
            long eventTime = nextEventTime(now);
            ledger.eventSent(event.userId(), eventTime, event.itemId(), event.nextItemId());
            producer.send(messages.real(event, now, eventTime), keepFirstFailure);
            throwIfSendFailed();
        }
    }

    private static void sleepUntil(long dueNanos) throws InterruptedException {
        long wait = dueNanos - System.nanoTime();
        if (wait > 0) {
            TimeUnit.NANOSECONDS.sleep(wait);
        }
    }

    private long nextEventTime(long now) {
        lastEventTime = Math.max(now, lastEventTime + 1);
        return lastEventTime;
    }

    private void onAcknowledged(RecordMetadata metadata, Exception exception) {
        if (exception != null) {
            failure.compareAndSet(null, exception);
        }
    }

    private void throwIfSendFailed() throws Exception {
        Exception e = failure.get();
        if (e != null) {
            throw e;
        }
    }
}
