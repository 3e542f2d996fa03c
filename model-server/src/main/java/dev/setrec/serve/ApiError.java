package dev.setrec.serve;

/** A request that breaks the API's rules: answered with its HTTP status and the reason, as {"error": reason}. */
final class ApiError extends Exception {
    final int status;

    ApiError(int status, String reason) {
        super(reason, null, false, false);
        this.status = status;
    }
}
