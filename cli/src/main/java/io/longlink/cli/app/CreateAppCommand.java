package io.longlink.cli.app;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "create-app", description = {"Creates an app (admin token): app_key=... secret=...",
    "Devices, aliases, tags and messages of one app never meet another app's."})
public final class CreateAppCommand extends ApiCommand {
    @Parameters(paramLabel = "NAME", description = "the app's name")
    private String name;

    @Override
    protected void run(Api api) {
        CreateAppResponse r = api.admin().createApp(CreateAppRequest.newBuilder().setName(name).build());
        api.print("app_key", r.getAppKey(), "secret", r.getSecret());
    }
}
