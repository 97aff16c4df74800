package io.longlink.router.batch;

import static io.longlink.router.batch.Rounds.APP;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.command.PushCommand;
import io.longlink.proto.internal.TagFilter;
import io.longlink.router.Commands;
import java.util.List;
import org.junit.jupiter.api.Test;

class MessageTest {
    private static Message message(PushCommand c, boolean ackWait) {
        return new Message(0, c, List.of(), ackWait);
    }

    @Test
    void awaitAck_whenStoredUnicastWithoutCollapseKeyAndAckWaitOn_thenOnlyThen() {
        assertThat(message(Commands.toDevices(APP, 600, "d1"), true).awaitAck).isTrue();
        assertThat(message(Commands.toDevices(APP, 600, "d1"), false).awaitAck).isFalse();
        assertThat(message(Commands.toDevices(APP, 0, "d1"), true).awaitAck).isFalse();
        assertThat(message(Commands.collapsing(APP, "d1", "score"), true).awaitAck).isFalse();
        assertThat(message(Commands.broadcast(APP, 600), true).awaitAck).isFalse();
        assertThat(message(Commands.toAliases(APP, "alice"), true).awaitAck).isTrue();
    }

    @Test
    void storedBeforeDelivery_whenTtlAndNotAwaited_thenTrue() {
        assertThat(message(Commands.toDevices(APP, 600, "d1"), false).storedBeforeDelivery()).isTrue();
        assertThat(message(Commands.toDevices(APP, 600, "d1"), true).storedBeforeDelivery()).isFalse();
        assertThat(message(Commands.toDevices(APP, 0, "d1"), false).storedBeforeDelivery()).isFalse();
    }

    @Test
    void storedBeforeDelivery_whenAwaited_thenNoBodyAtAdmissionElseWhenStored() {
        assertThat(message(Commands.toDevices(APP, 3600, "d1"), true).storedBeforeDelivery()).isFalse();
        assertThat(message(Commands.toDevices(APP, 3600, "d1"), false).storedBeforeDelivery()).isTrue();
        assertThat(message(Commands.toDevices(APP, 0, "d1"), false).storedBeforeDelivery()).isFalse();
    }

    @Test
    void weight_whenAudienceNamed_thenDevicesOrAliasesNamedElseOne() {
        assertThat(Message.weight(Commands.toDevices(APP, 600, "d1", "d2", "d3"))).isEqualTo(3);
        assertThat(Message.weight(Commands.toAliases(APP, "alice", "bob"))).isEqualTo(2);
        assertThat(Message.weight(Commands.toTags(APP, 600, TagFilter.getDefaultInstance(), 0))).isEqualTo(1);
        assertThat(Message.weight(Commands.broadcast(APP, 0))).isEqualTo(1);
    }
}
