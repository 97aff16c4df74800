package io.longlink.cli;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.longlink.proto.api.AliasList;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.BootstrapServiceGrpc;
import io.longlink.proto.api.ConnNodeEndpoint;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.Device;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.DeviceServiceGrpc;
import io.longlink.proto.api.GetConnNodesRequest;
import io.longlink.proto.api.GetDeviceRequest;
import io.longlink.proto.api.GetMessageStatusRequest;
import io.longlink.proto.api.MessageStatus;
import io.longlink.proto.api.Notification;
import io.longlink.proto.api.Priority;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.PushServiceGrpc;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.api.RegisterDeviceResponse;
import io.longlink.proto.api.RevokeRequest;
import io.longlink.proto.api.RotateSecretRequest;
import io.longlink.proto.api.SetAliasRequest;
import io.longlink.proto.api.StreamReceiptsRequest;
import io.longlink.proto.api.TagFilter;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.api.TagsResponse;
import io.longlink.proto.device.Platform;
import io.longlink.proto.receipt.Receipt;
import io.longlink.proto.receipt.ReceiptKind;
import java.io.File;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * {@code pushctl}: the public gRPC API from a shell. Answers are {@code key=value} lines on stdout;
 * failures are {@code error=CODE message="..."} on stderr with exit code 1; a wrong command line
 * exits with 2. Credentials may come from the environment (LONGLINK_API, LONGLINK_APP_KEY,
 * LONGLINK_APP_SECRET, LONGLINK_ADMIN_TOKEN) so that secrets stay out of the process list.
 */
public final class PushCtl {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    static final String USAGE_TEXT = """
            usage: pushctl [--api HOST:PORT] [--tls [--ca FILE]] [--timeout SECONDS]
                           [--admin-token T] [--app KEY --secret S] COMMAND [ARGS]

            commands (admin token):
              create-app NAME                      -> app_key=... secret=...
              rotate-secret APP_KEY                -> secret=...
            commands (app key and secret):
              register-device ID [--platform android|ios|web|desktop|iot]
              push (--device ID ... | --alias A ... | --tag T ... [--all-tags T ...] [--not-tag T ...] | --all)
                   [--title S] [--body S] [--payload S] [--ttl SECONDS] [--collapse KEY]
                   [--priority normal|high] [--request-id ID] [--spread-ms MS]
              revoke MESSAGE_ID
              status MESSAGE_ID
              device ID
              set-alias ID ALIAS                   ("" removes the alias)
              add-tags ID TAG...  |  remove-tags ID TAG...
              watch-receipts [--kind acked|delivered|stored|expired|revoked ...] [--count N]
            commands (no credentials):
              nodes [--limit N]                    conn-node device endpoints, least loaded first

            environment: LONGLINK_API (default 127.0.0.1:8400), LONGLINK_APP_KEY, LONGLINK_APP_SECRET,
                         LONGLINK_ADMIN_TOKEN
            """;

