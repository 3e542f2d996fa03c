package dev.setrec.jobs.bench.faults;

import dev.setrec.jobs.JobOptions;
import dev.setrec.schemas.InteractionEvent;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Sends interactions one at a time, at a steady pace, on a thread of its own, so that a fault can hit a job while
 * input keeps arriving (an unbounded stream; a bounded one would be read whole before the first checkpoint).
 * {@link #close()} stops it and rethrows what went wrong while sending.
 */
public final class Trickle implements AutoCloseable {
    /** An interaction as sent, and when (wall clock, the clock of the job's timestamps in this JVM). */
    public record Sent(InteractionEvent event, long sentAtMillis) {
    }

    private final RunningJob job;
    private final Iterator<InteractionEvent> events;
    private final Duration pause;
    private final List<Sent> sent = new ArrayList<>();
    private final Thread sender;
    private volatile boolean stopped;
    private volatile Exception failure;

    private Trickle(RunningJob job, Iterator<InteractionEvent> events, Duration pause) {
        this.job = job;
        this.events = events;
        this.pause = pause;
        this.sender = new Thread(this::sendAll, "trickle-" + job.topic(JobOptions.INTERACTIONS_TOPIC));
        sender.setDaemon(true);
    }

    /** Starts sending {@code events} in order, {@code pause} apart, until they are all sent or it is stopped. */
    public static Trickle start(RunningJob job, Iterator<InteractionEvent> events, Duration pause) {
        Trickle trickle = new Trickle(job, events, pause);
        trickle.sender.start();
        return trickle;
    }

    private void sendAll() {
        try {
            while (!stopped && events.hasNext()) {
                InteractionEvent event = events.next();
                job.send(event);
                synchronized (sent) {
                    sent.add(new Sent(event, System.currentTimeMillis()));
                }
                TimeUnit.NANOSECONDS.sleep(pause.toNanos());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            failure = e;
        }
    }

    /** What was sent so far, in order. */
    public List<Sent> sent() {
        synchronized (sent) {
            return List.copyOf(sent);
        }
    }

    /** Whether it stopped sending: every event sent, stopped, or sending failed. */
    public boolean finished() {
        return !sender.isAlive();
    }

    /** Waits until at least {@code count} events are sent. */
    public void awaitSent(int count) throws Exception {
        long deadline = System.nanoTime() + TopicReader.WAIT.toNanos();
        while (sent().size() < count && sender.isAlive()) {
            if (System.nanoTime() > deadline) {
                throw new WaitFailedException(count + " events not sent within " + TopicReader.WAIT);
            }
            TimeUnit.NANOSECONDS.sleep(pause.toNanos());
        }
        throwFailure();
    }

    /** Waits until every event is sent; what was sent. */
    public List<Sent> awaitAllSent(Duration timeout) throws Exception {
        sender.join(timeout.toMillis());
        if (sender.isAlive()) {
            throw new WaitFailedException("the events were not all sent within " + timeout);
        }
        throwFailure();
        return sent();
    }

    /** Stops sending (an event being sent still goes out). */
    @Override
    public void close() throws Exception {
        stopped = true;
        sender.join(ControlledCluster.TIMEOUT.toMillis());
        throwFailure();
    }

    private void throwFailure() throws Exception {
        if (failure != null) {
            throw new IllegalStateException("sending interactions failed", failure);
        }
    }
}
