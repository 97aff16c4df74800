package io.longlink.loadtest.probe;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelShareTest {
    private static final long PAGE = 4_096;

    private static KernelMemory snapshot(long memPages, long tcp, long tcp6, long inodes, long epoll) {
        return new KernelMemory(0, memPages, Map.of(
                "TCP", new KernelMemory.Slab(tcp, 2_368),
                "TCPv6", new KernelMemory.Slab(tcp6, 2_496),
                "sock_inode_cache", new KernelMemory.Slab(inodes, 832),
                "eventpoll_epi", new KernelMemory.Slab(epoll, 128)), true);
    }

    @Test
    void between_whenBothEndsIpv4_thenServerGetsTcpObjectsBeyondTheClientsAndHalfOfTheRest() {
        int n = 1_000;
        KernelMemory before = snapshot(10, 40, 60, 100, 400);
        KernelMemory after = snapshot(110, 40 + 2 * n, 60, 100 + 2 * n, 400 + 2 * n);

        KernelShare share = KernelShare.between(before, after, n, PAGE);

        long expectedServer = n * 2_368L + (2L * n * 832) / 2 + (2L * n * 128) / 2 + (100 * PAGE) / 2;
        assertThat(share.serverBytes()).isEqualTo(expectedServer);
        assertThat(share.totalBytes()).isEqualTo(2L * n * 2_368 + 2L * n * 832 + 2L * n * 128 + 100 * PAGE);
        assertThat(share.deltaBytes()).containsEntry("TCP", 2L * n * 2_368).containsEntry("TCPv6", 0L);
    }

    @Test
    void between_whenServerSocketsAreDualStack_thenAllTcpv6GrowthIsTheServers() {
        int n = 1_000;
        KernelMemory before = snapshot(0, 40, 60, 100, 400);
        KernelMemory after = snapshot(0, 40 + n, 60 + n, 100 + 2 * n, 400 + 2 * n);

        KernelShare share = KernelShare.between(before, after, n, PAGE);

        assertThat(share.serverBytes()).isEqualTo(n * 2_496L + n * 832L + n * 128L);
    }

    @Test
    void between_whenBufferPagesFell_thenCountedAsZeroNotASaving() {
        KernelMemory before = snapshot(500, 40, 60, 100, 400);
        KernelMemory after = snapshot(100, 40 + 2, 60, 100 + 2, 400 + 2);

        KernelShare share = KernelShare.between(before, after, 1, PAGE);

        assertThat(share.serverBytes()).isEqualTo(2_368L + 832 + 128);
        assertThat(share.deltaBytes()).containsEntry("tcp_mem", -400 * PAGE);
    }

    @Test
    void between_whenSlabUnreadable_thenOnlyBufferPages() {
        KernelMemory before = new KernelMemory(0, 10, Map.of(), false);
        KernelMemory after = new KernelMemory(0, 30, Map.of(), false);

        KernelShare share = KernelShare.between(before, after, 100, PAGE);

        assertThat(share.serverBytes()).isEqualTo(10 * PAGE);
        assertThat(share.deltaBytes()).containsOnlyKeys("tcp_mem");
    }
}
