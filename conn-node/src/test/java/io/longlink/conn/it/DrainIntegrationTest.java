package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.longlink.common.discovery.NodeInfo;
import io.longlink.common.discovery.ZooKeeperPaths;
import io.longlink.conn.ConnNode;
import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Redirect;
import io.longlink.proto.internal.Outcome;
import io.longlink.testsupport.Infra;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Drain for rolling upgrades: admin POST /drain and the SIGTERM path (close). */
@ExtendWith(Infra.class)
class DrainIntegrationTest {
    private static final String NAMESPACE = "drain-it";
    /** The node that stays: the drained nodes redirect their devices to it. */
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace(NAMESPACE);
    private static final HttpClient http = HttpClient.newHttpClient();

    private static List<TestDevice> connectAll(ConnNode node, String prefix, int n) throws Exception {
        List<TestDevice> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            TestDevice d = TestDevice.connect(node.deviceAddress());
            d.loginOk(conn.app().connectFrame(prefix + i, 60));
            out.add(d);
        }
        return out;
    }

    private static int status(ConnNode node, String method, String path) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.adminPort() + path));
        b = method.equals("POST") ? b.POST(HttpRequest.BodyPublishers.noBody()) : b.GET();
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    /**
     * A redirected device hears REDIRECT (to the other node), then ERROR SERVER_DRAINING, then the
     * close; pushes delivered while it was still connected come before.
     */
    private static Redirect assertRedirected(TestDevice d) throws Exception {
        List<TestDevice.Frame> frames = d.readUntilClosed(Duration.ofSeconds(10)).stream()
                .filter(f -> f.frameType() != FrameType.PUSH).toList();
        assertThat(frames).extracting(TestDevice.Frame::frameType).containsExactly(FrameType.REDIRECT, FrameType.ERROR);
        assertThat(frames.get(1).error().getCode()).isEqualTo(ErrorCode.SERVER_DRAINING);
        Redirect r = Redirect.parseFrom(frames.get(0).body());
        assertThat(r.getAddressesList()).containsExactly("127.0.0.1:" + conn.node().deviceAddress().getPort());
        assertThat(r.getRetryAfterMs()).isBetween(1_000, 1_999);
        return r;
    }

    @Test
    void adminDrain_whenPosted_thenNotReadyEveryoneRedirectedAtBoundedRateDeregisteredAndProcessExits()
            throws Exception {
        CountDownLatch exited = new CountDownLatch(1);
        ConnNode node = conn.nodes()
                .set(ConnSettings.DRAIN_RATE_PER_S, 4)
                .onAdminDrainExit(exited::countDown)
                .start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.node().sessionIndex() != null
                    && conn.zkClient().checkExists().forPath(ZooKeeperPaths.node("conn", node.nodeId())) != null);
            List<TestDevice> devices = connectAll(node, "drained-", 4);
            assertThat(status(node, "GET", "/readyz")).isEqualTo(200);
            String firstRoute = conn.route("drained-0");
            assertThat(firstRoute).startsWith(node.nodeId() + "|");

            long start = System.nanoTime();
            assertThat(status(node, "POST", "/drain")).isEqualTo(202);
            assertThat(status(node, "GET", "/readyz")).isEqualTo(503);
            assertThat(status(node, "GET", "/healthz")).isEqualTo(200);
            assertThat(node.isDraining()).isTrue();
            try (TestRouter router = new TestRouter(node.grpcPort())) {
                String app = conn.app().key();
                List<Outcome> outcomes = router.deliver(1, TestRouter.delivery(app, "drained-0", "",
                        TestRouter.push(1, "x")), TestRouter.delivery(app, "drained-1", "", TestRouter.push(2, "x")),
                        TestRouter.delivery(app, "drained-2", "", TestRouter.push(3, "x")),
                        TestRouter.delivery(app, "drained-3", "", TestRouter.push(4, "x")));
                // the devices still here get them; those redirected already are not here
                assertThat(outcomes).isNotEmpty().allMatch(o -> o == Outcome.WRITTEN || o == Outcome.NOT_HERE);
            }
            assertThatThrownBy(() -> TestDevice.connect(node.deviceAddress())).isInstanceOf(ConnectException.class);
            await().atMost(Duration.ofSeconds(5)).until(() ->
                    conn.zkClient().checkExists().forPath(ZooKeeperPaths.node("conn", node.nodeId())) == null);

            for (TestDevice d : devices) {
                assertRedirected(d);
                d.close();
            }
            long tookMs = (System.nanoTime() - start) / 1_000_000;
            assertThat(tookMs).as("4 clients at 4/s").isGreaterThanOrEqualTo(600);
            assertThat(exited.await(10, TimeUnit.SECONDS)).isTrue();
            await().atMost(Duration.ofSeconds(5)).until(() -> conn.route("drained-0") == null);
            assertThat(node.metrics().getSampleValue("longlink_conn_redirects_total")).isEqualTo(4);
        } finally {
            node.close();
        }
    }

    private static NodeInfo registered(ConnNode node) throws Exception {
        byte[] data = conn.zkClient().getData().forPath(ZooKeeperPaths.node("conn", node.nodeId()));
        return NodeInfo.decode(data);
    }

    private static boolean registeredAtAll(ConnNode node) throws Exception {
        return conn.zkClient().checkExists().forPath(ZooKeeperPaths.node("conn", node.nodeId())) != null;
    }

    @Test
    void adminDrain_whileDevicesRemain_thenInTheMembershipAsDrainingAndServedUntilTheLastIsGone() throws Exception {
        ConnNode node = conn.nodes().set(ConnSettings.DRAIN_RATE_PER_S, 1).start();
        try {
            await().atMost(Duration.ofSeconds(5)).until(() -> registeredAtAll(node));
            List<TestDevice> devices = connectAll(node, "lingering-", 2);
            assertThat(registered(node).draining()).isFalse();

            assertThat(status(node, "POST", "/drain")).isEqualTo(202);
            await().atMost(Duration.ofSeconds(5)).until(() -> registered(node).draining());
            try (TestRouter router = new TestRouter(node.grpcPort())) {
                String app = conn.app().key();
                assertThat(router.deliver(1, TestRouter.delivery(app, "lingering-1", "", TestRouter.push(11, "x"))))
                        .containsExactly(Outcome.WRITTEN); // redirected last, at 1 per second
            }
            for (TestDevice d : devices) {
                List<TestDevice.Frame> frames = d.readUntilClosed(Duration.ofSeconds(10));
                assertThat(frames.get(frames.size() - 1).error().getCode()).isEqualTo(ErrorCode.SERVER_DRAINING);
                d.close();
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> !registeredAtAll(node));
        } finally {
            node.close();
        }
    }

    @Test
    void close_whenNodeStopsWithConnectedDevices_thenEachRedirectedBeforeTheNodeStops() throws Exception {
        ConnNode node = conn.nodes().start();
        List<TestDevice> devices = connectAll(node, "sigterm-", 3);
        node.close(); // what the SIGTERM hook runs
        for (TestDevice d : devices) {
            assertRedirected(d);
            d.close();
        }
        assertThat(conn.zkClient().checkExists().forPath(ZooKeeperPaths.node("conn", node.nodeId()))).isNull();
        await().atMost(Duration.ofSeconds(5)).until(() -> conn.route("sigterm-0") == null);
    }
}
