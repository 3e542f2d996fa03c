package dev.setrec.jobs.embedded;

import dev.setrec.jobs.quickstart.JobHealth;
import dev.setrec.jobs.quickstart.JobState;
import dev.setrec.jobs.quickstart.RootCause;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.client.deployment.executors.PipelineExecutorUtils;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.configuration.RestOptions;
import org.apache.flink.configuration.SecurityOptions;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.configuration.WebOptions;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.runtime.executiongraph.ErrorInfo;
import org.apache.flink.runtime.jobmaster.JobResult;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.runtime.minicluster.RpcServiceSharing;
import org.apache.flink.runtime.scheduler.ExecutionGraphInfo;
import org.apache.flink.runtime.scheduler.exceptionhistory.RootExceptionHistoryEntry;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One job on a Flink MiniCluster in this process, as {@code env.executeAsync} would run it, except that the cluster
 * outlives the job: Flink's local executor shuts its cluster down when the job ends, and with it the only record of
 * the job's state, restarts and failures. Here they stay readable ({@link #health()}) until {@link #close()}, which
 * cancels the job where it still runs and shuts the cluster down.
 */
public final class LocalCluster implements AutoCloseable {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    /** A question in this process, answered in milliseconds; longer only while the cluster goes down. */
    private static final Duration HEALTH_TIMEOUT = Duration.ofSeconds(5);
    /** Failures kept per job (Flink's default, 16, would cap the failures counted). */
    private static final int EXCEPTION_HISTORY = 1_000;

    private final JobWatchingMiniCluster cluster;
    private final JobID jobId;
    private final CompletableFuture<JobResult> result;
    private final ClassLoader classLoader;
    private volatile JobHealth lastHealth = JobHealth.starting();
    private volatile boolean shuttingDown;
    private boolean closed;

    private LocalCluster(JobWatchingMiniCluster cluster, JobID jobId, ClassLoader classLoader) {
        this.cluster = cluster;
        this.jobId = jobId;
        this.result = cluster.requestJobResult(jobId);
        this.classLoader = classLoader;
    }

