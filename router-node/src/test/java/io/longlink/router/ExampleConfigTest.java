package io.longlink.router;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.config.Config;
import io.longlink.common.config.Setting;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ExampleConfigTest {
    private static final Path EXAMPLE = Path.of("router-node.example.properties");

    @Test
    void example_whenLoaded_thenValidAndListsEveryKey() throws Exception {
        Config.load(EXAMPLE, Map.of(), RouterSettings.all());

        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(EXAMPLE)) {
            p.load(r);
        }
        assertThat(p.stringPropertyNames()).containsExactlyInAnyOrderElementsOf(
                RouterSettings.all().stream().map(Setting::key).toList());
    }
}
