package io.longlink.cli.device;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.proto.api.DeviceServiceGrpc.DeviceServiceBlockingStub;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.api.TagsResponse;
import java.util.List;
import picocli.CommandLine.Parameters;

/** add-tags and remove-tags: one device, one or more tags; both answer the device's tags after the change. */
abstract class TagsCommand extends ApiCommand {
    @Parameters(index = "0", paramLabel = "ID", description = "device id")
    private String deviceId;

    @Parameters(index = "1..*", arity = "1..*", paramLabel = "TAG", description = "1 to 100 tags")
    private List<String> tags;

    @Override
    protected final void run(Api api) {
        TagsRequest request = TagsRequest.newBuilder().setDeviceId(deviceId).addAllTags(tags).build();
        TagsResponse r = change(api.devices(), request);
        api.print("device_id", deviceId, "tags", String.join(",", r.getTagsList()));
    }

    abstract TagsResponse change(DeviceServiceBlockingStub devices, TagsRequest request);
}
