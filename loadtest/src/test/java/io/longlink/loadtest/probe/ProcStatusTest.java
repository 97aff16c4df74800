package io.longlink.loadtest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ProcStatusTest {
    private static final String STATUS = "Name:\tjava\nVmPeak:\t 4000000 kB\nVmRSS:\t  250880 kB\nThreads:\t40\n";

    @Test
    void kbField_whenPresent_thenBytes() {
        assertThat(ProcStatus.kbField(STATUS, "VmRSS")).isEqualTo(250_880L * 1024);
    }

    @Test
    void kbField_whenMissingOrNotKb_thenError() {
        assertThatThrownBy(() -> ProcStatus.kbField(STATUS, "VmSwap")).hasMessageContaining("VmSwap");
        assertThatThrownBy(() -> ProcStatus.kbField(STATUS, "Threads")).hasMessageContaining("kB");
    }
}
