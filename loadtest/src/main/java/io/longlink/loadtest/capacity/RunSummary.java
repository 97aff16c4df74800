package io.longlink.loadtest.capacity;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/**
 * What a capacity run counted, beside Gatling's report (which has the timings): devices connected
 * and dropped, pushes refused by code, and copies accepted against copies received. Written as
 * {@value #FILE} in the run's output folder.
 */
record RunSummary(Map<String, String> values) {
    static final String FILE = "capacity-summary.properties";

    RunSummary {
        values = Map.copyOf(requireNonNull(values, "values"));
    }

    RunSummary(int devices, int connected, Map<String, Long> drops, Map<String, Long> failures, Deliveries d,
               long unbound) {
        this(collect(devices, connected, drops, failures, d, unbound));
    }

    private static Map<String, String> collect(int devices, int connected, Map<String, Long> drops,
                                               Map<String, Long> failures, Deliveries d, long unbound) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("devices", Integer.toString(devices));
        m.put("connected", Integer.toString(connected));
        m.put("dropped", Long.toString(drops.values().stream().mapToLong(Long::longValue).sum()));
        drops.forEach((reason, n) -> m.put("dropped_" + reason, Long.toString(n)));
        m.put("push_failed", Long.toString(failures.values().stream().mapToLong(Long::longValue).sum()));
        failures.forEach((code, n) -> m.put("push_failed_" + code, Long.toString(n)));
        m.put("unicast_accepted", Long.toString(d.unicastAccepted.sum()));
        m.put("unicast_received", Long.toString(d.unicastReceived.sum()));
        m.put("broadcasts_accepted", Long.toString(d.broadcastsAccepted.sum()));
        m.put("broadcast_copies_expected", Long.toString(d.broadcastCopiesExpected.sum()));
        m.put("broadcast_received", Long.toString(d.broadcastReceived.sum()));
        m.put("missing", Long.toString(d.unicastMissing() + d.broadcastMissing()));
        m.put("stale_received", Long.toString(d.stale.sum()));
        m.put("timings_unbound", Long.toString(unbound));
        return m;
    }

    List<String> lines() {
        return values.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).sorted().toList();
    }

    void write(Path file) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Properties p = new Properties();
        p.putAll(values);
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "capacity run summary");
        }
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    static RunSummary read(Path file) throws IOException {
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, String> m = new LinkedHashMap<>();
        p.stringPropertyNames().forEach(k -> m.put(k, p.getProperty(k)));
        return new RunSummary(m);
    }

    long number(String key) {
        String v = values.get(key);
        if (v == null) {
            throw new IllegalArgumentException(key + ": not in the summary " + values.keySet());
        }
        return Long.parseLong(v);
    }
}
