package dev.setrec.jobs.bench.faults;

/**
 * A wait on a job ended without what it waited for: the job ended, or the time ran out. A scenario that catches it
 * still counts what did arrive (what is missing is lost).
 */
public final class WaitFailedException extends IllegalStateException {
    public WaitFailedException(String message) {
        super(message);
    }

    public WaitFailedException(String message, Throwable cause) {
        super(message, cause);
    }
}
