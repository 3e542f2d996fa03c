package dev.setrec.jobs;

import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The Flink settings the job runs with in this process (quickstart, `./setrec job`, tests): RocksDB keyed state with
 * incremental checkpoints, a bounded restart strategy (Flink's default with checkpoints retries forever), a network
 * buffer flushed after at most {@link #BUFFER_TIMEOUT} (Flink's default, 100 ms, would hold a record that long at each
 * exchange between tasks at the loads this job sees), and whatever the user's options add or override.
 */
public final class LocalFlink {
    /** How long a partly filled network buffer may wait before it is sent on. */
    public static final Duration BUFFER_TIMEOUT = Duration.ofMillis(5);

    private LocalFlink() {
    }

    public static Configuration configuration(Configuration userOptions, Path checkpointDir, int parallelism) {
        Configuration conf = new Configuration();
        conf.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
        conf.set(CheckpointingOptions.INCREMENTAL_CHECKPOINTS, true);
        conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir.toAbsolutePath().toUri().toString());
        conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofSeconds(1));
        conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY, "fixed-delay");
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS, 3);
        conf.set(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_DELAY, Duration.ofSeconds(1));
        conf.set(CoreOptions.DEFAULT_PARALLELISM, parallelism);
        conf.set(ExecutionOptions.BUFFER_TIMEOUT, BUFFER_TIMEOUT);
        conf.addAll(userOptions);
        return conf;
    }

    public static StreamExecutionEnvironment environment(Configuration conf) {
        return StreamExecutionEnvironment.getExecutionEnvironment(conf);
    }
}
