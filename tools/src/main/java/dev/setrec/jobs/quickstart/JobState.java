package dev.setrec.jobs.quickstart;

import org.apache.flink.api.common.JobStatus;

/**
 * The job's state as the console names it. Mostly Flink's {@link JobStatus}, with one refinement: Flink reports a
 * job as RUNNING as soon as its tasks are being deployed again after a restart, while nothing flows until every
 * task is up (state restored, model loaded), so a running job with tasks still coming up is STARTING on its first
 * attempt and RESTARTING after a failure.
 */
public enum JobState {
    STARTING("starting"),
    RUNNING("running"),
    RESTARTING("restarting"),
    FAILING("failing"),
    FAILED("failed for good"),
    CANCELLING("cancelling"),
    CANCELLED("cancelled"),
    FINISHED("finished"),
    SUSPENDED("suspended");

    private final String label;

    JobState(String label) {
        this.label = label;
    }

    /**
     * @param tasksUp tasks running or finished
     * @param tasks   all the job's tasks (0 before the job is scheduled)
     */
    public static JobState of(JobStatus status, int tasksUp, int tasks, int restarts) {
        return switch (status) {
            case INITIALIZING, CREATED, RECONCILING -> STARTING;
            case RUNNING -> tasksUp >= tasks ? RUNNING : restarts > 0 ? RESTARTING : STARTING;
            case RESTARTING -> RESTARTING;
            case FAILING -> FAILING;
            case FAILED -> FAILED;
            case CANCELLING -> CANCELLING;
            case CANCELED -> CANCELLED;
            case FINISHED -> FINISHED;
            case SUSPENDED -> SUSPENDED;
        };
    }

    /** Whether the job has stopped and will not run again in this cluster. */
    public boolean ended() {
        return this == FAILED || this == CANCELLED || this == FINISHED || this == SUSPENDED;
    }

    public String label() {
        return label;
    }
}
