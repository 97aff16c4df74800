package io.longlink.cli.quota;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.cli.IntRange;
import io.longlink.proto.api.SetQuotaRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "set", description = {"Changes an app's quotas (admin token); prints them all as quota show does.",
    "Options left out keep their value; 0 gives a quota back to the api-nodes' default (api.quota.*)."})
public final class QuotaSetCommand extends ApiCommand {
    @Parameters(paramLabel = "APP_KEY", description = "the app's key")
    private String appKey;

    @Option(names = "--pushes-per-s", paramLabel = "N", converter = Pushes.class,
            description = "pushes per second, all api-nodes together, 0 to 10000000")
    private Integer pushesPerS;

    @Option(names = "--fanouts-per-s", paramLabel = "N", converter = FanOuts.class,
            description = "tag or broadcast pushes per second, 0 to 1000000")
    private Integer fanoutsPerS;

    @Option(names = "--devices-per-call", paramLabel = "N", converter = Devices.class,
            description = "device ids or aliases one push may name, 0 to 1000")
    private Integer devicesPerCall;

    @Override
    protected void run(Api api) {
        if (pushesPerS == null && fanoutsPerS == null && devicesPerCall == null) {
            throw api.usageError("quota set needs --pushes-per-s, --fanouts-per-s or --devices-per-call");
        }
        SetQuotaRequest.Builder request = SetQuotaRequest.newBuilder().setAppKey(appKey);
        if (pushesPerS != null) {
            request.setPushesPerS(pushesPerS);
        }
        if (fanoutsPerS != null) {
            request.setFanoutsPerS(fanoutsPerS);
        }
        if (devicesPerCall != null) {
            request.setDevicesPerCall(devicesPerCall);
        }
        QuotaShowCommand.print(api, api.admin().setQuota(request.build()));
    }

    private static final class Pushes extends IntRange {
        Pushes() {
            super(0, 10_000_000);
        }
    }

    private static final class FanOuts extends IntRange {
        FanOuts() {
            super(0, 1_000_000);
        }
    }

    private static final class Devices extends IntRange {
        Devices() {
            super(0, 1_000);
        }
    }
}
