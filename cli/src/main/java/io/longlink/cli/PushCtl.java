package io.longlink.cli;

import static java.util.Objects.requireNonNull;

import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.longlink.cli.app.CreateAppCommand;
import io.longlink.cli.app.RotateSecretCommand;
import io.longlink.cli.cluster.ClusterCommand;
import io.longlink.cli.device.AddTagsCommand;
import io.longlink.cli.device.DeviceCommand;
import io.longlink.cli.device.RegisterDeviceCommand;
import io.longlink.cli.device.RemoveTagsCommand;
import io.longlink.cli.device.SetAliasCommand;
import io.longlink.cli.node.NodesCommand;
import io.longlink.cli.push.PushCommand;
import io.longlink.cli.push.RevokeCommand;
import io.longlink.cli.push.StatusCommand;
import io.longlink.cli.push.WatchReceiptsCommand;
import io.longlink.cli.quota.QuotaCommand;
import java.io.File;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Callable;
import javax.net.ssl.SSLException;
import picocli.AutoComplete.GenerateCompletion;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.UsageMessageSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code pushctl}: the public gRPC API from a shell. Answers are {@code key=value} lines on stdout;
 * failures are {@code error=CODE message="..."} on stderr with exit code 1; a wrong command line
 * prints the reason and the command's usage and exits with 2. Credentials may come from the
 * environment so that secrets stay out of the process list.
 */
@Command(name = "pushctl", scope = ScopeType.INHERIT, mixinStandardHelpOptions = true, versionProvider = PushCtl.Version.class,
        synopsisHeading = "usage: ", synopsisSubcommandLabel = "COMMAND", sortOptions = false, sortSynopsis = false,
        description = "The public gRPC API of Longlink from a shell. Answers are key=value lines on stdout.",
        commandListHeading = "%nCommands (pushctl COMMAND --help lists a command's options):%n",
        footerHeading = "%n",
        footer = {
            "Credentials: create-app, rotate-secret and quota need --admin-token; nodes and cluster need none; every other"
                    + " command needs --app and --secret. LONGLINK_ADMIN_TOKEN, LONGLINK_APP_KEY, LONGLINK_APP_SECRET and LONGLINK_API"
                    + " stand in for --admin-token, --app, --secret and --api.",
            PushCtl.EXIT_CODES,
            "Bash completion: source <(pushctl generate-completion)"},
        subcommands = {CreateAppCommand.class, RotateSecretCommand.class, QuotaCommand.class, RegisterDeviceCommand.class,
            PushCommand.class,
            RevokeCommand.class, StatusCommand.class, DeviceCommand.class, SetAliasCommand.class, AddTagsCommand.class,
            RemoveTagsCommand.class, WatchReceiptsCommand.class, NodesCommand.class, ClusterCommand.class,
            GenerateCompletion.class})
public final class PushCtl implements Callable<Integer> {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;
    static final String EXIT_CODES = "Exit codes: 0 done; 1 the call failed (error=CODE message=\"...\" on stderr,"
            + " with retry_after_ms=... when the app is over a rate quota); 2 wrong command line.";
    private static final Metadata.Key<String> RETRY_AFTER_MS =
            Metadata.Key.of("retry-after-ms", Metadata.ASCII_STRING_MARSHALLER);
    private static final String DEFAULT_API = "127.0.0.1:8400";

    @Option(names = "--api", paramLabel = "HOST:PORT",
            description = "api-node gRPC address (default: LONGLINK_API, else " + DEFAULT_API + ")")
    private String api;

    @Option(names = "--tls", description = "connect with TLS (the JVM's trust store unless --ca)")
    private boolean tls;

    @Option(names = "--ca", paramLabel = "FILE", description = "PEM certificate to trust; implies --tls")
    private File ca;

    @Option(names = "--timeout", paramLabel = "SECONDS", converter = Timeout.class,
            description = "deadline of each call, 1 to 3600 (default: 30)")
    private int timeoutSeconds = 30;

    @Option(names = "--admin-token", paramLabel = "TOKEN", description = "admin token (default: LONGLINK_ADMIN_TOKEN)")
    private String adminToken;

