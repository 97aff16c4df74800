package io.longlink.cli.quota;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "quota", synopsisSubcommandLabel = "(show | set)",
        description = {"An app's quotas (admin token): quota show APP_KEY, quota set APP_KEY --pushes-per-s N ...",
            "Pushes per second, tag or broadcast pushes per second, and device ids or aliases per push; every"
                    + " api-node applies a change within api.auth-cache-ms."},
        subcommands = {QuotaShowCommand.class, QuotaSetCommand.class})
public final class QuotaCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "quota needs show or set");
    }
}
