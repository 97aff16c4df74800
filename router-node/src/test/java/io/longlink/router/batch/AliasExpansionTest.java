package io.longlink.router.batch;

import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.longlink.common.redis.RedisKeys;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.TagFilter;
import io.longlink.router.Commands;
import java.util.LinkedHashSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class AliasExpansionTest {
    private final FakeStore store = new FakeStore();
    private final AliasExpansion expansion = new AliasExpansion(store, true, 5_000);

    @Test
    void messages_whenNoAliases_thenNoRoundTripAndDevicesAsNamed() throws Exception {
        PushCommand unicast = Commands.toDevices(APP, 600, "d1", "d2");
        PushCommand tags = Commands.toTags(APP, 600, TagFilter.newBuilder().addAnyOf("vip").build(), 0);

        List<Message> messages = expansion.messages(List.of(unicast, tags));

        assertThat(store.roundTrips).isEmpty();
        assertThat(messages).extracting(m -> m.index).containsExactly(0, 1);
        assertThat(messages.get(0).devices).containsExactly("d1", "d2");
        assertThat(messages.get(0).awaitAck).isTrue();
        assertThat(messages.get(1).devices).isEmpty();
    }

    @Test
    void messages_whenAliasesNamedTwice_thenEachLookedUpOnceInOneRoundTripAndDevicesOnceInOrder() throws Exception {
        store.aliases.put(RedisKeys.alias(APP, "alice"), new LinkedHashSet<>(List.of("a-phone", "a-tablet")));
        store.aliases.put(RedisKeys.alias(APP, "bob"), new LinkedHashSet<>(List.of("b-phone", "a-tablet")));

        List<Message> messages = expansion.messages(List.of(Commands.toAliases(APP, "alice", "bob"),
                Commands.toAliases(APP, "bob", "nobody")));

        assertThat(store.roundTrips).containsExactly(List.of("aliasMembers", "aliasMembers", "aliasMembers"));
        assertThat(messages.get(0).devices).containsExactly("a-phone", "a-tablet", "b-phone");
        assertThat(messages.get(1).devices).containsExactly("b-phone", "a-tablet");
    }

    @Test
    void messages_whenRedisFails_thenThrows() {
        store.failing.add("aliasMembers");

        assertThatThrownBy(() -> expansion.messages(List.of(Commands.toAliases(APP, "alice"))))
                .hasMessageContaining("Redis down");
    }
}
