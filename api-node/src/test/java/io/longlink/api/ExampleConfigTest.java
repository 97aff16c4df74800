package io.longlink.api;

import io.longlink.common.testing.ExampleConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ExampleConfigTest {
    @Test
    void example_whenLoaded_thenValidAndListsEveryKey() throws Exception {
        ExampleConfig.assertValidAndListsEveryKey(Path.of("api-node.example.properties"), ApiSettings.all());
    }
}
