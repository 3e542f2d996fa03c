package dev.setrec.jobs.functions;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/** The production refresher as Flink ships it to the refresh window's task: serialized with the job graph. */
class ModelFolderRefresherTest {
    @Test
    void itTravelsToItsTaskWithItsSettings(@TempDir Path models) throws Exception {
        Configuration options = new Configuration();
        options.set(JobOptions.REFRESH_HELD_BACK, 0.2);
        ModelFolderRefresher refresher = new ModelFolderRefresher(models, options, models.resolve("refresh.log"));
        byte[] shipped = InstantiationUtil.serializeObject(refresher);
        ModelFolderRefresher arrived = InstantiationUtil.deserializeObject(shipped, getClass().getClassLoader());
        assertArrayEquals(shipped, InstantiationUtil.serializeObject(arrived), "the same folder, settings and log");
    }
}
