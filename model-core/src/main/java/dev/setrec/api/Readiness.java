package dev.setrec.api;

/** The answer of GET /health/ready while the server is ready (503 with an {@link ErrorBody} before). */
public record Readiness(boolean ready) {
    public static final Readiness READY = new Readiness(true);
}
