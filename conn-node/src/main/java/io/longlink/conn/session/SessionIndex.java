package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.internal.TagFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * This node's connections by app and device, and each app's tag postings for FanOut. One session
 * per device: registering a device replaces (and the caller kicks) the previous local session.
 *
 * <p>App keys and tag names are interned here: every session of an app shares the app's key
 * instance and every session with a tag points at the same {@link TagPosting}.
 */
public final class SessionIndex {
    private final ConcurrentHashMap<String, App> apps = new ConcurrentHashMap<>();
    private final AtomicInteger size = new AtomicInteger();

    /** The interned app key instance. */
    public String intern(String appKey) {
        return app(appKey).key;
    }

    /**
     * Registers {@code session} for its device. {@code underLock} runs while the device's entry is
     * locked, with the previous local session (or null): whatever it starts (the route write) is
     * therefore ordered like the registrations of that device on this node.
     */
    public <T> T register(Session session, BiFunction<Session, Session, T> underLock) {
        requireNonNull(underLock, "underLock");
        App app = app(session.appKey);
        Object[] result = new Object[1];
        app.devices.compute(session.deviceId, (id, previous) -> {
            result[0] = underLock.apply(session, previous);
            if (previous == null) {
                size.incrementAndGet();
            }
            return session;
        });
        @SuppressWarnings("unchecked")
        T t = (T) result[0];
        return t;
    }

    /** Removes the session and its tags, if it is still the device's session. */
    public boolean unregister(Session session) {
        App app = apps.get(session.appKey);
        if (app == null) {
            return false;
        }
        removeTags(app, session);
        if (app.devices.remove(session.deviceId, session)) {
            size.decrementAndGet();
            return true;
        }
        return false;
    }

    public Session find(String appKey, String deviceId) {
        App app = apps.get(appKey);
        return app == null ? null : app.devices.get(deviceId);
    }

    /** The sessions of one app now (a copy). */
    public List<Session> sessionsOf(String appKey) {
        App app = apps.get(appKey);
        return app == null ? List.of() : List.copyOf(app.devices.values());
    }

    public int size() {
        return size.get();
    }

    /** Connections of each app on this node now (admin {@code GET /connections}); apps without any are left out. */
    public Map<String, Integer> sizesByApp() {
        Map<String, Integer> out = new TreeMap<>();
        apps.forEach((key, app) -> {
            int n = app.devices.size();
            if (n > 0) {
                out.put(key, n);
            }
        });
        return out;
    }

    /** Every registered session (for drain). A snapshot: later registrations are not included. */
    public List<Session> snapshot() {
        List<Session> out = new ArrayList<>(size.get() + 16);
        apps.values().forEach(a -> out.addAll(a.devices.values()));
        return out;
    }

    /**
     * Sets the device's tags to {@code names} (at most {@code max}), replacing what the session had:
     * at CONNECT and again when the api-node asks for a refresh. Call on the session's event loop.
     *
     * @return the number of tags the session now has in the index
     */
    int replaceTags(Session session, Collection<String> names, int max) {
        App app = apps.get(session.appKey);
        if (app == null || max == 0) {
            return 0;
        }
        TagPosting[] old = session.tags;
        TagPosting[] postings = new TagPosting[Math.min(names.size(), max)];
        int n = 0;
        for (String name : names) {
            if (n == postings.length) {
                break;
            }
            // compute, not get-then-add: a concurrent removal of the last member must not drop this one
            postings[n++] = app.tags.compute(name, (k, p) -> {
                TagPosting posting = p == null ? new TagPosting(k) : p;
                posting.members.add(session);
                return posting;
            });
        }
        session.tags = postings.length == 0 ? null : postings;
        if (old != null) {
            for (TagPosting p : old) {
                if (!contains(postings, p)) {
                    leave(app, session, p);
                }
            }
        }
        // the session may have been unregistered meanwhile: undo, so no posting keeps it
        if (app.devices.get(session.deviceId) != session) {
            removeTags(app, session);
        }
        return postings.length;
    }

    private static void removeTags(App app, Session session) {
        TagPosting[] postings = session.tags;
        if (postings == null) {
            return;
        }
        for (TagPosting p : postings) {
            leave(app, session, p);
        }
    }

    private static void leave(App app, Session session, TagPosting p) {
        app.tags.computeIfPresent(p.name, (k, posting) -> {
            posting.members.remove(session);
            return posting.members.isEmpty() ? null : posting;
        });
    }

