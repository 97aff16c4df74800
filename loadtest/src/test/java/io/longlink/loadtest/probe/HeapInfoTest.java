package io.longlink.loadtest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class HeapInfoTest {
    @Test
    void usedBytes_whenSerialCollector_thenYoungPlusTenuredWithoutMetaspace() {
        String serial = """
                12345:
                 def new generation   total 314560K, used 11200K [0x00000000c0000000, 0x00000000d5550000, 0x00000000d5550000)
                  eden space 279616K,   4% used [0x00000000c0000000, 0x00000000c0af0000, 0x00000000d1110000)
                  from space 34944K,   0% used [0x00000000d1110000, 0x00000000d1110000, 0x00000000d3330000)
                  to   space 34944K,   0% used [0x00000000d3330000, 0x00000000d3330000, 0x00000000d5550000)
                 tenured generation   total 699072K, used 23456K [0x00000000d5550000, 0x0000000100000000, 0x0000000100000000)
                   the space 699072K,   3% used [0x00000000d5550000, 0x00000000d6c38000, 0x00000000d6c38200, 0x0000000100000000)
                 Metaspace       used 20000K, committed 20480K, reserved 1114112K
                  class space    used 2000K, committed 2176K, reserved 1048576K
                """;

        assertThat(HeapInfo.usedBytes(serial)).isEqualTo((11_200L + 23_456L) * 1024);
    }

    @Test
    void usedBytes_whenG1_thenTheHeapLine() {
        String g1 = """
                 garbage-first heap   total 1048576K, used 40960K [0x00000000c0000000, 0x0000000100000000)
                  region size 1024K, 3 young (3072K), 0 survivors (0K)
                 Metaspace       used 20000K, committed 20480K, reserved 1114112K
                """;

        assertThat(HeapInfo.usedBytes(g1)).isEqualTo(40_960L * 1024);
    }

    @Test
    void usedBytes_whenJdk25G1WithReservedAndCommitted_thenTheUsedFigure() {
        String g1 = """
                27741:
                 garbage-first heap   total reserved 6172672K, committed 69632K, used 24992K [0x0000000687400000, 0x0000000800000000)
                  region size 4096K, 1 young (4096K), 0 survivors (0K)
                 Metaspace       used 20000K, committed 20480K, reserved 1114112K
                """;

        assertThat(HeapInfo.usedBytes(g1)).isEqualTo(24_992L * 1024);
    }

    @Test
    void usedBytes_whenJcmdPrintedAnError_thenRejectedWithText() {
        assertThatThrownBy(() -> HeapInfo.usedBytes("com.sun.tools.attach.AttachNotSupportedException: nope"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("AttachNotSupportedException");
    }

    @Test
    void range_whenSerialCollector_thenFromYoungStartToTenuredEnd() {
        String serial = """
                3966:
                DefNew     total 78656K, used 32251K [0x00000000f0000000, 0x00000000f5550000, 0x00000000f5550000)
                 eden space 69952K,  46% used [0x00000000f0000000, 0x00000000f1f7ed50, 0x00000000f4450000)
                 from space 8704K,   0% used [0x00000000f4450000, 0x00000000f4450000, 0x00000000f4cd0000)
                 to   space 8704K,   0% used [0x00000000f4cd0000, 0x00000000f4cd0000, 0x00000000f5550000)
                Tenured    total 174784K, used 1166K [0x00000000f5550000, 0x0000000100000000, 0x0000000100000000)
                 the  space 174784K,   0% used [0x00000000f5550000, 0x00000000f5673ab8, 0x0000000100000000)
                 Metaspace       used 20000K, committed 20480K, reserved 1114112K
                """;

        assertThat(HeapInfo.range(serial)).isEqualTo(new HeapInfo.Range(0xf0000000L, 0x100000000L));
    }

    @Test
    void range_whenG1_thenTheHeapLinesRange() {
        String g1 = """
                 garbage-first heap   total reserved 6172672K, committed 69632K, used 24992K [0x0000000687400000, 0x0000000800000000)
                  region size 4096K, 1 young (4096K), 0 survivors (0K)
                """;

        assertThat(HeapInfo.range(g1)).isEqualTo(new HeapInfo.Range(0x687400000L, 0x800000000L));
    }

    @Test
    void range_whenNoSpaceLineHasAnAddressRange_thenRejectedWithText() {
        assertThatThrownBy(() -> HeapInfo.range(" def new generation   total 314560K, used 11200K\n"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("def new generation");
    }
}
