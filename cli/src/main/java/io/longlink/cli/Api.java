package io.longlink.cli;

import static java.util.Objects.requireNonNull;

import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.AppAdminServiceGrpc.AppAdminServiceBlockingStub;
import io.longlink.proto.api.BootstrapServiceGrpc;
import io.longlink.proto.api.BootstrapServiceGrpc.BootstrapServiceBlockingStub;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.DeviceServiceGrpc.DeviceServiceBlockingStub;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.PushServiceGrpc.PushServiceBlockingStub;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;

/**
 * One command's link to the api-node: stubs that carry the credentials and the deadline, and the
 * place answers go. A command that needs credentials that were not given is a usage error.
 */
public final class Api implements AutoCloseable {
    private static final Metadata.Key<String> ADMIN_TOKEN =
            Metadata.Key.of("x-longlink-admin-token", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> APP_KEY = Metadata.Key.of("x-longlink-app-key", Metadata.ASCII_STRING_MARSHALLER);
    private static final Metadata.Key<String> APP_SECRET =
            Metadata.Key.of("x-longlink-app-secret", Metadata.ASCII_STRING_MARSHALLER);

    /** From the options, else the environment; null when neither gave one. */
    record Credentials(String adminToken, String appKey, String appSecret) {
    }

    private final ManagedChannel channel;
    private final Credentials credentials;
    private final int timeoutSeconds;
    private final CommandLine command;

    Api(ManagedChannel channel, Credentials credentials, int timeoutSeconds, CommandLine command) {
        this.channel = requireNonNull(channel, "channel");
        this.credentials = requireNonNull(credentials, "credentials");
        this.timeoutSeconds = timeoutSeconds;
        this.command = requireNonNull(command, "command");
    }

    public AppAdminServiceBlockingStub admin() {
        if (isEmpty(credentials.adminToken())) {
            throw usageError("this command needs --admin-token (or LONGLINK_ADMIN_TOKEN)");
        }
        Metadata md = new Metadata();
        md.put(ADMIN_TOKEN, credentials.adminToken());
        return deadline(AppAdminServiceGrpc.newBlockingStub(channel).withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)));
    }

    public PushServiceBlockingStub push() {
        return deadline(receipts());
    }

    /** The push service without a deadline, for a live tail that runs until the server or the user ends it. */
    public PushServiceBlockingStub receipts() {
        return withApp(PushServiceGrpc.newBlockingStub(channel));
    }

    public DeviceServiceBlockingStub devices() {
        return deadline(withApp(DeviceServiceGrpc.newBlockingStub(channel)));
    }

    /** Needs no credentials. */
    public BootstrapServiceBlockingStub bootstrap() {
        return deadline(BootstrapServiceGrpc.newBlockingStub(channel));
    }

    /** Prints one answer line: {@code key=value} pairs, quoted where needed. */
    public void print(Object... pairs) {
        command.getOut().println(Output.line(pairs));
    }

    /** A wrong command line: pushctl prints the reason and the command's usage and exits with 2. */
    public ParameterException usageError(String reason) {
        return new ParameterException(command, reason);
    }

    private <S extends AbstractStub<S>> S withApp(S stub) {
        if (isEmpty(credentials.appKey()) || isEmpty(credentials.appSecret())) {
            throw usageError("this command needs --app and --secret (or LONGLINK_APP_KEY and LONGLINK_APP_SECRET)");
        }
        Metadata md = new Metadata();
        md.put(APP_KEY, credentials.appKey());
        md.put(APP_SECRET, credentials.appSecret());
        return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
    }

    private <S extends AbstractStub<S>> S deadline(S stub) {
        return stub.withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS);
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }

    @Override
    public void close() {
        channel.shutdownNow();
    }
}
