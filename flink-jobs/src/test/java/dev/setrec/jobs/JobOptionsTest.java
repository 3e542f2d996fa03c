package dev.setrec.jobs;

import dev.setrec.jobs.scoring.RankingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobOptionsTest {
    @Test
    void flagsWinOverThePropertiesFileAndValuesAreTyped(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("job.properties");
        Files.writeString(file, """
                setrec.batch.max-size=32
                setrec.batch.max-wait=20 ms
                setrec.kafka.delivery=exactly-once
                parallelism.default=4
                """);
        Configuration conf = JobOptions.load(file, Map.of("setrec.batch.max-size", "16"));
        assertEquals(16, conf.get(JobOptions.BATCH_SIZE));
        assertEquals(Duration.ofMillis(20), conf.get(JobOptions.BATCH_WAIT));
        assertEquals(DeliveryGuarantee.EXACTLY_ONCE, conf.get(JobOptions.DELIVERY));
        assertEquals("4", conf.toMap().get("parallelism.default"), "Flink's own keys pass through");
        assertEquals(50, conf.get(JobOptions.HISTORY_LENGTH), "unset keys keep their defaults");
    }

    @Test
    void aDeliveryGuaranteeWrittenByWithDeliveryParsesBack() throws Exception {
        for (DeliveryGuarantee delivery : DeliveryGuarantee.values()) {
            Configuration conf = JobOptions.load(null, JobOptions.withDelivery(Map.of("setrec.recommend.k", "5"),
                    delivery));
            assertEquals(delivery, conf.get(JobOptions.DELIVERY));
            assertEquals(5, conf.get(JobOptions.TOP_K), "the other flags are kept");
        }
    }

    @Test
    void aMistypedKeyIsRefusedWithTheKnownOnes() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JobOptions.load(null, Map.of("setrec.batch.max-sise", "8")));
        assertTrue(e.getMessage().contains("setrec.batch.max-sise") && e.getMessage().contains("setrec.batch.max-size"),
                e.getMessage());
    }

    @Test
    void newItemSlotsBeyondKAreRefusedNamingBothOptions() throws Exception {
        Configuration conf = JobOptions.load(null, Map.of("setrec.recommend.k", "5",
                "setrec.recommend.new-item-slots", "6"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RankingOptions.of(conf));
        assertTrue(e.getMessage().contains("setrec.recommend.new-item-slots must be 0..5 (setrec.recommend.k)"),
                e.getMessage());
        assertEquals(new RankingOptions(20, true, 0), RankingOptions.of(new Configuration()), "the defaults");
    }
}
