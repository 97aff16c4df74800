package io.longlink.loadtest.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.proto.device.Notification;
import io.longlink.proto.device.Push;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

class PushFieldsTest {
    @Test
    void parse_whenFullPush_thenIdSentAtAndFirstPayloadByte() throws Exception {
        byte[] body = Push.newBuilder().setMessageId(0x8000_0000_0000_0001L).setPayload(ByteString.copyFrom(new byte[] {
                2, 9, 9})).setNotification(Notification.newBuilder().setTitle("t").setBody("b")).setCollapseKey("k")
                .setExpiresAtMs(99).setSentAtMs(1_700_000_000_123L).build().toByteArray();

        PushFields f = PushFields.parse(body);

        assertThat(f.messageId()).isEqualTo(0x8000_0000_0000_0001L);
        assertThat(f.sentAtMs()).isEqualTo(1_700_000_000_123L);
        assertThat(f.firstPayloadByte()).isEqualTo(2);
    }

    @Test
    void messageId_whenReadInPlaceFromABuffer_thenTheIdWhereverTheFieldIs() throws Exception {
        byte[] encoded = Push.newBuilder().setMessageId(0x8000_0000_0000_0002L).setSentAtMs(7).build().toByteArray();
        // the same fields with the id last: a layout an encoder does not write, read by the full parse
        byte[] idLast = new byte[encoded.length];
        System.arraycopy(encoded, 9, idLast, 0, encoded.length - 9);
        System.arraycopy(encoded, 0, idLast, encoded.length - 9, 9);
        ByteBuf buf = Unpooled.buffer().writeBytes(new byte[] {1, 2, 3}).writeBytes(encoded).writeBytes(idLast);
        try {
            assertThat(PushFields.messageId(buf, 3, encoded.length)).isEqualTo(0x8000_0000_0000_0002L);
            assertThat(PushFields.messageId(buf, 3 + encoded.length, idLast.length)).isEqualTo(0x8000_0000_0000_0002L);
            assertThatThrownBy(() -> PushFields.messageId(buf, 0, 3)).isInstanceOf(InvalidProtocolBufferException.class);
        } finally {
            buf.release();
        }
    }

    @Test
    void parse_whenNoPayload_thenFirstByteMinusOne() throws Exception {
        PushFields f = PushFields.parse(Push.newBuilder().setMessageId(5).setSentAtMs(7).build().toByteArray());

        assertThat(f.firstPayloadByte()).isEqualTo(-1);
        assertThat(f.sentAtMs()).isEqualTo(7);
    }

    @Test
    void parse_whenHighPayloadByte_thenUnsigned() throws Exception {
        PushFields f = PushFields.parse(Push.newBuilder().setMessageId(5)
                .setPayload(ByteString.copyFrom(new byte[] {(byte) 0xFE})).build().toByteArray());

        assertThat(f.firstPayloadByte()).isEqualTo(0xFE);
    }

    @Test
    void parse_whenNoMessageId_thenError() {
        assertThatThrownBy(() -> PushFields.parse(Push.newBuilder().setSentAtMs(1).build().toByteArray()))
                .isInstanceOf(InvalidProtocolBufferException.class).hasMessageContaining("no message_id");
    }

    @Test
    void parse_whenTruncated_thenError() {
        byte[] body = Push.newBuilder().setMessageId(5).setPayload(ByteString.copyFromUtf8("hello")).build()
                .toByteArray();

        assertThatThrownBy(() -> PushFields.parse(java.util.Arrays.copyOf(body, body.length - 2)))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }

    @Test
    void parse_whenGarbage_thenError() {
        assertThatThrownBy(() -> PushFields.parse(new byte[] {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF}))
                .isInstanceOf(InvalidProtocolBufferException.class);
    }
}
