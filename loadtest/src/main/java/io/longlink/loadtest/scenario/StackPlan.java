package io.longlink.loadtest.scenario;

import static java.util.Objects.requireNonNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * What ops/bench must start for a scenario (only what it needs), how to run the conn-node, and the
 * hard time cap of the whole run. Printed as {@code key=value} lines that the shell reads.
 */
public record StackPlan(List<String> processes, String connJavaOpts, Map<String, String> connSettings,
                        int timeCapSeconds) {
    private static final Pattern SHELL_SAFE = Pattern.compile("[A-Za-z0-9_.:,/+=@%-]*");
    private static final List<String> KNOWN = List.of("redis", "zookeeper", "kafka", "conn");

    public StackPlan {
        processes = List.copyOf(processes);
        requireNonNull(connJavaOpts, "connJavaOpts");
        connSettings = Map.copyOf(connSettings);
        for (String p : processes) {
            if (!KNOWN.contains(p)) {
                throw new IllegalArgumentException("process: '" + p + "' (expected: one of " + KNOWN + ")");
            }
        }
        for (String opt : connJavaOpts.split(" ")) {
            if (!SHELL_SAFE.matcher(opt).matches()) {
                throw new IllegalArgumentException("connJavaOpts: '" + opt + "' has characters the shell would interpret");
            }
        }
        if (timeCapSeconds < 1) {
            throw new IllegalArgumentException("timeCapSeconds: " + timeCapSeconds + " (expected: >= 1)");
        }
    }

    /** The lines ops/bench reads; conn settings sorted so the output is stable. */
    public List<String> lines() {
        List<String> out = new ArrayList<>();
        out.add("processes=" + String.join(" ", processes));
        out.add("time_cap_s=" + timeCapSeconds);
        out.add("conn_java_opts=" + connJavaOpts);
        connSettings.entrySet().stream().sorted(Map.Entry.comparingByKey())
                .forEach(e -> out.add("conn_setting=" + e.getKey() + "=" + e.getValue()));
        return out;
    }
}
