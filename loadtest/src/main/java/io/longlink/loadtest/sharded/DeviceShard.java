package io.longlink.loadtest.sharded;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.ManagedChannel;
import io.grpc.netty.NettyChannelBuilder;
import io.longlink.common.token.DeviceToken;
import io.longlink.loadtest.client.ConnectFrames;
import io.longlink.loadtest.client.ConnectListener;
import io.longlink.loadtest.client.GeneratorSettings;
import io.longlink.loadtest.client.LoadGenerator;
import io.longlink.loadtest.client.ReasonCounts;
import io.longlink.proto.api.BootstrapServiceGrpc;
import io.longlink.proto.api.GetConnNodesRequest;
import io.longlink.proto.api.GetConnNodesResponse;
import io.netty.channel.Channel;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * One device-generator process of the sharded scenario: a process may hold at most 20,000 open
 * files, so 190,000 devices take several. Each device asks the api-node's bootstrap service where
 * to connect and connects to the first node of the answer, as the SDK does; at most
 * {@code concurrency} devices are between the ask and their CONNACK at once. Talks to the
 * scenario over standard streams: prints {@code SHARD connected ...} once every device ended its
 * connect, then on {@code report PATH} writes what its devices received ({@link ShardRecorder}) and
 * prints {@code SHARD reported}; {@code quit} (or the end of its input) disconnects and exits.
 *
 * <pre>args: api=H:P app=KEY secret=S prefix=P first=N count=N sources=FIRST:COUNT concurrency=N io-threads=N</pre>
 */
public final class DeviceShard {
    static final String PREFIX = "SHARD ";
    private static final int HEARTBEAT_S = 300;
    private static final Duration CONNECT_DEADLINE = Duration.ofSeconds(60);

    private DeviceShard() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new HashMap<>();
        for (String arg : args) {
            int eq = arg.indexOf('=');
            if (eq <= 0) {
                throw new IllegalArgumentException("argument '" + arg + "' (expected: key=value)");
            }
            a.put(arg.substring(0, eq), arg.substring(eq + 1));
        }
        String appKey = a.get("app");
        String secret = a.get("secret");
        String prefix = a.get("prefix");
        int first = Integer.parseInt(a.get("first"));
        int count = Integer.parseInt(a.get("count"));
        String[] sources = a.get("sources").split(":");
        int concurrency = Integer.parseInt(a.get("concurrency"));
        int ioThreads = Integer.parseInt(a.get("io-threads"));

