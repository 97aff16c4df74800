package io.longlink.cli.push;

import com.google.protobuf.ByteString;
import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.cli.EnumChoice;
import io.longlink.cli.IntRange;
import io.longlink.proto.api.AliasList;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.DeviceList;
import io.longlink.proto.api.Notification;
import io.longlink.proto.api.Priority;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.api.PushResponse;
import io.longlink.proto.api.TagFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "push", sortOptions = false,
        description = {"Pushes one message to --device, --alias, --tag or --all: message_id=... duplicate=...",
            "Give exactly one audience, and --payload or --title/--body."})
public final class PushCommand extends ApiCommand {
    @Option(names = "--device", paramLabel = "ID", description = "audience: this device (repeat for more)")
    private List<String> devices = new ArrayList<>();

    @Option(names = "--alias", paramLabel = "ALIAS", description = "audience: the devices of this alias (repeat for more)")
    private List<String> aliases = new ArrayList<>();

    @Option(names = "--tag", paramLabel = "TAG", description = "audience: devices with any of these tags (repeat for more)")
    private List<String> anyTags = new ArrayList<>();

    @Option(names = "--all-tags", paramLabel = "TAG", description = "audience: devices with all of these tags")
    private List<String> allTags = new ArrayList<>();

    @Option(names = "--not-tag", paramLabel = "TAG", description = "with --tag or --all-tags: leave out devices with this tag")
    private List<String> noneTags = new ArrayList<>();

    @Option(names = "--all", description = "audience: every device of the app")
    private boolean broadcast;

    @Option(names = "--title", paramLabel = "TEXT", description = "notification title")
    private String title;

    @Option(names = "--body", paramLabel = "TEXT", description = "notification body")
    private String body;

    @Option(names = "--payload", paramLabel = "TEXT", description = "the app's own data, sent as UTF-8 (at most 4096 bytes)")
    private String payload;

    @Option(names = "--ttl", paramLabel = "SECONDS", converter = IntRange.NonNegative.class,
            description = "keep it for devices offline this long; 0: only devices connected now (default: 86400)")
    private Integer ttlSeconds;

    @Option(names = "--collapse", paramLabel = "KEY", description = "replaces an undelivered older message with this key")
    private String collapseKey = "";

    @Option(names = "--priority", paramLabel = "PRIORITY", converter = Priorities.class, completionCandidates = Priorities.class,
            description = "normal (default) or high")
    private Priority priority = Priority.PRIORITY_NORMAL;

    @Option(names = "--request-id", paramLabel = "ID", description = "retrying with the same id pushes at most once")
    private String requestId = "";

    @Option(names = "--spread-ms", paramLabel = "MS", converter = IntRange.NonNegative.class,
            description = "tags and --all: spread the fan-out over this many ms")
    private int spreadMs;

    @Override
    protected void run(Api api) {
        PushRequest request = request(api);
        PushResponse r = api.push().push(request);
        api.print("message_id", Long.toUnsignedString(r.getMessageId()), "duplicate", r.getDuplicate());
    }

    private PushRequest request(Api api) {
        PushRequest.Builder req = PushRequest.newBuilder().setAudience(audience(api));
        if (payload != null) {
            req.setPayload(ByteString.copyFrom(payload, StandardCharsets.UTF_8));
        }
        if (title != null || body != null) {
            req.setNotification(Notification.newBuilder().setTitle(title == null ? "" : title).setBody(body == null ? "" : body));
        }
        if (ttlSeconds != null) {
            req.setTtlSeconds(ttlSeconds);
        }
        return req.setCollapseKey(collapseKey).setRequestId(requestId).setSpreadMs(spreadMs).setPriority(priority).build();
    }

    private Audience.Builder audience(Api api) {
        List<String> given = new ArrayList<>();
        if (!devices.isEmpty()) {
            given.add("device");
        }
        if (!aliases.isEmpty()) {
            given.add("alias");
        }
        if (!anyTags.isEmpty() || !allTags.isEmpty() || !noneTags.isEmpty()) {
            given.add("tag");
        }
        if (broadcast) {
            given.add("all");
        }
        if (given.size() != 1) {
            throw api.usageError("push needs exactly one audience: --device, --alias, --tag/--all-tags or --all"
                    + (given.isEmpty() ? "" : " (got " + String.join(", ", given) + ")"));
        }
        Audience.Builder audience = Audience.newBuilder();
        return switch (given.get(0)) {
            case "device" -> audience.setDevices(DeviceList.newBuilder().addAllDeviceIds(devices));
            case "alias" -> audience.setAliases(AliasList.newBuilder().addAllAliases(aliases));
            case "tag" -> audience.setTags(TagFilter.newBuilder().addAllAnyOf(anyTags).addAllAllOf(allTags).addAllNoneOf(noneTags));
            default -> audience.setBroadcast(true);
        };
    }

    private static final class Priorities extends EnumChoice<Priority> {
        Priorities() {
            super(Priority.class, "PRIORITY_", "normal", "high");
        }
    }
}