    @Option(names = "--app", paramLabel = "KEY", description = "app key (default: LONGLINK_APP_KEY)")
    private String appKey;

    @Option(names = "--secret", paramLabel = "SECRET", description = "app secret (default: LONGLINK_APP_SECRET)")
    private String appSecret;

    @Spec
    private CommandSpec spec;

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    PushCtl(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = requireNonNull(out, "out");
        this.err = requireNonNull(err, "err");
        this.env = requireNonNull(env, "env");
    }

    public static void main(String[] args) {
        System.exit(new PushCtl(System.out, System.err, System.getenv()).run(args));
    }

    int run(String... args) {
        CommandLine commandLine = new CommandLine(this)
                .setOut(new PrintWriter(out, true))
                .setErr(new PrintWriter(err, true))
                // a repeated option keeps its last value, as pushctl always did
                .setOverwrittenOptionsAllowed(true)
                .setParameterExceptionHandler(PushCtl::usageError)
                .setExecutionExceptionHandler(PushCtl::callFailed);
        commandLine.getHelpSectionMap().put(UsageMessageSpec.SECTION_KEY_COMMAND_LIST, new CommandList());
        return commandLine.execute(args);
    }

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "no command given");
    }

    /** The api-node link for one command; what is wrong with the options is a usage error of that command. */
    Api connect(CommandLine command) throws SSLException {
        String target = api != null ? api : env.getOrDefault("LONGLINK_API", DEFAULT_API);
        if (target.lastIndexOf(':') <= 0) {
            throw new ParameterException(command, "--api: '" + target + "' (expected: host:port)");
        }
        NettyChannelBuilder channel = NettyChannelBuilder.forTarget(target);
        if (tls || ca != null) {
            var ssl = GrpcSslContexts.forClient();
            if (ca != null) {
                if (!ca.canRead()) {
                    throw new ParameterException(command, "--ca: " + ca + " is not readable (expected: a PEM certificate)");
                }
                ssl.trustManager(ca);
            }
            channel.sslContext(ssl.build());
        } else {
            channel.usePlaintext();
        }
        return new Api(channel.build(), new Api.Credentials(orEnv(adminToken, "LONGLINK_ADMIN_TOKEN"),
                orEnv(appKey, "LONGLINK_APP_KEY"), orEnv(appSecret, "LONGLINK_APP_SECRET")), timeoutSeconds, command);
    }

    /** The environment variable {@code name}, else {@code otherwise}. */
    public String env(String name, String otherwise) {
        return env.getOrDefault(name, otherwise);
    }

    private String orEnv(String option, String variable) {
        return option != null ? option : env.get(variable);
    }

    private static int usageError(ParameterException e, String[] args) {
        CommandLine command = e.getCommandLine();
        command.getErr().println("pushctl: " + UsageMessage.of(e));
        command.usage(command.getErr());
        return USAGE;
    }

    private static int callFailed(Exception e, CommandLine command, ParseResult parsed) {
        command.getErr().println(e instanceof StatusRuntimeException s ? failure(s)
                : Output.line("error", "CLIENT", "message", String.valueOf(e.getMessage())));
        return FAILED;
    }

    /** {@code error=CODE message="..."}, and the server's retry hint when it gave one (a rate quota). */
    private static String failure(StatusRuntimeException s) {
        String message = Objects.requireNonNullElse(s.getStatus().getDescription(), "");
        String retryAfter = s.getTrailers() == null ? null : s.getTrailers().get(RETRY_AFTER_MS);
        return retryAfter == null ? Output.line("error", s.getStatus().getCode(), "message", message)
                : Output.line("error", s.getStatus().getCode(), "message", message, "retry_after_ms", retryAfter);
    }

    private static final class Timeout extends IntRange {
        Timeout() {
            super(1, 3600);
        }
    }

    /** The version the jar's manifest names. */
    static final class Version implements IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = PushCtl.class.getPackage().getImplementationVersion();
            return new String[] {"pushctl " + (version == null ? "(not packaged)" : version)};
        }
    }
}
