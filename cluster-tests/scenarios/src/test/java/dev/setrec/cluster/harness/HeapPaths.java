package dev.setrec.cluster.harness;

import kotlin.sequences.Sequence;
import shark.CloseableHeapGraph;
import shark.GcRoot;
import shark.HeapField;
import shark.HeapGraph;
import shark.HeapObject;
import shark.HeapValue;
import shark.HprofHeapGraph;
import shark.HprofIndex;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shortest strong paths from the GC roots to objects of given classes in a heap dump: what keeps them alive.
 * References ({@code java.lang.ref.Reference}'s referent) are not followed, since a collection clears what only
 * they hold. A class loader can also be kept by a loader that resolved classes through it (the JVM keeps that
 * dependency outside the heap): so the targets should include the loaders that wrap or delegate to the one sought.
 */
public final class HeapPaths {
    /** The first step of a path from a thread that is a GC root. */
    private static final Pattern ROOT_THREAD = Pattern.compile("^thread \"(.*)\"");
    private static final String REFERENCE = "java.lang.ref.Reference";

    private HeapPaths() {
    }

    /** One edge of a path: the object reached and how (a field, an array slot, a class's loader, a GC root). */
    private record Edge(long from, String how) {
    }

    /**
     * For every object of one of {@code classNames} reached from a GC root, the path to it, one step per line,
     * root first; objects not reached (only weakly held) are left out.
     */
    public static Map<Long, List<String>> to(Path dump, Set<String> classNames) throws IOException {
        try (CloseableHeapGraph graph = HprofHeapGraph.Companion.openHeapGraph(dump.toFile(), null,
                HprofIndex.Companion.defaultIndexedGcRootTags())) {
            Map<Long, Edge> reachedFrom = new HashMap<>();
            ArrayDeque<Long> queue = new ArrayDeque<>();
            for (GcRoot root : graph.getGcRoots()) {
                long id = root.getId();
                if (id != 0 && !reachedFrom.containsKey(id) && graph.findObjectByIdOrNull(id) != null) {
                    reachedFrom.put(id, new Edge(0, "GC root (" + root.getClass().getSimpleName() + ")"));
                    queue.add(id);
                }
            }
            List<Long> found = new ArrayList<>();
            while (!queue.isEmpty()) {
                long id = queue.poll();
                HeapObject object = graph.findObjectById(id);
                if (object instanceof HeapObject.HeapInstance instance
                        && classNames.contains(instance.getInstanceClassName())) {
                    found.add(id);
                }
                for (Map.Entry<Long, String> edge : edges(object).entrySet()) {
                    long to = edge.getKey();
                    if (!reachedFrom.containsKey(to) && graph.findObjectByIdOrNull(to) != null) {
                        reachedFrom.put(to, new Edge(id, edge.getValue()));
                        queue.add(to);
                    }
                }
            }
            Map<Long, List<String>> paths = new LinkedHashMap<>();
            for (long target : found) {
                paths.put(target, path(graph, reachedFrom, target));
            }
            return paths;
        }
    }

    /** The names of the threads at the roots of {@code paths} (as {@link #to} gives them). */
    public static Set<String> rootThreads(Map<Long, List<String>> paths) {
        Set<String> threads = new TreeSet<>();
        for (List<String> path : paths.values()) {
            Matcher root = ROOT_THREAD.matcher(path.get(0));
            if (root.find()) {
                threads.add(root.group(1));
            }
        }
        return threads;
    }

    /** The strong references out of {@code object}, by target id, each with how it refers to it. */
    private static Map<Long, String> edges(HeapObject object) {
        Map<Long, String> out = new LinkedHashMap<>();
        if (object instanceof HeapObject.HeapInstance instance) {
            String type = instance.getInstanceClassName();
            boolean reference = instance.instanceOf(REFERENCE);
            out.putIfAbsent(instance.getInstanceClassId(), "its class");
            for (HeapField field : each(instance.readFields())) {
                boolean referent = reference && field.getName().equals("referent")
                        && field.getDeclaringClass().getName().equals(REFERENCE);
                Long target = field.getValue().getAsObjectId();
                if (!referent && target != null && target != 0) {
                    out.putIfAbsent(target, type + "." + field.getName());
                }
            }
        } else if (object instanceof HeapObject.HeapObjectArray array) {
            int index = 0;
            for (HeapValue element : each(array.readElements())) {
                Long target = element.getAsObjectId();
                if (target != null && target != 0) {
                    out.putIfAbsent(target, array.getArrayClassName() + "[" + index + "]");
                }
                index++;
            }
            out.putIfAbsent(array.getArrayClassId(), "its class");
        } else if (object instanceof HeapObject.HeapClass type) {
            long loader = type.readRecord().getClassLoaderId();
            if (loader != 0) {
                out.putIfAbsent(loader, "the class loader of " + type.getName());
            }
            for (HeapField field : each(type.readStaticFields())) {
                Long target = field.getValue().getAsObjectId();
                if (target != null && target != 0) {
                    out.putIfAbsent(target, "static " + type.getName() + "." + field.getName());
                }
            }
        }
        return out;
    }

    /** A Kotlin sequence (shark's collections) for a Java for-each. */
    private static <T> Iterable<T> each(Sequence<T> sequence) {
        return sequence::iterator;
    }

    private static List<String> path(HeapGraph graph, Map<Long, Edge> reachedFrom, long target) {
        List<String> steps = new ArrayList<>();
        for (long id = target; id != 0; id = reachedFrom.get(id).from()) {
            steps.add(describe(graph.findObjectById(id)) + "  <- " + reachedFrom.get(id).how());
        }
        Collections.reverse(steps);
        return steps;
    }

    /** An object's class, and a thread's name (the root of most paths that matter here). */
    private static String describe(HeapObject object) {
        if (object instanceof HeapObject.HeapClass type) {
            return "class " + type.getName();
        }
        if (object instanceof HeapObject.HeapInstance instance) {
            if (instance.instanceOf("java.lang.Thread")) {
                var name = instance.get("java.lang.Thread", "name");
                String text = name == null ? null : name.getValue().readAsJavaString();
                return "thread \"" + text + "\"";
            }
            return instance.getInstanceClassName();
        }
        return object instanceof HeapObject.HeapObjectArray array ? array.getArrayClassName() : "array";
    }
}
