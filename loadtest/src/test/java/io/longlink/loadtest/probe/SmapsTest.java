package io.longlink.loadtest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SmapsTest {
    private static final String SMAPS = """
            55766b0b4000-55766b0fd000 rw-p 00000000 00:00 0                          [heap]
            Size:                292 kB
            Rss:                  96 kB
            f0000000-f5550000 rw-p 00000000 00:00 0
            Size:              87360 kB
            KernelPageSize:        4 kB
            Rss:               27276 kB
            Pss:               27276 kB
            f5550000-100000000 rw-p 00000000 00:00 0
            Size:             174784 kB
            Rss:                1200 kB
            100000000-140000000 ---p 00000000 00:00 0
            Size:            1048576 kB
            Rss:                   0 kB
            7f1c2c000000-7f1c2c021000 rw-p 00000000 00:00 0
            Size:                132 kB
            Rss:                  12 kB
            VmFlags: rd wr mr mw me nr sd
            """;

    @Test
    void residentWithin_whenTheHeapIsTwoMappings_thenTheirRssSummedAndNothingElse() {
        assertThat(Smaps.residentWithin(SMAPS, 0xf0000000L, 0x100000000L)).isEqualTo((27_276L + 1_200L) * 1024);
    }

    @Test
    void residentWithin_whenAMappingStraddlesTheRange_thenRejected() {
        assertThatThrownBy(() -> Smaps.residentWithin(SMAPS, 0xf1000000L, 0x100000000L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("f0000000-f5550000 straddles");
    }

    @Test
    void residentWithin_whenNoMappingInside_thenRejected() {
        assertThatThrownBy(() -> Smaps.residentWithin(SMAPS, 0x200000000L, 0x300000000L))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no mapping inside");
    }
}
