package io.longlink.conn.session;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.internal.TagFilter;
import io.netty.channel.embedded.EmbeddedChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class SessionIndexTest {
    private final SessionIndex index = new SessionIndex();

    private Session register(String app, String device, String... tags) {
        Session s = new Session(new EmbeddedChannel());
        s.appKey = index.intern(app);
        s.deviceId = device;
        s.state = Session.LIVE;
        index.register(s, (self, previous) -> null);
        index.replaceTags(s, List.of(tags), 64);
        return s;
    }

    private Set<String> match(String app, boolean broadcast, TagFilter filter) {
        List<Session> out = new ArrayList<>();
        index.match(app, broadcast, filter, out::add);
        return out.stream().map(Session::deviceId).collect(Collectors.toSet());
    }

    @Test
    void sizesByApp_whenAppsHaveConnectionsOrHadThem_thenCountsOnlyThoseWithAny() {
        register("shop", "d1");
        register("shop", "d2");
        Session gone = register("news", "d1");
        index.unregister(gone);

        assertThat(index.sizesByApp()).containsExactly(Map.entry("shop", 2));
    }

    @Test
    void register_whenSameDeviceTwice_thenPreviousHandedOverAndReplaced() {
        Session first = register("app", "d1");
        Session second = new Session(new EmbeddedChannel());
        second.appKey = index.intern("app");
        second.deviceId = "d1";
        Session[] seen = new Session[1];
        index.register(second, (self, previous) -> seen[0] = previous);
        assertThat(seen[0]).isSameAs(first);
        assertThat(index.find("app", "d1")).isSameAs(second);
        assertThat(index.size()).isEqualTo(1);
        assertThat(index.unregister(first)).isFalse(); // a replaced session does not remove the new one
        assertThat(index.find("app", "d1")).isSameAs(second);
        assertThat(index.unregister(second)).isTrue();
        assertThat(index.size()).isZero();
    }

    @Test
    void intern_whenSameAppKeyFromDifferentStrings_thenOneInstance() {
        String a = index.intern(new String("app-x"));
        String b = index.intern(new String("app-x"));
        assertThat(a).isSameAs(b);
    }

    @Test
    void match_whenFilters_thenOnlyMatchingDevicesOfThatApp() {
        register("app", "ab", "a", "b");
        register("app", "b", "b");
        register("app", "c", "c");
        register("app", "none");
        register("other", "a-elsewhere", "a");

        assertThat(match("app", true, TagFilter.getDefaultInstance())).containsExactlyInAnyOrder("ab", "b", "c", "none");
        assertThat(match("app", false, TagFilter.newBuilder().addAnyOf("a").addAnyOf("c").build()))
                .containsExactlyInAnyOrder("ab", "c");
        assertThat(match("app", false, TagFilter.newBuilder().addAllOf("a").addAllOf("b").build()))
                .containsExactly("ab");
        assertThat(match("app", false, TagFilter.newBuilder().addNoneOf("b").build()))
                .containsExactlyInAnyOrder("c", "none");
        assertThat(match("app", false, TagFilter.newBuilder().addAnyOf("b").addNoneOf("a").build()))
                .containsExactly("b");
        assertThat(match("app", false, TagFilter.newBuilder().addAllOf("a").addAllOf("zzz").build())).isEmpty();
        assertThat(match("app", false, TagFilter.newBuilder().addAnyOf("zzz").build())).isEmpty();
        assertThat(match("nobody", true, TagFilter.getDefaultInstance())).isEmpty();
    }

    @Test
    void unregister_whenLastMemberOfTagLeaves_thenTagNoLongerMatches() {
        Session s = register("app", "d1", "vip");
        assertThat(match("app", false, TagFilter.newBuilder().addAnyOf("vip").build())).containsExactly("d1");
        index.unregister(s);
        assertThat(match("app", false, TagFilter.newBuilder().addAnyOf("vip").build())).isEmpty();
        Session again = register("app", "d2", "vip");
        assertThat(match("app", false, TagFilter.newBuilder().addAnyOf("vip").build())).containsExactly("d2");
        assertThat(again.tags[0].members).containsExactly(again);
    }

    @Test
    void replaceTags_whenMoreThanLimit_thenOnlyLimitKept() {
        Session s = new Session(new EmbeddedChannel());
        s.appKey = index.intern("app");
        s.deviceId = "many";
        index.register(s, (self, previous) -> null);
        assertThat(index.replaceTags(s, List.of("t1", "t2", "t3"), 2)).isEqualTo(2);
        assertThat(s.tags).hasSize(2);
    }

    @Test
    void replaceTags_whenTagsChange_thenOldTagsNoLongerMatchAndNewOnesDo() {
        Session s = register("app", "d1", "old", "kept");
        register("app", "d2", "old");

        assertThat(index.replaceTags(s, List.of("kept", "new"), 64)).isEqualTo(2);

        assertThat(match("app", false, TagFilter.newBuilder().addAnyOf("old").build())).containsExactly("d2");
        assertThat(match("app", false, TagFilter.newBuilder().addAllOf("kept").addAllOf("new").build()))
                .containsExactly("d1");
        assertThat(index.replaceTags(s, List.of(), 64)).isZero();
        assertThat(match("app", false, TagFilter.newBuilder().addAnyOf("kept").addAnyOf("new").build())).isEmpty();
        assertThat(match("app", false, TagFilter.newBuilder().addNoneOf("old").build())).containsExactly("d1");
    }

    @Test
    void replaceTags_whenSessionWasUnregistered_thenNoPostingKeepsIt() {
        Session s = register("app", "gone", "t");
        index.unregister(s);
        index.replaceTags(s, List.of("t", "u"), 64);
        assertThat(match("app", false, TagFilter.newBuilder().addAnyOf("t").addAnyOf("u").build())).isEmpty();
    }

    @Test
    void matches_whenOneSession_thenSameRulesAsMatch() {
        Session ab = register("app", "ab", "a", "b");
        Session none = register("app", "none");
        TagFilter[] filters = {
                TagFilter.newBuilder().addAnyOf("a").addAnyOf("c").build(),
                TagFilter.newBuilder().addAllOf("a").addAllOf("b").build(),
                TagFilter.newBuilder().addAllOf("a").addAllOf("zzz").build(),
                TagFilter.newBuilder().addNoneOf("b").build(),
                TagFilter.newBuilder().addAnyOf("b").addNoneOf("a").build(),
                TagFilter.newBuilder().addNoneOf("zzz").build(),
                TagFilter.getDefaultInstance()};
        for (TagFilter f : filters) {
            Set<String> all = match("app", false, f);
            assertThat(index.matches(ab, f)).as(f.toString()).isEqualTo(all.contains("ab"));
            assertThat(index.matches(none, f)).as(f.toString()).isEqualTo(all.contains("none"));
        }
        assertThat(index.matches(ab, filters[1])).isTrue();
        assertThat(index.matches(none, filters[3])).isTrue();
        assertThat(index.matches(ab, filters[6])).isFalse(); // an empty filter addresses nobody
    }
}
