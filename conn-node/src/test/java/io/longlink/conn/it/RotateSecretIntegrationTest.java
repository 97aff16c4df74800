package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.auth.SecretRotation;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * RotateSecret's record in ZooKeeper (real ZooKeeper, written as the api-node writes it) ends the
 * sessions that authenticated with the app's old secret, and only those.
 */
@ExtendWith(Infra.class)
class RotateSecretIntegrationTest {
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("rotate-secret-it")
            .with(ConnSettings.DRAIN_RATE_PER_S, 1) // the window, not the rate, decides: all within 2 s
            .with(ConnSettings.ROTATION_CLOSE_S, 2);

    @Test
    void rotation_whenWrittenInZooKeeper_thenOldSessionsOfThatAppEndWithBadTokenAndOthersStay() throws Exception {
        TestRedis.App rotated = conn.redis().newApp();
        TestRedis.App other = conn.redis().newApp();
        try (TestDevice old1 = TestDevice.connect(conn.node().deviceAddress());
             TestDevice old2 = TestDevice.connect(conn.node().deviceAddress());
             TestDevice otherApp = TestDevice.connect(conn.node().deviceAddress())) {
            old1.loginLive(conn.node(), rotated, "old-1");
            old2.loginLive(conn.node(), rotated, "old-2");
            otherApp.loginLive(conn.node(), other, "other-app");

            // what RotateSecret does: the new secret in Redis, then the rotation in ZooKeeper
            TestRedis.App renewed = conn.redis().newSecret(rotated);
            long rotatedAt = System.nanoTime();
            conn.zkClient().create().creatingParentsIfNeeded().forPath(ZooKeeperPaths.app(rotated.key()),
                    new SecretRotation(1, System.currentTimeMillis()).encode());

            for (TestDevice d : new TestDevice[] {old1, old2}) {
                Error error = d.expectClosedWithError(Duration.ofSeconds(10));
                assertThat(error.getCode()).isEqualTo(ErrorCode.BAD_TOKEN);
                assertThat(error.getReason()).isEqualTo("app secret rotated; get a new token");
            }
            assertThat(Duration.ofNanos(System.nanoTime() - rotatedAt)).isLessThan(Duration.ofSeconds(5));

            try (TestDevice fresh = TestDevice.connect(conn.node().deviceAddress())) {
                fresh.loginLive(conn.node(), renewed, "old-1"); // a token of the new secret: the cache was dropped
                otherApp.pingPong();
                assertThat(fresh.staysOpenAndSilent(Duration.ofSeconds(3))).as("a session after the rotation stays")
                        .isTrue();
                fresh.pingPong();
            }
            otherApp.pingPong();
        }
    }
}
