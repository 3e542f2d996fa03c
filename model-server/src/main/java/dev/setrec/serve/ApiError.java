package dev.setrec.serve;

/**
 * A request the server refuses, with the reason: answered (by {@link Exchange#fail}) with its status and
 * {"error": reason}. The statuses are those of openapi.yaml.
 */
final class ApiError extends Exception {
    /** Why a request is refused, and the HTTP status that says so. */
    enum Status {
        BAD_REQUEST(400),
        UNAUTHORIZED(401),
        FORBIDDEN(403),
        NOT_FOUND(404),
        METHOD_NOT_ALLOWED(405),
        BODY_TIMEOUT(408),
        CONFLICT(409),
        BODY_TOO_LARGE(413),
        NOT_JSON(415),
        MODEL_REFUSED(422),
        QUEUE_FULL(429),
        INTERNAL(500),
        NOT_READY(503),
        DEADLINE_PASSED(504);

        final int code;

        Status(int code) {
            this.code = code;
        }

        /** Whether the same request may succeed later: the answer says when to try (Retry-After). */
        boolean retryLater() {
            return this == QUEUE_FULL || this == NOT_READY;
        }
    }

    final Status status;

    ApiError(Status status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }
}
