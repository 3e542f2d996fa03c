package dev.setrec.jobs.functions;

import dev.setrec.data.ItemText;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.records.RefreshResult;
import dev.setrec.jobs.records.WindowEvent;
import dev.setrec.models.Refresh;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.testing.TinyModelVersions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The production refresher's mapping between the job and {@link Refresh}; the refresh itself is RefreshTest's. */
class ModelFolderRefresherTest {
    @TempDir
    Path models;

    @Test
    void theSettingsAreTheOptionsHeldBackShareAndMinEventsWithTheDefaultsBeside() {
        Configuration options = new Configuration();
        options.set(JobOptions.REFRESH_HELD_BACK, 0.2);
        options.set(JobOptions.REFRESH_MIN_EVENTS, 123);
        Refresh.Settings d = Refresh.Settings.DEFAULT;
        assertEquals(new Refresh.Settings(0.2, d.maxEpochs(), d.patience(), d.learningRate(), d.seed(), 123),
                new ModelFolderRefresher(models, options).settings());

        options.set(JobOptions.REFRESH_HELD_BACK, 1.5);
        String error = assertThrows(IllegalArgumentException.class,
                () -> new ModelFolderRefresher(models, options)).getMessage();
        assertTrue(error.startsWith(JobOptions.REFRESH_HELD_BACK.key()) && error.contains("1.5"), error);
    }

    @Test
    void itShipsWithTheJobGraph() throws Exception {
        Configuration options = new Configuration();
        options.set(JobOptions.REFRESH_MIN_EVENTS, 123);
        ModelFolderRefresher shipped = InstantiationUtil.clone(new ModelFolderRefresher(models, options));
        assertEquals(123, shipped.settings().minEvents());
    }

    @Test
    void anItemIsKnownByItsTitleCategoriesBrandAndDescription() {
        ItemEvent item = ItemEvent.newBuilder().setItemId("new-kite").setTitle("A red kite")
                .setCategories(List.of("Toys", "Kites")).setBrand("Acme").setDescription("flies in any wind")
                .setEventTime(Instant.EPOCH).build();
        assertEquals(new Refresh.NewItem("new-kite", ItemText.of("A red kite", List.of("Toys", "Kites"), "Acme",
                "flies in any wind")), ModelFolderRefresher.newItem(item));
    }

    @Test
    void aRefusalBeforeAnyTrainingHasNoFiguresAndWritesNoVersion() throws Exception {
        TinyModelVersions.write(models, "20261201-000000-serving", 1);
        Configuration options = new Configuration();
        options.set(JobOptions.REFRESH_MIN_EVENTS, 100);
        List<WindowEvent> window = IntStream.range(0, 99)
                .mapToObj(i -> new WindowEvent("u" + i % 10, Integer.toString(i % 30), i * 60_000L)).toList();
        ModelFolderRefresher refresher = new ModelFolderRefresher(models, options);
        try {
            RefreshResult result = refresher.refresh(window, List.of());
            assertFalse(result.promoted());
            assertNull(result.version());
            assertTrue(result.reason().contains("fewer than the 100"), result.reason());
            assertTrue(Double.isNaN(result.candidateAllRecall10()) && Double.isNaN(result.candidateColdRecall10())
                    && Double.isNaN(result.servingAllRecall10()) && Double.isNaN(result.servingColdRecall10()),
                    result.toString());
            assertEquals(0, result.newlyWarm());
        } finally {
            refresher.close();
        }
    }
}
