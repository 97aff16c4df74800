package io.longlink.loadtest.client;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * How the load generator connects: the conn-nodes' device addresses (device {@code i} goes to
 * {@code remotes[i % remotes.size()]}), the loopback source addresses it spreads connections over
 * (each gives its own range of ephemeral ports), event-loop threads, the most connects in flight at
 * once, and how long one connect may take up to its CONNACK.
 */
public record GeneratorSettings(List<InetSocketAddress> remotes, List<InetAddress> sources, int ioThreads,
                                int maxInFlight, Duration connectDeadline, int maxFrameBytes,
                                DeviceTransport transport) {
    /** Most bytes of one frame from a conn-node the scenarios' devices take. */
    public static final int MAX_FRAME_BYTES = 16_384;

    public GeneratorSettings {
        requireNonNull(connectDeadline, "connectDeadline");
        requireNonNull(transport, "transport");
        remotes = List.copyOf(remotes);
        sources = List.copyOf(sources);
        if (remotes.isEmpty()) {
            throw new IllegalArgumentException("remotes: empty (expected: at least one conn-node device address)");
        }
        for (InetSocketAddress remote : remotes) {
            if (remote.isUnresolved()) {
                throw new IllegalArgumentException("remote: " + remote + " (expected: a resolved address)");
            }
        }
        if (sources.isEmpty()) {
            throw new IllegalArgumentException("sources: empty (expected: at least one local address)");
        }
        if (ioThreads < 1 || maxInFlight < 1 || maxFrameBytes < 16) {
            throw new IllegalArgumentException("ioThreads, maxInFlight: >= 1, maxFrameBytes: >= 16 (got " + ioThreads
                    + ", " + maxInFlight + ", " + maxFrameBytes + ")");
        }
    }

    /** One conn-node, over TCP. */
    public GeneratorSettings(InetSocketAddress remote, List<InetAddress> sources, int ioThreads, int maxInFlight,
                             Duration connectDeadline, int maxFrameBytes) {
        this(List.of(requireNonNull(remote, "remote")), sources, ioThreads, maxInFlight, connectDeadline, maxFrameBytes,
                DeviceTransport.TCP);
    }

    /**
     * For the conn-nodes' device listeners {@code devices} (resolved here), from {@code sourceIps}
     * loopback addresses, taking frames up to {@link #MAX_FRAME_BYTES}.
     */
    public static GeneratorSettings forDevices(List<InetSocketAddress> devices, int sourceIps, int ioThreads,
                                               int maxInFlight, Duration connectDeadline) throws UnknownHostException {
        List<InetSocketAddress> remotes = new ArrayList<>();
        for (InetSocketAddress d : devices) {
            remotes.add(new InetSocketAddress(InetAddress.getByName(d.getHostString()), d.getPort()));
        }
        return new GeneratorSettings(remotes, loopbackSources(sourceIps), ioThreads, maxInFlight, connectDeadline,
                MAX_FRAME_BYTES, DeviceTransport.TCP);
    }

    /** The same settings with devices that speak {@code t} (the remotes must be that transport's listeners). */
    public GeneratorSettings over(DeviceTransport t) {
        return new GeneratorSettings(remotes, sources, ioThreads, maxInFlight, connectDeadline, maxFrameBytes, t);
    }

    /** The conn-node device {@code index} connects to. */
    public InetSocketAddress remoteFor(int index) {
        return remotes.get(Math.floorMod(index, remotes.size()));
    }

    /** {@code 127.0.0.2} .. {@code 127.0.0.(1 + count)}: loopback addresses other than the server's 127.0.0.1. */
    public static List<InetAddress> loopbackSources(int count) {
        if (count < 1 || count > 250) {
            throw new IllegalArgumentException("count: " + count + " (expected: 1..250)");
        }
        InetAddress[] out = new InetAddress[count];
        for (int i = 0; i < count; i++) {
            try {
                out[i] = InetAddress.getByAddress(new byte[] {127, 0, 0, (byte) (2 + i)});
            } catch (UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
        return List.of(out);
    }
}
