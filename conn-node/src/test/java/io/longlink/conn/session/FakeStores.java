package io.longlink.conn.session;

import io.lettuce.core.KeyValue;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.auth.AppSecrets;
import io.longlink.conn.auth.Apps;
import io.longlink.conn.broadcast.BroadcastLogs;
import io.longlink.conn.inbox.Inbox;
import io.longlink.conn.inbox.InboxEntry;
import io.longlink.conn.inbox.InboxPage;
import io.longlink.conn.inbox.Inboxes;
import io.longlink.conn.inbox.PageCursor;
import io.longlink.conn.route.PeerKicks;
import io.longlink.conn.route.RouteRenewal;
import io.longlink.conn.route.Routes;
import io.longlink.conn.tag.Tags;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.TagFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;

/** In-memory stand-ins for the session layer's stores, with the calls they got, for the room tests. */
final class FakeStores {
    final FakeApps apps = new FakeApps();
    final FakeRoutes routes = new FakeRoutes();
    final FakePeers peers = new FakePeers();
    final FakeInboxes inboxes = new FakeInboxes();
    final FakeLogs logs = new FakeLogs();
    final FakeTags tags = new FakeTags();

    SessionStores stores() {
        return new SessionStores(apps, routes, peers, inboxes, logs, tags);
    }

    static final class FakeApps implements Apps {
        final Map<String, String> secrets = new HashMap<>();
        final Replies replies = new Replies();

        @Override
        public CompletionStage<AppSecrets.App> get(String appKey) {
            return replies.answer(() -> new AppSecrets.App(appKey, secrets.get(appKey)));
        }
    }

    /** Routes by key, renewed as the renewal script does: extended, claimed again when gone, or found taken. */
    static final class FakeRoutes implements Routes {
        final Map<String, String> values = new HashMap<>();
        final List<String> renewed = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
        final Replies replies = new Replies();
        final Replies renewals = new Replies();

