package io.longlink.sdk.wire;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.longlink.proto.device.ErrorCode;
import java.io.ByteArrayInputStream;
import java.io.IOException;

/**
 * What a server (or anything pretending to be one) sends the SDK: whatever the bytes, the frame
 * reader returns well-formed frames, then either the end of the stream or one FrameException with
 * MALFORMED_FRAME or FRAME_TOO_LARGE; it never throws anything else and never allocates a body over
 * its limit. {@code mvn test} replays {@code FrameReaderFuzzTestInputs}; {@code ops/fuzz} fuzzes.
 */
public class FrameReaderFuzzTest {
    private static final int MAX_BODY = 4096;

    @FuzzTest(maxDuration = "20s")
    void read_whateverTheBytes_thenFramesThenEndOrOneFrameException(byte[] input) {
        fuzzerTestOneInput(input);
    }

    public static void fuzzerTestOneInput(byte[] input) {
        FrameReader reader = new FrameReader(new ByteArrayInputStream(input), MAX_BODY);
        int frames = 0;
        try {
            for (Frame f = reader.read(); f != null; f = reader.read()) {
                assertThat(Frames.matches(f.type(), f.body())).as("body class of %s", f.type()).isTrue();
                assertThat(f.body().getSerializedSize()).isLessThanOrEqualTo(MAX_BODY);
                frames++;
            }
        } catch (FrameException e) {
            assertThat(e.code()).isIn(ErrorCode.MALFORMED_FRAME, ErrorCode.FRAME_TOO_LARGE);
            assertThat(e.getMessage()).isNotBlank();
        } catch (IOException e) {
            throw new AssertionError("a byte array stream does not fail: " + e, e);
        }
        // every frame takes at least its type byte and one length byte
        assertThat(frames).isLessThanOrEqualTo(input.length / 2);
    }
}
