package io.longlink.loadtest.abuse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.wire.FrameDecoder;
import io.longlink.loadtest.wire.FrameException;
import io.longlink.proto.device.ErrorCode;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

class AttackHandlerTest {
    @Test
    void oversize_whenDecodedWithTheNodesFrameLimit_thenFrameTooLargeBeforeTheBody() {
        EmbeddedChannel ch = new EmbeddedChannel(new FrameDecoder(GeneratorSettings.MAX_FRAME_BYTES));

        assertThatThrownBy(() -> ch.writeInbound(Unpooled.wrappedBuffer(AttackHandler.oversize())))
                .isInstanceOfSatisfying(FrameException.class,
                        e -> assertThat(e.code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE));
    }
}
