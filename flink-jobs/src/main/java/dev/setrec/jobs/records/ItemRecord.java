package dev.setrec.jobs.records;

import dev.setrec.schemas.ItemEvent;

/** A validated item event with its Kafka origin, for a dead letter if onboarding it fails. */
public class ItemRecord {
    public ItemEvent item;
    public RawRecord source;

    public ItemRecord() {
    }

    public ItemRecord(ItemEvent item, RawRecord source) {
        this.item = item;
        this.source = source;
    }
}
