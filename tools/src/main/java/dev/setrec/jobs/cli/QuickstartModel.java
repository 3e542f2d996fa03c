package dev.setrec.jobs.cli;

import dev.setrec.data.Dataset;
import dev.setrec.jobs.quickstart.LiveFigures;
import dev.setrec.jobs.quickstart.TrainingProgress;
import dev.setrec.jobs.scoring.ModelFolderSetRec;
import dev.setrec.model.ModelIO;
import dev.setrec.model.ModelManifest;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.models.ModelDirs;
import dev.setrec.models.Training;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The model the quickstart's job serves. A model given with --model, or the quick model an earlier run trained,
 * serves from the start (as a serving copy without the held-back items). Without either, the job starts at once on
 * an empty models folder, where the popularity fallback answers, while the quick SETRec trains in a background
 * thread at low priority (kept under models/ for the next runs, as {@link QuickModel#findOrTrain} keeps it); its
 * serving copy is then added to the folder and the job swaps it in live. Closing stops the training and waits for
 * it, so that the JVM never exits in the middle of a native training step.
 */
final class QuickstartModel implements AutoCloseable {
    /** Longest wait for the training thread to stop: it stops between steps, but text encoding comes first. */
    private static final Duration STOP_WAIT = Duration.ofMinutes(1);
    private static final String VERSION_NAME = "quick-setrec";
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");

    private final Path jobModel;
    private final Map<String, String> modelNames = new ConcurrentHashMap<>();
    private Thread training;
    private volatile TrainingProgress progress;
    private volatile boolean added;
    private volatile boolean stopping;

    private QuickstartModel(Path jobModel) {
        this.jobModel = jobModel;
        modelNames.put(LiveFigures.FALLBACK, LiveFigures.FALLBACK);
    }

    /**
     * @param given the --model dir, or null
     * @param work the run's work dir: the serving copy or the models folder goes there
     */
    static QuickstartModel start(Path given, Path home, Dataset dataset, Training.Options options,
                                 Set<String> heldBack, Path work) throws IOException {
        Path ready = given != null ? given : QuickModel.existing(home, dataset).orElse(null);
        if (ready != null) {
            JobCommand.requireSetRecModel(ready);
            QuickstartModel model = new QuickstartModel(servingCopyWithout(ready, heldBack, work.resolve("model")));
            String version = model.name(model.jobModel, ready);
            System.out.println("SETRec " + version + " serving since " + now() + " (" + ready + ")");
            return model;
        }
        Path folder = Files.createDirectories(work.resolve("models"));
        Path log = home.resolve("models").resolve(dataset.name() + "-setrec-quick-training.log");
        Files.createDirectories(log.getParent());
        QuickstartModel model = new QuickstartModel(folder);
        System.out.println("popularity fallback serving since " + now() + ": no quick SETRec yet; it trains in the "
                + "background (a few minutes; its log: " + log + ") and takes over live when ready");
        model.training = new Thread(() -> model.trainAndAdd(home, dataset, options, heldBack, log),
                "quick-setrec-training");
        model.training.setPriority(Thread.MIN_PRIORITY); // scoring and the replay come first
        model.training.setDaemon(true);
        model.training.start();
        return model;
    }

    /** What the job loads: a model dir, or the models folder the quick model joins when trained. */
    Path jobModel() {
        return jobModel;
    }

    /** Whether the quick model trains in the background, the fallback serving until it is added. */
    boolean trainsInTheBackground() {
        return training != null;
    }

    /** Whether the quick model is on its way: training, or added to the models folder. */
    boolean underWay() {
        return added || training != null && training.isAlive();
    }

    /** How far the training is, while it runs. */
    Optional<String> progress() {
        TrainingProgress now = progress;
        return now != null && training.isAlive() ? Optional.of(now.describe()) : Optional.empty();
    }

    /** The served models' names by the version their recommendations carry, the fallback's included. */
    Map<String, String> modelNames() {
        return Map.copyOf(modelNames);
    }

    private void trainAndAdd(Path home, Dataset dataset, Training.Options options, Set<String> heldBack, Path log) {
        try (TrainingProgress watched = new TrainingProgress(Files.newOutputStream(log));
             PrintStream logStream = new PrintStream(watched, true, StandardCharsets.UTF_8)) {
            progress = watched;
            Path trained = QuickModel.train(home, dataset, options, logStream);
            Path version = ModelFolderSetRec.addVersion(jobModel, VERSION_NAME,
                    dir -> servingCopyWithout(trained, heldBack, dir));
            name(version, trained);
            added = true;
        } catch (IOException | RuntimeException e) {
            if (stopping) {
                return; // stopped by close(), which may surface as any error of the step it cut short
            }
            System.out.println("the quick SETRec could not be trained (" + e + "; see " + log + "): the popularity "
                    + "fallback goes on serving");
        }
    }

    /** Names the serving copy's version after the model dir it was made from; returns the version. */
    private String name(Path servingCopy, Path modelDir) throws IOException {
        String version = ModelIO.readManifest(servingCopy).version();
        modelNames.put(version, String.valueOf(modelDir.toAbsolutePath().normalize().getFileName()));
        return version;
    }

    private static String now() {
        return LocalTime.now().format(CLOCK);
    }

    /** A copy of the model that does not know the held-back cold items: they arrive as item events instead. */
    private static Path servingCopyWithout(Path modelDir, Set<String> heldBack, Path out) throws IOException {
        ModelManifest manifest = ModelIO.readManifest(modelDir);
        try (SetRec full = (SetRec) ModelDirs.load(modelDir);
             SetRec serving = full.withCatalogue(full.items().without(heldBack))) {
            var trainingRecord = manifest.training().deepCopy();
            trainingRecord.addProperty("quickstart_held_back_items", heldBack.size());
            ModelIO.save(serving, out, trainingRecord);
        }
        return out;
    }

    /** Stops a training in progress (between two steps) and waits for its thread. */
    @Override
    public void close() throws InterruptedException {
        Thread thread = training;
        if (thread != null) {
            stopping = true;
            thread.interrupt();
            thread.join(STOP_WAIT.toMillis());
        }
    }
}
