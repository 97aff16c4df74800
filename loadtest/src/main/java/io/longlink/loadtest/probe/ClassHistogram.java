package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Live objects per class from {@code jcmd PID GC.class_histogram}; the difference of two tells
 * which classes the connections added, i.e. where the heap per connection goes.
 */
public record ClassHistogram(Map<String, Entry> classes) {
    private static final Pattern ROW = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    public record Entry(long instances, long bytes) {
    }

    /** One class's growth between two histograms. */
    public record Growth(String className, long instances, long bytes) {
    }

    public ClassHistogram {
        classes = Map.copyOf(classes);
    }

    public static ClassHistogram parse(String text) {
        requireNonNull(text, "text");
        Map<String, Entry> out = new HashMap<>();
        for (String line : text.split("\n")) {
            Matcher m = ROW.matcher(line);
            if (m.find()) {
                // The same name can appear once per class loader; add them up.
                out.merge(m.group(3), new Entry(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
                        (a, b) -> new Entry(a.instances() + b.instances(), a.bytes() + b.bytes()));
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("GC.class_histogram: no rows in: "
                    + text.strip().lines().limit(3).toList());
        }
        return new ClassHistogram(out);
    }

    /**
     * Byte growth since {@code before} by where the class comes from: {@code netty}, {@code longlink},
     * {@code jdk} (java.*, jdk.*, sun.* and arrays, whoever allocated them) and {@code other}.
     */
    public Map<String, Long> growthByOrigin(ClassHistogram before) {
        Map<String, Long> out = new java.util.LinkedHashMap<>();
        for (String origin : List.of("netty", "longlink", "jdk", "other")) {
            out.put(origin, 0L);
        }
        for (Growth g : growthSince(before, Integer.MAX_VALUE)) {
            out.merge(origin(g.className()), g.bytes(), Long::sum);
        }
        return out;
    }

    /** Bytes of every live object: the heap the node holds right after the histogram's full GC. */
    public long totalBytes() {
        return classes.values().stream().mapToLong(Entry::bytes).sum();
    }

    /** Total byte growth since {@code before}, over every class. */
    public long totalGrowth(ClassHistogram before) {
        return totalBytes() - before.totalBytes();
    }

    static String origin(String className) {
        if (className.startsWith("io.netty.")) {
            return "netty";
        }
        if (className.startsWith("io.longlink.")) {
            return "longlink";
        }
        if (className.startsWith("java.") || className.startsWith("jdk.") || className.startsWith("sun.")
                || className.startsWith("[")) {
            return "jdk";
        }
        return "other";
    }

    /** Classes that grew from {@code before} to this one, largest byte growth first, at most {@code limit}. */
    public List<Growth> growthSince(ClassHistogram before, int limit) {
        Set<String> names = new HashSet<>(classes.keySet());
        names.addAll(before.classes().keySet());
        List<Growth> out = new ArrayList<>();
        Entry none = new Entry(0, 0);
        for (String name : names) {
            Entry a = classes.getOrDefault(name, none);
            Entry b = before.classes().getOrDefault(name, none);
            out.add(new Growth(name, a.instances() - b.instances(), a.bytes() - b.bytes()));
        }
        out.sort(Comparator.comparingLong(Growth::bytes).reversed().thenComparing(Growth::className));
        return List.copyOf(out.subList(0, Math.min(limit, out.size())));
    }
}
