package io.longlink.cli.cluster;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

@Command(name = "cluster", synopsisSubcommandLabel = "COMMAND",
        description = {"the running cluster: members, load, lag, drain (ZooKeeper and the nodes' admin ports; no credentials)",
            "Members come from ZooKeeper; each node's figures from its admin port (/metrics, /readyz, /connections),"
                    + " whose address it publishes there."},
        subcommands = {ClusterStatusCommand.class, ClusterDrainCommand.class, ClusterConnectionsCommand.class})
public final class ClusterCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "no cluster command given (expected: status, drain, connections)");
    }
}
