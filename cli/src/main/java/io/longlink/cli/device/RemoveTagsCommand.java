package io.longlink.cli.device;

import io.longlink.proto.api.DeviceServiceGrpc.DeviceServiceBlockingStub;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.api.TagsResponse;
import picocli.CommandLine.Command;

@Command(name = "remove-tags", description = "Removes tags from a device: tags=... (the tags it keeps)")
public final class RemoveTagsCommand extends TagsCommand {
    @Override
    TagsResponse change(DeviceServiceBlockingStub devices, TagsRequest request) {
        return devices.removeTags(request);
    }
}
