package io.longlink.cli.device;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.proto.api.Device;
import io.longlink.proto.api.GetDeviceRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "device", description = "A device's state: online, node_id, inbox_depth, alias, tags, platform, registered_at_ms")
public final class DeviceCommand extends ApiCommand {
    @Parameters(paramLabel = "ID", description = "device id")
    private String deviceId;

    @Override
    protected void run(Api api) {
        Device d = api.devices().getDevice(GetDeviceRequest.newBuilder().setDeviceId(deviceId).build());
        api.print("device_id", d.getDeviceId(), "online", d.getOnline(), "node_id", d.getNodeId(), "inbox_depth",
                d.getInboxDepth(), "alias", d.getAlias(), "tags", String.join(",", d.getTagsList()), "platform",
                d.getPlatform(), "registered_at_ms", d.getRegisteredAtMs());
    }
}
