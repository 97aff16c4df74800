package io.longlink.cli.cluster;

import io.longlink.cli.Output;
import io.longlink.common.discovery.NodeInfo;
import java.io.PrintWriter;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "connections", description = {"device connections per conn-node, by app",
    "node=... app=... connections=N, one line per node and app (with --app, that app on every node, 0 included);"
            + " a last line per app sums the nodes."})
final class ClusterConnectionsCommand extends ClusterSubcommand {
    @Option(names = "--app", paramLabel = "APP", description = "one app's key (default: every app)")
    private String app;

    @Override
    protected void run(Members members, AdminPorts admin, PrintWriter out) throws Exception {
        String path = app == null ? "/connections" : "/connections?app=" + URLEncoder.encode(app, StandardCharsets.UTF_8);
        Map<String, Long> total = new TreeMap<>();
        if (app != null) {
            total.put(app, 0L);
        }
        for (NodeInfo node : members.of("conn")) {
            AdminPorts.Answer answer = admin.get(node, path);
            if (answer.status() != 200) {
                throw new IllegalStateException("conn-node " + node.id() + " answered " + answer.status() + " to " + path);
            }
            for (String line : answer.body().split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                // app=KEY connections=N: app keys hold no spaces
                String key = line.substring("app=".length(), line.indexOf(' '));
                long n = Long.parseLong(line.substring(line.lastIndexOf('=') + 1));
                out.println(Output.line("node", node.id(), "app", key, "connections", n));
                total.merge(key, n, Long::sum);
            }
        }
        total.forEach((key, n) -> out.println(Output.line("app", key, "connections", n, "nodes", "all")));
    }
}
