package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits the kernel memory that appeared between two {@link KernelMemory} snapshots between the
 * two ends of the benchmark's loopback connections, which both live on this machine.
 *
 * <p>How: the generator opens IPv4-only sockets, so exactly {@code connections} objects of the
 * {@code TCP} cache are its own; every other {@code TCP}/{@code TCPv6} object that appeared is a
 * server socket (a Java server's dual-stack sockets land in {@code TCPv6}). The caches with one
 * object per socket whatever the side (inode, file, dentry, epoll entry) and the TCP buffer pages
 * are split half and half, since both ends hold one socket each. A fall in buffer pages (earlier
 * traffic's buffers freed) counts as zero. The counters are machine-wide: other processes that
 * open files or sockets meanwhile show up in the shared caches.
 */
public record KernelShare(long serverBytes, long totalBytes, Map<String, Long> deltaBytes) {
    /** Socket objects, told apart by address family. */
    static final String TCP4 = "TCP";
    static final String TCP6 = "TCPv6";
    /** Caches holding one object per socket on either side. */
    static final List<String> PER_SOCKET = List.of("sock_inode_cache", "filp", "dentry", "eventpoll_epi",
            "eventpoll_pwq");
    static final String BUFFERS = "tcp_mem";

    public KernelShare {
        deltaBytes = Map.copyOf(deltaBytes);
    }

    public static KernelShare between(KernelMemory before, KernelMemory after, long clientIpv4Sockets, long pageSize) {
        requireNonNull(before, "before");
        requireNonNull(after, "after");
        Map<String, Long> delta = new TreeMap<>();
        long server = 0;
        long total = 0;

        long buffers = (after.tcpMemPages() - before.tcpMemPages()) * pageSize;
        delta.put(BUFFERS, buffers);
        // Idle connections queue nothing; a drop is earlier traffic's buffers going away, not a saving.
        total += Math.max(0, buffers);
        server += Math.max(0, buffers) / 2;

        if (before.slabReadable() && after.slabReadable()) {
            long tcp4Objects = objects(after, TCP4) - objects(before, TCP4);
            long tcp4Size = size(after, TCP4);
            long tcp6Bytes = bytes(after, TCP6) - bytes(before, TCP6);
            delta.put(TCP4, tcp4Objects * tcp4Size);
            delta.put(TCP6, tcp6Bytes);
            total += tcp4Objects * tcp4Size + tcp6Bytes;
            server += Math.max(0, tcp4Objects - clientIpv4Sockets) * tcp4Size + tcp6Bytes;
            for (String cache : PER_SOCKET) {
                if (after.slabs().containsKey(cache) && before.slabs().containsKey(cache)) {
                    long d = bytes(after, cache) - bytes(before, cache);
                    delta.put(cache, d);
                    total += d;
                    server += d / 2;
                }
            }
        }
        return new KernelShare(server, total, delta);
    }

    private static long objects(KernelMemory m, String cache) {
        KernelMemory.Slab s = m.slabs().get(cache);
        return s == null ? 0 : s.activeObjects();
    }

    private static long size(KernelMemory m, String cache) {
        KernelMemory.Slab s = m.slabs().get(cache);
        return s == null ? 0 : s.objectSize();
    }

    private static long bytes(KernelMemory m, String cache) {
        KernelMemory.Slab s = m.slabs().get(cache);
        return s == null ? 0 : s.bytes();
    }
}
