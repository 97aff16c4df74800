package io.longlink.common.config;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * One declared setting: key, type, default, check and documentation, declared once and used for
 * parsing, validation, the effective-config log and docs/operations.md.
 */
public final class Setting<T> {
    private final String key;
    private final T defaultValue;
    private final Function<String, T> parser;
    private final Predicate<T> check;
    private final String expected;
    private final String doc;

    private Setting(String key, T defaultValue, Function<String, T> parser, Predicate<T> check,
                    String expected, String doc) {
        this.key = requireNonNull(key, "key");
        this.defaultValue = defaultValue;
        this.parser = requireNonNull(parser, "parser");
        this.check = requireNonNull(check, "check");
        this.expected = requireNonNull(expected, "expected");
        this.doc = requireNonNull(doc, "doc");
    }

    public static Setting<Integer> intRange(String key, int defaultValue, int min, int max, String doc) {
        return new Setting<>(key, defaultValue, Integer::valueOf, v -> v >= min && v <= max,
                "an integer from " + min + " to " + max, doc);
    }

    public static Setting<Long> longRange(String key, long defaultValue, long min, long max, String doc) {
        return new Setting<>(key, defaultValue, Long::valueOf, v -> v >= min && v <= max,
                "an integer from " + min + " to " + max, doc);
    }

    /** A TCP port; 0 asks the OS for a free one (tests). */
    public static Setting<Integer> port(String key, int defaultValue, String doc) {
        return intRange(key, defaultValue, 0, 65535, doc);
    }

    public static Setting<Boolean> bool(String key, boolean defaultValue, String doc) {
        return new Setting<>(key, defaultValue, Setting::parseBoolean, v -> true, "true or false", doc);
    }

    public static Setting<String> string(String key, String defaultValue, String doc) {
        return new Setting<>(key, defaultValue, String::trim, v -> !v.isEmpty(), "a non-empty string", doc);
    }

    /** A string that may be empty (an optional path, for example). */
    public static Setting<String> optionalString(String key, String defaultValue, String doc) {
        return new Setting<>(key, defaultValue, String::trim, v -> true, "a string (may be empty)", doc);
    }

    /** {@code host:port[,host:port...]}, each port in 1..65535. */
    public static Setting<List<String>> hostPorts(String key, String defaultValue, String doc) {
        return new Setting<>(key, parseHostPorts(defaultValue), Setting::parseHostPorts,
                v -> !v.isEmpty(), "a comma-separated list of host:port", doc);
    }

    public static <E extends Enum<E>> Setting<E> oneOf(String key, E defaultValue, Class<E> type, String doc) {
        StringBuilder names = new StringBuilder("one of ");
        E[] constants = type.getEnumConstants();
        for (int i = 0; i < constants.length; i++) {
            names.append(i == 0 ? "" : ", ").append(constants[i].name().toLowerCase(Locale.ROOT));
        }
        return new Setting<>(key, defaultValue, s -> Enum.valueOf(type, s.trim().toUpperCase(Locale.ROOT)),
                v -> true, names.toString(), doc);
    }

    public String key() {
        return key;
    }

    public T defaultValue() {
        return defaultValue;
    }

    public String expected() {
        return expected;
    }

    public String doc() {
        return doc;
    }

    /** The environment variable that overrides this key: {@code conn.port} becomes {@code LONGLINK_CONN_PORT}. */
    public String envName() {
        return "LONGLINK_" + key.replace('.', '_').replace('-', '_').toUpperCase(Locale.ROOT);
    }

    /** Parses and checks a raw value, or throws with {@code key: value (expected: ...)}. */
    T parse(String raw) {
        T value;
        try {
            value = parser.apply(raw);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(problem(raw));
        }
        if (value == null || !check.test(value)) {
            throw new IllegalArgumentException(problem(raw));
        }
        return value;
    }

    String problem(String raw) {
        return key + ": " + (raw == null ? "<missing>" : "'" + raw + "'") + " (expected: " + expected + ")";
    }

    private static Boolean parseBoolean(String s) {
        String v = s.trim().toLowerCase(Locale.ROOT);
        if (v.equals("true")) {
            return Boolean.TRUE;
        }
        if (v.equals("false")) {
            return Boolean.FALSE;
        }
        throw new IllegalArgumentException(s);
    }

    private static List<String> parseHostPorts(String s) {
        if (s == null || s.isBlank()) {
            return List.of();
        }
        List<String> out = new java.util.ArrayList<>();
        for (String part : s.split(",")) {
            String hp = part.trim();
            int colon = hp.lastIndexOf(':');
            if (colon <= 0) {
                throw new IllegalArgumentException(s);
            }
            int port = Integer.parseInt(hp.substring(colon + 1));
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException(s);
            }
            out.add(hp);
        }
        return List.copyOf(out);
    }
}