    /**
     * Calls {@code action} for each session of the app that the push addresses: every one for a
     * broadcast, else those whose tags satisfy the filter (any_of: at least one; all_of: every one;
     * none_of: none). The smallest posting drives the scan when the filter names one.
     */
    public void match(String appKey, boolean broadcast, TagFilter filter, Consumer<Session> action) {
        App app = apps.get(appKey);
        if (app == null) {
            return;
        }
        if (broadcast) {
            app.devices.values().forEach(action);
            return;
        }
        Resolved f = Resolved.of(app, filter);
        if (f == null) {
            return;
        }
        Collection<Session> candidates;
        if (f.all.length > 0) {
            TagPosting smallest = f.all[0];
            for (TagPosting p : f.all) {
                if (p.members.size() < smallest.members.size()) {
                    smallest = p;
                }
            }
            candidates = smallest.members;
        } else if (f.any.length == 1) {
            candidates = f.any[0].members;
        } else if (f.any.length > 1) {
            Set<Session> union = Collections.newSetFromMap(new IdentityHashMap<>());
            for (TagPosting p : f.any) {
                union.addAll(p.members);
            }
            candidates = union;
        } else {
            candidates = app.devices.values(); // none_of only
        }
        for (Session s : candidates) {
            if (f.test(s.tags)) {
                action.accept(s);
            }
        }
    }

    /**
     * Whether a tag push with {@code filter} addresses this one session: the rule of {@link #match}
     * applied to a single device (the broadcast-log replay on CONNECT asks this per log entry).
     */
    boolean matches(Session session, TagFilter filter) {
        App app = apps.get(session.appKey);
        if (app == null) {
            return false;
        }
        Resolved f = Resolved.of(app, filter);
        return f != null && f.test(session.tags);
    }

    /** A filter with its tag names resolved to this node's postings of one app. */
    private record Resolved(TagPosting[] all, TagPosting[] any, TagPosting[] none) {
        /** @return null when no session of the app can match (a required tag nobody has, or an empty filter) */
        static Resolved of(App app, TagFilter filter) {
            TagPosting[] all = resolve(app, filter.getAllOfList());
            if (all == null) {
                return null; // a required tag nobody here has
            }
            TagPosting[] any = resolveExisting(app, filter.getAnyOfList());
            if (filter.getAnyOfCount() > 0 && any.length == 0) {
                return null;
            }
            if (all.length == 0 && filter.getAnyOfCount() == 0 && filter.getNoneOfCount() == 0) {
                return null; // an empty filter addresses nobody; broadcast says "everyone"
            }
            return new Resolved(all, any, resolveExisting(app, filter.getNoneOfList()));
        }

        boolean test(TagPosting[] tags) {
            return containsAll(tags, all) && (any.length == 0 || containsAny(tags, any)) && !containsAny(tags, none);
        }
    }

    private static TagPosting[] resolve(App app, List<String> names) {
        TagPosting[] out = new TagPosting[names.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = app.tags.get(names.get(i));
            if (out[i] == null) {
                return null;
            }
        }
        return out;
    }

    private static TagPosting[] resolveExisting(App app, List<String> names) {
        List<TagPosting> out = new ArrayList<>(names.size());
        for (String n : names) {
            TagPosting p = app.tags.get(n);
            if (p != null) {
                out.add(p);
            }
        }
        return out.toArray(new TagPosting[0]);
    }

    private static boolean containsAll(TagPosting[] tags, TagPosting[] wanted) {
        for (TagPosting w : wanted) {
            if (!contains(tags, w)) {
                return false;
            }
        }
        return true;
    }

    private static boolean containsAny(TagPosting[] tags, TagPosting[] wanted) {
        for (TagPosting w : wanted) {
            if (contains(tags, w)) {
                return true;
            }
        }
        return false;
    }

    private static boolean contains(TagPosting[] tags, TagPosting p) {
        if (tags == null) {
            return false;
        }
        for (TagPosting t : tags) {
            if (t == p) {
                return true;
            }
        }
        return false;
    }

    private App app(String appKey) {
        return apps.computeIfAbsent(appKey, App::new);
    }

    /** One app's connections and tag postings. Kept while the node runs (the number of apps is small). */
    private static final class App {
        final String key;
        final ConcurrentHashMap<String, Session> devices = new ConcurrentHashMap<>();
        final ConcurrentHashMap<String, TagPosting> tags = new ConcurrentHashMap<>();

        App(String key) {
            this.key = key;
        }
    }
}
