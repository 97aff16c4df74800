package io.longlink.conn.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.longlink.proto.device.Notification;
import io.longlink.proto.device.Push;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class PushBodiesTest {
    @Test
    void expiresAtMs_whenEveryFieldSet_thenSameAsFullParse() throws Exception {
        Push p = Push.newBuilder().setMessageId(-3L).setPayload(ByteString.copyFrom(new byte[5000]))
                .setNotification(Notification.newBuilder().setTitle("t").setBody("b").build())
                .setCollapseKey("news").setExpiresAtMs(1_893_456_000_000L).setSentAtMs(1_700_000_000_000L).build();
        assertThat(PushBodies.expiresAtMs(p.toByteArray())).isEqualTo(1_893_456_000_000L);
    }

    @Test
    void expiresAtMs_whenNotSet_thenZero() throws Exception {
        assertThat(PushBodies.expiresAtMs(Push.newBuilder().setMessageId(1).build().toByteArray())).isZero();
        assertThat(PushBodies.expiresAtMs(new byte[0])).isZero();
    }

    @Test
    void expiresAtMs_whenTruncated_thenInvalidProtocolBuffer() {
        byte[] whole = Push.newBuilder().setMessageId(1).setPayload(ByteString.copyFromUtf8("payload"))
                .setExpiresAtMs(99).build().toByteArray();
        byte[] cut = Arrays.copyOf(whole, 12);
        assertThatThrownBy(() -> PushBodies.expiresAtMs(cut)).isInstanceOf(InvalidProtocolBufferException.class);
    }

    @Test
    void expiresAtMs_whenGarbage_thenInvalidProtocolBuffer() {
        byte[] garbage = {(byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF, 0x0F};
        assertThatThrownBy(() -> PushBodies.expiresAtMs(garbage)).isInstanceOf(InvalidProtocolBufferException.class);
    }
}
