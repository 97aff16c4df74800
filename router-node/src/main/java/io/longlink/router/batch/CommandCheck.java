package io.longlink.router.batch;

import io.longlink.proto.command.PushCommand;

/** The fields a router relies on; a command without them is unreadable and skipped. */
public final class CommandCheck {
    private CommandCheck() {
    }

    /** Null when the command can be routed, else what is wrong with it. */
    public static String problem(PushCommand c) {
        if (c.getAppKey().isEmpty()) {
            return "app_key empty";
        }
        if (!c.hasPush() || c.getPush().getMessageId() == 0) {
            return "push.message_id missing";
        }
        return switch (c.getAudienceCase()) {
            case DEVICES -> c.getDevices().getIdsCount() == 0 ? "no device ids" : null;
            case ALIASES -> c.getAliases().getNamesCount() == 0 ? "no aliases" : null;
            case TAGS -> null;
            case BROADCAST -> c.getBroadcast() ? null : "broadcast false";
            default -> "no audience";
        };
    }
}
