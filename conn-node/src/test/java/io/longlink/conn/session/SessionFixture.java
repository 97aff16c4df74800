package io.longlink.conn.session;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.common.token.DeviceToken;
import io.longlink.conn.broadcast.FanOutCopies;
import io.longlink.conn.metrics.ConnMetrics;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import io.netty.buffer.ByteBuf;
import io.netty.channel.embedded.EmbeddedChannel;
import io.prometheus.client.CollectorRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The session layer of one node on Netty's EmbeddedChannel, with in-memory stores ({@link FakeStores}):
 * a device is an EmbeddedChannel whose inbound side takes decoded frames and whose outbound side
 * holds the encoded frames the node wrote. Store answers come at once unless a test holds them.
 */
final class SessionFixture implements AutoCloseable {
    static final String NODE = "node-a";
    static final String APP = "app";
    static final String SECRET = "secret";

    final CollectorRegistry registry = new CollectorRegistry();
    final ConnMetrics metrics = new ConnMetrics(registry, () -> 0, () -> 0);
    final SessionIndex index = new SessionIndex();
    final FakeStores stores = new FakeStores();
    final FanOutCopies copies = new FanOutCopies();
    final SessionSettings settings;
    final SessionLayer layer;
    boolean draining;
    final Redirect redirect = Redirect.newBuilder().setReason("node-a is draining").addAddresses("10.0.0.2:7000")
            .setRetryAfterMs(1_000).build();
    /** The timing wheels' loop: never run here, so sessions see no wheel (tick 0). */
    private final EmbeddedChannel wheelLoop = new EmbeddedChannel();

    SessionFixture() {
        this(s -> {
        });
    }

    SessionFixture(Consumer<Settings> tune) {
        Settings s = new Settings();
        tune.accept(s);
        settings = s.build();
        stores.apps.secrets.put(APP, SECRET);
        layer = new SessionLayer(NODE, settings, metrics, index, new Disconnector(metrics), stores.stores(), copies,
                wheelLoop.eventLoop(), () -> draining, ch -> redirect, LIMITS);
    }

    /** No listener limit the tests reach (ConnectLimitsIntegrationTest checks them on real sockets). */
    static final ConnectLimits LIMITS = new ConnectLimits(1_000_000, 1_000_000, 0, 0, 0, 1_000);

    /** Settings for the tests: small pages so that paging shows. */
    static final class Settings {
        int heartbeatMin = 10;
        int heartbeatMax = 300;
        int idleFactor = 3;
        int inboxPage = 2;
        int pendingMax = 4;
        int maxTags = 8;
        int replayPage = 2;
        int replayMax = 10;
        int replaySkewMs = 60_000;
        /** Off by default: embedded channels run off the wheels, so their frames all share one tick. */
        int maxFramesPerS;
        int maxAckIdsPerS;

        SessionSettings build() {
            return new SessionSettings(100, 5_000, 1_000, heartbeatMin, heartbeatMax, 60, idleFactor, 60_000, 10_000,
                    inboxPage, pendingMax, maxTags, replayPage, replayMax, replaySkewMs, maxFramesPerS, maxAckIdsPerS);
        }
    }

    /** A device socket that has just opened. */
    EmbeddedChannel open() {
        return new EmbeddedChannel(layer.handler());
    }

    static Session session(EmbeddedChannel ch) {
        return ch.attr(Disconnector.SESSION).get();
    }

    static String token(String device) {
        return DeviceToken.mint(SECRET, APP, device, System.currentTimeMillis() / 1000 + 3600);
    }

    static Connect connect(String device) {
        return Connect.newBuilder().setProtocolVersion(1).setAppKey(APP).setDeviceId(device).setToken(token(device))
                .setHeartbeatSeconds(60).build();
    }

    /** Opens a socket and sends CONNECT for {@code device}; the stores' replies decide what follows. */
    EmbeddedChannel connecting(String device) {
        EmbeddedChannel ch = open();
        ch.writeInbound(connect(device));
        return ch;
    }

    /** Opens a socket, sends CONNECT for {@code device} and reads the CONNACK, which must be OK. */
    EmbeddedChannel connected(String device) {
        EmbeddedChannel ch = connecting(device);
        ConnAck ack = next(ch).connAck();
        assertThat(ack.getCode()).isEqualTo(ErrorCode.OK);
        return ch;
    }

    /** As {@link #connected}, and the catch-up is over. */
    EmbeddedChannel live(String device) {
        EmbeddedChannel ch = connected(device);
        assertThat(session(ch).state()).isEqualTo(Session.LIVE);
        return ch;
    }

    static Push push(long id) {
        return Push.newBuilder().setMessageId(id).setSentAtMs(System.currentTimeMillis()).build();
    }

    double metric(String name) {
        Double v = registry.getSampleValue(name);
        return v == null ? 0 : v;
    }

    double metric(String name, String label, String value) {
        Double v = registry.getSampleValue(name, new String[] {label}, new String[] {value});
        return v == null ? 0 : v;
    }

    /** One frame the node wrote. */
    record Frame(FrameType type, byte[] body) {
        ConnAck connAck() {
            return parse(FrameType.CONNACK, () -> ConnAck.parseFrom(body));
        }

        Push push() {
            return parse(FrameType.PUSH, () -> Push.parseFrom(body));
        }

        Error error() {
            return parse(FrameType.ERROR, () -> Error.parseFrom(body));
        }

        Redirect redirect() {
            return parse(FrameType.REDIRECT, () -> Redirect.parseFrom(body));
        }

        private <T> T parse(FrameType expected, Parser<T> parser) {
            assertThat(type).isEqualTo(expected);
            try {
                return parser.parse();
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("unreadable " + type + " body", e);
            }
        }

        private interface Parser<T> {
            T parse() throws InvalidProtocolBufferException;
        }
    }

    /** The next frame written and flushed to {@code ch}; fails when there is none. */
    static Frame next(EmbeddedChannel ch) {
        ByteBuf buf = ch.readOutbound();
        assertThat(buf).as("a frame written to the device").isNotNull();
        try {
            FrameType type = FrameType.forNumber(buf.readUnsignedByte());
            int len = 0;
            for (int shift = 0; ; shift += 7) {
                int b = buf.readUnsignedByte();
                len |= (b & 0x7F) << shift;
                if ((b & 0x80) == 0) {
                    break;
                }
            }
            byte[] body = new byte[len];
            buf.readBytes(body);
            assertThat(buf.isReadable()).as("one frame per buffer").isFalse();
            return new Frame(type, body);
        } finally {
            buf.release();
        }
    }

    /** Every frame written and flushed to {@code ch} so far. */
    static List<Frame> frames(EmbeddedChannel ch) {
        List<Frame> out = new ArrayList<>();
        while (!ch.outboundMessages().isEmpty()) {
            out.add(next(ch));
        }
        return out;
    }

    /** The ids of the PUSH frames written so far, in order; fails on any other frame. */
    static List<Long> pushes(EmbeddedChannel ch) {
        return frames(ch).stream().map(f -> f.push().getMessageId()).toList();
    }

    /** Makes the socket unwritable (or writable again), as a full (or drained) send buffer does. */
    static void writable(EmbeddedChannel ch, boolean writable) {
        ch.unsafe().outboundBuffer().setUserDefinedWritability(1, writable);
        ch.runPendingTasks(); // the writability event is fired as a task
    }

    @Override
    public void close() {
        layer.close();
        wheelLoop.finishAndReleaseAll();
    }
}