        ManagedChannel api = NettyChannelBuilder.forTarget(a.get("api")).usePlaintext().build();
        BootstrapServiceGrpc.BootstrapServiceFutureStub bootstrap = BootstrapServiceGrpc.newFutureStub(api);
        List<InetAddress> all = GeneratorSettings.loopbackSources(Integer.parseInt(sources[0]) + Integer.parseInt(sources[1]));
        List<InetAddress> mine = all.subList(Integer.parseInt(sources[0]), all.size());
        GetConnNodesResponse offered = bootstrap.withDeadlineAfter(10, TimeUnit.SECONDS)
                .getConnNodes(GetConnNodesRequest.getDefaultInstance()).get();
        if (offered.getNodesCount() == 0) {
            throw new IllegalStateException("the bootstrap service offers no conn-node");
        }
        // the settings' own remote is never used: every device connects where the bootstrap sent it
        GeneratorSettings settings = new GeneratorSettings(resolve(offered.getNodes(0).getAddress()), mine,
                ioThreads, concurrency, CONNECT_DEADLINE, GeneratorSettings.MAX_FRAME_BYTES);
        try (LoadGenerator gen = new LoadGenerator(settings, ShardRecorder::new)) {
            Connects c = new Connects(concurrency);
            long started = System.nanoTime();
            long expiry = System.currentTimeMillis() / 1000 + 86_400;
            for (int i = first; i < first + count; i++) {
                c.permits.acquire();
                String device = prefix + "-" + i;
                byte[] frame = ConnectFrames.forDevice(appKey, device, DeviceToken.mint(secret, appKey, device, expiry),
                        HEARTBEAT_S);
                int index = i - first;
                Futures.addCallback(bootstrap.withDeadlineAfter(10, TimeUnit.SECONDS)
                        .getConnNodes(GetConnNodesRequest.getDefaultInstance()), new FutureCallback<>() {
                            @Override
                            public void onSuccess(GetConnNodesResponse r) {
                                if (r.getNodesCount() == 0) {
                                    c.failed("bootstrap_empty");
                                    return;
                                }
                                String address = r.getNodes(0).getAddress();
                                gen.connect(c.resolved(address), index, frame, c.listener(address));
                            }

                            @Override
                            public void onFailure(Throwable t) {
                                c.failed("bootstrap_" + io.grpc.Status.fromThrowable(t).getCode());
                            }
                        }, MoreExecutors.directExecutor());
            }
            c.permits.acquire(concurrency);
            long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            StringBuilder line = new StringBuilder(PREFIX).append("connected=").append(c.connected.sum())
                    .append(" failed=").append(c.failures.snapshot().values().stream().mapToLong(Long::longValue).sum())
                    .append(" connect_ms=").append(ms);
            c.byNode.forEach((node, n) -> line.append(" node=").append(node).append('=').append(n.sum()));
            c.failures.snapshot().forEach((reason, n) -> line.append(" failure=").append(reason).append('=').append(n));
            say(line.toString());
            serve(gen, c);
        } finally {
            api.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /** Answers the scenario's commands until {@code quit} or the end of its input. */
    private static void serve(LoadGenerator gen, Connects c) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        String cmd;
        while ((cmd = in.readLine()) != null && !cmd.equals("quit")) {
            if (cmd.startsWith("report ")) {
                Path path = Path.of(cmd.substring("report ".length()));
                Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
                // each loop renders its own recorder on its thread; this thread only writes the text
                ConcurrentLinkedQueue<String> parts = new ConcurrentLinkedQueue<>();
                gen.onEachLoop(l -> {
                    StringBuilder sb = new StringBuilder();
                    ((ShardRecorder) l).writeTo(sb);
                    parts.add(sb.toString());
                }).get(30, TimeUnit.SECONDS);
                try (Writer w = Files.newBufferedWriter(tmp, StandardCharsets.US_ASCII)) {
                    for (String part : parts) {
                        w.write(part);
                    }
                    w.write("d " + gen.drops().values().stream().mapToLong(Long::longValue).sum() + "\n");
                }
                Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                say(PREFIX + "reported");
            }
        }
        gen.disconnect(c.channels).get(60, TimeUnit.SECONDS);
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }

    private static InetSocketAddress resolve(String hostPort) throws java.net.UnknownHostException {
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(InetAddress.getByName(hostPort.substring(0, colon)),
                Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** The connects in progress: permits bound them, counts by node and failure reason. */
    private static final class Connects {
        final Semaphore permits;
        final LongAdder connected = new LongAdder();
        final ReasonCounts failures = new ReasonCounts();
        final Map<String, LongAdder> byNode = new ConcurrentHashMap<>();
        final Map<String, InetSocketAddress> addresses = new ConcurrentHashMap<>();
        final ConcurrentLinkedQueue<Channel> channels = new ConcurrentLinkedQueue<>();

        Connects(int concurrency) {
            this.permits = new Semaphore(concurrency);
        }

        InetSocketAddress resolved(String address) {
            return addresses.computeIfAbsent(address, x -> {
                try {
                    return resolve(x);
                } catch (java.net.UnknownHostException e) {
                    throw new IllegalStateException("bootstrap address " + x + " does not resolve", e);
                }
            });
        }

        void failed(String reason) {
            failures.add(reason);
            permits.release();
        }

        ConnectListener listener(String address) {
            return new ConnectListener() {
                @Override
                public void connected(Channel channel) {
                    channels.add(channel);
                    byNode.computeIfAbsent(address, x -> new LongAdder()).increment();
                    connected.increment();
                    permits.release();
                }

                @Override
                public void failed(String reason) {
                    Connects.this.failed(reason);
                }
            };
        }
    }
}
