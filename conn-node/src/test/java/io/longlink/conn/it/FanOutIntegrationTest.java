package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.longlink.conn.ConnNode;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.TagFilter;
import io.longlink.testsupport.Infra;
import io.longlink.testsupport.RedisServer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.curator.test.TestingServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** FanOut: tag filters and broadcast matched against this node's local index (tags loaded at CONNECT). */
@ExtendWith(Infra.class)
class FanOutIntegrationTest {
    @AutoClose
    private static ConnNode node;
    @AutoClose
    private static TestRedis redis;
    private static TestRedis.App app;
    @AutoClose
    private static TestRouter router;
    private static final Map<String, TestDevice> devices = new LinkedHashMap<>();
    private static long nextId = 70_000;

    @BeforeAll
    static void start(RedisServer redisServer, TestingServer zk) throws Exception {
        redis = new TestRedis(redisServer.uri(), false);
        node = TestNodes.on(redisServer.uri(), zk, "fanout-it").start();
        app = redis.newApp();
        router = new TestRouter(node.grpcPort());
        redis.addTags(app.key(), "vip-beta", "vip", "beta");
        redis.addTags(app.key(), "beta", "beta");
        redis.addTags(app.key(), "news", "news");
        for (String device : new String[] {"vip-beta", "beta", "news", "untagged"}) {
            TestDevice d = TestDevice.connect(node.deviceAddress());
            assertThat(d.login(TestDevice.connectFrame(app.key(), device, app.token(device), 60)).getCode())
                    .isEqualTo(ErrorCode.OK);
            devices.put(device, d);
        }
        // tags are loaded asynchronously after CONNECT: wait until the index has them
        await().atMost(Duration.ofSeconds(5)).until(() -> matched(TagFilter.newBuilder().addAnyOf("vip")
                .addAnyOf("beta").addAnyOf("news").build()) == 3);
    }

    @AfterAll
    static void stop() throws Exception {
        for (TestDevice d : devices.values()) {
            d.close();
        }
    }

    private static long matched(TagFilter filter) {
        return router.blocking().fanOut(FanOutRequest.newBuilder().setAppKey(app.key()).setFilter(filter)
                .setPush(TestRouter.push(1, "probe")).build()).getMatched();
    }

    private static synchronized long id() {
        return ++nextId;
    }

    /** Sends a fan-out and checks exactly the expected devices receive it. */
    private static void fanOutReaches(FanOutRequest.Builder request, String... expected) throws Exception {
        for (TestDevice d : devices.values()) { // drop what earlier probes wrote
            d.ping();
            while (d.read().frameType() != FrameType.PONG) {
                // skip earlier pushes
            }
        }
        long id = id();
        FanOutResponse r = router.blocking().fanOut(request.setAppKey(app.key())
                .setPush(TestRouter.push(id, "fan")).build());
        assertThat(r.getMatched()).isEqualTo(expected.length);
        assertThat(r.getWritten()).isEqualTo(expected.length);
        java.util.List<String> reached = new java.util.ArrayList<>();
        for (Map.Entry<String, TestDevice> e : devices.entrySet()) {
            e.getValue().ping();
            TestDevice.Frame f = e.getValue().read();
            if (f.frameType() == FrameType.PUSH) {
                assertThat(f.push().getMessageId()).isEqualTo(id);
                reached.add(e.getKey());
                assertThat(e.getValue().read().frameType()).isEqualTo(FrameType.PONG);
            } else {
                assertThat(f.frameType()).isEqualTo(FrameType.PONG);
            }
        }
        assertThat(reached).containsExactlyInAnyOrder(expected);
    }

    @Test
    void fanOut_whenAnyOf_thenDevicesWithAtLeastOneTag() throws Exception {
        fanOutReaches(FanOutRequest.newBuilder().setFilter(TagFilter.newBuilder().addAnyOf("vip").addAnyOf("news")),
                "vip-beta", "news");
    }

    @Test
    void fanOut_whenAllOf_thenDevicesWithEveryTag() throws Exception {
        fanOutReaches(FanOutRequest.newBuilder().setFilter(TagFilter.newBuilder().addAllOf("vip").addAllOf("beta")),
                "vip-beta");
    }

    @Test
    void fanOut_whenNoneOf_thenDevicesWithoutTheTag() throws Exception {
        fanOutReaches(FanOutRequest.newBuilder().setFilter(TagFilter.newBuilder().addNoneOf("beta")),
                "news", "untagged");
    }

    @Test
    void fanOut_whenBroadcast_thenEveryDeviceOfTheApp() throws Exception {
        fanOutReaches(FanOutRequest.newBuilder().setBroadcast(true), "vip-beta", "beta", "news", "untagged");
    }

    @Test
    void fanOut_whenSpread_thenAnsweredBeforeTheSpreadEndsAndTheRestWrittenAndCountedInBackground()
            throws Exception {
        for (TestDevice d : devices.values()) { // drop what earlier probes wrote
            d.ping();
            while (d.read().frameType() != FrameType.PONG) {
                // skip earlier pushes
            }
        }
        long id = id();
        // 4 devices over 4 s: chunks at 0, 1, 2 and 3 s; the answer must not wait for the last one
        FanOutResponse r = router.blocking().fanOut(FanOutRequest.newBuilder().setAppKey(app.key()).setBroadcast(true)
                .setSpreadMs(4_000).setPush(TestRouter.push(id, "spread")).build());
        assertThat(r.getMatched()).isEqualTo(4);
        assertThat(r.getWritten()).isBetween(1L, 3L);
        for (TestDevice d : devices.values()) {
            TestDevice.Frame f = d.read(Duration.ofSeconds(10));
            while (f.frameType() != FrameType.PUSH) {
                f = d.read(Duration.ofSeconds(10));
            }
            assertThat(f.push().getMessageId()).isEqualTo(id);
        }
        // the router counted the answer's `written`; this node counts the writes made after it
        await().atMost(Duration.ofSeconds(5))
                .until(() -> String.valueOf(4 - r.getWritten()).equals(redis.stat(id, "online")));
    }

    @Test
    void fanOut_whenOtherApp_thenNobodyHere() {
        FanOutResponse r = router.blocking().fanOut(FanOutRequest.newBuilder().setAppKey("another-app")
                .setBroadcast(true).setPush(TestRouter.push(id(), "x")).build());
        assertThat(r.getMatched()).isZero();
    }

    @Test
    void fanOut_whenNoFilterAndNoBroadcast_thenInvalidArgument() {
        assertThatThrownBy(() -> router.blocking().fanOut(FanOutRequest.newBuilder().setAppKey(app.key())
                .setPush(TestRouter.push(id(), "x")).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("tag filter");
    }
}
