package io.longlink.loadtest.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.proto.device.Ack;
import io.longlink.proto.device.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

class AckFramesTest {
    private static Ack roundTrip(long[] ids, int count) throws Exception {
        ByteBuf buf = AckFrames.encode(UnpooledByteBufAllocator.DEFAULT, ids, count);
        try {
            Frame frame = FrameDecoder.next(buf, 1 << 20);
            assertThat(frame).isNotNull();
            assertThat(frame.type()).isEqualTo(FrameType.ACK.getNumber());
            assertThat(buf.readableBytes()).isZero();
            return Ack.parseFrom(frame.body());
        } finally {
            buf.release();
        }
    }

    @Test
    void encode_whenOneId_thenProtobufReadsIt() throws Exception {
        assertThat(roundTrip(new long[] {42}, 1).getMessageIdsList()).containsExactly(42L);
    }

    @Test
    void encode_whenBatchWithNegativeIds_thenEveryIdInOrder() throws Exception {
        long[] ids = new long[512];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = Long.MIN_VALUE + i * 1_000_003L;
        }

        Ack ack = roundTrip(ids, ids.length);

        assertThat(ack.getMessageIdsCount()).isEqualTo(512);
        assertThat(ack.getMessageIds(0)).isEqualTo(Long.MIN_VALUE);
        assertThat(ack.getMessageIds(511)).isEqualTo(ids[511]);
    }

    @Test
    void encode_whenPrefixOfArray_thenOnlyThatPrefix() throws Exception {
        assertThat(roundTrip(new long[] {1, 2, 3, 4}, 2).getMessageIdsList()).containsExactly(1L, 2L);
    }

    @Test
    void encode_whenSameAsProtobuf_thenSameBytes() {
        long[] ids = {7, 8, 9};
        byte[] expected = FrameCodec.frame(FrameType.ACK, Ack.newBuilder().addMessageIds(7).addMessageIds(8)
                .addMessageIds(9).build());

        ByteBuf buf = AckFrames.encode(UnpooledByteBufAllocator.DEFAULT, ids, 3);
        byte[] actual = new byte[buf.readableBytes()];
        buf.readBytes(actual);
        buf.release();

        assertThat(actual).isEqualTo(expected);
    }

    @Test
    void encode_whenCountZero_thenRefused() {
        assertThatThrownBy(() -> AckFrames.encode(UnpooledByteBufAllocator.DEFAULT, new long[] {1}, 0))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("count: 0");
    }
}
