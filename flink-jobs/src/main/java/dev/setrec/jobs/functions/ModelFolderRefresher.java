package dev.setrec.jobs.functions;

import dev.setrec.data.ItemText;
import dev.setrec.jobs.JobOptions;
import dev.setrec.jobs.records.RefreshResult;
import dev.setrec.jobs.records.WindowEvent;
import dev.setrec.models.Promotion;
import dev.setrec.models.Refresh;
import dev.setrec.nn.Engines;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.text.MiniLmEncoder;
import dev.setrec.text.TextEncoder;
import org.apache.flink.configuration.ReadableConfig;

import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The refresh job's {@link Refresher} in production: {@link Refresh#run} on the models folder the recommendation job
 * and the model server follow. The text encoder (for items the serving model does not know) is made on the first
 * refresh, on the refresh thread, and kept until the operator closes. What a refresh says as it goes (its figures,
 * the training's epochs) goes to stdout, or appended to a log file where the console is someone else's (the
 * quickstart's board).
 */
public final class ModelFolderRefresher implements Refresher {
    private static final long serialVersionUID = 1L;

    private final String modelsFolder;
    private final Refresh.Settings settings;
    private final String device;
    private final int threads;
    private final String logFile;
    private transient TextEncoder encoder;

    public ModelFolderRefresher(Path modelsFolder, ReadableConfig options) {
        this(modelsFolder, options, null);
    }

    /** @param logFile where a refresh's progress is appended; null: stdout */
    public ModelFolderRefresher(Path modelsFolder, ReadableConfig options, Path logFile) {
        this.logFile = logFile == null ? null : logFile.toString();
        this.modelsFolder = modelsFolder.toString();
        Refresh.Settings d = Refresh.Settings.DEFAULT;
        this.settings = new Refresh.Settings(options.get(JobOptions.REFRESH_HELD_BACK), d.maxEpochs(), d.patience(),
                d.learningRate(), d.seed(), options.get(JobOptions.REFRESH_MIN_EVENTS));
        this.device = options.get(JobOptions.DEVICE);
        this.threads = options.get(JobOptions.MODEL_THREADS);
    }

    @Override
    public RefreshResult refresh(List<WindowEvent> window, List<ItemEvent> items) throws Exception {
        if (logFile == null) {
            return refresh(window, items, new PrintStream(System.out, true, StandardCharsets.UTF_8));
        }
        try (PrintStream log = new PrintStream(new FileOutputStream(logFile, true), true, StandardCharsets.UTF_8)) {
            return refresh(window, items, log);
        }
    }

    private RefreshResult refresh(List<WindowEvent> window, List<ItemEvent> items, PrintStream log)
            throws Exception {
        if (encoder == null) {
            Engines.pytorch(threads);
            Engines.useDevice(device);
            encoder = new MiniLmEncoder();
        }
        List<Refresh.Event> events = window.stream().map(e -> new Refresh.Event(e.user(), e.item(), e.timeMillis()))
                .toList();
        List<Refresh.NewItem> newItems = items.stream().map(item -> new Refresh.NewItem(item.getItemId(),
                ItemText.of(item.getTitle(), item.getCategories(), item.getBrand(), item.getDescription()))).toList();
        Refresh.Outcome outcome = Refresh.run(Path.of(modelsFolder), events, newItems, encoder, settings,
                Clock.systemUTC(), log);
        return new RefreshResult(outcome.promoted(), outcome.reason(), outcome.version(),
                allRecall(outcome.candidate()), coldRecall(outcome.candidate()), allRecall(outcome.serving()),
                coldRecall(outcome.serving()), outcome.newlyWarm());
    }

    private static double allRecall(Promotion.Figures figures) {
        return figures == null ? Double.NaN : figures.allRecallAt10();
    }

    private static double coldRecall(Promotion.Figures figures) {
        return figures == null || figures.coldUsers() == 0 ? Double.NaN : figures.coldRecallAt10();
    }

    @Override
    public void close() {
        if (encoder != null) {
            encoder.close();
            encoder = null;
        }
    }
}
