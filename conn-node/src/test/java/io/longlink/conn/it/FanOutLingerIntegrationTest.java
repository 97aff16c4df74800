package io.longlink.conn.it;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.conn.ConnSettings;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.internal.FanOutRequest;
import io.longlink.proto.internal.FanOutResponse;
import io.longlink.testsupport.Infra;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * conn.fanout-linger-ms: fan-out copies written within the linger after a loop's last fan-out flush
 * wait for the next one, and every one of them still reaches its device and is answered.
 */
@ExtendWith(Infra.class)
class FanOutLingerIntegrationTest {
    private static final int LINGER_MS = 1_000;

    @RegisterExtension
    static final ConnNodeExtension conn = ConnNodeExtension.inNamespace("fanout-linger-it")
            .with(ConnSettings.FANOUT_LINGER_MS, LINGER_MS)
            .with(ConnSettings.IO_THREADS, 1); // one loop: the second FanOut meets the first one's flush

    private static final List<TestDevice> devices = new ArrayList<>();

    @BeforeAll
    static void connect() throws Exception {
        for (String device : new String[] {"linger-a", "linger-b"}) {
            TestDevice d = TestDevice.connect(conn.node().deviceAddress());
            d.loginOk(conn.app().connectFrame(device, 60));
            devices.add(d);
        }
    }

    @AfterAll
    static void close() throws Exception {
        for (TestDevice d : devices) {
            d.close();
        }
    }

    private static FanOutResponse broadcast(long id) {
        return conn.router().blocking().fanOut(FanOutRequest.newBuilder().setAppKey(conn.app().key())
                .setBroadcast(true).setPush(TestRouter.push(id, "linger")).build());
    }

    @Test
    void fanOut_whenWithinTheLingerOfTheLastFlush_thenAnsweredAtOnceAndFlushedWhenItEnds() throws Exception {
        FanOutResponse first = broadcast(90_001); // nothing flushed for a linger: written at once
        assertThat(first.getWritten()).isEqualTo(2);
        for (TestDevice d : devices) {
            assertThat(d.readPushIds(1)).containsExactly(90_001L);
        }

        List<FanOutResponse> held = new ArrayList<>();
        for (long id = 90_002; id <= 90_004; id++) {
            held.add(broadcast(id)); // answered once in the connections' buffers, not after the flush
        }
        assertThat(held).allSatisfy(r -> {
            assertThat(r.getMatched()).isEqualTo(2);
            assertThat(r.getWritten()).isEqualTo(2);
        });
        // nothing goes out before the linger ends (the check ends well before it does)
        assertThat(devices.get(0).staysOpenAndSilent(Duration.ofMillis(200))).isTrue();
        for (TestDevice d : devices) {
            assertThat(d.readPushIds(3)).containsExactly(90_002L, 90_003L, 90_004L);
        }
    }

    @Test
    void fanOut_whenAnotherFrameIsFlushedOnAConnectionHoldingACopy_thenTheCopyGoesAheadOfIt() throws Exception {
        broadcast(91_001);
        for (TestDevice d : devices) {
            d.readPushIds(1);
        }
        assertThat(broadcast(91_002).getWritten()).isEqualTo(2);
        TestDevice a = devices.get(0);
        TestDevice b = devices.get(1);

        a.ping(); // the PONG is flushed at once, the copy held on that connection in front of it
        assertThat(a.read(Duration.ofSeconds(1)).push().getMessageId()).isEqualTo(91_002L);
        assertThat(a.read(Duration.ofSeconds(1)).frameType()).isEqualTo(FrameType.PONG);
        assertThat(b.staysOpenAndSilent(Duration.ofMillis(100))).isTrue();
        assertThat(b.readPushIds(1)).containsExactly(91_002L);
    }
}
