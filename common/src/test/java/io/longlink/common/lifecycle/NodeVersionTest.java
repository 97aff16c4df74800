package io.longlink.common.lifecycle;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class NodeVersionTest {
    @Test
    void current_whenBuiltByMaven_thenTheProjectVersionIsStamped() {
        assertThat(NodeVersion.current()).matches("\\d+\\.\\d+\\.\\d+(-SNAPSHOT)?").doesNotContain("${");
    }
}
