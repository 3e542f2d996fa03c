package dev.setrec.jobs.scoring;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {
    private final AtomicInteger calls = new AtomicInteger();
    private final AtomicInteger checks = new AtomicInteger();
    private final AtomicBoolean modelUp = new AtomicBoolean(false);

    private String call() throws IOException {
        calls.incrementAndGet();
        if (!modelUp.get()) {
            throw new IOException("model away");
        }
        return "ranked";
    }

    private boolean available() {
        checks.incrementAndGet();
        return modelUp.get();
    }

    @Test
    void afterTheFailuresInARowCallsFailAtOnceWithoutReachingTheModel() {
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofHours(1));
        for (int i = 0; i < 3; i++) {
            assertThrows(IOException.class, () -> breaker.call(this::call, this::available));
        }
        assertTrue(breaker.isOpen());
        for (int i = 0; i < 100; i++) {
            assertThrows(CircuitBreaker.OpenException.class, () -> breaker.call(this::call, this::available));
        }
        assertEquals(3, calls.get(), "the open breaker kept every call from the model");
        assertEquals(0, checks.get(), "and asked nothing before its pause was over");
    }

    @Test
    void aSuccessBetweenFailuresStartsTheCountAgain() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(3, Duration.ofHours(1));
        assertThrows(IOException.class, () -> breaker.call(this::call, this::available));
        assertThrows(IOException.class, () -> breaker.call(this::call, this::available));
        modelUp.set(true);
        breaker.call(this::call, this::available);
        modelUp.set(false);
        assertThrows(IOException.class, () -> breaker.call(this::call, this::available));
        assertThrows(IOException.class, () -> breaker.call(this::call, this::available));
        assertFalse(breaker.isOpen());
    }

    @Test
    void afterThePauseTheModelIsAskedAndCallsGoThroughOnceItIsBack() throws Exception {
        CircuitBreaker breaker = new CircuitBreaker(1, Duration.ZERO);
        assertThrows(IOException.class, () -> breaker.call(this::call, this::available));
        assertThrows(CircuitBreaker.OpenException.class, () -> breaker.call(this::call, this::available));
        assertEquals(1, checks.get(), "asked, still away: no call");
        assertEquals(1, calls.get());

        modelUp.set(true);
        assertEquals("ranked", breaker.call(this::call, this::available));
        assertFalse(breaker.isOpen());
        assertEquals("ranked", breaker.call(this::call, this::available));
        assertEquals(2, checks.get(), "a closed breaker asks nothing");
    }
}
