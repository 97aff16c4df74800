package io.longlink.loadtest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class CpuTimesTest {
    @Test
    void processTicks_whenNameHasSpacesAndParens_thenUtimePlusStime() {
        String stat = "4242 (conn (io) 1) S 1 4242 4242 0 -1 4194560 5000 0 0 0 1500 250 0 0 20 0 40 0 100 0";

        assertThat(CpuTimes.processTicks(stat)).isEqualTo(1_750);
    }

    @Test
    void processTicks_whenTruncated_thenError() {
        assertThatThrownBy(() -> CpuTimes.processTicks("4242 (java) S 1 2")).hasMessageContaining("fields");
        assertThatThrownBy(() -> CpuTimes.processTicks("garbage")).hasMessageContaining("')'");
    }

    @Test
    void machine_whenCpuLine_thenBusyIsAllButIdleAndIowaitAndInterruptsAreIrqPlusSoftirq() {
        String procStat = "cpu  100 5 50 9000 20 3 2 7 0 0\ncpu0 50 2 25 4500 10 1 1 0 0 0\n";

        assertThat(CpuTimes.machine(procStat)).isEqualTo(new CpuTimes.Machine(100 + 5 + 50 + 3 + 2 + 7, 3 + 2));
    }

    @Test
    void machine_whenNoCpuLineOrTooShort_thenError() {
        assertThatThrownBy(() -> CpuTimes.machine("intr 1 2 3")).hasMessageContaining("no 'cpu ' line");
        assertThatThrownBy(() -> CpuTimes.machine("cpu  1 2 3")).hasMessageContaining("fields");
    }
}
