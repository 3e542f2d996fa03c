package dev.setrec.api;

/** The answer of GET /health/live. */
public record Liveness(boolean live) {
    public static final Liveness LIVE = new Liveness(true);
}
