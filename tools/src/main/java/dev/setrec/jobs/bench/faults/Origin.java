package dev.setrec.jobs.bench.faults;

/** Where a record landed. */
public record Origin(String topic, int partition, long offset) {
}
