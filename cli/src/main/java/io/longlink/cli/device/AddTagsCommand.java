package io.longlink.cli.device;

import io.longlink.proto.api.DeviceServiceGrpc.DeviceServiceBlockingStub;
import io.longlink.proto.api.TagsRequest;
import io.longlink.proto.api.TagsResponse;
import picocli.CommandLine.Command;

@Command(name = "add-tags", description = "Adds tags to a device: tags=... (all its tags)")
public final class AddTagsCommand extends TagsCommand {
    @Override
    TagsResponse change(DeviceServiceBlockingStub devices, TagsRequest request) {
        return devices.addTags(request);
    }
}
