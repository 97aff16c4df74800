package io.longlink.common.config;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeSet;
import org.slf4j.Logger;

/**
 * A node's effective configuration: defaults, overridden by the config file (Java properties),
 * overridden by {@code LONGLINK_*} environment variables. Loading checks every declared setting
 * and rejects unknown keys in the file, reporting all problems at once.
 */
public final class Config {
    private final Map<String, Object> values;
    private final Map<String, String> sources;

    private Config(Map<String, Object> values, Map<String, String> sources) {
        this.values = values;
        this.sources = sources;
    }

    /**
     * @param file the properties file, or null for defaults and environment only
     * @param env  usually {@code System.getenv()}
     */
    public static Config load(Path file, Map<String, String> env, List<Setting<?>> settings) throws ConfigException {
        requireNonNull(env, "env");
        requireNonNull(settings, "settings");
        List<String> problems = new ArrayList<>();
        Properties props = new Properties();
        if (file != null) {
            try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                props.load(r);
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException(List.of("config file " + file + ": cannot be read (" + e.getMessage() + ")"));
            }
        }
        Map<String, Setting<?>> byKey = new LinkedHashMap<>();
        for (Setting<?> s : settings) {
            if (byKey.put(s.key(), s) != null) {
                throw new IllegalStateException("setting declared twice: " + s.key());
            }
        }
        for (String key : new TreeSet<>(props.stringPropertyNames())) {
            if (!byKey.containsKey(key)) {
                problems.add(key + ": unknown key in " + file + " (expected one of: " + String.join(", ", byKey.keySet()) + ")");
            }
        }
        Map<String, Object> values = new LinkedHashMap<>();
        Map<String, String> sources = new LinkedHashMap<>();
        for (Setting<?> s : settings) {
            String raw = env.get(s.envName());
            String source = "env " + s.envName();
            if (raw == null) {
                raw = props.getProperty(s.key());
                source = "file " + file;
            }
            if (raw == null) {
                if (s.defaultValue() == null) {
                    problems.add(s.problem(null));
                    continue;
                }
                values.put(s.key(), s.defaultValue());
                sources.put(s.key(), "default");
                continue;
            }
            try {
                values.put(s.key(), s.parse(raw));
                sources.put(s.key(), source);
            } catch (IllegalArgumentException e) {
                problems.add(e.getMessage() + " from " + source);
            }
        }
        if (!problems.isEmpty()) {
            throw new ConfigException(problems);
        }
        return new Config(values, sources);
    }

    @SuppressWarnings("unchecked")
    public <T> T get(Setting<T> setting) {
        Object v = values.get(setting.key());
        if (v == null && !values.containsKey(setting.key())) {
            throw new IllegalArgumentException("setting not declared for this node: " + setting.key());
        }
        return (T) v;
    }

    /** Logs each value in use and where it came from (default, file or environment). */
    public void logEffective(Logger log) {
        values.forEach((k, v) -> log.info("config key={} value={} source=\"{}\"", k, v, sources.get(k)));
    }

    /** Markdown table rows for docs/operations.md. */
    public static String describe(List<Setting<?>> settings) {
        StringBuilder sb = new StringBuilder("| key | env | default | expected | meaning |\n|---|---|---|---|---|\n");
        for (Setting<?> s : settings) {
            sb.append("| `").append(s.key()).append("` | `").append(s.envName()).append("` | `")
                    .append(s.defaultValue() == null ? "(required)" : s.defaultValue()).append("` | ")
                    .append(s.expected()).append(" | ").append(s.doc()).append(" |\n");
        }
        return sb.toString();
    }
}
