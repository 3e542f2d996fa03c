package dev.setrec.serve;

import org.eclipse.jetty.io.Content;

import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;

import static dev.setrec.serve.ApiError.Status.BAD_REQUEST;
import static dev.setrec.serve.ApiError.Status.BODY_TIMEOUT;
import static dev.setrec.serve.ApiError.Status.BODY_TOO_LARGE;

/**
 * Reads a request body as it arrives, without holding a thread while the client is slow to send it: Jetty calls
 * back when more bytes are there. A body over the limit fails with a 413 {@link ApiError} once the client has
 * sent it, or {@link #DRAIN_FACTOR} times the limit, whichever comes first: a client still sending when the server
 * answers and closes gets a reset that can swallow the 413 it was about to read. Memory stays the limit. A body
 * that has not arrived within its time fails with 408, so that a client sending a byte now and then (never idle)
 * cannot keep its connection for ever.
 */
final class BodyReader implements Runnable {
    /** How much of an over-limit body is read and dropped before the 413, in multiples of the limit. */
    private static final int DRAIN_FACTOR = 16;

    private final Content.Source source;
    private final int limit;
    private final ByteArrayOutputStream body = new ByteArrayOutputStream();
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private long received;

    private BodyReader(Content.Source source, int limit) {
        this.source = source;
        this.limit = limit;
    }

    /**
     * The whole body (at most {@code limit} bytes), or an ApiError: 413 over the limit, 408 not there within
     * {@code timeout} or the connection idle, 400 the connection broken.
     */
    static CompletableFuture<byte[]> read(Request request, int limit, Duration timeout) {
        BodyReader reader = new BodyReader(request, limit);
        Scheduler scheduler = request.getComponents().getScheduler();
        Scheduler.Task timer = scheduler.schedule(() -> reader.result.completeExceptionally(
                new ApiError(BODY_TIMEOUT, "the request body did not arrive within " + timeout.toMillis() + " ms")),
                timeout);
        reader.result.whenComplete((body, failure) -> timer.cancel());
        reader.run();
        return reader.result;
    }

    @Override
    public void run() {
        while (!result.isDone()) { // done early: timed out, and the rest is not read
            Content.Chunk chunk = source.read();
            if (chunk == null) {
                source.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                Throwable failure = chunk.getFailure();
                ApiError.Status status = failure instanceof TimeoutException ? BODY_TIMEOUT : BAD_REQUEST;
                result.completeExceptionally(new ApiError(status, "cannot read the request body: "
                        + failure.getMessage()));
                return;
            }
            ByteBuffer bytes = chunk.getByteBuffer();
            received += bytes.remaining();
            if (received <= limit) {
                byte[] copy = new byte[bytes.remaining()];
                bytes.get(copy);
                body.writeBytes(copy);
            }
            boolean last = chunk.isLast();
            chunk.release();
            if (received > limit && (last || received > (long) DRAIN_FACTOR * limit)) {
                result.completeExceptionally(new ApiError(BODY_TOO_LARGE, "request body is over the limit of " + limit
                        + " bytes"));
                return;
            }
            if (last) {
                result.complete(body.toByteArray());
                return;
            }
        }
    }
}
