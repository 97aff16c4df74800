package io.longlink.sdk.cli;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.device.Platform;
import io.longlink.sdk.Disconnect;
import io.longlink.sdk.Listener;
import io.longlink.sdk.LonglinkClient;
import io.longlink.sdk.PushMessage;
import io.longlink.sdk.SessionInfo;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A demo device on the command line: connects, prints one line per message and per event, and exits
 * after {@code --count} messages or at {@code --timeout-s}. Ops scripts use it to show a push reaching
 * a device.
 *
 * <pre>
 * java -cp 'sdk/target/longlink-sdk.jar:sdk/target/lib/*' io.longlink.sdk.cli.DeviceCli \
 *     --server 127.0.0.1:7000 --app demo --device dev-1 --token v1.... --count 1 --timeout-s 30
 * </pre>
 *
 * Exit codes: 0 done (N messages, or the timeout without --count), 2 bad arguments, 3 timeout with
 * fewer than N messages, 4 the server stopped the device (kick, refused token, unknown app).
 */
public final class DeviceCli {
    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;
    static final int EXIT_TIMEOUT = 3;
    static final int EXIT_STOPPED = 4;

    private static final String USAGE = """
            usage: DeviceCli --server HOST:PORT[,HOST:PORT...] --app KEY --device ID --token TOKEN
                             [--count N] [--timeout-s S] [--quiet] [--tls] [--platform NAME]
              --count N      exit 0 after N new messages (default 0: no limit)
              --timeout-s S  give up after S seconds; exit 3 if fewer than N messages arrived (default 0: none)
              --quiet        print only PUSH lines
              --tls          connect with TLS (the JVM's default trust store)
              --platform     android, ios, web, desktop (default) or iot
            exit codes: 0 done, 2 bad arguments, 3 timeout with fewer than N messages, 4 stopped by the server""";

