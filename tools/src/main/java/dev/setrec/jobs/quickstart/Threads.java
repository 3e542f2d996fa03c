package dev.setrec.jobs.quickstart;

/** Thread helpers shared by the replayer and the live view. */
final class Threads {
    private Threads() {
    }

    /**
     * Waits for {@code thread} to end even if this thread is interrupted meanwhile (a close must not leave a worker
     * behind); the interrupt is kept for the caller. Returns whether one happened.
     */
    static boolean joinUninterruptibly(Thread thread) {
        boolean interrupted = false;
        while (thread.isAlive()) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        return interrupted;
    }
}
