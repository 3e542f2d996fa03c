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
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/**
 * The refresh job's {@link Refresher} in production: {@link Refresh#run} on the models folder the recommendation job
 * and the model server follow. The text encoder (for items the serving model does not know) is made on the first
 * refresh, on the refresh thread, and kept until the operator closes. What a refresh reports (its figures, the
 * training's epochs) goes to this class's logger (in a task manager: its log, not its stdout), or is appended to a
 * log file where the console is someone else's (the quickstart's board).
 */
public final class ModelFolderRefresher implements Refresher {
    private static final Logger LOG = LoggerFactory.getLogger(ModelFolderRefresher.class);
    private static final long serialVersionUID = 1L;

    private final String modelsFolder;
    private final Refresh.Settings settings;
    private final String device;
    private final int threads;
    /** Null: the logger. */
    private final String logFile;
    private transient TextEncoder encoder;

    public ModelFolderRefresher(Path modelsFolder, ReadableConfig options) {
        this(modelsFolder, options, null);
    }

    /** @param logFile where a refresh's report is appended; null: the logger */
    public ModelFolderRefresher(Path modelsFolder, ReadableConfig options, Path logFile) {
        this.logFile = logFile == null ? null : logFile.toString();
        this.modelsFolder = modelsFolder.toString();
        Refresh.Settings d = Refresh.Settings.DEFAULT;
        try {
            this.settings = new Refresh.Settings(options.get(JobOptions.REFRESH_HELD_BACK), d.maxEpochs(),
                    d.patience(), d.learningRate(), d.seed(), options.get(JobOptions.REFRESH_MIN_EVENTS));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(JobOptions.REFRESH_HELD_BACK.key() + " or "
                    + JobOptions.REFRESH_MIN_EVENTS.key() + ": " + e.getMessage(), e);
        }
        this.device = options.get(JobOptions.DEVICE);
        this.threads = options.get(JobOptions.MODEL_THREADS);
    }

    @Override
    public RefreshResult refresh(List<WindowEvent> window, List<ItemEvent> items) throws Exception {
        if (encoder == null) {
            Engines.pytorch(threads);
            Engines.useDevice(device);
            encoder = new MiniLmEncoder();
        }
        List<Refresh.Event> events = window.stream().map(e -> new Refresh.Event(e.user(), e.item(), e.timeMillis()))
                .toList();
        List<Refresh.NewItem> newItems = items.stream().map(ModelFolderRefresher::newItem).toList();
        Refresh.Outcome outcome;
        try (PrintStream log = report()) {
            outcome = Refresh.run(Path.of(modelsFolder), events, newItems, encoder, settings, Clock.systemUTC(), log);
        }
        return new RefreshResult(outcome.promoted(), outcome.reason(), outcome.version(),
                allRecall(outcome.candidate()), coldRecall(outcome.candidate()), allRecall(outcome.serving()),
                coldRecall(outcome.serving()), outcome.newlyWarm());
    }

    private PrintStream report() throws IOException {
        return logFile == null ? LogLines.to(LOG::info)
                : new PrintStream(new FileOutputStream(logFile, true), true, StandardCharsets.UTF_8);
    }

    /** An item of the items topic as a refresh knows it: its id and its text. */
    static Refresh.NewItem newItem(ItemEvent item) {
        return new Refresh.NewItem(item.getItemId(), ItemText.of(item.getTitle(), item.getCategories(),
                item.getBrand(), item.getDescription()));
    }

    /** What each refresh runs with. */
    Refresh.Settings settings() {
        return settings;
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
