package io.longlink.cli.device;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.proto.api.SetAliasRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "set-alias", description = {"Sets a device's alias (\"\" removes it): previous_alias=...",
    "An alias may hold several devices; push --alias reaches them all."})
public final class SetAliasCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "device id")
    private String deviceId;

    @Parameters(index = "1", paramLabel = "ALIAS", description = "1 to 128 of A-Z a-z 0-9 . _ : - @ +, or \"\" to remove")
    private String alias;

    @Override
    protected void run(Api api) {
        String previous = api.devices().setAlias(SetAliasRequest.newBuilder().setDeviceId(deviceId).setAlias(alias).build())
                .getPreviousAlias();
        api.print("device_id", deviceId, "alias", alias, "previous_alias", previous);
    }
}
