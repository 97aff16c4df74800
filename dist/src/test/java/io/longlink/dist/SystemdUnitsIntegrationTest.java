package io.longlink.dist;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The systemd units and sysctl file of ops/systemd: {@code systemd-analyze verify} accepts each unit
 * without a warning (its ExecStart pointed at the unpacked tarball, which verify requires to exist),
 * and the stop timeouts and limits fit the node's own settings.
 */
class SystemdUnitsIntegrationTest {
    private static final Path SYSTEMD = Repo.root().resolve("ops/systemd");
    private static final long CONNECTIONS = 1_000_000;
    private static final long DEFAULT_SHUTDOWN_MS = 30_000;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"conn-node", "router-node", "api-node"})
    void unit_whenVerifiedBySystemd_thenNoErrorAndNoWarning(String role) throws Exception {
        Path home = Repo.unpack(role, dir);
        String unit = Files.readString(unitFile(role)).replace("/opt/longlink/" + role + "/", home + "/");
        Path copy = Files.writeString(dir.resolve("longlink-" + role + ".service"), unit);

        Repo.Result verify = runVerify(copy);

        assertThat(verify.exit()).as(verify.err()).isZero();
        assertThat(verify.err()).as("warnings").isBlank();
        assertThat(directives(unit)).containsEntry("Restart", "on-failure").containsEntry("User", "longlink")
                .containsEntry("KillSignal", "SIGTERM").containsKey("LimitNOFILE").containsKey("TimeoutStopSec");
    }

    @Test
    void connNodeUnit_whenAMillionDevicesDrain_thenDrainFitsShutdownTimeoutWhichFitsStopTimeout() throws IOException {
        Map<String, String> unit = directives(Files.readString(unitFile("conn-node")));
        long drainRate = Long.parseLong(environment(unit, "LONGLINK_CONN_DRAIN_RATE_PER_S"));
        long shutdownMs = Long.parseLong(environment(unit, "LONGLINK_NODE_SHUTDOWN_TIMEOUT_MS"));

        assertThat(CONNECTIONS * 1000 / drainRate).as("drain of 1M connections, ms").isLessThan(shutdownMs);
        assertThat(Long.parseLong(unit.get("TimeoutStopSec")) * 1000).isGreaterThan(shutdownMs);
        assertThat(Long.parseLong(unit.get("LimitNOFILE"))).isGreaterThan(CONNECTIONS)
                .isLessThanOrEqualTo(Long.parseLong(sysctl().get("fs.nr_open")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"router-node", "api-node"})
    void unit_whenNodeUsesDefaultShutdownTimeout_thenSystemdWaitsLonger(String role) throws IOException {
        Map<String, String> unit = directives(Files.readString(unitFile(role)));

        assertThat(Long.parseLong(unit.get("TimeoutStopSec")) * 1000).isGreaterThan(DEFAULT_SHUTDOWN_MS);
    }

    @Test
    void sysctl_whenRead_thenSetsWhatAMillionConnectionsNeedAndEveryKeyExistsInTheKernel() throws IOException {
        Map<String, String> sysctl = sysctl();

        assertThat(sysctl).containsKeys("fs.file-max", "fs.nr_open", "net.core.somaxconn", "net.ipv4.tcp_max_syn_backlog",
                "net.ipv4.tcp_mem", "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", "net.ipv4.ip_local_port_range");
        assertThat(Long.parseLong(sysctl.get("fs.file-max"))).isGreaterThan(CONNECTIONS);
        assertThat(Long.parseLong(sysctl.get("net.core.somaxconn"))).isGreaterThanOrEqualTo(4096);
        for (String key : sysctl.keySet()) {
            assertThat(Path.of("/proc/sys", key.replace('.', '/'))).as(key).exists();
        }
        int firstLocalPort = Integer.parseInt(sysctl.get("net.ipv4.ip_local_port_range").split("\\s+")[0]);
        assertThat(List.of(7000, 7100, 9120)).as("default listening ports below the local port range")
                .allMatch(port -> port < firstLocalPort);
    }

    private static Repo.Result runVerify(Path unit) throws IOException, InterruptedException {
        try {
            return Repo.run(Map.of("SYSTEMD_LOG_COLOR", "0"), "systemd-analyze", "verify", unit.toString());
        } catch (IOException e) {
            throw new AssertionError("systemd-analyze is missing: install Debian's systemd package (ops/install-deps)", e);
        }
    }

    private static Path unitFile(String role) {
        return SYSTEMD.resolve("longlink-" + role + ".service");
    }

    /** The unit's KEY=VALUE lines (Environment= lines joined by newlines). */
    private static Map<String, String> directives(String unit) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : unit.split("\n")) {
            int eq = line.indexOf('=');
            if (line.isBlank() || line.startsWith("#") || line.startsWith("[") || eq < 0) {
                continue;
            }
            out.merge(line.substring(0, eq).trim(), line.substring(eq + 1).trim(), (a, b) -> a + "\n" + b);
        }
        return out;
    }

    private static String environment(Map<String, String> unit, String name) {
        Matcher m = Pattern.compile("(?m)^" + name + "=(\\S+)$").matcher(unit.getOrDefault("Environment", ""));
        assertThat(m.find()).as(name + " in Environment=").isTrue();
        return m.group(1);
    }

    private static Map<String, String> sysctl() throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : Files.readAllLines(SYSTEMD.resolve("99-longlink-conn-node.conf"))) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] kv = line.split("=", 2);
            out.put(kv[0].trim(), kv[1].trim());
        }
        return out;
    }
}
