package dev.setrec.serve;

import org.eclipse.jetty.io.Content;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.concurrent.CompletableFuture;

/**
 * Reads a request body as it arrives, without holding a thread while the client is slow to send it: Jetty calls
 * back when more bytes are there. A body over the limit fails with a 413 {@link ApiError} once the client has
 * sent it, or {@link #DRAIN_FACTOR} times the limit, whichever comes first: a client still sending when the server
 * answers and closes gets a reset that can swallow the 413 it was about to read. Memory stays the limit.
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

    /** The whole body (at most {@code limit} bytes), or an ApiError 413; a broken connection fails it too. */
    static CompletableFuture<byte[]> read(Content.Source source, int limit) {
        BodyReader reader = new BodyReader(source, limit);
        reader.run();
        return reader.result;
    }

    @Override
    public void run() {
        while (true) {
            Content.Chunk chunk = source.read();
            if (chunk == null) {
                source.demand(this);
                return;
            }
            if (Content.Chunk.isFailure(chunk)) {
                result.completeExceptionally(chunk.getFailure());
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
                result.completeExceptionally(new ApiError(413, "request body is over the limit of " + limit
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
