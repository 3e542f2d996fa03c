package dev.setrec.api;

/** A request body that breaks the API's JSON rules (a 400 on the server); the message names the field and why. */
public final class InvalidJson extends Exception {
    InvalidJson(String reason) {
        super(reason, null, false, false);
    }
}
