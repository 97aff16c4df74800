package io.longlink.router;

import com.google.protobuf.ByteString;
import io.longlink.proto.command.Aliases;
import io.longlink.proto.command.DeviceIds;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.TagFilter;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/** Push commands as api-nodes write them, with increasing ids unique to the test run. */
public final class Commands {
    private static final AtomicLong NEXT = new AtomicLong(ThreadLocalRandom.current().nextLong(1L << 40, 1L << 61));

    private Commands() {
    }

    public static long nextId() {
        return NEXT.addAndGet(1 + ThreadLocalRandom.current().nextInt(1000));
    }

    public static PushCommand.Builder base(String app, int ttlSeconds, String collapseKey) {
        long now = System.currentTimeMillis();
        Push push = Push.newBuilder().setMessageId(nextId()).setPayload(ByteString.copyFromUtf8("p"))
                .setCollapseKey(collapseKey).setSentAtMs(now).setExpiresAtMs(ttlSeconds == 0 ? 0 : now + ttlSeconds * 1000L)
                .build();
        return PushCommand.newBuilder().setAppKey(app).setPush(push).setTtlSeconds(ttlSeconds);
    }

    public static PushCommand toDevices(String app, int ttlSeconds, String... devices) {
        return base(app, ttlSeconds, "").setDevices(DeviceIds.newBuilder().addAllIds(List.of(devices))).build();
    }

    public static PushCommand collapsing(String app, String device, String collapseKey) {
        return base(app, 3600, collapseKey).setDevices(DeviceIds.newBuilder().addIds(device)).build();
    }

    public static PushCommand toAliases(String app, String... aliases) {
        return base(app, 3600, "").setAliases(Aliases.newBuilder().addAllNames(List.of(aliases))).build();
    }

    public static PushCommand toTags(String app, int ttlSeconds, TagFilter filter, int spreadMs) {
        return base(app, ttlSeconds, "").setTags(filter).setSpreadMs(spreadMs).build();
    }

    public static PushCommand broadcast(String app, int ttlSeconds) {
        return base(app, ttlSeconds, "").setBroadcast(true).build();
    }

    public static long id(PushCommand c) {
        return c.getPush().getMessageId();
    }
}
