package dev.setrec.jobs.records;

/**
 * One interaction as the refresh job keeps it in its window: who, what and when (event time, epoch ms); the rest of
 * the {@link Interaction} (its Kafka origin) is not needed once it is valid.
 */
public record WindowEvent(String user, String item, long timeMillis) {
    public static WindowEvent of(Interaction interaction) {
        return new WindowEvent(interaction.userId, interaction.itemId, interaction.eventTime);
    }
}
