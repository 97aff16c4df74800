package io.longlink.conn.session;

import io.lettuce.core.KeyValue;
import io.longlink.common.redis.RedisKeys;
import io.longlink.conn.auth.AppSecrets;
import io.longlink.conn.auth.Apps;
import io.longlink.conn.broadcast.BroadcastLogs;
import io.longlink.conn.inbox.InboxEntry;
import io.longlink.conn.inbox.Inboxes;
import io.longlink.conn.route.PeerKicks;
import io.longlink.conn.route.Routes;
import io.longlink.conn.tag.Tags;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.TagFilter;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletionStage;
import java.util.function.BooleanSupplier;

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

    static final class FakeRoutes implements Routes {
        final Map<String, String> values = new HashMap<>();
        final List<String> renewed = new ArrayList<>();
        final List<String> deleted = new ArrayList<>();
        final Replies replies = new Replies();
        BooleanSupplier lastOwnerCheck;

        @Override
        public CompletionStage<byte[]> claim(String key, String value) {
            String previous = values.put(key, value);
            return replies.answer(() -> previous == null ? null : previous.getBytes(StandardCharsets.UTF_8));
        }

        @Override
        public void renew(String key, String value, BooleanSupplier stillOwner) {
            renewed.add(value);
            lastOwnerCheck = stillOwner;
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

    /** One sorted map of member to body (null = body gone) per device. */
    static final class FakeInboxes implements Inboxes {
        final Map<String, TreeMap<String, byte[]>> inboxes = new HashMap<>();
        final List<Long> acked = new ArrayList<>();
        final List<Long> ackedLive = new ArrayList<>();
        final List<Long> expired = new ArrayList<>();
        final List<Long> undelivered = new ArrayList<>();
        final List<String> reads = new ArrayList<>();
        final Replies replies = new Replies();

        void add(String device, Push push) {
            put(device, RedisKeys.inboxMember(push.getMessageId()), push.toByteArray());
        }

        void put(String device, String member, byte[] body) {
            inboxes.computeIfAbsent(device, d -> new TreeMap<>()).put(member, body);
        }

        List<String> members(String device) {
            return List.copyOf(inboxes.getOrDefault(device, new TreeMap<>()).keySet());
        }

        @Override
        public CompletionStage<List<InboxEntry>> readPage(String appKey, String deviceId, String afterMember,
                                                          int count) {
            reads.add(afterMember);
            TreeMap<String, byte[]> inbox = inboxes.getOrDefault(deviceId, new TreeMap<>());
            Map<String, byte[]> after = afterMember.equals("-") ? inbox : inbox.tailMap(afterMember, false);
            List<InboxEntry> page = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : after.entrySet()) {
                if (page.size() == count) {
                    break;
                }
                page.add(new InboxEntry(e.getKey(), io.longlink.conn.inbox.Inbox.parseMember(e.getKey()), e.getValue()));
            }
            return replies.answer(() -> page);
        }

        @Override
        public void ack(String appKey, String deviceId, long[] ids) {
            for (long id : ids) {
                acked.add(id);
                inboxes.getOrDefault(deviceId, new TreeMap<>()).remove(RedisKeys.inboxMember(id));
            }
        }

        @Override
        public void ackedLive(String appKey, String deviceId, long id) {
            ackedLive.add(id);
        }

        @Override
        public void expire(String appKey, String deviceId, InboxEntry entry) {
            expired.add(entry.id());
            inboxes.getOrDefault(deviceId, new TreeMap<>()).remove(entry.member());
        }

        @Override
        public void countUndelivered(String appKey, String deviceId, long id) {
            undelivered.add(id);
        }
    }

    /** One app's broadcast log: members with filters, bodies by id, positions by device. */
    static final class FakeLogs implements BroadcastLogs {
        final TreeMap<String, byte[]> filters = new TreeMap<>();
        final Map<Long, byte[]> bodies = new HashMap<>();
        final Map<String, String> seen = new HashMap<>();
        final List<String> marked = new ArrayList<>();
        final Replies replies = new Replies();

        /** What a router writes for a tag or broadcast push with a TTL; {@code filter} null = every device. */
        void add(Push push, TagFilter filter) {
            bodies.put(push.getMessageId(), push.toByteArray());
            filters.put(RedisKeys.inboxMember(push.getMessageId()), filter == null ? new byte[0] : filter.toByteArray());
        }

        @Override
        public CompletionStage<String> position(String appKey, String deviceId) {
            return replies.answer(() -> seen.get(deviceId));
        }

        @Override
        public CompletionStage<Page> readPage(String appKey, String afterMember, int count) {
            Map<String, byte[]> after = afterMember.equals("-") ? filters : filters.tailMap(afterMember, false);
            List<byte[]> members = new ArrayList<>();
            List<byte[]> pageFilters = new ArrayList<>();
            for (Map.Entry<String, byte[]> e : after.entrySet()) {
                if (members.size() == count) {
                    break;
                }
                members.add(e.getKey().getBytes(StandardCharsets.US_ASCII));
                pageFilters.add(e.getValue());
            }
            return replies.answer(() -> new Page(members, pageFilters));
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
        public void markSeen(String appKey, String deviceId, String member) {
            marked.add(member);
            seen.put(deviceId, member);
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
