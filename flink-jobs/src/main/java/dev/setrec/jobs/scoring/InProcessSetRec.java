package dev.setrec.jobs.scoring;

import dev.setrec.data.ItemText;
import dev.setrec.eval.Setting;
import dev.setrec.jobs.records.Ranking;
import dev.setrec.model.setrec.SetRecService;
import dev.setrec.models.ModelFolder;
import dev.setrec.nn.Engines;
import dev.setrec.schemas.ItemEvent;
import dev.setrec.text.MiniLmEncoder;
import dev.setrec.text.TextEncoder;
import org.apache.flink.runtime.execution.SuppressRestartsException;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** SETRec inside the task manager, on DJL (GPU where the CUDA build of PyTorch is present, else CPU). */
public final class InProcessSetRec implements SetRecOperator {
    private final SetRecService service;
    private final TextEncoder encoder;

    public InProcessSetRec(SetRecService service, TextEncoder encoder) {
        this.service = service;
        this.encoder = encoder;
    }

    /**
     * A factory for {@code modelDir}, loaded with the project's MiniLM text encoder: a model dir, or a models folder
     * ({@link ModelFolderSetRec}) looked at for a newer version every {@code refreshInterval}.
     */
    public static Factory factory(Path modelDir, String device, int threads, Duration refreshInterval) {
        return new DirFactory(modelDir.toAbsolutePath().normalize().toString(), device, threads, refreshInterval);
    }

    private record DirFactory(String modelDir, String device, int threads, Duration refreshInterval)
            implements Factory {
        @Override
        public String key() {
            return "in-process:" + modelDir;
        }

        /**
         * Loads the model; a model that cannot be loaded fails the job once, without restarts: a missing or broken
         * model dir does not mend itself, and a restart loop would only hide the one error that says what is wrong.
         * A models folder never fails the job for its versions: it serves what it can and skips what it cannot.
         */
        @Override
        public SetRecOperator create() {
            try {
                Engines.pytorch(threads);
                Engines.useDevice(device);
                TextEncoder encoder = new MiniLmEncoder();
                try {
                    Path dir = Path.of(modelDir);
                    return ModelFolder.isModelsFolder(dir)
                            ? new ModelFolderSetRec(dir, encoder, refreshInterval)
                            : new InProcessSetRec(SetRecService.load(dir, encoder), encoder);
                } catch (Exception e) {
                    encoder.close();
                    throw e;
                }
            } catch (Exception e) {
                throw new SuppressRestartsException(new IllegalStateException("the SETRec model in " + modelDir
                        + " cannot be loaded: " + e.getMessage(), e));
            }
        }
    }

    @Override
    public List<Ranking> recommend(List<String[]> histories, RankingOptions ranking) {
        return recommend(service, histories, ranking);
    }

    /** {@link SetRecOperator#recommend} on {@code service}. */
    static List<Ranking> recommend(SetRecService service, List<String[]> histories, RankingOptions ranking) {
        List<List<String>> asLists = new ArrayList<>(histories.size());
        for (String[] history : histories) {
            asLists.add(Arrays.asList(history));
        }
        int k = Math.min(ranking.k(), service.numItems());
        int[] slots = new int[histories.size()];
        Arrays.fill(slots, Math.min(ranking.newItemSlots(), k));
        List<List<SetRecService.Scored>> ranked = service.recommend(asLists, k, Setting.ALL,
                ranking.excludeSeen() ? asLists : null, slots);
        List<Ranking> out = new ArrayList<>(ranked.size());
        for (List<SetRecService.Scored> scored : ranked) {
            String[] ids = new String[scored.size()];
            float[] scores = new float[ids.length];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = scored.get(i).itemId();
                scores[i] = scored.get(i).score();
            }
            out.add(ids.length == 0 ? Ranking.UNRANKED : new Ranking(ids, scores, false, service.version()));
        }
        return out;
    }

    @Override
    public boolean knows(String itemId) {
        return service.knows(itemId);
    }

    @Override
    public void addItems(List<ItemEvent> items) {
        service.addItems(newItems(items));
    }

    /** The item events as the service onboards them (their text; the service tokenizes it). */
    static List<SetRecService.NewItem> newItems(List<ItemEvent> items) {
        List<SetRecService.NewItem> batch = new ArrayList<>(items.size());
        for (ItemEvent item : items) {
            batch.add(new SetRecService.NewItem(item.getItemId(), ItemText.of(item.getTitle(), item.getCategories(),
                    item.getBrand(), item.getDescription()), null));
        }
        return batch;
    }

    @Override
    public String modelVersion() {
        return service.version();
    }

    @Override
    public void close() throws Exception {
        try {
            service.close();
        } finally {
            encoder.close();
        }
    }
}
