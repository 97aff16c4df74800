package io.longlink.cli.cluster;

import io.longlink.cli.Output;
import io.longlink.common.discovery.NodeInfo;
import java.io.PrintWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "drain", description = {"take a conn-node out of service: its devices move to the others, then it exits",
    "POSTs the node's /drain: it stops taking devices, redirects those it holds at conn.drain-rate-per-s and exits"
            + " when none is left. Answers node=... draining=true connections=N (those it still held)."})
final class ClusterDrainCommand extends ClusterSubcommand {
    @Parameters(paramLabel = "NODE", description = "the conn-node's id (pushctl cluster status lists them)")
    private String nodeId;

    @Override
    protected void run(Members members, AdminPorts admin, PrintWriter out) throws Exception {
        NodeInfo node = members.conn(nodeId);
        AdminPorts.Answer answer = admin.post(node, "/drain");
        if (answer.status() != 202) {
            throw new IllegalStateException("conn-node " + nodeId + " answered " + answer.status() + ": "
                    + answer.body().trim());
        }
        String held = answer.body().replaceAll("(?s).*connections=(\\d+).*", "$1").trim();
        out.println(Output.line("node", nodeId, "draining", true, "connections", held));
    }
}
