package io.longlink.cli.device;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.cli.EnumChoice;
import io.longlink.proto.api.RegisterDeviceRequest;
import io.longlink.proto.api.RegisterDeviceResponse;
import io.longlink.proto.device.Platform;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "register-device", description = {"Registers a device and mints its token: device_id=... token=... expires_at_ms=...",
    "The device presents the token when it connects."})
public final class RegisterDeviceCommand extends ApiCommand {
    @Parameters(paramLabel = "ID", description = "device id: 1 to 128 of A-Z a-z 0-9 . _ : -")
    private String deviceId;

    @Option(names = "--platform", paramLabel = "NAME", converter = Platforms.class, completionCandidates = Platforms.class,
            description = "android (default), ios, web, desktop or iot")
    private Platform platform = Platform.ANDROID;

    @Override
    protected void run(Api api) {
        RegisterDeviceResponse r = api.devices().registerDevice(RegisterDeviceRequest.newBuilder()
                .setDeviceId(deviceId).setPlatform(platform).build());
        api.print("device_id", deviceId, "token", r.getToken(), "expires_at_ms", r.getExpiresAtMs());
    }

    private static final class Platforms extends EnumChoice<Platform> {
        Platforms() {
            super(Platform.class, "", "android", "ios", "web", "desktop", "iot");
        }
    }
}
