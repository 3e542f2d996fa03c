package dev.setrec.schemas;

/** A Kafka message that cannot be read as the expected record; the message says why, for the dead-letter topic. */
public final class BadRecordException extends Exception {
    public BadRecordException(String reason) {
        super(reason);
    }

    public BadRecordException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
