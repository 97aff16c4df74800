package io.longlink.router;

import io.longlink.common.testing.ExampleConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class ExampleConfigTest {
    @Test
    void example_whenLoaded_thenValidAndListsEveryKey() throws Exception {
        ExampleConfig.assertValidAndListsEveryKey(Path.of("router-node.example.properties"), RouterSettings.all());
    }
}
