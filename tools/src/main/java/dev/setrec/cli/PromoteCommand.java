package dev.setrec.cli;

import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.data.Split;
import dev.setrec.models.Promotion;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.util.concurrent.Callable;

@Command(name = "promote", mixinStandardHelpOptions = true,
        description = "Add a candidate model to a models folder as its newest version, only if it beats the serving "
                + "version on the held-back split (All Recall@10 higher, Cold Recall@10 not lower); exit status 0 "
                + "when promoted, " + PromoteCommand.REFUSED + " when refused, " + Main.BAD_INPUT + " on bad input.")
final class PromoteCommand implements Callable<Integer> {
    /** Exit status of a refused candidate (worse or broken): the folder is left as it was. */
    static final int REFUSED = 3;

    @Option(names = "--candidate", required = true, paramLabel = "DIR", description = "the model dir to promote")
    Path candidate;
    @Option(names = "--models", required = true, paramLabel = "FOLDER",
            description = "the models folder the job and the server serve (one subfolder per version)")
    Path models;
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "data dir holding the slice")
    Path data;
    @Option(names = "--split", defaultValue = "valid", description = "held-back slice: valid or test "
            + "(default ${DEFAULT-VALUE})")
    String split;

    @Mixin
    EngineOptions engine;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Split slice = Split.parse(split);
        Dataset dataset = DatasetReader.read(data);
        engine.start();
        Promotion.Decision decision = Promotion.decide(candidate, models, dataset, slice, Clock.systemUTC());
        return report(spec.commandLine().getOut(), decision.candidate(), decision.serving(),
                decision.promoted() ? null : decision.reason(),
                decision.promotedName() + " (" + decision.reason() + ")");
    }

    /**
     * Prints the figures of each model evaluated (either may be null), then {@code REFUSED: <refusal>} and returns
     * {@link #REFUSED}, or, where {@code refusal} is null, {@code PROMOTED as <promotion>} and returns 0.
     */
    static int report(PrintWriter out, Promotion.Figures candidate, Promotion.Figures serving, String refusal,
                      String promotion) {
        if (candidate != null) {
            out.println("candidate: " + candidate.describe());
        }
        if (serving != null) {
            out.println("serving:   " + serving.describe());
        }
        if (refusal != null) {
            out.println("REFUSED: " + refusal);
            return REFUSED;
        }
        out.println("PROMOTED as " + promotion);
        return 0;
    }
}
