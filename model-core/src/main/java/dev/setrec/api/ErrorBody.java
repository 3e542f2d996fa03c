package dev.setrec.api;

/** Every refusal's body: {@code {"error": reason}}. */
public record ErrorBody(@Required String error) {
}
