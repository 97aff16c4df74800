package io.longlink.conn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.common.config.Config;
import io.longlink.common.config.ConfigException;
import io.longlink.common.config.Setting;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class ConnSettingsTest {
    private static Config load(Map<String, String> env) throws ConfigException {
        return Config.load(null, env, ConnSettings.all());
    }

    @Test
    void validate_whenDefaults_thenAccepted() throws Exception {
        ConnSettings.validate(load(Map.of()));
    }

    @Test
    void validate_whenSettingsContradict_thenEveryProblemNamed() {
        Map<String, String> env = new HashMap<>();
        env.put(ConnSettings.HEARTBEAT_MIN_S.envName(), "100");
        env.put(ConnSettings.HEARTBEAT_MAX_S.envName(), "50");
        env.put(ConnSettings.ROUTE_TTL_MS.envName(), "1000");
        env.put(ConnSettings.WRITE_LOW_WATER.envName(), "9000");
        env.put(ConnSettings.WRITE_HIGH_WATER.envName(), "8000");
        env.put(ConnSettings.TLS_CERT.envName(), "/x.pem");
        assertThatThrownBy(() -> ConnSettings.validate(load(env)))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems())
                        .anyMatch(p -> p.startsWith("conn.heartbeat-min-s"))
                        .anyMatch(p -> p.startsWith("conn.heartbeat-default-s"))
                        .anyMatch(p -> p.startsWith("conn.route-ttl-ms"))
                        .anyMatch(p -> p.startsWith("conn.write-buffer-low-bytes"))
                        .anyMatch(p -> p.startsWith("conn.tls.key")));
    }

    @Test
    void validate_whenReplayPageAboveReplayMax_thenNamed() {
        Map<String, String> env = Map.of(ConnSettings.REPLAY_PAGE.envName(), "500",
                ConnSettings.REPLAY_MAX.envName(), "100");
        assertThatThrownBy(() -> ConnSettings.validate(load(env)))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("conn.broadcast-replay-page: 500 (expected: at most conn.broadcast-replay-max = 100)");
    }

    @Test
    void validate_whenReplayOff_thenAnyPageAccepted() throws Exception {
        ConnSettings.validate(load(Map.of(ConnSettings.REPLAY_PAGE.envName(), "500",
                ConnSettings.REPLAY_MAX.envName(), "0")));
    }

    @Test
    void load_whenValueOutOfRange_thenKeyValueAndExpectedInMessage() {
        assertThatThrownBy(() -> load(Map.of(ConnSettings.MAX_FRAME_BYTES.envName(), "10")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("conn.max-frame-bytes: '10' (expected: an integer from 64 to 1048576)");
    }

    @Test
    void load_whenMoreTagsThanADeviceMayHave_thenRefused() {
        assertThatThrownBy(() -> load(Map.of(ConnSettings.MAX_TAGS.envName(), "65")))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("conn.max-tags-per-device: '65' (expected: an integer from 0 to 64)");
    }

    @Test
    void validate_whenMqttPortIsTheDevicePort_thenRefused() {
        assertThatThrownBy(() -> ConnSettings.validate(load(Map.of(ConnSettings.MQTT_PORT.envName(), "7000"))))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("conn.mqtt.port: 7000 (expected: another port than conn.device.port)");
    }

    @Test
    void exampleFile_whenLoaded_thenListsEveryKeyWithItsDefault() throws IOException, ConfigException {
        Path file = Path.of("conn-node.example.properties");
        Properties p = new Properties();
        try (var r = Files.newBufferedReader(file)) {
            p.load(r);
        }
        for (Setting<?> s : ConnSettings.all()) {
            assertThat(p.getProperty(s.key())).as(s.key()).isNotNull();
            Object dflt = s.defaultValue();
            String expected = dflt instanceof java.util.List<?> l ? String.join(",", l.stream().map(String::valueOf)
                    .toList()) : String.valueOf(dflt);
            assertThat(p.getProperty(s.key()).trim()).as(s.key()).isEqualTo(expected);
        }
        assertThat(p.stringPropertyNames()).hasSize(ConnSettings.all().size());
        ConnSettings.validate(Config.load(file, Map.of(), ConnSettings.all()));
    }
}
