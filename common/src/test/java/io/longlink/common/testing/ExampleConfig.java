package io.longlink.common.testing;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.config.Config;
import io.longlink.common.config.Setting;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;

/** The check every role's example config file passes against the settings the role declares. */
public final class ExampleConfig {
    private ExampleConfig() {
    }

    /** {@code file} loads as a valid configuration and lists exactly the keys of {@code settings}. */
    public static void assertValidAndListsEveryKey(Path file, List<Setting<?>> settings) throws Exception {
        Config.load(file, Map.of(), settings);
        assertThat(keys(file)).containsExactlyInAnyOrderElementsOf(settings.stream().map(Setting::key).toList());
    }

    private static List<String> keys(Path file) throws IOException {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        return List.copyOf(p.stringPropertyNames());
    }
}
