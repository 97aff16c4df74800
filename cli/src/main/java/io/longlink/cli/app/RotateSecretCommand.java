package io.longlink.cli.app;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.proto.api.RotateSecretRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "rotate-secret", description = {"Gives an app a new secret (admin token): secret=...",
    "The old secret stops working; devices must register again for new tokens."})
public final class RotateSecretCommand extends ApiCommand {
    @Parameters(paramLabel = "APP_KEY", description = "the app's key")
    private String appKey;

    @Override
    protected void run(Api api) {
        String secret = api.admin().rotateSecret(RotateSecretRequest.newBuilder().setAppKey(appKey).build()).getSecret();
        api.print("secret", secret);
    }
}
