package io.longlink.cli.quota;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.proto.api.AppQuota;
import io.longlink.proto.api.GetQuotaRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "show", description = {
    "An app's quotas (admin token): app_key=... pushes_per_s=... fanouts_per_s=... devices_per_call=... defaults=...",
    "defaults names the quotas the app has no value of its own for: the api-nodes' api.quota.* apply to them."})
public final class QuotaShowCommand extends ApiCommand {
    @Parameters(paramLabel = "APP_KEY", description = "the app's key")
    private String appKey;

    @Override
    protected void run(Api api) {
        print(api, api.admin().getQuota(GetQuotaRequest.newBuilder().setAppKey(appKey).build()));
    }

    /** One line: the quotas in force, and which of them are the api-nodes' defaults. */
    static void print(Api api, AppQuota q) {
        api.print("app_key", q.getAppKey(), "pushes_per_s", Integer.toUnsignedString(q.getPushesPerS()),
                "fanouts_per_s", Integer.toUnsignedString(q.getFanoutsPerS()),
                "devices_per_call", Integer.toUnsignedString(q.getDevicesPerCall()),
                "defaults", String.join(",", q.getDefaultsList()));
    }
}
