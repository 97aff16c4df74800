package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.longlink.proto.device.Push;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * ACKs of tag and broadcast copies: counted on the message (no inbox entry to remove), and they
 * move the device's broadcast-log position so its next CONNECT does not replay what it has.
 */
@ExtendWith(Infra.class)
class FanOutAckIntegrationTest {
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("fanout-ack-it");

    /** The message logged as the router does, then fanned out to this node with its log position. */
    private static void fanOut(TestRedis.App app, Push push) {
        long position = conn.redis().logBroadcast(app.key(), push, null, 60_000);
        FanOutResponse r = conn.router().blocking().fanOut(FanOutRequest.newBuilder().setAppKey(app.key())
                .setBroadcast(true).setPush(push).setLogPosition(position).build());
        assertThat(r.getWritten()).isEqualTo(1);
    }

    private static long commandCalls(String command) {
        String info = TestRedis.await(conn.redis().commands().info("commandstats"));
        for (String line : info.split("\r?\n")) {
            if (line.startsWith("cmdstat_" + command + ":calls=")) {
                return Long.parseLong(line.substring(line.indexOf('=') + 1, line.indexOf(',')));
            }
        }
        return 0;
    }

    @Test
    void ack_whenAFanOutCopyIsAcked_thenCountedOnTheMessageWithoutAnInboxRemoval() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginLive(conn.node(), app, "fan");
            Push push = TestRouter.push(8_500_001L, "to everyone");
            conn.redis().createStat(push.getMessageId(), app.key(), false);
            long zrems = commandCalls("zrem");
            fanOut(app, push);
            assertThat(d.read().push().getMessageId()).isEqualTo(push.getMessageId());

            d.ack(push.getMessageId());
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(push.getMessageId(),
                    "acked")));
            assertThat(commandCalls("zrem")).isEqualTo(zrems);
        }
    }

    @Test
    void ack_whenAnOnlineOnlyCopyIsAcked_thenCountedOnTheMessageWithoutAnInboxRemoval() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginLive(conn.node(), app, "fan0");
            Push push = TestRouter.push(8_500_003L, "to everyone online");
            conn.redis().createStat(push.getMessageId(), app.key(), false);
            long zrems = commandCalls("zrem");
            FanOutResponse r = conn.router().blocking().fanOut(FanOutRequest.newBuilder().setAppKey(app.key())
                    .setBroadcast(true).setPush(push).build()); // TTL 0: no log position
            assertThat(r.getWritten()).isEqualTo(1);
            assertThat(d.read().push().getMessageId()).isEqualTo(push.getMessageId());

            d.ack(push.getMessageId());
            await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().stat(push.getMessageId(),
                    "acked")));
            assertThat(commandCalls("zrem")).isEqualTo(zrems);
        }
    }

    @Test
    void ack_whenAFanOutCopyIsAcked_thenTheLogPositionMovesPastItByTheTimeTheDeviceLeaves() throws Exception {
        TestRedis.App app = conn.redis().newApp();
        Push push = TestRouter.push(8_500_002L, "to everyone");
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginLive(conn.node(), app, "fan");
            fanOut(app, push);
            assertThat(d.read().push().getMessageId()).isEqualTo(push.getMessageId());
            d.ack(push.getMessageId());
            d.pingPong();
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> "1".equals(conn.redis().seen(app.key(), "fan")));
        try (TestDevice d = TestDevice.connect(conn.node().deviceAddress())) {
            d.loginLive(conn.node(), app, "fan");
            assertThat(d.staysOpenAndSilent(Duration.ofMillis(300))).as("nothing replayed").isTrue();
        }
    }
}
