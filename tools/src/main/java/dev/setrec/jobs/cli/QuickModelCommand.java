package dev.setrec.jobs.cli;

import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.data.GeneratedShop;
import dev.setrec.models.Training;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Trains the quick SETRec on train, then refits it on train + valid with the choices made on valid, keeping both
 * under the home's models/ and saying on stdout when each is saved ({@link #SAVED}): what the quickstart runs in a
 * process of its own while its job already serves, serving each model as it comes (not for users: hidden). A
 * process of its own because PyTorch keeps state per thread and per process (autograd recording, its thread pools)
 * that a training beside a running job must not share, and because a process can be stopped at any point without
 * cutting a native step short in the job's JVM.
 */
@Command(name = "quick-model", hidden = true, description = "trains the quickstart's quick SETRec (the quickstart "
        + "runs it in a process of its own)")
final class QuickModelCommand implements Callable<Integer> {
    static final String NAME = "quick-model";
    /** Starts the stdout line that gives a saved model's dir. */
    static final String SAVED = "quick model saved: ";

    @Option(names = "--home", required = true, description = "where models/ is")
    Path home;

    @Option(names = "--data", description = "the data set's dir; without it, the generated shop")
    Path data;

    @Option(names = "--budget", split = ",", paramLabel = "N",
            description = "SASRec's epochs and minutes, SETRec's epochs and minutes (0 minutes: no limit); the data's "
                    + "default without it")
    List<Double> budget;

    /** The arguments that train the quick model of {@code data} (null: the generated shop) within {@code budget}. */
    static List<String> arguments(Path home, Path data, QuickModel.Budget budget) {
        List<String> args = new ArrayList<>(List.of(NAME, "--home", home.toString(), "--budget",
                budget.sasrecEpochs() + "," + budget.sasrecMinutes() + "," + budget.setrecEpochs() + ","
                        + budget.setrecMinutes()));
        if (data != null) {
            args.addAll(List.of("--data", data.toString()));
        }
        return args;
    }

    @Override
    public Integer call() throws Exception {
        Dataset dataset = data != null ? DatasetReader.read(data) : GeneratedShop.generate();
        if (budget != null && budget.size() != 4) {
            throw new IllegalArgumentException("--budget takes four numbers: SASRec's epochs and minutes, SETRec's "
                    + "epochs and minutes, not " + budget);
        }
        QuickModel.Budget chosen = budget == null ? QuickModel.Budget.defaultFor(data == null)
                : new QuickModel.Budget(budget.get(0).intValue(), budget.get(1), budget.get(2).intValue(),
                        budget.get(3));
        Training.Options options = QuickModel.options(data == null, chosen);
        System.out.println(SAVED + QuickModel.train(home, dataset, options, System.out));
        System.out.println(SAVED + QuickModel.refit(home, dataset, options, System.out));
        return 0;
    }
}
