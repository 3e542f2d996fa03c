package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.bench.faults.TopicLog.Received;
import dev.setrec.schemas.AvroCodec;
import org.apache.avro.specific.SpecificRecord;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;

/**
 * One of a running job's topics read from its beginning ({@link TopicLog}); what it has read accumulates. Every
 * wait throws {@link WaitFailedException} at once when the job is no longer running, and otherwise after
 * {@link #WAIT}: a guard against a hang, not a speed check.
 */
public final class TopicReader<T extends SpecificRecord> implements AutoCloseable {
    /** The longest any wait lasts; a job that restarts needs its restart delay and a model load within it. */
    public static final Duration WAIT = Duration.ofMinutes(2);
    /** After the expected records arrived, how long to read on for more: three checkpoints (transactions). */
    public static final Duration QUIET = Duration.ofMillis(1500);
    private static final Duration POLL = Duration.ofMillis(100);

    private final TopicLog<T> log;
    private final RunningJob job;

    TopicReader(String bootstrapServers, String topic, AvroCodec<T> codec, boolean readCommitted, RunningJob job) {
        this.log = new TopicLog<>(bootstrapServers, topic, codec, readCommitted);
        this.job = job;
    }

    /** The first record read that matches. */
    public T awaitFirst(Predicate<T> matching, String what) throws Exception {
        awaitUntil(all -> all.stream().map(Received::value).anyMatch(matching), what);
        return values().stream().filter(matching).findFirst().orElseThrow();
    }

    /** Everything read once {@code done} holds for it. */
    public List<Received<T>> awaitUntil(Predicate<List<Received<T>>> done, String what) throws Exception {
        long deadline = System.nanoTime() + WAIT.toNanos();
        while (!done.test(log.records())) {
            job.requireRunning();
            if (System.nanoTime() > deadline) {
                throw new WaitFailedException(what + " not read within " + WAIT + "; read " + log.records().size()
                        + " records");
            }
            log.poll(POLL);
        }
        return List.copyOf(log.records());
    }

    /** Everything read after reading on for {@code duration}. */
    public List<Received<T>> readFor(Duration duration) {
        long until = System.nanoTime() + duration.toNanos();
        while (System.nanoTime() < until) {
            log.poll(POLL);
        }
        return List.copyOf(log.records());
    }

    /** Reads what has arrived, waiting at most {@code timeout} for it; everything read so far. */
    public List<Received<T>> poll(Duration timeout) {
        log.poll(timeout);
        return List.copyOf(log.records());
    }

    /** The values read so far. */
    public List<T> values() {
        return List.copyOf(log.read());
    }

    @Override
    public void close() {
        log.close();
    }
}
