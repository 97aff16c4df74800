package io.longlink.devicecli;

import io.longlink.proto.device.Platform;
import io.longlink.sdk.LonglinkClient;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import picocli.CommandLine.TypeConversionException;

/**
 * A demo device on the command line: connects with the SDK, prints one line per message and per
 * event, and exits after {@code --count} messages or at {@code --timeout-s}. Ops scripts use it to
 * show a push reaching a device.
 *
 * <pre>
 * java -jar device-cli/target/longlink-device-cli.jar \
 *     --server 127.0.0.1:7000 --app demo --device dev-1 --token v1.... --count 1 --timeout-s 30
 * </pre>
 */
@Command(name = "DeviceCli", mixinStandardHelpOptions = true, versionProvider = DeviceCli.Version.class,
        synopsisHeading = "usage: ", sortOptions = false, sortSynopsis = false,
        description = "Connects as a device with the Longlink SDK and prints what arrives: CONNECTED, one PUSH line per"
                + " new message, DISCONNECTED, KICKED, REDIRECT and ERROR events.",
        footerHeading = "%n",
        footer = "exit codes: 0 done, 2 bad arguments, 3 timeout with fewer than N messages, 4 stopped by the server"
                + " (kick, refused token, unknown app)")
public final class DeviceCli implements Callable<Integer> {
    static final int EXIT_OK = 0;
    static final int EXIT_USAGE = 2;
    static final int EXIT_TIMEOUT = 3;
    static final int EXIT_STOPPED = 4;

    @Option(names = "--server", paramLabel = "HOST:PORT", hideParamSyntax = true, required = true, split = ",",
            description = "conn-node device address; several (comma-separated or repeated) are tried in order")
    private List<String> servers = new ArrayList<>();

    @Option(names = "--app", paramLabel = "KEY", required = true, description = "app key")
    private String app;

    @Option(names = "--device", paramLabel = "ID", required = true, description = "device id")
    private String device;

    @Option(names = "--token", paramLabel = "TOKEN", required = true, description = "the token register-device printed")
    private String token;

    @Option(names = "--count", paramLabel = "N", converter = Count.class,
            description = "exit 0 after N new messages (default: 0, no limit)")
    private int count;

    @Option(names = "--timeout-s", paramLabel = "S", converter = Seconds.class,
            description = "give up after S seconds; exit 3 if fewer than N messages arrived (default: 0, none)")
    private long timeoutSeconds;

    @Option(names = "--quiet", description = "print only PUSH lines")
    private boolean quiet;

    @Option(names = "--tls", description = "connect with TLS (the JVM's default trust store)")
    private boolean tls;

    @Option(names = "--platform", paramLabel = "NAME", converter = PlatformConverter.class,
            description = "android, ios, web, desktop (default) or iot")
    private Platform platform = Platform.DESKTOP;

    @Spec
    private CommandSpec spec;

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI and returns its exit code (tests call this instead of {@link #main}). */
    static int run(String[] args, PrintStream out, PrintStream err) {
        return new CommandLine(new DeviceCli())
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                .setOverwrittenOptionsAllowed(true)
                .setParameterExceptionHandler(DeviceCli::usageError)
                .execute(args);
    }

    @Override
    public Integer call() throws InterruptedException {
        List<String> addresses = servers.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
        if (addresses.isEmpty()) {
            throw new ParameterException(spec.commandLine(), "--server is required");
        }
        EventPrinter printer = new EventPrinter(spec.commandLine().getOut(), quiet, count);
        LonglinkClient client;
        try {
            client = LonglinkClient.builder()
                    .servers(addresses)
                    .appKey(app)
                    .deviceId(device)
                    .token(token)
                    .platform(platform)
                    .clientVersion(LonglinkClient.DEFAULT_CLIENT_VERSION + " (cli)")
                    .tls(tls)
                    .listener(printer)
                    .build();
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (client) {
            client.start();
            boolean finished = timeoutSeconds > 0
                    ? printer.done().await(timeoutSeconds, TimeUnit.SECONDS)
                    : awaitForever(printer.done());
            int received = printer.received();
            PrintWriter err = spec.commandLine().getErr();
            if (printer.stopped() && (count == 0 || received < count)) {
                err.println("stopped by the server after " + received + " message(s)");
                return EXIT_STOPPED;
            }
            if (!finished && count > 0) {
                err.println("timeout: " + received + " of " + count + " message(s) after " + timeoutSeconds + " s");
                return EXIT_TIMEOUT;
            }
            return EXIT_OK;
        }
    }

    private static boolean awaitForever(CountDownLatch latch) throws InterruptedException {
        latch.await();
        return true;
    }

    /** Prints {@code error: REASON} and the usage; the reasons keep the wording DeviceCli always used. */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("error: " + reason(e, List.of(args)));
        command.usage(command.getErr());
        return EXIT_USAGE;
    }

    private static String reason(ParameterException e, List<String> args) {
        // picocli checks required options before it reports strays; an unknown option is the likelier mistake
        List<String> unmatched = e.getCommandLine().getUnmatchedArguments();
        if (!unmatched.isEmpty()) {
            return "unknown option: " + unmatched.get(0);
        }
        if (e instanceof MissingParameterException m && m.getMissing().get(0) instanceof OptionSpec option) {
            String name = option.longestName();
            boolean given = args.stream().anyMatch(a -> a.equals(name) || a.startsWith(name + "="));
            return name + (given ? " needs a value" : " is required");
        }
        if (e.getCause() instanceof TypeConversionException c && e.getArgSpec() instanceof OptionSpec option) {
            return option.longestName() + ": " + c.getMessage();
        }
        return e.getMessage();
    }

    private static long bounded(String text, long max) {
        try {
            long n = Long.parseLong(text.trim());
            if (n < 0 || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new TypeConversionException("\"" + text + "\" (expected an integer from 0 to " + max + ")");
        }
    }

    private static final class Count implements ITypeConverter<Integer> {
        @Override
        public Integer convert(String text) {
            return (int) bounded(text, Integer.MAX_VALUE);
        }
    }

    private static final class Seconds implements ITypeConverter<Long> {
        @Override
        public Long convert(String text) {
            return bounded(text, 365L * 24 * 3600);
        }
    }

    private static final class PlatformConverter implements ITypeConverter<Platform> {
        @Override
        public Platform convert(String text) {
            return switch (text.trim().toLowerCase(Locale.ROOT)) {
                case "android" -> Platform.ANDROID;
                case "ios" -> Platform.IOS;
                case "web" -> Platform.WEB;
                case "desktop" -> Platform.DESKTOP;
                case "iot" -> Platform.IOT;
                default -> throw new TypeConversionException("\"" + text + "\" (expected android, ios, web, desktop or iot)");
            };
        }
    }

    /** The version the jar's manifest names. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = DeviceCli.class.getPackage().getImplementationVersion();
            return new String[] {"DeviceCli " + (version == null ? "(not packaged)" : version)};
        }
    }
}
