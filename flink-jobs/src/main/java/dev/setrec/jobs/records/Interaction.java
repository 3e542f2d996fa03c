package dev.setrec.jobs.records;

/** A validated interaction, with its Kafka origin kept for a dead letter further down (e.g. an unknown item). */
public class Interaction {
    public String userId;
    public String itemId;
    public long eventTime;
    /** Kafka timestamp of the source record: the start of the event-to-recommendation latency. */
    public long recordTime;
    public RawRecord source;

    public Interaction() {
    }

    public Interaction(String userId, String itemId, long eventTime, RawRecord source) {
        this.userId = userId;
        this.itemId = itemId;
        this.eventTime = eventTime;
        this.recordTime = source.timestamp;
        this.source = source;
    }
}