    /**
     * Starts a cluster with as many slots as the job's highest parallelism and submits the job built on {@code env}.
     * {@code conf} is the cluster's and the job's configuration (as for a local environment): restart strategy,
     * state backend, a savepoint to restore from, ...
     */
    public static LocalCluster run(StreamExecutionEnvironment env, Configuration conf, String jobName)
            throws Exception {
        StreamGraph graph = env.getStreamGraph();
        graph.setJobName(jobName);
        // what the local executor does to the graph: the savepoint to restore from, a fixed job id, ...
        StreamGraph plan = PipelineExecutorUtils.getStreamGraph(graph, conf);
        plan.serializeUserDefinedInstances();

        Configuration clusterConf = new Configuration(conf);
        if (!clusterConf.contains(RestOptions.BIND_PORT)) {
            clusterConf.set(RestOptions.BIND_PORT, "0"); // other clusters on this machine may hold 8081
        }
        if (!clusterConf.contains(WebOptions.MAX_EXCEPTION_HISTORY_SIZE)) {
            clusterConf.set(WebOptions.MAX_EXCEPTION_HISTORY_SIZE, EXCEPTION_HISTORY); // failures are counted there
        }
        if (!clusterConf.contains(SecurityOptions.DELEGATION_TOKENS_ENABLED)) {
            // no Kerberos or Hadoop to get tokens from in one process: else it warns, at each start, that it got none
            clusterConf.set(SecurityOptions.DELEGATION_TOKENS_ENABLED, false);
        }
        JobWatchingMiniCluster cluster = new JobWatchingMiniCluster(new MiniClusterConfiguration.Builder()
                .setConfiguration(clusterConf)
                .setNumTaskManagers(clusterConf.get(TaskManagerOptions.MINI_CLUSTER_NUM_TASK_MANAGERS))
                .setNumSlotsPerTaskManager(clusterConf.getOptional(TaskManagerOptions.NUM_TASK_SLOTS)
                        .orElse(Math.max(1, plan.getMaximumParallelism())))
                .setRpcServiceSharing(RpcServiceSharing.SHARED)
                .build(), HEALTH_TIMEOUT);
        try {
            cluster.start();
            JobID jobId = cluster.submitJob(plan).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS).getJobID();
            return new LocalCluster(cluster, jobId, LocalCluster.class.getClassLoader());
        } catch (Exception e) {
            cluster.close();
            throw e;
        }
    }

    public JobID jobId() {
        return jobId;
    }

    /** Flink's REST API of this cluster (e.g. {@code /jobs/<id>/exceptions}). */
    public URI restAddress() throws Exception {
        return cluster.getRestAddress().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    /**
     * The job's health now. Restarts are the highest execution attempt number of any task: every restart deploys the
     * tasks it restarts anew (this job's tasks are all connected, so all of them). Failures are the entries of the
     * job's exception history (up to {@value #EXCEPTION_HISTORY}): every failure Flink handled, which its restart
     * strategy counts, even where one restart answered several. Where the cluster does not answer (closing, closed),
     * the last health read.
     */
    public JobHealth health() {
        if (shuttingDown) {
            return lastHealth; // its dispatcher may no longer answer, and the job has ended
        }
        try {
            lastHealth = healthOf(cluster.executionGraphInfo(jobId)
                    .get(HEALTH_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException | TimeoutException | IllegalStateException e) {
            // the cluster is shutting down or shut down (IllegalStateException): what was read last stands
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return lastHealth;
    }

    /**
     * A canonical savepoint of the running job in {@code dir} (self-contained: the job's whole state); its path. Tried
     * again while the job's tasks are still starting (a savepoint needs all of them running), up to {@code timeout}.
     */
    public String savepoint(Path dir, Duration timeout) throws Exception {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            try {
                return cluster.triggerSavepoint(jobId, dir.toUri().toString(), false, SavepointFormatType.CANONICAL)
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException notAllTasksRunning) {
                if (System.nanoTime() > deadline) {
                    throw notAllTasksRunning;
                }
                TimeUnit.MILLISECONDS.sleep(500);
            }
        }
    }

    /** Waits up to {@code timeout} for the job to end; whether it has. */
    public boolean awaitEnd(Duration timeout) throws InterruptedException {
        try {
            result.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException e) {
            return result.isDone();
        }
        return true;
    }

    private JobHealth healthOf(ExecutionGraphInfo info) {
        AccessExecutionGraph graph = info.getArchivedExecutionGraph();
        int tasks = 0;
        int tasksUp = 0;
        int tasksStopped = 0;
        int attempts = 0;
        for (AccessExecutionVertex task : graph.getAllExecutionVertices()) {
            tasks++;
            ExecutionState state = task.getExecutionState();
            tasksUp += state == ExecutionState.RUNNING || state == ExecutionState.FINISHED ? 1 : 0;
            tasksStopped += state == ExecutionState.CANCELING || state == ExecutionState.CANCELED
                    || state == ExecutionState.FAILED ? 1 : 0;
            attempts = Math.max(attempts, task.getCurrentExecutionAttempt().getAttemptNumber());
        }
        // while Flink waits out the restart delay, the failed attempts are still the tasks' current ones: the restart
        // under way counts already
        boolean restartPending = graph.getState() == JobStatus.RESTARTING && tasksStopped == tasks;
        int restarts = attempts + (restartPending ? 1 : 0);
        int failures = 0;
        for (RootExceptionHistoryEntry ignored : info.getExceptionHistory()) {
            failures++;
        }
        ErrorInfo failure = graph.getFailureInfo();
        Optional<JobHealth.Failure> lastFailure = Optional.ofNullable(failure).map(f ->
                new JobHealth.Failure(RootCause.of(f.getException(), classLoader), f.getTimestamp()));
        return new JobHealth(JobState.of(graph.getState(), tasksUp, tasks, restarts), restarts, failures, tasksUp,
                tasks, lastFailure);
    }

    /**
     * Cancels the job where it still runs, waits until it has ended, and shuts the cluster down. Closing again (say
     * from a Ctrl-C hook and the main thread at once) waits for the first close and does nothing more.
     */
    @Override
    public synchronized void close() throws Exception {
        if (closed) {
            return;
        }
        closed = true;
        try {
            if (!result.isDone()) {
                try {
                    cluster.cancelJob(jobId).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!result.isDone()) { // else it ended on its own meanwhile: nothing left to cancel
                        throw e;
                    }
                }
                result.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
            health(); // the final state, for whoever asks after the cluster is gone
        } finally {
            shuttingDown = true;
            cluster.close();
        }
    }

    /** A MiniCluster that lets its owner ask the dispatcher about a job: its execution graph and exception history. */
    private static final class JobWatchingMiniCluster extends MiniCluster {
        private final Duration timeout;

        JobWatchingMiniCluster(MiniClusterConfiguration configuration, Duration timeout) {
            super(configuration);
            this.timeout = timeout;
        }

        CompletableFuture<ExecutionGraphInfo> executionGraphInfo(JobID jobId) {
            return getDispatcherGatewayFuture()
                    .thenCompose(dispatcher -> dispatcher.requestExecutionGraphInfo(jobId, timeout));
        }
    }
}