        @Override
        public CompletionStage<byte[]> claim(String key, String value) {
            String previous = values.put(key, value);
            return replies.answer(() -> previous == null ? null : previous.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public CompletionStage<RouteRenewal> renew(String key, String value) {
            renewed.add(value);
            String current = values.putIfAbsent(key, value);
            RouteRenewal r = current == null ? RouteRenewal.RECLAIMED
                    : current.equals(value) ? RouteRenewal.RENEWED : RouteRenewal.TAKEN;
            return renewals.answer(() -> r);
        }

        @Override
        public void delete(String key, String value) {
            deleted.add(value);
            values.remove(key, value);
        }
    }

    record Kick(String appKey, String deviceId, String nodeId, String connectionId) {
    }

    static final class FakePeers implements PeerKicks {
        final List<Kick> kicks = new ArrayList<>();

        @Override
        public void kick(String appKey, String deviceId, String nodeId, String connectionId) {
            kicks.add(new Kick(appKey, deviceId, nodeId, connectionId));
        }
    }

    /** One stored entry of a zset ordered by position: an inbox's or the broadcast log's. */
    record Stored(String member, long position, byte[] body) {
    }

    /**
     * The entries after {@code after} in (position, member) order, {@code count} at most, as a page
     * of a real zset read by position gives them.
     */
    static List<Stored> after(List<Stored> sorted, PageCursor after, int count) {
        List<Stored> page = new ArrayList<>();
        for (Stored e : sorted) {
            if (page.size() == count) {
                break;
            }
            boolean later = after.member() == null || e.position() > after.position()
                    || (e.position() == after.position() && e.member().compareTo(after.member()) > 0);
            if (later) {
                page.add(e);
            }
        }
        return page;
    }

    static PageCursor past(PageCursor after, List<Stored> page) {
        PageCursor next = after;
        for (Stored e : page) {
            next = next.past(e.position(), e.member());
        }
        return next;
    }

    private static final Comparator<Stored> BY_POSITION = Comparator.comparingLong(Stored::position)
            .thenComparing(Stored::member);

    /** Each device's inbox in position order; positions count up per device as the router's INCR does. */
    static final class FakeInboxes implements Inboxes {
        final Map<String, List<Stored>> inboxes = new HashMap<>();
        private final Map<String, Long> positions = new HashMap<>();
        final List<Long> acked = new ArrayList<>();
        /** While set, ACK removals wait in {@link #parked} as in a full Redis batch queue; run one to queue it. */
        boolean queueFull;
        final List<Runnable> parked = new ArrayList<>();
        final List<Long> ackedLive = new ArrayList<>();
        final List<Long> ackedLate = new ArrayList<>();
        final List<Long> expired = new ArrayList<>();
        final List<Long> undelivered = new ArrayList<>();
        final List<PageCursor> reads = new ArrayList<>();
        final Replies replies = new Replies();

        /** Stores {@code push} at the device's next position. */
        void add(String device, Push push) {
            put(device, RedisKeys.inboxMember(push.getMessageId()), push.toByteArray());
        }

        /** Stores a member at the device's next position ({@code body} null: its body is gone). */
        void put(String device, String member, byte[] body) {
            long position = positions.merge(device, 1L, Long::sum);
            putAt(device, member, position, body);
        }

        void putAt(String device, String member, long position, byte[] body) {
            List<Stored> inbox = inboxes.computeIfAbsent(device, d -> new ArrayList<>());
            inbox.add(new Stored(member, position, body));
            inbox.sort(BY_POSITION);
        }

        List<String> members(String device) {
            return inboxes.getOrDefault(device, List.of()).stream().map(Stored::member).toList();
        }

        private void remove(String device, String member) {
            inboxes.getOrDefault(device, new ArrayList<>()).removeIf(e -> e.member().equals(member));
        }

        @Override
        public CompletionStage<InboxPage> readPage(String appKey, String deviceId, PageCursor after, int count) {
            reads.add(after);
            return replies.answer(() -> { // read when answered, as Redis reads when the command runs
                List<Stored> page = FakeStores.after(inboxes.getOrDefault(deviceId, List.of()), after, count);
                List<InboxEntry> entries = page.stream().map(e -> new InboxEntry(e.member(),
                        Inbox.parseMember(e.member()), e.position(), e.body())).toList();
                return new InboxPage(entries, past(after, page), page.size() < count);
            });
        }

        @Override
        public boolean ack(String appKey, String deviceId, long[] ids, Runnable queuedLater) {
            if (queueFull) {
                parked.add(() -> {
                    removeAcked(deviceId, ids);
                    queuedLater.run();
                });
                return false;
            }
            removeAcked(deviceId, ids);
            return true;
        }

        private void removeAcked(String deviceId, long[] ids) {
            for (long id : ids) {
                acked.add(id);
                remove(deviceId, RedisKeys.inboxMember(id));
            }
        }

        @Override
        public void ackedLive(String appKey, String deviceId, long id) {
            ackedLive.add(id);
        }

        @Override
        public void ackedLate(String appKey, String deviceId, long id) {
            ackedLate.add(id);
            remove(deviceId, RedisKeys.inboxMember(id));
        }

        @Override
        public void expire(String appKey, String deviceId, InboxEntry entry) {
            expired.add(entry.id());
            remove(deviceId, entry.member());
        }

        @Override
        public void countUndelivered(String appKey, String deviceId, long id) {
            undelivered.add(id);
        }
    }

    /**
     * One app's broadcast log: members at positions with filters, bodies by id, devices' stored
     * positions (ll:seen as stored), the positions written and the fan-out copies ACKed.
     */
    static final class FakeLogs implements BroadcastLogs {
        final List<Stored> entries = new ArrayList<>();
        final Map<String, byte[]> filters = new HashMap<>();
        final Map<Long, byte[]> bodies = new HashMap<>();
        final Map<String, String> seen = new HashMap<>();
        final List<Long> marked = new ArrayList<>();
        final List<Long> acked = new ArrayList<>();
        final Replies replies = new Replies();
        private long lastPosition;

        /**
         * What a router writes for a tag or broadcast push with a TTL; {@code filter} null = every
         * device. Returns its log position.
         */
        long add(Push push, TagFilter filter) {
            bodies.put(push.getMessageId(), push.toByteArray());
            return entry(RedisKeys.inboxMember(push.getMessageId()), filter == null ? new byte[0] : filter.toByteArray());
        }

        /** A log entry alone at the next position ({@code filter} null: missing). */
        long entry(String member, byte[] filter) {
            long position = ++lastPosition;
            entries.add(new Stored(member, position, null));
            if (filter != null) {
                filters.put(member, filter);
            }
            return position;
        }

        @Override
        public CompletionStage<String> position(String appKey, String deviceId) {
            return replies.answer(() -> seen.get(deviceId));
        }

        @Override
        public CompletionStage<Page> readPage(String appKey, PageCursor after, int count) {
            return replies.answer(() -> {
                List<Stored> page = FakeStores.after(entries, after, count);
                return new Page(page.stream().map(Stored::member).toList(),
                        page.stream().mapToLong(Stored::position).toArray(),
                        page.stream().map(e -> filters.get(e.member())).toList(), past(after, page),
                        page.size() < count);
            });
        }

        @Override
        public CompletionStage<List<KeyValue<String, byte[]>>> bodies(long[] ids, int n) {
            List<KeyValue<String, byte[]>> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                byte[] body = bodies.get(ids[i]);
                String key = RedisKeys.message(ids[i]);
                out.add(body == null ? KeyValue.empty(key) : KeyValue.just(key, body));
            }
            return replies.answer(() -> out);
        }

        @Override
        public void markSeen(String appKey, String deviceId, long position) {
            marked.add(position);
            seen.put(deviceId, Long.toString(position));
        }

        @Override
        public void acked(String appKey, String deviceId, long id) {
            acked.add(id);
        }
    }

    static final class FakeTags implements Tags {
        final Map<String, List<String>> tags = new HashMap<>();
        final Replies replies = new Replies();

        @Override
        public CompletionStage<List<String>> read(String appKey, String deviceId) {
            List<String> names = List.copyOf(tags.getOrDefault(deviceId, List.of()));
            return replies.answer(() -> names);
        }
    }
}
