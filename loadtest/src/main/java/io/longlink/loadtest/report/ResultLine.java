package io.longlink.loadtest.report;

import static java.util.Objects.requireNonNull;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The one machine-readable line a benchmark ends with: {@code RESULT key=value key=value ...}.
 * Keys are lower-case identifiers, in the order they were added; values never contain blanks or
 * {@code =} so the line splits on spaces and then on the first {@code =}. Numbers are written
 * plainly (no exponent, no grouping) so scripts can compare them.
 */
public final class ResultLine {
    public static final String PREFIX = "RESULT";

    private static final Pattern KEY = Pattern.compile("[a-z][a-z0-9_]*");
    private static final Pattern UNSAFE = Pattern.compile("[\\s=\"']+");

    private final Map<String, String> values = new LinkedHashMap<>();

    public ResultLine put(String key, String value) {
        requireNonNull(key, "key");
        requireNonNull(value, "value");
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("key: '" + key + "' (expected: [a-z][a-z0-9_]*)");
        }
        if (values.containsKey(key)) {
            throw new IllegalArgumentException("key: '" + key + "' (expected: each key once)");
        }
        String safe = UNSAFE.matcher(value.strip()).replaceAll("_");
        values.put(key, safe.isEmpty() ? "-" : safe);
        return this;
    }

    public ResultLine put(String key, long value) {
        return put(key, Long.toString(value));
    }

    public ResultLine put(String key, boolean value) {
        return put(key, Boolean.toString(value));
    }

    /** A decimal with {@code decimals} digits after the point, rounded half-up; NaN and infinities become "nan". */
    public ResultLine put(String key, double value, int decimals) {
        if (decimals < 0 || decimals > 9) {
            throw new IllegalArgumentException("decimals: " + decimals + " (expected: 0..9)");
        }
        if (Double.isNaN(value) || Double.isInfinite(value)) {
            return put(key, "nan");
        }
        return put(key, BigDecimal.valueOf(value).setScale(decimals, RoundingMode.HALF_UP).toPlainString());
    }

    public String get(String key) {
        return values.get(key);
    }

    public String format() {
        StringBuilder sb = new StringBuilder(PREFIX);
        values.forEach((k, v) -> sb.append(' ').append(k).append('=').append(v));
        return sb.toString();
    }

    /** Reads a line written by {@link #format}; the inverse used by tests and by tools that compare runs. */
    public static Map<String, String> parse(String line) {
        requireNonNull(line, "line");
        String[] parts = line.strip().split(" +");
        if (parts.length == 0 || !parts[0].equals(PREFIX)) {
            throw new IllegalArgumentException("line: does not start with '" + PREFIX + " '");
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 1; i < parts.length; i++) {
            int eq = parts[i].indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("line: '" + parts[i] + "' is not key=value");
            }
            out.put(parts[i].substring(0, eq), parts[i].substring(eq + 1));
        }
        return out;
    }

    @Override
    public String toString() {
        return format();
    }
}
