package dev.setrec.jobs.bench;

import com.google.gson.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ClusterScenarioRowTest {
    private static final String REPORT = """
            <?xml version="1.0" encoding="UTF-8"?>
            <testsuite name="dev.setrec.cluster.RemoteScoringClusterIT" time="612.3" tests="6" errors="0" \
            skipped="1" failures="1"><testcase name="a" classname="x" time="1"/></testsuite>
            """;

    @Test
    void aModesRowCarriesItsScenariosMetricsAndHowManyRanAndFailed(@TempDir Path dir) throws IOException {
        Path cluster = dir.resolve("cluster");
        Files.createDirectories(cluster.resolve("remote"));
        Files.writeString(cluster.resolve("remote/metrics.properties"),
                "#figures\nrecovery_s=7.3456\nevents_lost=0.0\nupgrades_without_failure=10.0\n");
        Path report = dir.resolve("TEST-RemoteScoringClusterIT.xml");
        Files.writeString(report, REPORT);

        JsonObject row = ClusterScenarioRow.read("remote", cluster, report, "./setrec bench cluster");

        assertEquals("reliability", row.get("benchmark").getAsString());
        assertEquals("cluster-remote", row.get("variant").getAsString());
        assertEquals("./setrec bench cluster", row.get("command").getAsString());
        JsonObject metrics = row.getAsJsonObject("metrics");
        assertEquals("7.35", metrics.get("recovery_s").getAsString(), "rounded to two places");
        assertEquals("0", metrics.get("events_lost").getAsString(), "counts stay whole numbers");
        assertEquals(10, metrics.get("upgrades_without_failure").getAsInt());
        assertEquals(5, metrics.get("scenarios_run").getAsInt(), "the skipped one did not run");
        assertEquals(1, metrics.get("scenarios_failed").getAsInt());
        assertTrue(row.has("machine") && row.has("date"), row.toString());
    }

    @Test
    void aModeWhoseScenariosWroteNoFiguresHasNoRow(@TempDir Path dir) throws IOException {
        Path report = dir.resolve("TEST-InProcessScoringClusterIT.xml");
        Files.writeString(report, REPORT);

        IOException e = assertThrows(IOException.class,
                () -> ClusterScenarioRow.read("in-process", dir.resolve("cluster"), report, "./setrec bench cluster"));
        assertTrue(e.getMessage().contains("in-process"), e.getMessage());
    }
}
