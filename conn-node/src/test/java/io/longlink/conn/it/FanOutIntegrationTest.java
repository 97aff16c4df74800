package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.grpc.StatusRuntimeException;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.proto.internal.TagFilter;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** FanOut: tag filters and broadcast matched against this node's local index (tags loaded at CONNECT). */
@ExtendWith(Infra.class)
class FanOutIntegrationTest {
    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("fanout-it");

    private static final Map<String, TestDevice> devices = new LinkedHashMap<>();
    private static long nextId = 70_000;

    @BeforeAll
    static void connectTaggedDevices() throws Exception {
        conn.redis().addTags(conn.app().key(), "vip-beta", "vip", "beta");
        conn.redis().addTags(conn.app().key(), "beta", "beta");
        conn.redis().addTags(conn.app().key(), "news", "news");
        for (String device : new String[] {"vip-beta", "beta", "news", "untagged"}) {
            TestDevice d = TestDevice.connect(conn.node().deviceAddress());
            assertThat(d.login(conn.app().connectFrame(device, 60)).getCode())
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
        return conn.router().blocking().fanOut(FanOutRequest.newBuilder().setAppKey(conn.app().key()).setFilter(filter)
                .setPush(TestRouter.push(id(), "probe")).build()).getMatched();
    }

    private static synchronized long id() {
        return ++nextId;
    }

    /** Reads what earlier probes wrote: up to the PONG of a PING sent now. */
    private static void skipEarlierPushes() throws Exception {
        for (TestDevice d : devices.values()) {
            d.ping();
            while (d.read().frameType() != FrameType.PONG) {
                // skip earlier pushes
            }
        }
    }

    /** Sends a fan-out and checks exactly the expected devices receive it. */
    private static void fanOutReaches(FanOutRequest.Builder request, String... expected) throws Exception {
        skipEarlierPushes();
        long id = id();
        FanOutResponse r = conn.router().blocking().fanOut(request.setAppKey(conn.app().key())
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
        skipEarlierPushes();
        long id = id();
        // 4 devices over 4 s: chunks at 0, 1, 2 and 3 s; the answer must not wait for the last one
        FanOutResponse r = conn.router().blocking().fanOut(FanOutRequest.newBuilder().setAppKey(conn.app().key())
                .setBroadcast(true).setSpreadMs(4_000).setPush(TestRouter.push(id, "spread")).build());
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
                .until(() -> String.valueOf(4 - r.getWritten()).equals(conn.redis().stat(id, "online")));
    }

    @Test
    void fanOut_whenTheSameMessageComesAgain_thenWrittenOnceAndTheFirstAnswerRepeated() throws Exception {
        // a router tries a FanOut again when its answer was late or lost: the node must not write it twice
        skipEarlierPushes();
        long id = id();
        FanOutRequest request = FanOutRequest.newBuilder().setAppKey(conn.app().key()).setBroadcast(true)
                .setPush(TestRouter.push(id, "once")).build();
        FanOutResponse first = conn.router().blocking().fanOut(request);
        FanOutResponse again = conn.router().blocking().fanOut(request);
        assertThat(first.getWritten()).isEqualTo(4);
        assertThat(again).isEqualTo(first);
        for (TestDevice d : devices.values()) {
            d.ping();
            TestDevice.Frame f = d.read();
            assertThat(f.frameType()).isEqualTo(FrameType.PUSH);
            assertThat(f.push().getMessageId()).isEqualTo(id);
            assertThat(d.read().frameType()).isEqualTo(FrameType.PONG);
        }
    }

    @Test
    void fanOut_whenOtherApp_thenNobodyHere() {
        FanOutResponse r = conn.router().blocking().fanOut(FanOutRequest.newBuilder().setAppKey("another-app")
                .setBroadcast(true).setPush(TestRouter.push(id(), "x")).build());
        assertThat(r.getMatched()).isZero();
    }

    @Test
    void fanOut_whenNoFilterAndNoBroadcast_thenInvalidArgument() {
        assertThatThrownBy(() -> conn.router().blocking().fanOut(FanOutRequest.newBuilder().setAppKey(conn.app().key())
                .setPush(TestRouter.push(id(), "x")).build()))
                .isInstanceOf(StatusRuntimeException.class)
                .hasMessageContaining("INVALID_ARGUMENT")
                .hasMessageContaining("tag filter");
    }
}
