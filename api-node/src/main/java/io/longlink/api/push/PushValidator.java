package io.longlink.api.push;

import io.longlink.api.validation.Fields;
import io.longlink.common.grpc.Refusal;
import io.longlink.proto.api.Audience;
import io.longlink.proto.api.PushRequest;
import io.longlink.proto.command.Aliases;
import io.longlink.proto.command.DeviceIds;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.device.Notification;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.TagFilter;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Checks a PushRequest field by field; the first problem is answered as INVALID_ARGUMENT. */
public final class PushValidator {
    private PushValidator() {
    }

    public static ValidPush validate(PushRequest req) {
        PushCommand.Builder cmd = PushCommand.newBuilder();
        String singleDevice = audience(req, cmd);
        Push.Builder push = Push.newBuilder();
        if (req.getPayload().size() > PushLimits.MAX_PAYLOAD_BYTES) {
            throw Refusal.invalid("payload", req.getPayload().size() + " bytes",
                    "at most " + PushLimits.MAX_PAYLOAD_BYTES);
        }
        push.setPayload(req.getPayload());
        boolean hasNotification = false;
        if (req.hasNotification()) {
            String title = req.getNotification().getTitle();
            String body = req.getNotification().getBody();
            if (title.length() > PushLimits.MAX_TITLE_CHARS) {
                throw Refusal.invalid("notification.title", title.length() + " characters",
                        "at most " + PushLimits.MAX_TITLE_CHARS);
            }
            if (body.length() > PushLimits.MAX_BODY_CHARS) {
                throw Refusal.invalid("notification.body", body.length() + " characters",
                        "at most " + PushLimits.MAX_BODY_CHARS);
            }
            hasNotification = !title.isEmpty() || !body.isEmpty();
            if (hasNotification) {
                push.setNotification(Notification.newBuilder().setTitle(title).setBody(body));
            }
        }
        if (req.getPayload().isEmpty() && !hasNotification) {
            throw Refusal.invalid("payload", "empty and no notification", "a payload, a notification or both");
        }
        int ttl = req.hasTtlSeconds() ? req.getTtlSeconds() : PushLimits.DEFAULT_TTL_SECONDS;
        // uint32 arrives as a signed int: values over 2^31 show as negative
        if (ttl < 0 || ttl > PushLimits.MAX_TTL_SECONDS) {
            throw Refusal.invalid("ttl_seconds", Integer.toUnsignedString(ttl),
                    "0 (online devices only) to " + PushLimits.MAX_TTL_SECONDS);
        }
        cmd.setTtlSeconds(ttl);
        if (!req.getCollapseKey().isEmpty()) {
            push.setCollapseKey(Fields.collapseKey("collapse_key", req.getCollapseKey()));
        }
        switch (req.getPriority()) {
            case PRIORITY_UNSPECIFIED, PRIORITY_NORMAL, PRIORITY_HIGH -> cmd.setPriority(req.getPriority());
            default -> throw Refusal.invalid("priority", req.getPriorityValue(),
                    "one of PRIORITY_UNSPECIFIED, PRIORITY_NORMAL, PRIORITY_HIGH");
        }
        int spread = req.getSpreadMs();
        if (spread != 0) {
            if (spread < 0 || spread > PushLimits.MAX_SPREAD_MS) {
                throw Refusal.invalid("spread_ms", Integer.toUnsignedString(spread),
                        "0 to " + PushLimits.MAX_SPREAD_MS);
            }
            if (!cmd.hasTags() && !cmd.getBroadcast()) {
                throw Refusal.invalid("spread_ms", spread + " with a " + req.getAudience().getTargetCase()
                        .name().toLowerCase(java.util.Locale.ROOT) + " audience", "0 unless the audience is tags or broadcast");
            }
            cmd.setSpreadMs(spread);
        }
        String requestId = req.getRequestId().isEmpty() ? "" : Fields.requestId("request_id", req.getRequestId());
        cmd.setPush(push);
        return new ValidPush(cmd.build(), singleDevice, requestId);
    }

    /** Fills the command's audience; answers the device of a one-device push, else null. */
    private static String audience(PushRequest req, PushCommand.Builder cmd) {
        if (!req.hasAudience()) {
            throw Refusal.invalid("audience", "missing", "one of devices, aliases, tags, broadcast");
        }
        Audience a = req.getAudience();
        switch (a.getTargetCase()) {
            case DEVICES -> {
                Set<String> ids = distinct("audience.devices", a.getDevices().getDeviceIdsList(),
                        PushLimits.MAX_DEVICES, "device ids", Fields::deviceId);
                cmd.setDevices(DeviceIds.newBuilder().addAllIds(ids));
                return ids.size() == 1 ? ids.iterator().next() : null;
            }
            case ALIASES -> {
                Set<String> names = distinct("audience.aliases", a.getAliases().getAliasesList(),
                        PushLimits.MAX_ALIASES, "aliases", Fields::alias);
                cmd.setAliases(Aliases.newBuilder().addAllNames(names));
                return null;
            }
            case TAGS -> {
                var f = a.getTags();
                TagFilter.Builder filter = TagFilter.newBuilder()
                        .addAllAnyOf(distinct("audience.tags.any_of", f.getAnyOfList(), PushLimits.MAX_FILTER_TAGS,
                                "tags", Fields::tag, 0))
                        .addAllAllOf(distinct("audience.tags.all_of", f.getAllOfList(), PushLimits.MAX_FILTER_TAGS,
                                "tags", Fields::tag, 0))
                        .addAllNoneOf(distinct("audience.tags.none_of", f.getNoneOfList(), PushLimits.MAX_FILTER_TAGS,
                                "tags", Fields::tag, 0));
                if (filter.getAnyOfCount() == 0 && filter.getAllOfCount() == 0) {
                    throw Refusal.invalid("audience.tags", "no tag in any_of or all_of",
                            "at least one tag in any_of or all_of");
                }
                cmd.setTags(filter);
                return null;
            }
            case BROADCAST -> {
                if (!a.getBroadcast()) {
                    throw Refusal.invalid("audience.broadcast", "false", "true");
                }
                cmd.setBroadcast(true);
                return null;
            }
            default -> throw Refusal.invalid("audience", "empty", "one of devices, aliases, tags, broadcast");
        }
    }

    private static Set<String> distinct(String field, List<String> values, int max, String what, Check check) {
        return distinct(field, values, max, what, check, 1);
    }

    private static Set<String> distinct(String field, List<String> values, int max, String what, Check check, int min) {
        if (values.size() < min || values.size() > max) {
            throw Refusal.invalid(field, values.size() + " " + what, min + " to " + max);
        }
        Set<String> out = new LinkedHashSet<>(values.size() * 2);
        for (int i = 0; i < values.size(); i++) {
            out.add(check.apply(field + "[" + i + "]", values.get(i)));
        }
        return out;
    }

    @FunctionalInterface
    private interface Check {
        String apply(String field, String value);
    }
}
