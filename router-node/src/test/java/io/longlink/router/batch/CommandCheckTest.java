package io.longlink.router.batch;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.proto.command.Aliases;
import io.longlink.proto.command.DeviceIds;
import io.longlink.proto.command.PushCommand;
import io.longlink.proto.device.Push;
import io.longlink.proto.internal.TagFilter;
import org.junit.jupiter.api.Test;

class CommandCheckTest {
    private static PushCommand.Builder valid() {
        return PushCommand.newBuilder().setAppKey("app").setPush(Push.newBuilder().setMessageId(7))
                .setDevices(DeviceIds.newBuilder().addIds("d"));
    }

    @Test
    void problem_whenComplete_thenNone() {
        assertThat(CommandCheck.problem(valid().build())).isNull();
        assertThat(CommandCheck.problem(valid().setTags(TagFilter.newBuilder().addAnyOf("t")).build())).isNull();
        assertThat(CommandCheck.problem(valid().setBroadcast(true).build())).isNull();
    }

    @Test
    void problem_whenFieldsMissing_thenNamed() {
        assertThat(CommandCheck.problem(valid().setAppKey("").build())).isEqualTo("app_key empty");
        assertThat(CommandCheck.problem(valid().clearPush().build())).isEqualTo("push.message_id missing");
        assertThat(CommandCheck.problem(valid().setDevices(DeviceIds.getDefaultInstance()).build())).isEqualTo("no device ids");
        assertThat(CommandCheck.problem(valid().setAliases(Aliases.getDefaultInstance()).build())).isEqualTo("no aliases");
        assertThat(CommandCheck.problem(valid().setBroadcast(false).build())).isEqualTo("broadcast false");
        assertThat(CommandCheck.problem(valid().clearAudience().build())).isEqualTo("no audience");
    }
}
