package io.longlink.loadtest.probe;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * Kernel memory that sockets cost, machine-wide: TCP buffer pages from {@code /proc/net/sockstat}
 * and the slab caches whose objects exist once per socket, from {@code /proc/slabinfo} (root only;
 * without it only the buffer pages are known). None of it shows in any process's RSS.
 */
public record KernelMemory(long tcpInUse, long tcpMemPages, Map<String, Slab> slabs, boolean slabReadable) {
    /** One slab cache: objects in use and the size of each. */
    public record Slab(long activeObjects, long objectSize) {
        public long bytes() {
            return activeObjects * objectSize;
        }
    }

    public KernelMemory {
        slabs = Map.copyOf(slabs);
    }

    public static KernelMemory read() throws IOException {
        String sockstat = Files.readString(Path.of("/proc/net/sockstat"));
        Map<String, Slab> slabs = Map.of();
        boolean readable = false;
        Path slabinfo = Path.of("/proc/slabinfo");
        if (Files.isReadable(slabinfo)) {
            try {
                slabs = parseSlabinfo(Files.readString(slabinfo));
                readable = true;
            } catch (IOException e) {
                readable = false;
            }
        }
        return new KernelMemory(sockstatField(sockstat, "inuse"), sockstatField(sockstat, "mem"), slabs, readable);
    }

    /** A field of the {@code TCP:} line of /proc/net/sockstat, e.g. {@code mem} (in pages). */
    public static long sockstatField(String sockstat, String field) {
        requireNonNull(sockstat, "sockstat");
        for (String line : sockstat.split("\n")) {
            if (!line.startsWith("TCP:")) {
                continue;
            }
            String[] parts = line.substring(4).strip().split("\\s+");
            for (int i = 0; i + 1 < parts.length; i += 2) {
                if (parts[i].equals(field)) {
                    return Long.parseLong(parts[i + 1]);
                }
            }
            throw new IllegalArgumentException("sockstat: no '" + field + "' on the TCP line: '" + line + "'");
        }
        throw new IllegalArgumentException("sockstat: no TCP line");
    }

    /** Cache name -> objects in use and object size, from /proc/slabinfo version 2.x. */
    public static Map<String, Slab> parseSlabinfo(String slabinfo) {
        requireNonNull(slabinfo, "slabinfo");
        Map<String, Slab> out = new HashMap<>();
        for (String line : slabinfo.split("\n")) {
            if (line.isBlank() || line.startsWith("slabinfo") || line.startsWith("#")) {
                continue;
            }
            String[] parts = line.strip().split("\\s+");
            if (parts.length < 4) {
                throw new IllegalArgumentException("slabinfo: '" + line + "' (expected: name active_objs num_objs objsize ...)");
            }
            out.put(parts[0], new Slab(Long.parseLong(parts[1]), Long.parseLong(parts[3])));
        }
        return out;
    }
}
