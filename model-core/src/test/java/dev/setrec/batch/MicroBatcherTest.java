package dev.setrec.batch;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class MicroBatcherTest {
    private static List<Integer> doubled(List<Integer> batch) {
        List<Integer> out = new ArrayList<>();
        for (int x : batch) {
            out.add(2 * x);
        }
        return out;
    }

    @Test
    void requestsWaitingTogetherGoIntoOneBatchAndEachGetsItsOwnResult() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        // the first batch blocks until released, so the next 10 requests queue up behind it
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", 8, Duration.ofMillis(50), 100,
                batch -> {
                    sizes.add(batch.size());
                    release.await();
                    return doubled(batch);
                })) {
            CompletableFuture<Integer> first = batcher.submit(0);
            waitUntil(() -> sizes.size() == 1);
            List<CompletableFuture<Integer>> queued = new ArrayList<>();
            for (int i = 1; i <= 10; i++) {
                queued.add(batcher.submit(i));
            }
            release.countDown();
            assertEquals(0, first.get());
            for (int i = 1; i <= 10; i++) {
                assertEquals(2 * i, queued.get(i - 1).get());
            }
            assertEquals(List.of(1, 8, 2), sizes, "a full batch of 8 closes at once, the rest after the wait");
            assertEquals(3, batcher.batches());
            assertEquals(11 / 3.0, batcher.meanBatchSize(), 1e-9);
        }
    }

    @Test
    void aLoneRequestIsAnsweredAfterTheMaximumWait() throws Exception {
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", 64, Duration.ofMillis(20), 10,
                MicroBatcherTest::doubled)) {
            assertEquals(14, batcher.submit(7).get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void requestsThatQueuedWhileTheModelWasBusyLeaveAtOnceInOneBatch() throws Exception {
        CountDownLatch modelBusy = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", 64, Duration.ofSeconds(1), 100,
                batch -> {
                    batches.add(List.copyOf(batch));
                    modelBusy.countDown();
                    release.await();
                    return batch;
                })) {
            batcher.submit(0);
            assertTrue(modelBusy.await(10, TimeUnit.SECONDS));
            List<CompletableFuture<Integer>> queued = new ArrayList<>();
            for (int i = 1; i <= 5; i++) {
                queued.add(batcher.submit(i));
            }
            Thread.sleep(1_100); // they have now waited longer than the maximum wait
            long released = System.nanoTime();
            release.countDown();
            CompletableFuture.allOf(queued.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            long waitedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - released);
            assertEquals(List.of(List.of(0), List.of(1, 2, 3, 4, 5)), batches);
            assertTrue(waitedMs < 500, "the backlog waited " + waitedMs + " ms more for its batch to fill");
        }
    }

    @Test
    void aFailingModelFailsItsBatchOnlyAndTheBatcherGoesOn() throws Exception {
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", 1, Duration.ZERO, 10, batch -> {
            if (batch.get(0) < 0) {
                throw new IllegalStateException("model down");
            }
            return doubled(batch);
        })) {
            ExecutionException failed = assertThrows(ExecutionException.class, () -> batcher.submit(-1).get());
            assertInstanceOf(IllegalStateException.class, failed.getCause());
            assertEquals(6, batcher.submit(3).get());
        }
    }

    @Test
    void aFullQueueRefusesAtOnceInsteadOfBlocking() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", 1, Duration.ZERO, 2, batch -> {
            sizes.add(batch.size());
            release.await();
            return doubled(batch);
        })) {
            CompletableFuture<Integer> running = batcher.submit(1);
            waitUntil(() -> sizes.size() == 1);
            CompletableFuture<Integer> a = batcher.submit(2);
            CompletableFuture<Integer> b = batcher.submit(3);
            CompletableFuture<Integer> refused = batcher.submit(4);
            ExecutionException e = assertThrows(ExecutionException.class, refused::get);
            assertInstanceOf(RejectedExecutionException.class, e.getCause());
            release.countDown();
            assertEquals(2, running.get());
            assertEquals(4, a.get());
            assertEquals(6, b.get());
        }
    }

    @Test
    void closingFailsWhatIsStillQueued() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<Integer> sizes = new CopyOnWriteArrayList<>();
        MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", 1, Duration.ZERO, 10, batch -> {
            sizes.add(batch.size());
            release.await();
            return doubled(batch);
        });
        CompletableFuture<Integer> running = batcher.submit(1);
        waitUntil(() -> sizes.size() == 1);
        CompletableFuture<Integer> queued = batcher.submit(2);
        Thread closer = new Thread(() -> {
            try {
                batcher.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        closer.start();
        waitUntil(() -> closer.getState() == Thread.State.TIMED_WAITING); // closed, joining the worker
        release.countDown();
        closer.join();
        assertEquals(2, running.get(), "the batch in progress finishes");
        assertTrue(queued.isCompletedExceptionally(), "queued requests fail so that callers fall back");
        assertTrue(batcher.submit(5).isCompletedExceptionally());
    }

    private static void waitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
        while (!condition.getAsBoolean()) {
            Thread.sleep(1);
        }
    }

    @Test
    void aRequestWhoseCallerGaveUpCostsNoModelTime() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        List<List<Integer>> batches = new CopyOnWriteArrayList<>();
        try (MicroBatcher<Integer, Integer> batcher = new MicroBatcher<>("test", 8, Duration.ofMillis(50), 100,
                batch -> {
                    batches.add(List.copyOf(batch));
                    release.await();
                    return doubled(batch);
                })) {
            batcher.submit(0);
            waitUntil(() -> batches.size() == 1);
            CompletableFuture<Integer> abandoned = batcher.submit(1);
            CompletableFuture<Integer> wanted = batcher.submit(2);
            abandoned.cancel(false); // its caller timed out while the model was busy
            release.countDown();
            assertEquals(4, wanted.get());
            assertEquals(List.of(List.of(0), List.of(2)), batches, "the abandoned request left its batch");
        }
    }
}
