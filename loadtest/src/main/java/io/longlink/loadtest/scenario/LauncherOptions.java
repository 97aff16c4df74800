package io.longlink.loadtest.scenario;

import picocli.CommandLine.Option;

/**
 * Options every scenario takes that ops/bench reads itself, before it starts the stack, and does not
 * hand on: declared here (a picocli mixin of each scenario) so that {@code --help} lists them too.
 */
public final class LauncherOptions {
    @Option(names = {"-h", "--help"}, usageHelp = true, description = "show this help and start nothing")
    boolean help;

    @Option(names = "--use-running", description = "measure the stack ops/up started (LONGLINK_HOME, LL_PORT_BASE,"
            + " conn-node conn-1) and start nothing; the scenario's node settings then do not apply")
    boolean useRunning;

    @Option(names = "--port-base", defaultValue = "${env:LL_BENCH_PORT_BASE:-29000}",
            description = "port base of the stack ops/bench starts, below the ephemeral range;"
                    + " LL_BENCH_PORT_BASE sets the default")
    @Range(min = 1_024, max = 60_000)
    int portBase;
}
