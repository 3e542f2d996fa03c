package dev.setrec.jobs.scoring;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.util.InstantiationUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The model server's URL and token: what the job's options say, resolved with the task manager's environment. */
class ModelServerEndpointTest {
    private static final Map<String, String> TASK_MANAGER = Map.of(ModelServerEndpoint.URL_ENV, "http://tm-side:9000/",
            JobOptions.MODEL_SERVER_TOKEN_ENV, "tm-token");

    @TempDir
    Path dir;

    /** The settings as the submitting side builds them, shipped to the task manager as Flink ships a job graph. */
    private static ModelServerEndpoint.Settings shipped(Configuration options) throws Exception {
        return InstantiationUtil.clone(ModelServerEndpoint.Settings.of(options));
    }

    private static ModelServerEndpoint.Settings withTokenFile(Path file) throws Exception {
        Configuration options = new Configuration();
        options.set(JobOptions.MODEL_SERVER_TOKEN_FILE, file.toString());
        return shipped(options);
    }

    @Test
    void withoutOptionsTheTaskManagersEnvironmentNamesServerAndToken() throws Exception {
        ModelServerEndpoint endpoint = shipped(new Configuration()).resolve(TASK_MANAGER);

        assertEquals(new ModelServerEndpoint("http://tm-side:9000", "tm-token"), endpoint);
    }

    @Test
    void withoutOptionsOrEnvironmentTheDefaultUrlAndNoToken() throws Exception {
        ModelServerEndpoint endpoint = shipped(new Configuration()).resolve(Map.of());

        assertEquals(JobOptions.MODEL_SERVER_URL.defaultValue(), endpoint.url());
        assertNull(endpoint.token());
    }

    @Test
    void theJobsOptionsWinOverTheEnvironment() throws Exception {
        Configuration options = new Configuration();
        options.set(JobOptions.MODEL_SERVER_URL, "https://job-side:8443");
        options.set(JobOptions.MODEL_SERVER_TOKEN, "job-token");

        assertEquals(new ModelServerEndpoint("https://job-side:8443", "job-token"),
                shipped(options).resolve(TASK_MANAGER));
    }

    @Test
    void aTokenFileIsReadWhenResolvedAndWinsOverTheEnvironment() throws Exception {
        Path file = dir.resolve("token");
        ModelServerEndpoint.Settings settings = withTokenFile(file);
        Files.writeString(file, "  file-token \nsecond line\n"); // written after the submission: read on the cluster

        assertEquals("file-token", settings.resolve(TASK_MANAGER).token());
    }

    @Test
    void aMissingOrEmptyTokenFileFailsInsteadOfFallingBack() throws Exception {
        Path file = dir.resolve("token");
        ModelServerEndpoint.Settings settings = withTokenFile(file);

        assertThrows(IOException.class, () -> settings.resolve(TASK_MANAGER), "no file");
        Files.writeString(file, "\n");
        IOException empty = assertThrows(IOException.class, () -> settings.resolve(TASK_MANAGER));
        assertTrue(empty.getMessage().contains(JobOptions.MODEL_SERVER_TOKEN_FILE.key()), empty.getMessage());
    }

    @Test
    void aUrlThatIsNotHttpIsRefusedNamingWhereItCameFrom() {
        Configuration options = new Configuration();
        options.set(JobOptions.MODEL_SERVER_URL, "model-server:8080");
        IllegalArgumentException fromOptions = assertThrows(IllegalArgumentException.class,
                () -> ModelServerEndpoint.Settings.of(options), "refused when the job is built");
        assertTrue(fromOptions.getMessage().contains(JobOptions.MODEL_SERVER_URL.key()), fromOptions.getMessage());

        IllegalArgumentException fromEnvironment = assertThrows(IllegalArgumentException.class,
                () -> shipped(new Configuration()).resolve(Map.of(ModelServerEndpoint.URL_ENV, "ftp://x")));
        assertTrue(fromEnvironment.getMessage().contains(ModelServerEndpoint.URL_ENV), fromEnvironment.getMessage());
    }

    @Test
    void neitherSettingsNorEndpointShowTheToken() throws Exception {
        Configuration options = new Configuration();
        options.set(JobOptions.MODEL_SERVER_TOKEN, "s3cret");

        assertFalse(shipped(options).toString().contains("s3cret"));
        assertFalse(shipped(options).resolve(Map.of()).toString().contains("s3cret"));
    }
}
