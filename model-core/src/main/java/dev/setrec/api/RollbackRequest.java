package dev.setrec.api;

/** POST /v1/model/rollback takes no fields: no body, or an empty object. */
public record RollbackRequest() {
}
