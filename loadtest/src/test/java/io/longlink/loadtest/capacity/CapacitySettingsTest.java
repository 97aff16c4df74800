package io.longlink.loadtest.capacity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class CapacitySettingsTest {
    private final Map<String, String> set = new HashMap<>();

    @AfterEach
    void clearProperties() {
        set.keySet().forEach(k -> System.clearProperty(CapacitySettings.PREFIX + k));
    }

    private CapacitySettings with(String... keyValues) {
        for (int i = 0; i < keyValues.length; i += 2) {
            set.put(keyValues[i], keyValues[i + 1]);
            System.setProperty(CapacitySettings.PREFIX + keyValues[i], keyValues[i + 1]);
        }
        return CapacitySettings.fromSystemProperties();
    }

    @Test
    void fromSystemProperties_whenOnlyApiAndAdminToken_thenDefaultsAndLoopbackSources() {
        CapacitySettings s = with("api", "127.0.0.1:20010", "admin-token", "t0k");

        assertThat(s.api()).containsExactly("127.0.0.1:20010");
        assertThat(s.connNodes()).isEmpty();
        assertThat(s.devices()).isEqualTo(1_000);
        assertThat(s.unicastRate()).isEqualTo(500);
        assertThat(s.batch()).isEqualTo(1);
        assertThat(s.tokenSource()).isEqualTo(CapacitySettings.MINT);
        assertThat(s.sourceIps()).as("a local cluster: spread over loopback addresses").isEqualTo(50);
        assertThat(s.apiTls()).isFalse();
        assertThat(s.deviceTls()).isFalse();
        assertThat(s.devicePrefix()).startsWith("cap-");
    }

    @Test
    void fromSystemProperties_whenRemoteCluster_thenKernelChoosesSourceAddress() {
        CapacitySettings s = with("api", "api-1.example.net:8400, api-2.example.net:8400", "conn-nodes",
                "10.0.0.5:7000", "app-key", "k", "app-secret", "s", "device-tls", "true", "api-tls", "on");

        assertThat(s.api()).containsExactly("api-1.example.net:8400", "api-2.example.net:8400");
        assertThat(s.sourceIps()).isZero();
        assertThat(s.deviceTls()).isTrue();
        assertThat(s.apiTls()).isTrue();
        assertThat(s.adminToken()).isEmpty();
    }

    @Test
    void fromSystemProperties_whenNeitherAdminTokenNorApp_thenFailsNamingBoth() {
        assertThatThrownBy(() -> with("api", "127.0.0.1:20010"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("longlink.admin-token").hasMessageContaining("longlink.app-key");
    }

    @Test
    void fromSystemProperties_whenAppKeyWithoutSecret_thenFails() {
        assertThatThrownBy(() -> with("api", "127.0.0.1:20010", "app-key", "k"))
                .hasMessageContaining("one without the other");
    }

    @Test
    void fromSystemProperties_whenValueOutOfRangeOrNotANumber_thenFailsWithNameValueAndExpected() {
        assertThatThrownBy(() -> with("api", "a:1", "admin-token", "t", "batch", "5000"))
                .hasMessage("longlink.batch: 5000 (expected: 1..1000)");
        clearProperties();
        assertThatThrownBy(() -> with("api", "a:1", "admin-token", "t", "devices", "many"))
                .hasMessage("longlink.devices: 'many' (expected: an integer)");
        clearProperties();
        assertThatThrownBy(() -> with("api", "a:1", "admin-token", "t", "token-source", "file"))
                .hasMessage("longlink.token-source: file (expected: mint or register)");
    }

    @Test
    void describe_whenSecretsSet_thenMasksAdminToken() {
        CapacitySettings s = with("api", "127.0.0.1:20010", "admin-token", "very-secret");

        assertThat(s.describe()).containsEntry("admin-token", "***").doesNotContainValue("very-secret");
    }
}