    private static final Set<String> GLOBAL_VALUES = Set.of("api", "admin-token", "app", "secret", "ca", "timeout");
    private static final Set<String> GLOBAL_FLAGS = Set.of("tls", "help");

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    PushCtl(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    public static void main(String[] args) {
        System.exit(new PushCtl(System.out, System.err, System.getenv()).run(args));
    }

    int run(String[] argv) {
        List<String> args = Arrays.asList(argv);
        int commandAt = commandIndex(args);
        try {
            Options global = Options.parse(args.subList(0, commandAt < 0 ? args.size() : commandAt), GLOBAL_VALUES,
                    GLOBAL_FLAGS);
            if (global.flag("help")) {
                out.print(USAGE_TEXT);
                return OK;
            }
            if (commandAt < 0) {
                throw new UsageException("no command given");
            }
            String command = args.get(commandAt);
            List<String> rest = args.subList(commandAt + 1, args.size());
            ManagedChannel channel = channel(global);
            try {
                return new Session(global, channel).run(command, rest);
            } finally {
                channel.shutdownNow();
            }
        } catch (UsageException e) {
            err.println("pushctl: " + e.getMessage());
            err.print(USAGE_TEXT);
            return USAGE;
        } catch (StatusRuntimeException e) {
            err.println(Output.line("error", e.getStatus().getCode(), "message",
                    e.getStatus().getDescription() == null ? "" : e.getStatus().getDescription()));
            return FAILED;
        } catch (RuntimeException | javax.net.ssl.SSLException e) {
            err.println(Output.line("error", "CLIENT", "message", String.valueOf(e.getMessage())));
            return FAILED;
        }
    }

    /** Index of the first argument that is neither a global option nor its value; -1 if none. */
    private static int commandIndex(List<String> args) {
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--")) {
                return i;
            }
            String name = a.substring(2);
            if (GLOBAL_VALUES.contains(name)) {
                i++;
            }
        }
        return -1;
    }

    private ManagedChannel channel(Options global) throws UsageException, javax.net.ssl.SSLException {
        String api = global.value("api", env.getOrDefault("LONGLINK_API", "127.0.0.1:8400"));
        if (api.lastIndexOf(':') <= 0) {
            throw new UsageException("--api: '" + api + "' (expected: host:port)");
        }
        NettyChannelBuilder b = NettyChannelBuilder.forTarget(api);
        if (global.flag("tls") || global.has("ca")) {
            var ssl = GrpcSslContexts.forClient();
            if (global.has("ca")) {
                File ca = new File(global.value("ca", ""));
                if (!ca.canRead()) {
                    throw new UsageException("--ca: " + ca + " is not readable (expected: a PEM certificate)");
                }
                ssl.trustManager(ca);
            }
            b.sslContext(ssl.build());
        } else {
            b.usePlaintext();
        }
        return b.build();
    }

    /** One invocation's credentials, channel and deadline. */
    private final class Session {
        private final Options global;
        private final ManagedChannel channel;
        private final int timeoutSeconds;

        Session(Options global, ManagedChannel channel) throws UsageException {
            this.global = global;
            this.channel = channel;
            this.timeoutSeconds = global.intValue("timeout", 30, 1, 3600);
        }

        int run(String command, List<String> args) throws UsageException {
            switch (command) {
                case "create-app" -> {
                    Options o = Options.parse(args, Set.of(), Set.of());
                    CreateAppResponse r = admin().createApp(CreateAppRequest.newBuilder().setName(one(o, "NAME")).build());
                    out.println(Output.line("app_key", r.getAppKey(), "secret", r.getSecret()));
                }
                case "rotate-secret" -> {
                    Options o = Options.parse(args, Set.of(), Set.of());
                    String secret = admin().rotateSecret(RotateSecretRequest.newBuilder().setAppKey(one(o, "APP_KEY"))
                            .build()).getSecret();
                    out.println(Output.line("secret", secret));
                }
                case "register-device" -> {
                    Options o = Options.parse(args, Set.of("platform"), Set.of());
                    Platform platform = platform(o.value("platform", "android"));
                    RegisterDeviceResponse r = devices().registerDevice(RegisterDeviceRequest.newBuilder()
                            .setDeviceId(one(o, "ID")).setPlatform(platform).build());
                    out.println(Output.line("device_id", o.positional().get(0), "token", r.getToken(),
                            "expires_at_ms", r.getExpiresAtMs()));
                }
                case "push" -> {
                    PushResponse r = push().push(pushRequest(args));
                    out.println(Output.line("message_id", Long.toUnsignedString(r.getMessageId()),
                            "duplicate", r.getDuplicate()));
                }
                case "revoke" -> {
                    Options o = Options.parse(args, Set.of(), Set.of());
                    long id = messageId(one(o, "MESSAGE_ID"));
                    boolean removed = push().revoke(RevokeRequest.newBuilder().setMessageId(id).build()).getBodyRemoved();
                    out.println(Output.line("message_id", Long.toUnsignedString(id), "body_removed", removed));
                }
                case "status" -> {
                    Options o = Options.parse(args, Set.of(), Set.of());
                    MessageStatus s = push().getMessageStatus(GetMessageStatusRequest.newBuilder()
                            .setMessageId(messageId(one(o, "MESSAGE_ID"))).build());
                    out.println(Output.line("message_id", Long.toUnsignedString(s.getMessageId()),
                            "targeted", s.getTargeted(), "online", s.getOnline(), "stored", s.getStored(),
                            "acked", s.getAcked(), "expired", s.getExpired(), "revoked", s.getRevoked(),
                            "created_at_ms", s.getCreatedAtMs(), "accepted_at_ms", s.getAcceptedAtMs(),
                            "routed_at_ms", s.getRoutedAtMs(), "revoked_at_ms", s.getRevokedAtMs()));
                }
                case "device" -> {
                    Options o = Options.parse(args, Set.of(), Set.of());
                    Device d = devices().getDevice(GetDeviceRequest.newBuilder().setDeviceId(one(o, "ID")).build());
                    out.println(Output.line("device_id", d.getDeviceId(), "online", d.getOnline(), "node_id",
                            d.getNodeId(), "inbox_depth", d.getInboxDepth(), "alias", d.getAlias(), "tags",
                            String.join(",", d.getTagsList()), "platform", d.getPlatform(), "registered_at_ms",
                            d.getRegisteredAtMs()));
                }
                case "set-alias" -> {
                    Options o = Options.parse(args, Set.of(), Set.of());
                    if (o.positional().size() != 2) {
                        throw new UsageException("set-alias needs ID and ALIAS");
                    }
                    String previous = devices().setAlias(SetAliasRequest.newBuilder().setDeviceId(o.positional().get(0))
                            .setAlias(o.positional().get(1)).build()).getPreviousAlias();
                    out.println(Output.line("device_id", o.positional().get(0), "alias", o.positional().get(1),
                            "previous_alias", previous));
                }
                case "add-tags", "remove-tags" -> {
                    Options o = Options.parse(args, Set.of(), Set.of());
                    if (o.positional().size() < 2) {
                        throw new UsageException(command + " needs ID and at least one TAG");
                    }
                    TagsRequest req = TagsRequest.newBuilder().setDeviceId(o.positional().get(0))
                            .addAllTags(o.positional().subList(1, o.positional().size())).build();
                    TagsResponse r = command.equals("add-tags") ? devices().addTags(req) : devices().removeTags(req);
                    out.println(Output.line("device_id", req.getDeviceId(), "tags", String.join(",", r.getTagsList())));
                }
                case "watch-receipts" -> watchReceipts(args);
                case "nodes" -> {
                    Options o = Options.parse(args, Set.of("limit"), Set.of());
                    var stub = BootstrapServiceGrpc.newBlockingStub(channel).withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS);
                    for (ConnNodeEndpoint n : stub.getConnNodes(GetConnNodesRequest.newBuilder()
                            .setLimit(o.intValue("limit", 0, 0, 100)).build()).getNodesList()) {
                        out.println(Output.line("node_id", n.getNodeId(), "address", n.getAddress(), "load", n.getLoad()));
                    }
                }
                default -> throw new UsageException("unknown command '" + command + "'");
            }
            return OK;
        }

        private PushRequest pushRequest(List<String> args) throws UsageException {
            Options o = Options.parse(args, Set.of("device", "alias", "tag", "all-tags", "not-tag", "title", "body",
                    "payload", "ttl", "collapse", "priority", "request-id", "spread-ms"), Set.of("all"));
            if (!o.positional().isEmpty()) {
                throw new UsageException("push takes no positional arguments, got " + o.positional());
            }
            List<String> kinds = new ArrayList<>();
            for (String k : List.of("device", "alias", "tag", "all")) {
                if (o.has(k) || (k.equals("tag") && (o.has("all-tags") || o.has("not-tag")))) {
                    kinds.add(k);
                }
            }
            if (kinds.size() != 1) {
                throw new UsageException("push needs exactly one audience: --device, --alias, --tag/--all-tags or --all"
                        + (kinds.isEmpty() ? "" : " (got " + String.join(", ", kinds) + ")"));
            }
            Audience.Builder audience = Audience.newBuilder();
            switch (kinds.get(0)) {
                case "device" -> audience.setDevices(DeviceList.newBuilder().addAllDeviceIds(o.all("device")));
                case "alias" -> audience.setAliases(AliasList.newBuilder().addAllAliases(o.all("alias")));
                case "tag" -> audience.setTags(TagFilter.newBuilder().addAllAnyOf(o.all("tag"))
                        .addAllAllOf(o.all("all-tags")).addAllNoneOf(o.all("not-tag")));
                default -> audience.setBroadcast(true);
            }
            PushRequest.Builder req = PushRequest.newBuilder().setAudience(audience);
            if (o.has("payload")) {
                req.setPayload(ByteString.copyFrom(o.value("payload", ""), StandardCharsets.UTF_8));
            }
            if (o.has("title") || o.has("body")) {
                req.setNotification(Notification.newBuilder().setTitle(o.value("title", "")).setBody(o.value("body", "")));
            }
            if (o.has("ttl")) {
                req.setTtlSeconds(o.intValue("ttl", 0, 0, Integer.MAX_VALUE));
            }
            req.setCollapseKey(o.value("collapse", ""));
            req.setRequestId(o.value("request-id", ""));
            req.setSpreadMs(o.intValue("spread-ms", 0, 0, Integer.MAX_VALUE));
            switch (o.value("priority", "normal").toLowerCase(Locale.ROOT)) {
                case "normal" -> req.setPriority(Priority.PRIORITY_NORMAL);
                case "high" -> req.setPriority(Priority.PRIORITY_HIGH);
                default -> throw new UsageException("--priority: '" + o.value("priority", "") + "' (expected: normal or high)");
            }
            return req.build();
        }

        private void watchReceipts(List<String> args) throws UsageException {
            Options o = Options.parse(args, Set.of("kind", "count"), Set.of());
            StreamReceiptsRequest.Builder req = StreamReceiptsRequest.newBuilder();
            for (String k : o.all("kind")) {
                try {
                    ReceiptKind kind = ReceiptKind.valueOf(k.toUpperCase(Locale.ROOT));
                    if (kind == ReceiptKind.RECEIPT_KIND_UNSPECIFIED || kind == ReceiptKind.UNRECOGNIZED) {
                        throw new IllegalArgumentException(k);
                    }
                    req.addKinds(kind);
                } catch (IllegalArgumentException e) {
                    throw new UsageException("--kind: '" + k + "' (expected: acked, delivered, stored, expired or revoked)");
                }
            }
            int count = o.intValue("count", 0, 0, Integer.MAX_VALUE);
            // no deadline: this is a live tail until the server ends it, the count is reached or ^C
            Iterator<Receipt> it = withApp(PushServiceGrpc.newBlockingStub(channel)).streamReceipts(req.build());
            int seen = 0;
            while (it.hasNext()) {
                Receipt r = it.next();
                out.println(Output.line("message_id", Long.toUnsignedString(r.getMessageId()), "device_id",
                        r.getDeviceId(), "kind", r.getKind(), "at_ms", r.getAtMs(), "node_id", r.getNodeId()));
                out.flush();
                if (count > 0 && ++seen >= count) {
                    return;
                }
            }
        }

        private AppAdminServiceGrpc.AppAdminServiceBlockingStub admin() throws UsageException {
            String token = global.value("admin-token", env.get("LONGLINK_ADMIN_TOKEN"));
            if (token == null || token.isEmpty()) {
                throw new UsageException("this command needs --admin-token (or LONGLINK_ADMIN_TOKEN)");
            }
            Metadata md = new Metadata();
            md.put(Metadata.Key.of("x-longlink-admin-token", Metadata.ASCII_STRING_MARSHALLER), token);
            return deadline(AppAdminServiceGrpc.newBlockingStub(channel)
                    .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md)));
        }

        private PushServiceGrpc.PushServiceBlockingStub push() throws UsageException {
            return deadline(withApp(PushServiceGrpc.newBlockingStub(channel)));
        }

        private DeviceServiceGrpc.DeviceServiceBlockingStub devices() throws UsageException {
            return deadline(withApp(DeviceServiceGrpc.newBlockingStub(channel)));
        }

        private <S extends AbstractStub<S>> S withApp(S stub) throws UsageException {
            String app = global.value("app", env.get("LONGLINK_APP_KEY"));
            String secret = global.value("secret", env.get("LONGLINK_APP_SECRET"));
            if (app == null || app.isEmpty() || secret == null || secret.isEmpty()) {
                throw new UsageException("this command needs --app and --secret (or LONGLINK_APP_KEY and LONGLINK_APP_SECRET)");
            }
            Metadata md = new Metadata();
            md.put(Metadata.Key.of("x-longlink-app-key", Metadata.ASCII_STRING_MARSHALLER), app);
            md.put(Metadata.Key.of("x-longlink-app-secret", Metadata.ASCII_STRING_MARSHALLER), secret);
            return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(md));
        }

        private <S extends AbstractStub<S>> S deadline(S stub) {
            return stub.withDeadlineAfter(timeoutSeconds, TimeUnit.SECONDS);
        }
    }

    private static String one(Options o, String what) throws UsageException {
        if (o.positional().size() != 1) {
            throw new UsageException("expected exactly one " + what + ", got " + o.positional().size());
        }
        return o.positional().get(0);
    }

    private static long messageId(String raw) throws UsageException {
        try {
            long id = Long.parseUnsignedLong(raw);
            if (id == 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new UsageException("MESSAGE_ID: '" + raw + "' (expected: a message id printed by push)");
        }
    }

    private static Platform platform(String raw) throws UsageException {
        try {
            Platform p = Platform.valueOf(raw.toUpperCase(Locale.ROOT));
            if (p == Platform.PLATFORM_UNSPECIFIED || p == Platform.UNRECOGNIZED) {
                throw new IllegalArgumentException(raw);
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw new UsageException("--platform: '" + raw + "' (expected: android, ios, web, desktop or iot)");
        }
    }
}
