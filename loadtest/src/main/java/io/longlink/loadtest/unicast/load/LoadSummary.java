package io.longlink.loadtest.unicast.load;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * What the load generator reports to the scenario when it ends (a properties file beside the
 * accepted ids): its timeline in epoch ms, and its calls by outcome.
 *
 * @param startMs           when injection started
 * @param measureStartMs    end of the warm-up: pushes sent from here on are the measured ones
 * @param measureEndMs      end of injection
 * @param failures          pushes that got no id, by status code (both phases)
 * @param failedMeasured    of those, the pushes sent in the measured phase
 */
public record LoadSummary(long startMs, long measureStartMs, long measureEndMs, long accepted, long acceptedWarmup,
                          long acceptedMeasured, long overflow, Map<String, Long> failures, long failedMeasured) {
    public static final String FILE = "load-summary.properties";
    public static final String IDS_FILE = "accepted-ids.bin";
    private static final String FAILED = "failed.";

    public LoadSummary {
        failures = Map.copyOf(requireNonNull(failures, "failures"));
    }

    public long failedTotal() {
        return failures.values().stream().mapToLong(Long::longValue).sum();
    }

    public void write(Path file) throws IOException {
        Properties p = new Properties();
        p.setProperty("start_ms", Long.toString(startMs));
        p.setProperty("measure_start_ms", Long.toString(measureStartMs));
        p.setProperty("measure_end_ms", Long.toString(measureEndMs));
        p.setProperty("accepted", Long.toString(accepted));
        p.setProperty("accepted_warmup", Long.toString(acceptedWarmup));
        p.setProperty("accepted_measured", Long.toString(acceptedMeasured));
        p.setProperty("overflow", Long.toString(overflow));
        p.setProperty("failed_measured", Long.toString(failedMeasured));
        failures.forEach((code, n) -> p.setProperty(FAILED + code, Long.toString(n)));
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
            p.store(w, "unicast load summary");
        }
        // the scenario polls for this file: it must never see half of it
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    public static LoadSummary read(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        Map<String, Long> failures = new TreeMap<>();
        for (String name : p.stringPropertyNames()) {
            if (name.startsWith(FAILED)) {
                failures.put(name.substring(FAILED.length()), number(p, name, file));
            }
        }
        return new LoadSummary(number(p, "start_ms", file), number(p, "measure_start_ms", file),
                number(p, "measure_end_ms", file), number(p, "accepted", file), number(p, "accepted_warmup", file),
                number(p, "accepted_measured", file), number(p, "overflow", file), failures,
                number(p, "failed_measured", file));
    }

    private static long number(Properties p, String name, Path file) throws IOException {
        String v = p.getProperty(name);
        if (v == null) {
            throw new IOException(file + ": no " + name);
        }
        try {
            return Long.parseLong(v.strip());
        } catch (NumberFormatException e) {
            throw new IOException(file + ": " + name + "='" + v + "' (expected: an integer)");
        }
    }
}
