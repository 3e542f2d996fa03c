package dev.setrec.jobs.scoring;

import dev.setrec.jobs.records.Ranking;
import dev.setrec.schemas.ItemEvent;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A stand-in model whose behaviour a test scripts: it ranks as {@link FixedCatalogue} does, or fails every call, or
 * hangs until released; it counts its calls. Scripts are kept by name, since the operator under test creates the
 * model from a serializable factory.
 */
public final class ScriptedModel implements SetRecOperator {
    /** What {@link #recommend} does. */
    public enum Behaviour { RANK, FAIL, HANG }

    private static final Map<String, Script> SCRIPTS = new ConcurrentHashMap<>();

    private final Script script;
    private final FixedCatalogue catalogue;

    private ScriptedModel(Script script, Set<String> items) {
        this.script = script;
        this.catalogue = new FixedCatalogue(items);
    }

    /** The script of the models named {@code name}: set its behaviour, read its calls, release its hung calls. */
    public static Script script(String name) {
        return SCRIPTS.computeIfAbsent(name, n -> new Script());
    }

    public static Factory factory(String name, String... items) {
        Set<String> catalogue = Set.copyOf(List.of(items));
        return new TestModelFactory("scripted:" + name, () -> new ScriptedModel(script(name), catalogue));
    }

    /** A test's handle on the models of one name. */
    public static final class Script {
        private volatile Behaviour behaviour = Behaviour.RANK;
        private volatile CountDownLatch release = new CountDownLatch(1);
        private final AtomicInteger calls = new AtomicInteger();
        private volatile String version = "scripted";

        public void set(Behaviour value) {
            behaviour = value;
        }

        public int calls() {
            return calls.get();
        }

        /** Waits (up to 10 s) until the models of this name have been called {@code count} times. */
        public void awaitCalls(int count) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (calls.get() < count) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError(calls.get() + " calls of " + count + " within 10 s");
                }
                Thread.sleep(1);
            }
        }

        /** The version the models serve from now on (a model swap). */
        public void version(String value) {
            version = value;
        }

        /** Lets every hung call go on (and rank). */
        public void release() {
            release.countDown();
            release = new CountDownLatch(1);
        }
    }

    @Override
    public List<Ranking> recommend(List<String[]> histories, RankingOptions ranking) throws Exception {
        Behaviour behaviour = script.behaviour;
        if (behaviour == Behaviour.FAIL) {
            script.calls.incrementAndGet();
            throw new IllegalStateException("scripted failure");
        }
        List<Ranking> ranked = catalogue.recommend(histories, ranking, script.version);
        script.calls.incrementAndGet();
        if (behaviour == Behaviour.HANG) {
            script.release.await();
        }
        return ranked;
    }

    @Override
    public boolean knows(String itemId) {
        return catalogue.knows(itemId);
    }

    @Override
    public void addItems(List<ItemEvent> items) {
        catalogue.addItems(items);
    }

    @Override
    public String modelVersion() {
        return script.version;
    }

    @Override
    public boolean available() {
        return script.behaviour == Behaviour.RANK;
    }

    @Override
    public void close() {
        catalogue.close();
    }
}
