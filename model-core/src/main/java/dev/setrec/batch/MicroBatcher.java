package dev.setrec.batch;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Merges single requests into batches for one model call: a batch closes when it holds {@code maxBatch} requests or
 * {@code maxWait} after its first request was submitted, whichever comes first, and runs on one worker thread while
 * the next batch fills. The wait counts from submission, not from when the worker got to the request: under a
 * backlog the next batch leaves at once with everything queued, so batches grow with the load instead of every
 * batch paying the wait again. The queue is bounded: a request that finds it full fails at once instead of waiting.
 * A request whose future is done before its batch leaves (cancelled by a caller that stopped waiting) is dropped.
 *
 * @param <Q> request type
 * @param <R> result type
 */
public final class MicroBatcher<Q, R> implements AutoCloseable {
    /** Ranks one batch: returns one result per request, in order. */
    @FunctionalInterface
    public interface BatchFunction<Q, R> {
        List<R> apply(List<Q> batch) throws Exception;
    }

    private record Pending<Q, R>(Q request, CompletableFuture<R> result, long submittedNanos) {
    }

    private final int maxBatch;
    private final long maxWaitNanos;
    private final BatchFunction<Q, R> function;
    private final AtomicLong batches = new AtomicLong();
    private final AtomicLong batched = new AtomicLong();
    private final BlockingQueue<Pending<Q, R>> queue;
    private final Thread worker;
    private volatile boolean running = true;

    public MicroBatcher(String name, int maxBatch, Duration maxWait, int queueCapacity, BatchFunction<Q, R> function) {
        if (maxBatch < 1 || queueCapacity < 1 || maxWait.isNegative()) {
            throw new IllegalArgumentException("max batch and queue capacity must be positive, max wait not negative");
        }
        this.maxBatch = maxBatch;
        this.maxWaitNanos = maxWait.toNanos();
        this.function = function;
        this.queue = new ArrayBlockingQueue<>(queueCapacity);
        this.worker = new Thread(this::run, name);
        worker.setDaemon(true);
        worker.start();
    }

    public CompletableFuture<R> submit(Q request) {
        CompletableFuture<R> result = new CompletableFuture<>();
        if (!running) {
            result.completeExceptionally(new RejectedExecutionException("batcher is closed"));
        } else if (!queue.offer(new Pending<>(request, result, System.nanoTime()))) {
            result.completeExceptionally(new RejectedExecutionException("batch queue is full (" + queue.size() + ")"));
        }
        return result;
    }

    private void run() {
        List<Pending<Q, R>> batch = new ArrayList<>(maxBatch);
        List<Q> requests = new ArrayList<>(maxBatch);
        while (running) {
            try {
                Pending<Q, R> first = queue.poll(100, TimeUnit.MILLISECONDS);
                if (first == null) {
                    continue;
                }
                batch.add(first);
                long deadline = first.submittedNanos() + maxWaitNanos;
                while (batch.size() < maxBatch) {
                    queue.drainTo(batch, maxBatch - batch.size());
                    long left = deadline - System.nanoTime();
                    if (batch.size() >= maxBatch || left <= 0) {
                        break;
                    }
                    Pending<Q, R> next = queue.poll(left, TimeUnit.NANOSECONDS);
                    if (next != null) {
                        batch.add(next);
                    }
                }
                runBatch(batch, requests);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } finally {
                batch.clear();
                requests.clear();
            }
        }
        failAll(new RejectedExecutionException("batcher closed"));
    }

    private void runBatch(List<Pending<Q, R>> batch, List<Q> requests) {
        // a request whose caller gave up (its future cancelled or completed elsewhere) costs no model time
        batch.removeIf(p -> p.result().isDone());
        if (batch.isEmpty()) {
            return;
        }
        for (Pending<Q, R> p : batch) {
            requests.add(p.request());
        }
        batches.incrementAndGet();
        batched.addAndGet(batch.size());
        try {
            List<R> results = function.apply(requests);
            if (results.size() != batch.size()) {
                throw new IllegalStateException("batch function returned " + results.size() + " results for "
                        + batch.size() + " requests");
            }
            for (int i = 0; i < batch.size(); i++) {
                batch.get(i).result().complete(results.get(i));
            }
        } catch (Exception | Error e) {
            for (Pending<Q, R> p : batch) {
                p.result().completeExceptionally(e);
            }
        }
    }

    /** Requests waiting for a batch now. */
    public int queued() {
        return queue.size();
    }

    /** Batches run so far. */
    public long batches() {
        return batches.get();
    }

    /** Mean requests per batch so far (0 before the first). */
    public double meanBatchSize() {
        long n = batches.get();
        return n == 0 ? 0 : (double) batched.get() / n;
    }

    private void failAll(Exception cause) {
        Pending<Q, R> p;
        while ((p = queue.poll()) != null) {
            p.result().completeExceptionally(cause);
        }
    }

    /** Stops taking requests; the batch in progress finishes, queued requests fail (their callers fall back). */
    @Override
    public void close() throws InterruptedException {
        running = false;
        worker.join(10_000);
        failAll(new RejectedExecutionException("batcher closed"));
    }
}
