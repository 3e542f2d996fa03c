package dev.setrec.cli;

import com.google.gson.JsonObject;
import dev.setrec.data.Dataset;
import dev.setrec.data.DatasetReader;
import dev.setrec.data.Split;
import dev.setrec.eval.EvalOptions;
import dev.setrec.eval.EvalReport;
import dev.setrec.eval.Evaluator;
import dev.setrec.model.Recommender;
import dev.setrec.model.setrec.NewItemSlots;
import dev.setrec.model.setrec.SetRec;
import dev.setrec.models.ModelDirs;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a model under the paper's protocol (all / warm / cold; Recall and NDCG at 5 and 10).")
final class EvaluateCommand implements Callable<Integer> {
    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "model dir")
    Path model;
    @Option(names = "--data", required = true, paramLabel = "DIR", description = "data dir")
    Path data;
    @Option(names = "--split", defaultValue = "test", description = "valid or test (default ${DEFAULT-VALUE})")
    String split;
    @Option(names = "--topk-out", paramLabel = "FILE", description = "write setting<TAB>user<TAB>top-20 ids per user")
    Path topkOut;
    @Option(names = "--json", paramLabel = "FILE", description = "write the metrics as JSON")
    Path json;
    @Option(names = "--exclude-seen", description = "remove history items from the ranking (not the paper's protocol)")
    boolean excludeSeen;
    @Option(names = "--new-item-slots", paramLabel = "N", description = "SETRec: rank as served with N of each top "
            + NewItemSlots.LIST + " kept for the best cold items (docs/model.md, \"New-item slots\"; default 0: the "
            + "model alone)")
    int newItemSlots;
    @Option(names = "--history", description = "history length in items (default ${DEFAULT-VALUE})")
    int history = EvalOptions.DEFAULT_HISTORY_LENGTH;

    @Mixin
    EngineOptions engine;

    @Override
    public Integer call() throws Exception {
        Split target = Split.parse(split);
        if (target == Split.TRAIN) {
            throw new IllegalArgumentException("--split must be valid or test");
        }
        Dataset dataset = DatasetReader.read(data);
        engine.start();
        if (newItemSlots != 0 && excludeSeen) {
            throw new IllegalArgumentException("--new-item-slots does not combine with --exclude-seen: the slots are "
                    + "placed before the history's items would be removed");
        }
        try (Recommender recommender = withSlots(ModelDirs.load(model))) {
            if (recommender.numItems() != dataset.numItems()) {
                throw new IllegalArgumentException("model " + model + " was trained for " + recommender.numItems()
                        + " items but " + data + " has " + dataset.numItems());
            }
            EvalReport report = new Evaluator().evaluate(recommender, dataset,
                    new EvalOptions(target, history, excludeSeen, topkOut, true));
            System.out.println(recommender.type() + " on " + dataset.name() + ", " + target.label() + " split"
                    + (excludeSeen ? ", seen items excluded" : ""));
            System.out.print(report.toTable());
            if (json != null) {
                Path parent = json.toAbsolutePath().getParent();
                Files.createDirectories(parent);
                Files.writeString(json, report.toJson(scoreMix(recommender.describe())));
            }
        }
        return 0;
    }

    /** The score mix a model's config holds (SETRec: beta, beta_cold, cold_shift; others: none). */
    private static Map<String, Double> scoreMix(JsonObject config) {
        Map<String, Double> mix = new LinkedHashMap<>();
        for (String key : new String[] {"beta", "beta_cold", "cold_shift"}) {
            if (config.has(key)) {
                mix.put(key, config.get(key).getAsDouble());
            }
        }
        return mix;
    }

    private Recommender withSlots(Recommender loaded) {
        if (newItemSlots == 0) {
            return loaded;
        }
        if (!(loaded instanceof SetRec setrec)) {
            loaded.close();
            throw new IllegalArgumentException("--new-item-slots needs a SETRec model, not " + loaded.type());
        }
        return new NewItemSlots(setrec, newItemSlots);
    }
}
