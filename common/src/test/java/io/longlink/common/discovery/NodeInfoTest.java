package io.longlink.common.discovery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NodeInfoTest {
    private final NodeInfo serving = new NodeInfo("conn-1", "conn",
            Map.of("device", "127.0.0.1:7000", "grpc", "127.0.0.1:7100"), 42);

    @Test
    void decode_whenEncoded_thenSameNode() {
        assertThat(NodeInfo.decode(serving.encode())).isEqualTo(serving);
        assertThat(NodeInfo.decode(serving.asDraining().encode())).isEqualTo(serving.asDraining());
    }

    @Test
    void encode_whenDraining_thenStateLineAndFlagKeptAcrossLoadUpdates() {
        NodeInfo draining = serving.asDraining();
        assertThat(new String(draining.encode(), StandardCharsets.UTF_8)).contains("state=draining\n");
        assertThat(new String(serving.encode(), StandardCharsets.UTF_8)).doesNotContain("state=");
        assertThat(draining.withLoad(7).draining()).isTrue();
        assertThat(serving.draining()).isFalse();
    }

    @Test
    void decode_whenDataWithoutStateFromAnOlderNode_thenServing() {
        NodeInfo old = NodeInfo.decode("id=conn-2\nrole=conn\nload=3\nendpoint.device=h:1\n".getBytes(StandardCharsets.UTF_8));
        assertThat(old.draining()).isFalse();
        assertThat(old.endpoint("device")).isEqualTo("h:1");
    }

    @Test
    void decode_whenIdMissing_thenRefused() {
        assertThatThrownBy(() -> NodeInfo.decode("role=conn\n".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("without id");
    }
}
