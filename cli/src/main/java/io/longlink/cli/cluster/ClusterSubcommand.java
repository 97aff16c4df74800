package io.longlink.cli.cluster;

import io.longlink.cli.PushCtl;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.curator.framework.CuratorFramework;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A cluster command: a ZooKeeper session for its run, answers as key=value lines. */
@Command(footer = "Exit codes: 0 done; 1 failed (error=CLIENT message=\"...\" on stderr); 2 wrong command line.")
abstract class ClusterSubcommand implements Callable<Integer> {
    @Mixin
    private ClusterOptions options;

    @Spec
    private CommandSpec spec;

    @Override
    public final Integer call() throws Exception {
        PushCtl pushctl = (PushCtl) spec.root().userObject();
        try (CuratorFramework zk = options.connect(pushctl)) {
            run(new Members(zk), new AdminPorts(), spec.commandLine().getOut());
        }
        return 0;
    }

    /** Prints the answer; an exception ends pushctl with exit code 1. */
    protected abstract void run(Members members, AdminPorts admin, PrintWriter out) throws Exception;
}
