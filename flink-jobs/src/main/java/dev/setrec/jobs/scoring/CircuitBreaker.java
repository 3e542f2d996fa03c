package dev.setrec.jobs.scoring;

import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/**
 * Stops sending work to a model that keeps failing: after {@code failuresToOpen} failed calls in a row it opens and
 * fails every call at once, so that requests get the fallback at full speed instead of each waiting for a timeout
 * (an outage then costs fallbacks, not lag). Every {@code pause} while open it asks whether the model is available
 * (a cheap check) and lets calls through again once it is. Used by one thread (the batcher's worker); the state is
 * volatile only for the metric that reads it.
 */
public final class CircuitBreaker {
    /** The call was not made: the breaker is open. */
    public static final class OpenException extends Exception {
        OpenException() {
            super("the model keeps failing: calls paused (circuit breaker open)", null, false, false);
        }
    }

    private final int failuresToOpen;
    private final long pauseNanos;
    private int failuresInARow;
    private volatile boolean open;
    private long nextCheck;

    public CircuitBreaker(int failuresToOpen, Duration pause) {
        if (failuresToOpen < 1 || pause.isNegative()) {
            throw new IllegalArgumentException("failures to open must be positive and the pause not negative");
        }
        this.failuresToOpen = failuresToOpen;
        this.pauseNanos = pause.toNanos();
    }

    public <T> T call(Callable<T> call, BooleanSupplier available) throws Exception {
        if (open) {
            long now = System.nanoTime();
            if (now - nextCheck < 0) {
                throw new OpenException();
            }
            if (!available.getAsBoolean()) {
                nextCheck = System.nanoTime() + pauseNanos;
                throw new OpenException();
            }
        }
        try {
            T result = call.call();
            failuresInARow = 0;
            open = false;
            return result;
        } catch (Exception e) {
            if (++failuresInARow >= failuresToOpen) {
                open = true;
                nextCheck = System.nanoTime() + pauseNanos;
            }
            throw e;
        }
    }

    public boolean isOpen() {
        return open;
    }
}
