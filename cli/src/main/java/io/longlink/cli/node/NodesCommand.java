package io.longlink.cli.node;

import io.longlink.cli.Api;
import io.longlink.cli.ApiCommand;
import io.longlink.cli.IntRange;
import io.longlink.proto.api.ConnNodeEndpoint;
import io.longlink.proto.api.GetConnNodesRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "nodes", description = {"conn-node device endpoints, least loaded first (no credentials)",
    "node_id=... address=... load=..., one line each: what the SDK asks before it connects."})
public final class NodesCommand extends ApiCommand {
    @Option(names = "--limit", paramLabel = "N", converter = Limit.class, description = "at most N, 0 to 100 (default: 0, the server's 3)")
    private int limit;

    @Override
    protected void run(Api api) {
        for (ConnNodeEndpoint n : api.bootstrap().getConnNodes(GetConnNodesRequest.newBuilder().setLimit(limit).build())
                .getNodesList()) {
            api.print("node_id", n.getNodeId(), "address", n.getAddress(), "load", n.getLoad());
        }
    }

    private static final class Limit extends IntRange {
        Limit() {
            super(0, 100);
        }
    }
}
