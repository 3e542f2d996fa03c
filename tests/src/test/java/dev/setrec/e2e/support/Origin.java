package dev.setrec.e2e.support;

/** Where a record landed. */
public record Origin(String topic, int partition, long offset) {
}
