package io.longlink.conn;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.common.lifecycle.NodeMain;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The process entry point, run as a real child JVM: exit statuses are what scripts and supervisors see. */
class ConnNodeMainTest {
    @Test
    void main_whenSettingsContradictEachOther_thenExitsWithConfigStatusAndNamesTheSetting(@TempDir Path dir)
            throws Exception {
        Path out = dir.resolve("out.txt");
        ProcessBuilder pb = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), ConnNodeMain.class.getName());
        pb.environment().keySet().removeIf(k -> k.startsWith("LONGLINK_"));
        // each value is valid alone; ConnSettings.validate, run by the ConnNode constructor, rejects the pair
        pb.environment().put(ConnSettings.HEARTBEAT_MIN_S.envName(), "100");
        pb.environment().put(ConnSettings.HEARTBEAT_MAX_S.envName(), "50");
        pb.redirectErrorStream(true).redirectOutput(out.toFile());
        Process p = pb.start();
        try {
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("node process ended").isTrue();
        } finally {
            p.destroyForcibly();
        }
        String output = Files.readString(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(output).isEqualTo(NodeMain.EXIT_CONFIG);
        assertThat(output).contains("conn.heartbeat-min-s: 100 (expected: at most conn.heartbeat-max-s = 50)");
        assertThat(output).doesNotContain("start failed");
    }
}
