package dev.setrec.jobs.scoring;

import dev.setrec.jobs.records.Ranking;
import dev.setrec.schemas.ItemEvent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in model for tests about state and routing, not about ranking: it knows a fixed catalogue plus whatever
 * is onboarded, and "ranks" a history as the history reversed (newest first); a history without a known item is
 * {@link Ranking#UNRANKED}, as the interface says.
 */
public final class FixedCatalogue implements SetRecOperator {
    private final Set<String> known = ConcurrentHashMap.newKeySet();

    FixedCatalogue(Set<String> items) {
        known.addAll(items);
    }

    public static Factory factory(String name, String... items) {
        Set<String> catalogue = Set.copyOf(List.of(items));
        return new TestModelFactory("fixed:" + name, () -> new FixedCatalogue(catalogue));
    }

    @Override
    public List<Ranking> recommend(List<String[]> histories, RankingOptions ranking) {
        return recommend(histories, ranking, modelVersion());
    }

    /** {@link #recommend(List, RankingOptions)} by the model of {@code version}. */
    List<Ranking> recommend(List<String[]> histories, RankingOptions ranking, String version) {
        int k = ranking.k();
        List<Ranking> out = new ArrayList<>();
        for (String[] h : histories) {
            if (Arrays.stream(h).noneMatch(known::contains)) {
                out.add(Ranking.UNRANKED);
                continue;
            }
            String[] ids = new String[Math.min(k, h.length)];
            for (int i = 0; i < ids.length; i++) {
                ids[i] = h[h.length - 1 - i];
            }
            float[] scores = new float[ids.length];
            Arrays.fill(scores, 1f);
            out.add(new Ranking(ids, scores, false, version));
        }
        return out;
    }

    @Override
    public boolean knows(String itemId) {
        return known.contains(itemId);
    }

    @Override
    public void addItems(List<ItemEvent> items) {
        for (ItemEvent item : items) {
            known.add(item.getItemId());
        }
    }

    @Override
    public String modelVersion() {
        return "fixed";
    }

    @Override
    public void close() {
        known.clear();
    }
}
