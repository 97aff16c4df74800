package io.longlink.conn.session;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.internal.TagFilter;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
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

    public int size() {
        return size.get();
    }

    /** Every registered session (for drain). A snapshot: later registrations are not included. */
    public List<Session> snapshot() {
        List<Session> out = new ArrayList<>(size.get() + 16);
        apps.values().forEach(a -> out.addAll(a.devices.values()));
        return out;
    }

    /** Adds the device's tags (call on the session's event loop, once, after registration). */
    void addTags(Session session, Collection<String> names, int max) {
        App app = apps.get(session.appKey);
        if (app == null || names.isEmpty() || max == 0) {
            return;
        }
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
        session.tags = postings;
        // the session may have been unregistered while tags were added: undo, so no posting keeps it
        if (app.devices.get(session.deviceId) != session) {
            removeTags(app, session);
        }
    }

    private static void removeTags(App app, Session session) {
        TagPosting[] postings = session.tags;
        if (postings == null) {
            return;
        }
        for (TagPosting p : postings) {
            app.tags.computeIfPresent(p.name, (k, posting) -> {
                posting.members.remove(session);
                return posting.members.isEmpty() ? null : posting;
            });
        }
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
        TagPosting[] all = resolve(app, filter.getAllOfList());
        if (all == null) {
            return; // a required tag nobody here has
        }
        TagPosting[] any = resolveExisting(app, filter.getAnyOfList());
        if (!filter.getAnyOfList().isEmpty() && any.length == 0) {
            return;
        }
        TagPosting[] none = resolveExisting(app, filter.getNoneOfList());
        Collection<Session> candidates;
        if (all.length > 0) {
            TagPosting smallest = all[0];
            for (TagPosting p : all) {
                if (p.members.size() < smallest.members.size()) {
                    smallest = p;
                }
            }
            candidates = smallest.members;
        } else if (any.length == 1) {
            candidates = any[0].members;
        } else if (any.length > 1) {
            java.util.Set<Session> union = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
            for (TagPosting p : any) {
                union.addAll(p.members);
            }
            candidates = union;
        } else {
            if (filter.getNoneOfList().isEmpty()) {
                return; // an empty filter addresses nobody; broadcast says "everyone"
            }
            candidates = app.devices.values();
        }
        for (Session s : candidates) {
            TagPosting[] tags = s.tags;
            if (containsAll(tags, all) && (any.length == 0 || containsAny(tags, any)) && !containsAny(tags, none)) {
                action.accept(s);
            }
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
