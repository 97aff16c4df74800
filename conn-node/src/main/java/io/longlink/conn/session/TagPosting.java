package io.longlink.conn.session;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The local connections of one app that carry one tag. Sessions point at their postings, so tag names are shared. */
final class TagPosting {
    final String name;
    final Set<Session> members = ConcurrentHashMap.newKeySet();

    TagPosting(String name) {
        this.name = name;
    }
}
