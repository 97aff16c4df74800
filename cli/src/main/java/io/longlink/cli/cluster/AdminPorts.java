package io.longlink.cli.cluster;

import io.longlink.common.discovery.NodeInfo;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** Calls to the nodes' admin HTTP ports, at the {@code admin} endpoint each publishes in ZooKeeper. */
final class AdminPorts {
    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();

    record Answer(int status, String body) {
    }

    Answer get(NodeInfo node, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(node, path)).timeout(TIMEOUT).GET().build());
    }

    Answer post(NodeInfo node, String path) throws IOException, InterruptedException {
        return send(HttpRequest.newBuilder(uri(node, path)).timeout(TIMEOUT)
                .POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /**
     * The node's samples summed by metric name (labels dropped), and each series by its exact text
     * ({@code name{label="value",}}); empty when its admin port does not answer.
     */
    Map<String, Double> metrics(NodeInfo node) throws InterruptedException {
        Map<String, Double> sums = new HashMap<>();
        Answer answer;
        try {
            answer = get(node, "/metrics");
        } catch (IOException e) {
            return sums;
        }
        for (String line : answer.body().split("\n")) {
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            int brace = line.indexOf('{');
            String name = line.substring(0, brace > 0 && brace < space ? brace : space);
            try {
                double value = Double.parseDouble(line.substring(space + 1));
                sums.merge(name, value, Double::sum);
                if (brace > 0 && brace < space) {
                    sums.put(line.substring(0, space), value);
                }
            } catch (NumberFormatException e) {
                // a sample this reader does not need
            }
        }
        return sums;
    }

    /** ready, not_ready (starting, draining, stopping) or unreachable. */
    String readiness(NodeInfo node) throws InterruptedException {
        try {
            return get(node, "/readyz").status() == 200 ? "ready" : "not_ready";
        } catch (IOException e) {
            return "unreachable";
        }
    }

    private static URI uri(NodeInfo node, String path) throws IOException {
        String admin = node.endpoint("admin");
        if (admin == null) {
            throw new IOException(node.role() + "-node " + node.id() + " publishes no admin endpoint (an older version)");
        }
        return URI.create("http://" + admin + path);
    }

    private Answer send(HttpRequest request) throws IOException, InterruptedException {
        HttpResponse<String> r = http.send(request, HttpResponse.BodyHandlers.ofString());
        return new Answer(r.statusCode(), r.body());
    }
}
