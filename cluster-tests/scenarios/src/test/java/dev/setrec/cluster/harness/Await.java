package dev.setrec.cluster.harness;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;

/** Polling for what another process does; the timeouts are guards against hangs, not speed checks. */
public final class Await {
    private static final Duration POLL = Duration.ofMillis(200);

    private Await() {
    }

    /** Thrown by a probe when waiting longer is pointless (the process it waits for has exited). */
    public static final class Hopeless extends RuntimeException {
        public Hopeless(String message) {
            super(message);
        }
    }

    /**
     * Polls {@code probe} until it yields a value; fails naming {@code what} after {@code timeout}, or at once when
     * the probe throws {@link Hopeless}. Other exceptions count as "not yet" (a port that refuses, a topic without a
     * leader yet); the last one is the cause of the timeout.
     */
    public static <T> T value(Duration timeout, String what, Supplier<Optional<T>> probe) {
        long deadline = System.nanoTime() + timeout.toNanos();
        RuntimeException lastFailure = null;
        while (true) {
            try {
                Optional<T> value = probe.get();
                if (value.isPresent()) {
                    return value.get();
                }
            } catch (Hopeless e) {
                throw e;
            } catch (RuntimeException e) {
                lastFailure = e;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(what + ": not within " + timeout, lastFailure);
            }
            sleep(POLL);
        }
    }

    /** Polls {@code condition} until it holds; fails naming {@code what} after {@code timeout}. */
    public static void until(Duration timeout, String what, Supplier<Boolean> condition) {
        value(timeout, what, () -> condition.get() ? Optional.of(true) : Optional.empty());
    }

    public static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }
}
