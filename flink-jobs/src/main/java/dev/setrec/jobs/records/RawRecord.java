package dev.setrec.jobs.records;

/**
 * A Kafka message as read, before parsing: kept raw so that a record the job cannot use reaches the dead-letter
 * topic byte for byte, with where it came from. A message over the topic's size limit keeps only its first bytes
 * (its sizes and the value's hash say what it was), so that an oversized message costs no more than a small one
 * beyond the source. A Flink POJO (public fields, no-arg constructor).
 */
public class RawRecord {
    public String topic;
    public int partition;
    public long offset;
    /** Kafka record timestamp (producer create time or broker append time), epoch ms. */
    public long timestamp;
    public byte[] key;
    public byte[] value;
    /** Sizes as read (key and value may hold less where the message was over its limit); -1 for none. */
    public int keyBytes;
    public int valueBytes;
    /** SHA-256 of the whole value, hex, where the value was cut when read; else null (computed when needed). */
    public String valueSha256;
    /** Whether the message was over its size limit when read (and kept only in part). */
    public boolean oversized;

    public RawRecord() {
    }

    public RawRecord(String topic, int partition, long offset, long timestamp, byte[] key, byte[] value) {
        this.topic = topic;
        this.partition = partition;
        this.offset = offset;
        this.timestamp = timestamp;
        this.key = key;
        this.value = value;
        this.keyBytes = key == null ? -1 : key.length;
        this.valueBytes = value == null ? -1 : value.length;
    }

    /** Key and value together as read. */
    public long bytes() {
        return (long) Math.max(keyBytes, 0) + Math.max(valueBytes, 0);
    }

    @Override
    public String toString() {
        return topic + "-" + partition + "@" + offset;
    }
}
