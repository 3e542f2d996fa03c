package dev.setrec.bench;

import com.google.gson.Gson;
import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.EvalReport;
import dev.setrec.eval.Evaluator;
import dev.setrec.model.Recommender;
import dev.setrec.model.Training;
import dev.setrec.model.sasrec.SasRecConfig;
import dev.setrec.util.Machine;

import java.io.IOException;
import java.io.PrintStream;
import java.time.LocalDate;

/**
 * Quality rows of BENCHMARKS.md: a model fitted on train (every choice on valid) and scored on test, then, as its
 * own row, the same configuration refitted on train + valid for the epoch count that valid chose.
 */
public final class QualityBenchmark {
    private final String command;
    private final PrintStream log;

    public QualityBenchmark(String command, PrintStream log) {
        this.command = command;
        this.log = log;
    }

    /** Runs one model on one data set and stores its rows in {@code results}. */
    public void run(Dataset data, String modelType, SasRecConfig config, boolean refit, BenchmarkResults results)
            throws IOException {
        log.println("== " + modelType + " on " + data.name() + " (fit on train)");
        Training.Trained trained = Training.fit(modelType, data, Training.Fit.TRAIN, config, log);
        int chosenEpochs = trained.record().has("best_epoch") ? trained.record().get("best_epoch").getAsInt() : 0;
        results.put(row(data, trained, "full", Training.Fit.TRAIN));
        if (refit) {
            log.println("== " + modelType + " on " + data.name() + " (refit on train+valid"
                    + (chosenEpochs > 0 ? ", " + chosenEpochs + " epochs as chosen on valid)" : ")"));
            SasRecConfig refitConfig = config.withEpochs(config.maxEpochs(), Math.max(chosenEpochs, 1));
            Training.Trained refitted = Training.fit(modelType, data, Training.Fit.TRAIN_VALID, refitConfig, log);
            results.put(row(data, refitted, "refit", Training.Fit.TRAIN_VALID));
        }
    }

    private JsonObject row(Dataset data, Training.Trained trained, String variant, Training.Fit fit) throws IOException {
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
            row.addProperty("details", details(trained.record()));
            return row;
        }
    }

    private static String details(JsonObject record) {
        if (!record.has("epochs_run")) {
            return "no training loop";
        }
        StringBuilder s = new StringBuilder("epochs run " + record.get("epochs_run").getAsInt() + ", kept "
                + record.get("best_epoch").getAsInt());
        if (record.has("best_valid_recall@10")) {
            s.append(String.format(java.util.Locale.ROOT, " (valid R@10 %.4f)",
                    record.get("best_valid_recall@10").getAsDouble()));
        }
        return s.toString();
    }
}
