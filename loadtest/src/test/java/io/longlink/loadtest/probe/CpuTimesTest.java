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
    void isJitThread_whenCompilerThreadStat_thenTrueElseFalse() {
        String rest = " S 1 2 3 4 5 6 7 8 9 10 300 20 0 0 20 0 1 0 100";
        assertThat(CpuTimes.isJitThread("4243 (C2 CompilerThre)" + rest)).isTrue();
        assertThat(CpuTimes.isJitThread("4244 (C1 CompilerThre)" + rest)).isTrue();
        assertThat(CpuTimes.isJitThread("4245 (conn-io-1)" + rest)).isFalse();
        assertThat(CpuTimes.isJitThread("4246 (VM Thread)" + rest)).isFalse();
        assertThat(CpuTimes.processTicks("4243 (C2 CompilerThre)" + rest)).isEqualTo(320);
    }

    @Test
    void jitTicks_whenThisJvm_thenCountsOnlyItsCompilerThreads() throws Exception {
        long pid = ProcessHandle.current().pid();
        assertThat(CpuTimes.jitTicks(pid)).isBetween(0L, CpuTimes.processTicks(pid));
    }

    @Test
    void processTicks_whenTruncated_thenError() {
        assertThatThrownBy(() -> CpuTimes.processTicks("4242 (java) S 1 2")).hasMessageContaining("fields");
        assertThatThrownBy(() -> CpuTimes.processTicks("garbage")).hasMessageContaining("')'");
    }

    @Test
    void machine_whenCpuLine_thenBusyIsAllButIdleAndIowaitAndInterruptsAreIrqPlusSoftirqAndStealIsSteal() {
        String procStat = "cpu  100 5 50 9000 20 3 2 7 0 0\ncpu0 50 2 25 4500 10 1 1 0 0 0\n";

        assertThat(CpuTimes.machine(procStat)).isEqualTo(new CpuTimes.Machine(100 + 5 + 50 + 3 + 2 + 7, 3 + 2, 7));
    }

    @Test
    void machine_whenNoCpuLineOrTooShort_thenError() {
        assertThatThrownBy(() -> CpuTimes.machine("intr 1 2 3")).hasMessageContaining("no 'cpu ' line");
        assertThatThrownBy(() -> CpuTimes.machine("cpu  1 2 3")).hasMessageContaining("fields");
    }
}
