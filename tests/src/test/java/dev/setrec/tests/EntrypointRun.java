package dev.setrec.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * One run of deploy/jobmanager-entrypoint.sh (bash, as in the flink image) with a stand-in for Flink's own entry point
 * that prints the arguments it is started with, one a line: what the job manager would run.
 *
 * @param status   the script's exit status
 * @param flinkArgs the arguments Flink's entry point got (empty where the script stopped before it)
 * @param output   everything the script and the stand-in printed
 */
record EntrypointRun(int status, List<String> flinkArgs, String output) {
    private static final String FLINK_SAYS = "flink-entrypoint: ";
    private static final String FAKE_FLINK = "#!/usr/bin/env bash\nfor arg in \"$@\"; do echo \"" + FLINK_SAYS
            + "$arg\"; done\n";

    /** A script of deploy/ in this repository. */
    static Path script(String name) {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docker-compose.yml")) && Files.isRegularFile(dir.resolve("mvnw"))) {
                return dir.resolve("deploy").resolve(name);
            }
        }
        throw new AssertionError("no docker-compose.yml next to mvnw above " + Path.of("").toAbsolutePath());
    }

    /**
     * @param work        a scratch directory for the stand-in
     * @param environment the variables the script gets (nothing else is inherited but PATH)
     */
    static EntrypointRun of(Path work, Map<String, String> environment, List<String> command)
            throws IOException, InterruptedException {
        Path fakeFlink = work.resolve("docker-entrypoint.sh");
        Files.writeString(fakeFlink, FAKE_FLINK);
        Files.setPosixFilePermissions(fakeFlink, PosixFilePermissions.fromString("rwx------"));
        List<String> line = new ArrayList<>(List.of("bash", script("jobmanager-entrypoint.sh").toString()));
        line.addAll(command);
        ProcessBuilder builder = new ProcessBuilder(line).redirectErrorStream(true);
        String path = builder.environment().get("PATH");
        builder.environment().clear();
        builder.environment().put("PATH", path);
        builder.environment().putAll(environment);
        builder.environment().put("SETREC_FLINK_ENTRYPOINT", fakeFlink.toString());
        Process process = builder.start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("the entry point did not end within 30 s: " + output);
        }
        List<String> flinkArgs = output.lines().filter(l -> l.startsWith(FLINK_SAYS))
                .map(l -> l.substring(FLINK_SAYS.length())).toList();
        return new EntrypointRun(process.exitValue(), flinkArgs, output);
    }
}
