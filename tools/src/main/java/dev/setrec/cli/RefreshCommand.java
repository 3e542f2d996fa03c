package dev.setrec.cli;

import dev.setrec.data.DataDirPreparer;
import dev.setrec.data.DataDirPreparer.Options;
import dev.setrec.data.ItemText;
import dev.setrec.models.Refresh;
import dev.setrec.text.MiniLmEncoder;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;

@Command(name = "refresh", mixinStandardHelpOptions = true,
        description = "Fine-tune the SETRec model a models folder serves on a window of recent events, warm-started"
                + " from its weights (new items of --items get CF inputs learned from their interactions); choices and"
                + " the decision are made on the window's newest events (--held-back), and the model refitted on the"
                + " whole window becomes the folder's newest version only if it beats the serving version there"
                + " (docs/operations.md); exit status 0 when promoted, " + PromoteCommand.REFUSED + " when refused, "
                + Main.BAD_INPUT + " on bad input.")
final class RefreshCommand implements Callable<Integer> {
    @Option(names = "--models", required = true, paramLabel = "FOLDER",
            description = "the models folder the job and the server serve (one subfolder per version)")
    Path models;
    @Option(names = "--events", required = true, paramLabel = "FILE",
            description = "the window: an event log as ./setrec prepare reads it (CSV or TSV, a header row naming"
                    + " user, item and timestamp)")
    Path events;
    @Option(names = "--items", paramLabel = "FILE", description = "texts of items the serving model may not know: a"
            + " catalogue as ./setrec prepare reads it (a header row naming item and any of title, categories, brand,"
            + " description)")
    Path items;
    @Option(names = "--held-back", paramLabel = "F", description = "newest share of the window's events held back for"
            + " the choices and the decision (default ${DEFAULT-VALUE})")
    double heldBack = Refresh.Settings.DEFAULT.heldBackShare();
    @Option(names = "--max-epochs", paramLabel = "N", description = "epochs of fine-tuning at most, early-stopped on"
            + " the held-back events (default ${DEFAULT-VALUE})")
    int maxEpochs = Refresh.Settings.DEFAULT.maxEpochs();
    @Option(names = "--lr", paramLabel = "RATE", description = "learning rate of the fine-tuning (default"
            + " ${DEFAULT-VALUE})")
    float learningRate = Refresh.Settings.DEFAULT.learningRate();
    @Option(names = "--min-events", paramLabel = "N", description = "fewer usable events in the window: no refresh"
            + " (default ${DEFAULT-VALUE})")
    int minEvents = Refresh.Settings.DEFAULT.minEvents();

    @Mixin
    EngineOptions engine;
    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        Refresh.Settings defaults = Refresh.Settings.DEFAULT;
        Refresh.Settings settings = new Refresh.Settings(heldBack, maxEpochs, defaults.patience(), learningRate,
                defaults.seed(), minEvents);
        DataDirPreparer.Contents read = DataDirPreparer.read(new Options(events, items, null, null, null,
                Options.DEFAULT_WINDOWS, Options.DEFAULT_MIN_TRAIN, 0, ItemText.CATEGORY_SEPARATOR));
        List<Refresh.Event> window = IntStream.range(0, read.events())
                .mapToObj(e -> new Refresh.Event(read.user(e), read.item(e), read.millis(e))).toList();
        List<Refresh.NewItem> newItems = read.itemTexts().stream()
                .map(text -> new Refresh.NewItem(text.asin(), text)).toList();
        engine.start();
        Refresh.Outcome outcome;
        try (MiniLmEncoder encoder = new MiniLmEncoder()) {
            outcome = Refresh.run(models, window, newItems, encoder, settings, Clock.systemUTC(), System.err);
        }
        return PromoteCommand.report(spec.commandLine().getOut(), outcome.candidate(), outcome.serving(),
                outcome.promoted() ? null : outcome.reason(),
                outcome.version() + " (" + outcome.reason() + "; " + outcome.newlyWarm() + " items newly warm)");
    }
}
