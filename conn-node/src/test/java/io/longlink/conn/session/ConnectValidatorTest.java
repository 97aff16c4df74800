package io.longlink.conn.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.device.Connect;
import org.junit.jupiter.api.Test;

class ConnectValidatorTest {
    private static Connect connect(String app, String device) {
        return Connect.newBuilder().setProtocolVersion(1).setAppKey(app).setDeviceId(device).setToken("t").build();
    }

    @Test
    void invalidArgument_whenFieldsWellFormed_thenNull() {
        assertThat(ConnectValidator.invalidArgument(connect("app_1.x-y", "A-z.0_9:x"))).isNull();
        assertThat(ConnectValidator.invalidArgument(connect("a", "d".repeat(128)))).isNull();
    }

    @Test
    void invalidArgument_whenDeviceIdEmptyTooLongOrBadChars_thenReason() {
        assertThat(ConnectValidator.invalidArgument(connect("app", ""))).contains("device_id");
        assertThat(ConnectValidator.invalidArgument(connect("app", "d".repeat(129)))).contains("device_id");
        assertThat(ConnectValidator.invalidArgument(connect("app", "a b"))).contains("device_id");
        assertThat(ConnectValidator.invalidArgument(connect("app", "a}b"))).contains("device_id");
        assertThat(ConnectValidator.invalidArgument(connect("app", "ü"))).contains("device_id");
    }

    @Test
    void invalidArgument_whenAppKeyEmptyOrHasColonOrBrace_thenReason() {
        assertThat(ConnectValidator.invalidArgument(connect("", "d"))).contains("app_key");
        assertThat(ConnectValidator.invalidArgument(connect("a:b", "d"))).contains("app_key");
        assertThat(ConnectValidator.invalidArgument(connect("a{b", "d"))).contains("app_key");
        assertThat(ConnectValidator.invalidArgument(connect("a".repeat(65), "d"))).contains("app_key");
    }

    @Test
    void heartbeat_whenOutOfRange_thenClampedAndZeroMeansDefault() {
        assertThat(ConnectValidator.heartbeat(0, 30, 600, 240)).isEqualTo(240);
        assertThat(ConnectValidator.heartbeat(5, 30, 600, 240)).isEqualTo(30);
        assertThat(ConnectValidator.heartbeat(100, 30, 600, 240)).isEqualTo(100);
        assertThat(ConnectValidator.heartbeat(601, 30, 600, 240)).isEqualTo(600);
        assertThat(ConnectValidator.heartbeat(-1, 30, 600, 240)).isEqualTo(600); // uint32 0xFFFFFFFF
    }
}
