package dev.setrec.jobs.bench.faults;

import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * A Flink MiniCluster that the caller controls: how many task managers with how many slots, jobs submitted to it
 * (also from a savepoint), and task managers lost and added while a job runs. All of it runs in this JVM; a lost
 * task manager is a real one shut down (its tasks fail, its slots are gone), not an exception thrown in user code.
 */
public final class ControlledCluster implements AutoCloseable {
    /** The longest a cluster operation (submit, cancel, savepoint, task-manager shutdown) may take. */
    static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final MiniCluster cluster;
    private final Broker broker = Broker.shared();

    private ControlledCluster(MiniCluster cluster) {
        this.cluster = cluster;
    }

    public static ControlledCluster start(int taskManagers, int slotsPerTaskManager) throws Exception {
        MiniCluster cluster = new MiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(new Configuration())
                .setNumTaskManagers(taskManagers)
                .setNumSlotsPerTaskManager(slotsPerTaskManager)
                .withRandomPorts() // other builds on this machine run clusters too
                .build());
        cluster.start();
        return new ControlledCluster(cluster);
    }

    /** Starts {@code job} from scratch. */
    public RunningJob submit(PipelineJob job) throws Exception {
        return submit(job, null);
    }

    /** Starts {@code job} with the state of {@code savepoint} (every operator's state must find its operator). */
    public RunningJob submit(PipelineJob job, String savepoint) throws Exception {
        JobID id = cluster.submitJob(job.jobGraph(broker, savepoint))
                .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).getJobID();
        return new RunningJob(cluster, id, job, broker);
    }

    /** Shuts task manager {@code index} down (in start order) and waits until it is gone. */
    public void loseTaskManager(int index) throws Exception {
        cluster.terminateTaskManager(index).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /** Adds a task manager with as many slots as the others. */
    public void addTaskManager() throws Exception {
        cluster.startTaskManager();
    }

    @Override
    public void close() throws Exception {
        cluster.close();
    }
}
