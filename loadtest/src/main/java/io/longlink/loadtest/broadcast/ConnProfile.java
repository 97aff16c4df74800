package io.longlink.loadtest.broadcast;

import static java.util.Objects.requireNonNull;

import io.longlink.loadtest.probe.NodeProbe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of one node over a window, started and stopped with {@code jcmd JFR.start/JFR.stop}
 * (the JDK's profile settings), and the hottest methods of its samples by top frame, as
 * {@code jfr print --events jdk.ExecutionSample} shows them one by one. Java samples miss the time a
 * thread spends in native code (socket writes, epoll): {@code jdk.NativeMethodSample} has that.
 */
final class ConnProfile {
    private static final String NAME = "longlink-bench-broadcast";
    static final String JAVA_SAMPLE = "jdk.ExecutionSample";
    static final String NATIVE_SAMPLE = "jdk.NativeMethodSample";

    /** One method and its share of the samples. */
    record Hot(String method, long samples, double percent) {
        String format() {
            return String.format(Locale.ROOT, "%5.1f%% %6d %s", percent, samples, method);
        }
    }

    private final NodeProbe node;
    private final Path file;

    private ConnProfile(NodeProbe node, Path file) {
        this.node = node;
        this.file = file;
    }

    static ConnProfile start(NodeProbe node, Path file) throws IOException, InterruptedException {
        requireNonNull(node, "node");
        Files.deleteIfExists(requireNonNull(file, "file"));
        node.jcmd("JFR.start", "name=" + NAME, "settings=profile");
        return new ConnProfile(node, file);
    }

    /** Stops the recording and writes it to the file. */
    Path stop() throws IOException, InterruptedException {
        node.jcmd("JFR.stop", "name=" + NAME, "filename=" + file.toAbsolutePath());
        if (!Files.isRegularFile(file)) {
            throw new IOException("JFR.stop wrote no " + file);
        }
        return file;
    }

    /** The {@code limit} methods most often on top of a stack sampled by {@code event}, most first. */
    static List<Hot> hottest(Path recording, String event, int limit) throws IOException {
        Map<String, Long> counts = new HashMap<>();
        long total = 0;
        try (RecordingFile f = new RecordingFile(recording)) {
            while (f.hasMoreEvents()) {
                RecordedEvent e = f.readEvent();
                if (!e.getEventType().getName().equals(event)) {
                    continue;
                }
                RecordedStackTrace st = e.getStackTrace();
                if (st == null || st.getFrames().isEmpty()) {
                    continue;
                }
                RecordedFrame top = st.getFrames().getFirst();
                counts.merge(top.getMethod().getType().getName() + "." + top.getMethod().getName(), 1L, Long::sum);
                total++;
            }
        }
        long all = total;
        List<Hot> out = new ArrayList<>();
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()).limit(limit)
                .forEach(en -> out.add(new Hot(en.getKey(), en.getValue(), en.getValue() * 100.0 / all)));
        return out;
    }
}
