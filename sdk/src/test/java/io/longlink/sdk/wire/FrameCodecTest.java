package io.longlink.sdk.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.Empty;
import com.google.protobuf.Message;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.ConnAck;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.Error;
import io.longlink.proto.device.ErrorCode;
import io.longlink.proto.device.FrameType;
import io.longlink.proto.device.Kick;
import io.longlink.proto.device.Notification;
import io.longlink.proto.device.Platform;
import io.longlink.proto.device.Push;
import io.longlink.proto.device.Redirect;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FrameCodecTest {
    private static final int LIMIT = 64 * 1024;

    private static final Map<FrameType, Message> SAMPLES = Map.of(
            FrameType.CONNECT, Connect.newBuilder().setProtocolVersion(1).setAppKey("app").setDeviceId("dev-1")
                    .setToken("v1.1.x").setClientVersion("t").setPlatform(Platform.IOT).setHeartbeatSeconds(90)
                    .setLastMessageId(-2L).build(),
            FrameType.CONNACK, ConnAck.newBuilder().setCode(ErrorCode.OK).setSessionId("s").setHeartbeatSeconds(60)
                    .setHeartbeatMinSeconds(30).setHeartbeatMaxSeconds(600).setServerTimeMs(123).setNodeId("n").build(),
            FrameType.PING, Empty.getDefaultInstance(),
            FrameType.PONG, Empty.getDefaultInstance(),
            FrameType.PUSH, Push.newBuilder().setMessageId(42).setPayload(ByteString.copyFromUtf8("hello"))
                    .setNotification(Notification.newBuilder().setTitle("t").setBody("b")).setCollapseKey("c")
                    .setExpiresAtMs(9).setSentAtMs(8).build(),
            FrameType.ACK, Ack.newBuilder().addMessageIds(1).addMessageIds(Long.MIN_VALUE).build(),
            FrameType.KICK, Kick.newBuilder().setReason("other login").build(),
            FrameType.REDIRECT, Redirect.newBuilder().addAddresses("a:1").setRetryAfterMs(5).setReason("drain").build(),
            FrameType.ERROR, Error.newBuilder().setCode(ErrorCode.IDLE_TIMEOUT).setReason("idle").build(),
            FrameType.DISCONNECT, Disconnect.newBuilder().setReason("bye").build());

    @Test
    void read_whenEveryFrameTypeWritten_thenSameFramesBackInOrder() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter();
        List<FrameType> order = Arrays.stream(FrameType.values())
                .filter(t -> t != FrameType.FRAME_TYPE_UNSPECIFIED && t != FrameType.UNRECOGNIZED).toList();
        for (FrameType type : order) {
            writer.write(out, type, SAMPLES.get(type));
        }
        FrameReader reader = new FrameReader(new ByteArrayInputStream(out.toByteArray()), LIMIT);
        for (FrameType type : order) {
            Frame frame = reader.read();
            assertThat(frame.type()).isEqualTo(type);
            assertThat(frame.body()).isEqualTo(SAMPLES.get(type));
        }
        assertThat(reader.read()).as("clean end of stream between frames").isNull();
    }

    @Test
    void write_whenPing_thenTypeByteAndZeroLength() {
        assertThat(FrameWriter.toBytes(FrameType.PING, Empty.getDefaultInstance())).containsExactly(3, 0);
    }

    @Test
    void write_whenBodyOver127Bytes_thenTwoByteVarintLength() throws IOException {
        Push push = Push.newBuilder().setMessageId(7).setPayload(ByteString.copyFrom(new byte[300])).build();
        byte[] bytes = FrameWriter.toBytes(FrameType.PUSH, push);
        int size = push.getSerializedSize();
        assertThat(bytes[0]).isEqualTo((byte) 5);
        assertThat(bytes[1]).isEqualTo((byte) ((size & 0x7F) | 0x80));
        assertThat(bytes[2]).isEqualTo((byte) (size >>> 7));
        assertThat(bytes).hasSize(3 + size);
        assertThat(read(bytes).body()).isEqualTo(push);
    }

    @Test
    void write_whenBodyDoesNotMatchType_thenRejected() {
        assertThatThrownBy(() -> FrameWriter.toBytes(FrameType.PUSH, Ack.getDefaultInstance()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("PUSH frame cannot carry Ack");
        assertThatThrownBy(() -> FrameWriter.toBytes(FrameType.PING, Kick.newBuilder().setReason("x").build()))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void read_whenLengthExceedsLimit_thenFrameTooLargeBeforeReadingBody() {
        // Header declares 1 MiB; the stream then holds that many bytes, of which none may be read.
        byte[] header = {5, (byte) 0x80, (byte) 0x80, 0x40};
        CountingStream in = new CountingStream(header, 1 << 20);
        FrameReader reader = new FrameReader(in, LIMIT);
        assertThatThrownBy(reader::read)
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE))
                .hasMessageContaining("1048576 bytes exceeds the limit of 65536");
        assertThat(in.consumed).isEqualTo(header.length);
    }

    @Test
    void read_whenLengthEqualsLimit_thenAccepted() throws IOException {
        Push push = Push.newBuilder().setMessageId(1).setPayload(ByteString.copyFrom(new byte[100])).build();
        byte[] bytes = FrameWriter.toBytes(FrameType.PUSH, push);
        Frame frame = new FrameReader(new ByteArrayInputStream(bytes), push.getSerializedSize()).read();
        assertThat(frame.body()).isEqualTo(push);
        assertThatThrownBy(() -> new FrameReader(new ByteArrayInputStream(bytes), push.getSerializedSize() - 1).read())
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
    }

    @Test
    void read_whenBodyTruncated_thenMalformed() {
        byte[] whole = FrameWriter.toBytes(FrameType.PUSH, SAMPLES.get(FrameType.PUSH));
        byte[] cut = Arrays.copyOf(whole, whole.length - 3);
        assertMalformed(cut, "stream ended inside a PUSH frame body");
    }

    @Test
    void read_whenLengthTruncated_thenMalformed() {
        assertMalformed(new byte[] {5}, "stream ended inside the length");
        assertMalformed(new byte[] {5, (byte) 0x80}, "stream ended inside the length");
    }

    @Test
    void read_whenTypeByteUnknown_thenMalformed() {
        assertMalformed(new byte[] {0, 0}, "unknown frame type 0");
        assertMalformed(new byte[] {11, 0}, "unknown frame type 11");
        assertMalformed(new byte[] {(byte) 0xFF, 0}, "unknown frame type 255");
    }

    @Test
    void read_whenVarintLongerThanFiveBytesOrOver32Bits_thenMalformed() {
        assertMalformed(new byte[] {5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0x8F, 0}, "bad length varint");
        assertMalformed(new byte[] {5, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x1F}, "bad length varint");
        // 2^31 does not fit a Java int length.
        assertMalformed(new byte[] {5, (byte) 0x80, (byte) 0x80, (byte) 0x80, (byte) 0x80, 0x08}, "bad length varint");
    }

    @Test
    void read_whenBodyIsGarbage_thenMalformed() {
        assertMalformed(new byte[] {5, 3, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF}, "PUSH frame body does not parse");
    }

    @Test
    void read_whenPingHasBody_thenMalformed() {
        assertMalformed(new byte[] {4, 1, 0}, "PONG frame must have an empty body");
    }

    @Test
    void read_whenBufferReused_thenEarlierPayloadsUnchanged() throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        FrameWriter writer = new FrameWriter();
        writer.write(out, FrameType.PUSH, Push.newBuilder().setMessageId(1).setPayload(ByteString.copyFromUtf8("first")).build());
        writer.write(out, FrameType.PUSH, Push.newBuilder().setMessageId(2).setPayload(ByteString.copyFromUtf8("other")).build());
        FrameReader reader = new FrameReader(new ByteArrayInputStream(out.toByteArray()), LIMIT);
        Push first = reader.read().body(Push.class);
        reader.read();
        assertThat(first.getPayload().toStringUtf8()).isEqualTo("first");
    }

    @Test
    void read_whenRandomBytes_thenOnlyFramesOrFrameExceptions() {
        Random random = new Random(7);
        for (int round = 0; round < 2000; round++) {
            byte[] bytes = new byte[1 + random.nextInt(40)];
            random.nextBytes(bytes);
            FrameReader reader = new FrameReader(new ByteArrayInputStream(bytes), 32);
            try {
                while (reader.read() != null) {
                    // keep reading until the garbage ends or breaks the format
                }
            } catch (FrameException e) {
                assertThat(e.code()).isIn(ErrorCode.MALFORMED_FRAME, ErrorCode.FRAME_TOO_LARGE);
            } catch (IOException e) {
                throw new AssertionError("unexpected " + e, e);
            }
        }
    }

    private static Frame read(byte[] bytes) throws IOException {
        return new FrameReader(new ByteArrayInputStream(bytes), LIMIT).read();
    }

    private static void assertMalformed(byte[] bytes, String message) {
        assertThatThrownBy(() -> read(bytes))
                .isInstanceOfSatisfying(FrameException.class, e -> assertThat(e.code()).isEqualTo(ErrorCode.MALFORMED_FRAME))
                .hasMessageContaining(message);
    }

    /** A header followed by {@code bodySize} zero bytes, counting how many bytes the reader took. */
    private static final class CountingStream extends InputStream {
        private final byte[] header;
        private final long total;
        long consumed;

        CountingStream(byte[] header, int bodySize) {
            this.header = header;
            this.total = header.length + (long) bodySize;
        }

        @Override
        public int read() {
            if (consumed >= total) {
                return -1;
            }
            int b = consumed < header.length ? header[(int) consumed] & 0xFF : 0;
            consumed++;
            return b;
        }
    }
}
