package io.longlink.router;

import static io.longlink.router.Commands.id;
import static io.longlink.router.RouterHarness.WAIT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.common.grpc.InternalTls;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.testing.TestPki;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.Delivery;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Router to conn-node deliveries over the internal plane's mutual TLS. */
class RouterInternalTlsIntegrationTest {
    @RegisterExtension
    final RouterHarness h = RouterHarness.onSharedServers();
    @TempDir
    Path dir;

    @Test
    void deliver_whenRouterAndConnNodeHoldCertificatesOfTheCluster_thenDelivered() throws Exception {
        TestPki cluster = TestPki.create(dir, "cluster");
        FakeConnNode conn = h.connNode("conn-tls", TestPki.tls(cluster.issue("conn-tls")));
        h.startRouterLinked(Map.copyOf(TestPki.settings(cluster.issue("router-1"))), 1);
        h.route("secure", "conn-tls|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "secure");

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> conn.deliveries.size() == 1 && h.committed() == h.produced());
        assertThat(conn.deliveries).extracting(Delivery::getDeviceId, d -> d.getPush().getMessageId())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("secure", id(cmd)));
    }

    @Test
    void deliver_whenRouterIsPlaintextAndConnNodeRequiresTls_thenNothingDeliveredAndMessageStaysInInbox()
            throws Exception {
        TestPki cluster = TestPki.create(dir, "cluster");
        FakeConnNode conn = h.connNode("conn-tls", TestPki.tls(cluster.issue("conn-tls")));
        h.startRouterLinked(Map.of(InternalTls.ENABLED, false), 1);
        h.route("outsider", "conn-tls|c-1");
        PushCommand cmd = Commands.toDevices(h.appKey, 3600, "outsider");

        h.publish(h.appKey, cmd);

        await().atMost(WAIT).until(() -> h.committed() == h.produced());
        assertThat(conn.deliveries).isEmpty();
        assertThat(h.inbox("outsider")).containsExactly(RedisKeys.inboxMember(id(cmd)));
        assertThat(h.stat(id(cmd))).containsEntry("stored", "1");
    }
}
