package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.RefreshTagsRequest;
import io.longlink.proto.internal.RefreshTagsResponse;
import io.longlink.proto.internal.TagFilter;
import io.longlink.testsupport.Infra;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** RefreshTags: a connected device's tag changes reach FanOut matching without a reconnect. */
@ExtendWith(Infra.class)
class RefreshTagsIntegrationTest {
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("refresh-it");

    private static final AtomicLong probes = new AtomicLong();

    private static long matched(String tag) {
        // each probe is a message of its own: a node answers a repeated message id from memory
        return conn.router().blocking().fanOut(FanOutRequest.newBuilder().setAppKey(conn.app().key())
                .setFilter(TagFilter.newBuilder().addAnyOf(tag)).setPush(TestRouter.push(probes.incrementAndGet(),
                        "probe")).build())
                .getMatched();
    }

    private static RefreshTagsResponse refresh(String device, String connectionId) {
        return conn.router().blocking().refreshTags(RefreshTagsRequest.newBuilder().setAppKey(conn.app().key())
                .setDeviceId(device).setConnectionId(connectionId).build());
    }

    @Test
    void refreshTags_whenTagsChangedInRedis_thenFanOutMatchesTheNewTagsWithoutReconnect() throws Exception {
        String device = "retagged";
        conn.redis().addTags(conn.app().key(), device, "old");
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            ConnAck ack = d.loginOk(conn.app().connectFrame(device, 60));
            await().atMost(Duration.ofSeconds(5)).until(() -> matched("old") == 1);

            conn.redis().addTags(conn.app().key(), device, "new");
            TestRedis.await(conn.redis().commands().srem(RedisKeys.tags(conn.app().key(), device),
                    "old".getBytes(StandardCharsets.UTF_8)));
            assertThat(matched("new")).as("before the refresh, the index has the CONNECT-time tags").isZero();

            RefreshTagsResponse r = refresh(device, ack.getSessionId());

            assertThat(r.getRefreshed()).isTrue();
            assertThat(r.getTags()).isEqualTo(1);
            assertThat(matched("new")).isEqualTo(1);
            assertThat(matched("old")).isZero();
            assertThat(refresh(device, "").getRefreshed()).as("empty connection id = any connection").isTrue();
        }
    }

    @Test
    void refreshTags_whenNoSuchConnectionHere_thenNotRefreshed() throws Exception {
        String device = "elsewhere";
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginOk(conn.app().connectFrame(device, 60));
            assertThat(refresh(device, "00000000deadbeef").getRefreshed()).as("another connection id").isFalse();
        }
        assertThat(refresh("never-connected", "").getRefreshed()).isFalse();
    }

    @Test
    void refreshTags_whenDeviceIdMissing_thenInvalidArgument() {
        assertThatThrownBy(() -> conn.router().blocking().refreshTags(RefreshTagsRequest.newBuilder()
                .setAppKey(conn.app().key()).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("device_id");
    }
}