    private DeviceCli() {
    }

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    static int run(String[] args, PrintStream out, PrintStream err) throws InterruptedException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        if (options == null) {
            out.println(USAGE);
            return EXIT_OK;
        }
        Printer printer = new Printer(out, options.quiet, options.count);
        LonglinkClient client;
        try {
            LonglinkClient.Builder builder = LonglinkClient.builder()
                    .servers(options.servers)
                    .appKey(options.app)
                    .deviceId(options.device)
                    .token(options.token)
                    .platform(options.platform)
                    .clientVersion(LonglinkClient.DEFAULT_CLIENT_VERSION + " (cli)")
                    .listener(printer);
            if (options.tls) {
                builder.tls(true);
            }
            client = builder.build();
        } catch (IllegalArgumentException e) {
            err.println("error: " + e.getMessage());
            err.println(USAGE);
            return EXIT_USAGE;
        }
        try (client) {
            client.start();
            boolean finished = options.timeoutSeconds > 0
                    ? printer.done.await(options.timeoutSeconds, TimeUnit.SECONDS)
                    : awaitForever(printer.done);
            int received = printer.received.get();
            if (printer.stopped && (options.count == 0 || received < options.count)) {
                err.println("stopped by the server after " + received + " message(s)");
                return EXIT_STOPPED;
            }
            if (!finished && options.count > 0) {
                err.println("timeout: " + received + " of " + options.count + " message(s) after "
                        + options.timeoutSeconds + " s");
                return EXIT_TIMEOUT;
            }
            return EXIT_OK;
        }
    }

    private static boolean awaitForever(CountDownLatch latch) throws InterruptedException {
        latch.await();
        return true;
    }

    /** Prints events; counts new messages; opens {@link #done} at the count or when the client stops. */
    private static final class Printer implements Listener {
        final CountDownLatch done = new CountDownLatch(1);
        final AtomicInteger received = new AtomicInteger();
        volatile boolean stopped;
        private final PrintStream out;
        private final boolean quiet;
        private final int count;

        Printer(PrintStream out, boolean quiet, int count) {
            this.out = requireNonNull(out, "out");
            this.quiet = quiet;
            this.count = count;
        }

        @Override
        public void onConnected(SessionInfo s) {
            event("CONNECTED server=" + s.server() + " session=" + s.sessionId() + " node=" + s.nodeId()
                    + " heartbeat-s=" + s.heartbeatSeconds());
        }

        @Override
        public void onMessage(PushMessage m) {
            StringBuilder line = new StringBuilder("PUSH id=").append(m.idString());
            if (m.hasNotification()) {
                line.append(" title=").append(escape(m.title())).append(" body=").append(escape(m.body()));
            }
            if (!m.collapseKey().isEmpty()) {
                line.append(" collapse-key=").append(escape(m.collapseKey()));
            }
            line.append(" payload=").append(payload(m));
            out.println(line);
            out.flush();
            if (received.incrementAndGet() == count) {
                done.countDown();
            }
        }

        @Override
        public void onKicked(String reason) {
            event("KICKED reason=" + escape(reason));
        }

        @Override
        public void onRedirect(List<String> addresses, long retryAfterMillis, String reason) {
            event("REDIRECT to=" + String.join(",", addresses) + " after-ms=" + retryAfterMillis
                    + " reason=" + escape(reason));
        }

        @Override
        public void onDisconnected(Disconnect d) {
            event("DISCONNECTED code=" + d.code() + " server-code=" + d.serverCode() + " retry="
                    + d.willRetry() + (d.willRetry() ? " retry-in-ms=" + d.retryDelayMillis() : "")
                    + " reason=" + escape(d.reason()));
            if (!d.willRetry()) {
                stopped = true;
                done.countDown();
            }
        }

        @Override
        public void onError(Throwable error) {
            event("ERROR " + escape(String.valueOf(error.getMessage())));
        }

        private void event(String line) {
            if (!quiet) {
                out.println(line);
                out.flush();
            }
        }

        private static String payload(PushMessage m) {
            try {
                String text = StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(m.payload().toByteArray()))
                        .toString();
                return escape(text);
            } catch (CharacterCodingException e) {
                return "base64:" + Base64.getEncoder().encodeToString(m.payload().toByteArray());
            }
        }
    }

    /** Keeps one event on one line whatever the server sent. */
    static String escape(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }

    /** Parsed command line. */
    static final class Options {
        List<String> servers = new ArrayList<>();
        String app;
        String device;
        String token;
        int count;
        long timeoutSeconds;
        boolean quiet;
        boolean tls;
        Platform platform = Platform.DESKTOP;

        /** The options, or null when help was asked for. */
        static Options parse(String[] args) {
            Options o = new Options();
            for (int i = 0; i < args.length; i++) {
                String arg = args[i];
                switch (arg) {
                    case "-h", "--help" -> {
                        return null;
                    }
                    case "--quiet" -> o.quiet = true;
                    case "--tls" -> o.tls = true;
                    case "--server" -> {
                        for (String s : value(args, ++i, arg).split(",")) {
                            if (!s.trim().isEmpty()) {
                                o.servers.add(s.trim());
                            }
                        }
                    }
                    case "--app" -> o.app = value(args, ++i, arg);
                    case "--device" -> o.device = value(args, ++i, arg);
                    case "--token" -> o.token = value(args, ++i, arg);
                    case "--count" -> o.count = (int) number(value(args, ++i, arg), arg, Integer.MAX_VALUE);
                    case "--timeout-s" -> o.timeoutSeconds = number(value(args, ++i, arg), arg, 365L * 24 * 3600);
                    case "--platform" -> o.platform = platform(value(args, ++i, arg));
                    default -> throw new IllegalArgumentException("unknown option: " + arg);
                }
            }
            require(!o.servers.isEmpty(), "--server");
            require(o.app != null, "--app");
            require(o.device != null, "--device");
            require(o.token != null, "--token");
            return o;
        }

        private static void require(boolean present, String option) {
            if (!present) {
                throw new IllegalArgumentException(option + " is required");
            }
        }

        private static String value(String[] args, int i, String option) {
            if (i >= args.length || args[i].startsWith("--")) {
                throw new IllegalArgumentException(option + " needs a value");
            }
            return args[i];
        }

        private static long number(String text, String option, long max) {
            try {
                long n = Long.parseLong(text.trim());
                if (n < 0 || n > max) {
                    throw new NumberFormatException();
                }
                return n;
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(option + ": \"" + text + "\" (expected an integer from 0 to " + max + ")");
            }
        }

        private static Platform platform(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "android" -> Platform.ANDROID;
                case "ios" -> Platform.IOS;
                case "web" -> Platform.WEB;
                case "desktop" -> Platform.DESKTOP;
                case "iot" -> Platform.IOT;
                default -> throw new IllegalArgumentException("--platform: \"" + text
                        + "\" (expected android, ios, web, desktop or iot)");
            };
        }
    }
}
