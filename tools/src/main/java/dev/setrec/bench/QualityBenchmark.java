package dev.setrec.bench;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.EvalReport;
import dev.setrec.eval.Evaluator;
import dev.setrec.model.Recommender;
import dev.setrec.models.Training;
import dev.setrec.model.ModelIO;
import dev.setrec.util.Machine;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.OptionalLong;

/**
 * Quality rows of BENCHMARKS.md: a model fitted on train (every choice on valid) and scored on test, then, as its
 * own row, the same configuration refitted on train + valid for the epoch count that valid chose. Run with several
 * seeds, a seeded model's rows hold the mean and spread over them ({@link SeedSpread}).
 */
public final class QualityBenchmark {
    private final String command;
    private final PrintStream log;
    /** Where each train-only model is kept (a sub-dir per data set, model and variant); null keeps none. */
    private final Path modelsOut;

    public QualityBenchmark(String command, PrintStream log, Path modelsOut) {
        this.command = command;
        this.log = log;
        this.modelsOut = modelsOut;
    }

    /** Runs one model on one data set and stores its rows (labelled {@code variant}) in {@code results}. */
    public void run(Dataset data, String modelType, String variant, Training.Options options, boolean refit,
                    BenchmarkResults results) throws IOException {
        log.println("== " + modelType + " (" + variant + ") on " + data.name() + " (fit on train)");
        Training.Trained trained = Training.fit(modelType, data, Training.Fit.TRAIN, options, log);
        JsonObject chosen = trained.record();
        if (modelsOut != null) {
            Path dir = modelsOut.resolve(data.name().replace('/', '-') + "-" + modelType + "-" + variant);
            ModelIO.save(trained.model(), dir, chosen);
            log.println("model kept in " + dir);
        }
        put(results, row(data, trained, variant, Training.Fit.TRAIN), modelType, options);
        if (refit) {
            log.println("== " + modelType + " (" + variant + ") on " + data.name()
                    + " (refit on train+valid with the choices made on valid)");
            Training.Trained refitted = Training.refit(modelType, data, options, chosen, log);
            put(results, row(data, refitted, variant + "-refit", Training.Fit.TRAIN_VALID), modelType, options);
        }
    }

    /**
     * Puts a row, checked against the goals once it holds what goes in: a seeded model's row joins the row's earlier
     * seeds ({@link SeedSpread}); the others replace theirs.
     */
    private static void put(BenchmarkResults results, JsonObject row, String modelType, Training.Options options) {
        OptionalLong seed = Training.seed(modelType, options);
        JsonObject toPut = seed.isPresent()
                ? SeedSpread.join(row, seed.getAsLong(), results.find(row).orElse(null)) : row;
        JsonArray goals = Goals.check(BenchmarkResults.text(toPut, "dataset"), modelType,
                BenchmarkResults.text(toPut, "variant"), Training.Fit.parse(BenchmarkResults.text(toPut, "fit")),
                toPut.getAsJsonObject("metrics"));
        if (!goals.isEmpty()) {
            toPut.add("goals", goals);
        }
        results.put(toPut);
    }

    /**
     * Only the refit row of {@code variant}: the configuration refitted on train + valid with the choices an earlier
     * train-only run made on valid, given as fixed options (epochs; for SETRec also beta and the CF model dir).
     */
    public void refitOnly(Dataset data, String modelType, String variant, Training.Options options,
                          BenchmarkResults results) throws IOException {
        log.println("== " + modelType + " (" + variant + ") on " + data.name()
                + " (refit on train+valid with the choices given, made on valid by a train-only run)");
        Training.Trained refitted = Training.fit(modelType, data, Training.Fit.TRAIN_VALID, options, log);
        put(results, row(data, refitted, variant + "-refit", Training.Fit.TRAIN_VALID), modelType, options);
    }

    private JsonObject row(Dataset data, Training.Trained trained, String variant,
            Training.Fit fit) throws IOException {
        try (Recommender model = trained.model()) {
            EvalReport report = new Evaluator().evaluate(model, data,
                    new EvalOptions(Split.TEST, EvalOptions.DEFAULT_HISTORY_LENGTH, false, null, true));
            log.print(report.toTable());
            JsonObject metrics = new Gson().fromJson(report.toJson(null), JsonObject.class);
            metrics.remove("beta");
            metrics.remove("split");
            metrics.remove("exclude_seen");
            metrics.remove("skipped_no_history");
            metrics.addProperty("train_minutes", trained.record().get("train_minutes").getAsDouble());
            JsonObject config = model.describe();
            if (config.has("parameters")) {
                metrics.addProperty("params", config.get("parameters").getAsLong());
            }
            JsonObject row = new JsonObject();
            row.addProperty("benchmark", "quality");
            row.addProperty("dataset", data.name());
            row.addProperty("model", model.type());
            row.addProperty("variant", variant);
            row.addProperty("split", "test");
            row.addProperty("fit", fit.label());
            row.add("metrics", metrics);
            row.addProperty("command", command);
            row.addProperty("machine", Machine.describe());
            row.addProperty("date", LocalDate.now().toString());
            row.addProperty("details", Training.summary(trained.record()));
            return row;
        }
    }
}
