package io.longlink.common.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
    enum Mode { FAST, SAFE }

    static final Setting<Integer> PORT = Setting.port("test.port", 7000, "a port");
    static final Setting<Integer> BATCH = Setting.intRange("test.batch", 64, 1, 1024, "batch size");
    static final Setting<Boolean> TLS = Setting.bool("test.tls", false, "tls on");
    static final Setting<String> NAME = Setting.string("test.name", "node", "a name");
    static final Setting<List<String>> SERVERS = Setting.hostPorts("test.servers", "127.0.0.1:1", "servers");
    static final Setting<Mode> MODE = Setting.oneOf("test.mode", Mode.SAFE, Mode.class, "mode");
    static final List<Setting<?>> ALL = List.of(PORT, BATCH, TLS, NAME, SERVERS, MODE);

    @TempDir
    Path dir;

    @Test
    void load_whenNothingGiven_thenDefaults() throws Exception {
        Config c = Config.load(null, Map.of(), ALL);
        assertThat(c.get(PORT)).isEqualTo(7000);
        assertThat(c.get(BATCH)).isEqualTo(64);
        assertThat(c.get(TLS)).isFalse();
        assertThat(c.get(SERVERS)).containsExactly("127.0.0.1:1");
        assertThat(c.get(MODE)).isEqualTo(Mode.SAFE);
    }

    @Test
    void load_whenFileAndEnv_thenEnvOverridesFile() throws Exception {
        Path f = write("test.port=7100\ntest.batch=10\ntest.mode=fast\ntest.servers=a:1, b:2\n");
        Config c = Config.load(f, Map.of("LONGLINK_TEST_BATCH", "20", "LONGLINK_TEST_TLS", "true"), ALL);
        assertThat(c.get(PORT)).isEqualTo(7100);
        assertThat(c.get(BATCH)).isEqualTo(20);
        assertThat(c.get(TLS)).isTrue();
        assertThat(c.get(MODE)).isEqualTo(Mode.FAST);
        assertThat(c.get(SERVERS)).containsExactly("a:1", "b:2");
    }

    @Test
    void load_whenValuesOutOfRange_thenEveryProblemNamedWithExpectedRange() throws IOException {
        Path f = write("test.port=70000\ntest.batch=0\ntest.tls=yes\ntest.name= \ntest.servers=nohost\ntest.mode=turbo\n");
        assertThatThrownBy(() -> Config.load(f, Map.of(), ALL))
                .isInstanceOf(ConfigException.class)
                .satisfies(e -> assertThat(((ConfigException) e).problems()).containsExactly(
                        "test.port: '70000' (expected: an integer from 0 to 65535) from file " + f,
                        "test.batch: '0' (expected: an integer from 1 to 1024) from file " + f,
                        "test.tls: 'yes' (expected: true or false) from file " + f,
                        "test.name: '' (expected: a non-empty string) from file " + f,
                        "test.servers: 'nohost' (expected: a comma-separated list of host:port) from file " + f,
                        "test.mode: 'turbo' (expected: one of fast, safe) from file " + f));
    }

    @Test
    void load_whenEnvValueInvalid_thenProblemNamesTheVariable() {
        assertThatThrownBy(() -> Config.load(null, Map.of("LONGLINK_TEST_PORT", "abc"), ALL))
                .hasMessageContaining("test.port: 'abc' (expected: an integer from 0 to 65535) from env LONGLINK_TEST_PORT");
    }

    @Test
    void load_whenUnknownKeyInFile_thenRejectedWithKnownKeys() throws IOException {
        Path f = write("test.prot=7100\n");
        assertThatThrownBy(() -> Config.load(f, Map.of(), ALL))
                .hasMessageContaining("test.prot: unknown key")
                .hasMessageContaining("test.port");
    }

    @Test
    void load_whenRequiredSettingMissing_thenProblem() {
        Setting<String> required = Setting.string("test.required", null, "no default");
        assertThatThrownBy(() -> Config.load(null, Map.of(), List.of(required)))
                .hasMessageContaining("test.required: <missing> (expected: a non-empty string)");
    }

    @Test
    void load_whenFileMissing_thenClearError() {
        Path missing = dir.resolve("nope.properties");
        assertThatThrownBy(() -> Config.load(missing, Map.of(), ALL))
                .hasMessageContaining("config file " + missing + ": cannot be read");
    }

    @Test
    void envName_isUpperSnakeCaseWithPrefix() {
        assertThat(Setting.port("conn.device.port", 1, "").envName()).isEqualTo("LONGLINK_CONN_DEVICE_PORT");
        assertThat(Setting.port("redis.timeout-ms", 1, "").envName()).isEqualTo("LONGLINK_REDIS_TIMEOUT_MS");
    }

    private Path write(String content) throws IOException {
        Path f = dir.resolve("node.properties");
        Files.writeString(f, content);
        return f;
    }
}
