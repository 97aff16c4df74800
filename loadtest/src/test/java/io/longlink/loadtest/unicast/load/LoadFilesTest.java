package io.longlink.loadtest.unicast.load;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.loadtest.unicast.tally.PushPhase;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LoadFilesTest {
    @TempDir
    Path dir;

    @Test
    void acceptedLog_whenWrittenAndRead_thenSameIdsAndCounts() throws Exception {
        AcceptedLog log = new AcceptedLog(10);
        log.accepted(Long.MIN_VALUE, PushPhase.WARMUP);
        log.accepted(5, PushPhase.MEASURED);
        log.accepted(-1, PushPhase.MEASURED);
        log.failed("DEADLINE_EXCEEDED", PushPhase.WARMUP);
        log.failed("DEADLINE_EXCEEDED", PushPhase.MEASURED);

        log.writeIds(dir.resolve("ids.bin"));

        assertThat(AcceptedLog.readIds(dir.resolve("ids.bin"))).containsExactly(Long.MIN_VALUE, 5, -1);
        assertThat(log.acceptedWarmup()).isEqualTo(1);
        assertThat(log.acceptedMeasured()).isEqualTo(2);
        assertThat(log.failures()).containsExactly(Map.entry("DEADLINE_EXCEEDED", 2L));
        assertThat(log.failedTotal()).isEqualTo(2);
        assertThat(log.failedMeasured()).isEqualTo(1);
    }

    @Test
    void acceptedLog_whenFull_thenOverflowCounted() {
        AcceptedLog log = new AcceptedLog(2);
        for (int i = 1; i <= 3; i++) {
            log.accepted(i, PushPhase.MEASURED);
        }

        assertThat(log.accepted()).isEqualTo(2);
        assertThat(log.overflow()).isEqualTo(1);
    }

    @Test
    void readIds_whenPartialId_thenClearError() throws Exception {
        Files.write(dir.resolve("bad.bin"), new byte[12]);

        assertThatThrownBy(() -> AcceptedLog.readIds(dir.resolve("bad.bin"))).isInstanceOf(IOException.class)
                .hasMessageContaining("12 bytes, not a whole number of ids");
    }

    @Test
    void summary_whenWrittenAndRead_thenEqual() throws Exception {
        LoadSummary s = new LoadSummary(1_000, 31_000, 91_000, 10, 4, 6, 0,
                Map.of("UNAVAILABLE", 3L, "client_in_flight_limit", 1L), 1);
        Path file = dir.resolve(LoadSummary.FILE);

        s.write(file);

        assertThat(LoadSummary.read(file)).isEqualTo(s);
        assertThat(s.failedTotal()).isEqualTo(4);
        assertThat(LoadSummary.read(file).failedMeasured()).isEqualTo(1);
    }

    @Test
    void summary_whenFieldMissing_thenNamedInError() throws Exception {
        Path file = dir.resolve("s.properties");
        Files.writeString(file, "start_ms=1\n");

        assertThatThrownBy(() -> LoadSummary.read(file)).isInstanceOf(IOException.class)
                .hasMessageContaining("no measure_start_ms");
    }

    @Test
    void settings_whenPassedAsSystemProperties_thenSameOnTheOtherSide() {
        LoadSettings s = new LoadSettings("127.0.0.1:29010", "app", "secret", "u", 2_000, 10_000, 100, 30, 60, 64, 86_400,
                2, 20_000, 10_000, dir);
        Map<String, String> saved = new java.util.HashMap<>();
        try {
            for (String p : s.systemProperties()) {
                String kv = p.substring(2);
                int eq = kv.indexOf('=');
                saved.put(kv.substring(0, eq), System.getProperty(kv.substring(0, eq)));
                System.setProperty(kv.substring(0, eq), kv.substring(eq + 1));
            }

            assertThat(LoadSettings.fromSystemProperties()).isEqualTo(s);
            assertThat(s.plannedPushes()).isEqualTo(900_000);
        } finally {
            saved.forEach((k, v) -> {
                if (v == null) {
                    System.clearProperty(k);
                } else {
                    System.setProperty(k, v);
                }
            });
        }
    }

    @Test
    void settings_whenRateZero_thenNamedInError() {
        assertThatThrownBy(() -> new LoadSettings("h:1", "a", "s", "u", 1, 0, 1, 0, 1, 1, 0, 1, 1, 100, dir))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("longlink.load.rate: 0");
    }
}
