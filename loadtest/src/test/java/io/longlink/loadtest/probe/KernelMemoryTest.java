package io.longlink.loadtest.probe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelMemoryTest {
    private static final String SOCKSTAT = """
            sockets: used 38013
            TCP: inuse 38004 orphan 0 tw 12 alloc 38006 mem 152
            UDP: inuse 0 mem 0
            """;
    private static final String SLABINFO = """
            slabinfo - version: 2.1
            # name            <active_objs> <num_objs> <objsize> <objperslab> <pagesperslab> : tunables <limit> <batchcount> <sharedfactor> : slabdata <active_slabs> <num_slabs> <sharedavail>
            TCPv6                 65     65   2496   13    8 : tunables    0    0    0 : slabdata      5      5      0
            TCP                38039  38039   2368   13    8 : tunables    0    0    0 : slabdata   2927   2927      0
            filp                 784    966    192   21    1 : tunables    0    0    0 : slabdata     46     46      0
            """;

    @Test
    void sockstatField_whenTcpLine_thenNamedField() {
        assertThat(KernelMemory.sockstatField(SOCKSTAT, "inuse")).isEqualTo(38_004);
        assertThat(KernelMemory.sockstatField(SOCKSTAT, "mem")).isEqualTo(152);
    }

    @Test
    void sockstatField_whenFieldMissing_thenError() {
        assertThatThrownBy(() -> KernelMemory.sockstatField(SOCKSTAT, "bogus")).hasMessageContaining("bogus");
        assertThatThrownBy(() -> KernelMemory.sockstatField("UDP: inuse 0", "mem")).hasMessageContaining("no TCP");
    }

    @Test
    void parseSlabinfo_whenHeaderAndCaches_thenActiveObjectsAndSize() {
        Map<String, KernelMemory.Slab> slabs = KernelMemory.parseSlabinfo(SLABINFO);

        assertThat(slabs).hasSize(3);
        assertThat(slabs.get("TCP")).isEqualTo(new KernelMemory.Slab(38_039, 2_368));
        assertThat(slabs.get("filp").bytes()).isEqualTo(784L * 192);
    }

    @Test
    void parseSlabinfo_whenLineTruncated_thenError() {
        assertThatThrownBy(() -> KernelMemory.parseSlabinfo("TCP 1 2\n")).hasMessageContaining("TCP 1 2");
    }
}
