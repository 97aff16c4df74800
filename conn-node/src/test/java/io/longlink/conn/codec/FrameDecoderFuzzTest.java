package io.longlink.conn.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.longlink.conn.session.ConnectValidator;
import io.longlink.proto.device.Ack;
import io.longlink.proto.device.Connect;
import io.longlink.proto.device.Disconnect;
import io.longlink.proto.device.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;

/**
 * Bytes from outside, as a device socket delivers them: split into reads of varying size, through
 * the frame decoder, and every decoded CONNECT through the checks that need no store. Whatever the
 * bytes, the decoder either hands over well-formed frames or rejects the connection once with
 * MALFORMED_FRAME or FRAME_TOO_LARGE; it never throws, never decodes after a rejection and never
 * holds more than one frame's worth of bytes.
 *
 * <p>{@code mvn test} replays the inputs under {@code FrameDecoderFuzzTestInputs}; {@code ops/fuzz}
 * fuzzes ({@link #fuzzerTestOneInput} is the entry point of its runs). The first input byte sets the
 * read size (1 to 32 bytes), the rest is the stream.
 */
public class FrameDecoderFuzzTest {
    private static final int MAX_FRAME = 1024;
    /** Type byte plus the longest length varint the decoder waits for. */
    private static final int MAX_HEADER = 6;

    @FuzzTest(maxDuration = "20s")
    void decode_whateverTheBytes_thenFramesOrOneRejection(byte[] input) {
        fuzzerTestOneInput(input);
    }

    public static void fuzzerTestOneInput(byte[] input) {
        if (input.length == 0) {
            return;
        }
        int readSize = 1 + (input[0] & 0x1F);
        List<ErrorCode> rejections = new ArrayList<>();
        List<Integer> framesAtRejection = new ArrayList<>();
        EmbeddedChannel ch = new EmbeddedChannel();
        FrameDecoder decoder = new FrameDecoder(MAX_FRAME, (channel, code, reason) -> {
            assertThat(reason).isNotBlank();
            rejections.add(code);
            framesAtRejection.add(ch.inboundMessages().size());
        });
        ch.pipeline().addLast(decoder);
        try {
            for (int at = 1; at < input.length; at += readSize) {
                ch.writeInbound(Unpooled.wrappedBuffer(input, at, Math.min(readSize, input.length - at)));
                assertThat(decoder.heldBytes()).as("bytes held for an incomplete frame")
                        .isLessThanOrEqualTo(MAX_FRAME + MAX_HEADER);
            }
            ch.checkException();
            assertThat(rejections).hasSizeLessThanOrEqualTo(1);
            if (!rejections.isEmpty()) {
                assertThat(ch.inboundMessages()).as("frames decoded after the rejection")
                        .hasSize(framesAtRejection.get(0));
            }
            rejections.forEach(code -> assertThat(code).isIn(ErrorCode.MALFORMED_FRAME, ErrorCode.FRAME_TOO_LARGE));
            for (Object frame; (frame = ch.readInbound()) != null; ) {
                check(frame);
            }
        } finally {
            ch.finishAndReleaseAll();
        }
    }

    private static void check(Object frame) {
        if (frame instanceof Connect c) {
            // either a reason or a CONNECT whose fields are in range; the heartbeat clamp stays in range
            String invalid = ConnectValidator.invalidArgument(c);
            if (invalid == null) {
                assertThat(c.getAppKey().length()).isBetween(1, ConnectValidator.MAX_APP_KEY);
                assertThat(c.getDeviceId().length()).isBetween(1, ConnectValidator.MAX_DEVICE_ID);
            }
            assertThat(ConnectValidator.heartbeat(c.getHeartbeatSeconds(), 30, 1800, 240)).isBetween(30, 1800);
            return;
        }
        assertThat(frame).isInstanceOfAny(Ping.class, Ack.class, Disconnect.class);
    }
}
