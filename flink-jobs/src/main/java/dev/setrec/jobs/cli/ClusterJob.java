package dev.setrec.jobs.cli;

import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.pipeline.KafkaIo;
import dev.setrec.jobs.pipeline.RecommendationJob;
import dev.setrec.jobs.scoring.ModelServerEndpoint;
import dev.setrec.jobs.scoring.Operators;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The job's entry point on a Flink cluster (docker-compose.yml runs it in application mode:
 * {@code standalone-job --job-classname dev.setrec.jobs.cli.ClusterJob --properties FILE}). Unlike {@code ./setrec
 * job} it starts no cluster of its own: the cluster's configuration (state backend, checkpoint storage, restart
 * strategy) applies, and Flink keys in the options (parallelism.default, execution.checkpointing.interval, ...) are
 * applied to this job on top. Topics are not created here (the deployment does that before the job starts).
 *
 * <p>Arguments: {@code --properties FILE} (job options as key=value lines), {@code --set KEY=VALUE} (repeatable; wins
 * over the file). Nothing is taken from the environment of the process that runs {@code main} (in a session cluster:
 * the submitting machine's): the model server's URL and token are resolved on each task manager when scoring starts
 * ({@link ModelServerEndpoint}: a token file or {@code SETREC_SERVER_TOKEN} there), so the token never sits in the
 * job's options or program arguments (which Flink shows in its web UI). In-process scoring takes its model from
 * {@code setrec.model.dir}.
 */
public final class ClusterJob {
    private ClusterJob() {
    }

    /** Flink calls this in the job manager; it must not exit the JVM, so errors are thrown. */
    public static void main(String[] args) throws Exception {
        Configuration options = options(args);
        Path model = options.getOptional(JobOptions.MODEL_DIR).map(Path::of).orElse(null);

        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
        // Flink's own keys of the options file; the token is left out (job configurations show in the web UI)
        Configuration flinkOptions = new Configuration(options);
        flinkOptions.removeConfig(JobOptions.MODEL_SERVER_TOKEN);
        env.configure(flinkOptions, ClusterJob.class.getClassLoader());

        KafkaIo kafka = new KafkaIo(options);
        RecommendationJob.build(env, options, Operators.factory(options, model), kafka, kafka);
        env.execute("setrec-recommendations");
    }

    /** The job options of {@code args}. */
    public static Configuration options(String[] args) throws IOException {
        Path properties = null;
        Map<String, String> overrides = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i++) {
            String flag = args[i];
            if (!flag.equals("--properties") && !flag.equals("--set")) {
                throw new IllegalArgumentException("unknown argument " + flag
                        + "; usage: ClusterJob [--properties FILE]"
                        + " [--set KEY=VALUE]...");
            }
            if (i + 1 == args.length) {
                throw new IllegalArgumentException(flag + " needs a value");
            }
            String value = args[++i];
            if (flag.equals("--properties")) {
                properties = Path.of(value);
            } else {
                int eq = value.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("--set wants KEY=VALUE, not " + value);
                }
                overrides.put(value.substring(0, eq).strip(), value.substring(eq + 1).strip());
            }
        }
        return JobOptions.load(properties, overrides);
    }
}
