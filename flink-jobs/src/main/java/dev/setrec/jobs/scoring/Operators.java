package dev.setrec.jobs.scoring;

import dev.setrec.jobs.JobOptions;
import org.apache.flink.configuration.Configuration;

import java.nio.file.Path;

/** Picks the SETRec operator the options ask for: in-process DJL (the embedded default) or the remote model server. */
public final class Operators {
    /** Values of {@link JobOptions#SCORING_MODE}. */
    public static final String IN_PROCESS = "in-process";
    public static final String REMOTE = "remote";

    private Operators() {
    }

    /**
     * @param modelDir the model dir or models folder every task manager loads (in-process mode; unused, and may be
     *                 null, in remote mode)
     */
    public static SetRecOperator.Factory factory(Configuration options, Path modelDir) {
        String mode = options.get(JobOptions.SCORING_MODE);
        return switch (mode) {
            case IN_PROCESS -> {
                if (modelDir == null) {
                    throw new IllegalArgumentException("in-process scoring needs a model dir");
                }
                yield InProcessSetRec.factory(modelDir, options.get(JobOptions.DEVICE),
                        options.get(JobOptions.MODEL_THREADS), options.get(JobOptions.MODEL_REFRESH_INTERVAL));
            }
            case REMOTE -> RemoteSetRec.factory(options);
            default -> throw new IllegalArgumentException(JobOptions.SCORING_MODE.key() + " must be " + IN_PROCESS
                    + " or " + REMOTE + ", not " + mode);
        };
    }
}
