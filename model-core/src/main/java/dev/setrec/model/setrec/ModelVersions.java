package dev.setrec.model.setrec;

import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The serving model and the one before it (for rollback). Readers lease the current version for the length of one
 * batch; a swap only changes which version new leases get, and a replaced version is closed when its last lease
 * ends, so requests in flight finish on the model they started with and no request waits for a swap. Shared by the
 * model server and the job's live model folder.
 */
public final class ModelVersions implements AutoCloseable {
    /** One loaded model directory. */
    public static final class Version {
        public final SetRecService service;
        public final Path dir;
        public final Instant loadedAt = Instant.now();
        private final AtomicInteger leases = new AtomicInteger();
        private final AtomicBoolean closed = new AtomicBoolean();
        private volatile boolean retired;

        public Version(SetRecService service, Path dir) {
            this.service = service;
            this.dir = dir;
        }

        public String version() {
            return service.version();
        }

        /** Ends a lease from {@link #acquire()}. */
        public void release() {
            if (leases.decrementAndGet() == 0 && retired) {
                closeOnce();
            }
        }

        private void retire() {
            retired = true; // before reading the lease count: a lease taken after this read sees it and backs off
            if (leases.get() == 0) {
                closeOnce();
            }
        }

        private void closeOnce() {
            if (closed.compareAndSet(false, true)) {
                service.close();
            }
        }

        public boolean isClosed() {
            return closed.get();
        }
    }

    private final AtomicReference<Version> current = new AtomicReference<>();
    private Version previous;

    /** The current version, leased until {@link Version#release()}; null before the first model is loaded. */
    public Version acquire() {
        while (true) {
            Version v = current.get();
            if (v == null) {
                return null;
            }
            v.leases.incrementAndGet();
            if (!v.retired) {
                return v;
            }
            v.release(); // swapped out between the read and the lease: take the new one
        }
    }

    /** The current version without a lease (for reading its name or size, not for scoring). */
    public Version peek() {
        return current.get();
    }

    public synchronized Version previous() {
        return previous;
    }

    /** Makes {@code next} current; the version it replaces is kept for rollback, the one before that retired. */
    public synchronized void swap(Version next) {
        Version replaced = current.getAndSet(next);
        if (previous != null) {
            previous.retire();
        }
        previous = replaced;
    }

    /**
     * Makes {@code next} current and retires every other version: for a server of one line of versions that keeps
     * no rollback (the job's live models folder), so that a replaced model's memory is freed with its last lease.
     */
    public synchronized void replace(Version next) {
        retireWithPrevious(current.getAndSet(next));
    }

    /** Retires {@code replaced} (null: none) and the version kept for rollback. */
    private void retireWithPrevious(Version replaced) {
        if (replaced != null) {
            replaced.retire();
        }
        if (previous != null) {
            previous.retire();
            previous = null;
        }
    }

    /** Makes the previous version current again and retires the one it replaces; false where there is none. */
    public synchronized boolean rollback() {
        if (previous == null) {
            return false;
        }
        Version rolledBack = current.getAndSet(previous);
        previous = null;
        rolledBack.retire();
        return true;
    }

    @Override
    public synchronized void close() {
        retireWithPrevious(current.getAndSet(null));
    }
}
