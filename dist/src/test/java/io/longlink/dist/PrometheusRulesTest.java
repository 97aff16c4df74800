package io.longlink.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.prometheus.client.hotspot.DefaultExports;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * ops/observability: promtool accepts the scrape config and the alert rules and passes the rules'
 * unit tests; every metric the rules and the Grafana dashboard query is one the nodes export.
 */
class PrometheusRulesTest {
    private static final Path DIR = Repo.root().resolve("ops/observability");
    private static final Pattern METRIC = Pattern.compile("\\b((?:longlink|jvm|process)_[a-z_]+)\\b");
    private static final List<String> NODE_SOURCES = List.of("common", "conn-node", "router-node", "api-node");

    @Test
    void rules_whenCheckedByPromtool_thenValid() throws Exception {
        Repo.Result check = promtool("check", "rules", "longlink-alerts.yml");

        assertThat(check.exit()).as(check.out() + check.err()).isZero();
    }

    @Test
    void rules_whenTheirUnitTestsRun_thenEveryCasePasses() throws Exception {
        Repo.Result test = promtool("test", "rules", "longlink-alerts.test.yml");

        assertThat(test.exit()).as(test.out() + test.err()).isZero();
        assertThat(test.out()).contains("SUCCESS");
    }

    @Test
    void scrapeConfig_whenCheckedByPromtool_thenValidWithItsRulesAndTargets() throws Exception {
        Repo.Result check = promtool("check", "config", "prometheus.yml");

        assertThat(check.exit()).as(check.out() + check.err()).isZero();
        assertThat(check.out() + check.err()).doesNotContain("WARNING");
        Map<String, Object> k8s = new Yaml().load(Files.readString(DIR.resolve("prometheus-kubernetes.yml")));
        assertThat(k8s).containsKey("scrape_configs");
    }

    @Test
    void rulesAndDashboard_whenTheirQueriesAreRead_thenEveryMetricIsExportedByANode() throws IOException {
        Set<String> queried = metrics(Files.readString(DIR.resolve("longlink-alerts.yml")));
        queried.addAll(metrics(Files.readString(DIR.resolve("grafana/longlink-dashboard.json"))));
        String nodeSources = nodeSources();
        String hotspot = hotspotClasses();

        assertThat(queried).contains("longlink_conn_connections", "longlink_router_consumer_lag_records", "jvm_memory_bytes_used");
        for (String metric : queried) {
            String source = metric.startsWith("longlink_") ? nodeSources : hotspot;
            assertThat(candidates(metric)).as(metric + " is exported").anyMatch(name -> source.contains("\"" + name + "\""));
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyAlert_whenRead_thenLinksARunbookSectionOfTheOperationsDoc() throws IOException {
        Map<String, Object> rules = new Yaml().load(Files.readString(DIR.resolve("longlink-alerts.yml")));
        Set<String> headings = new TreeSet<>();
        for (String line : Files.readAllLines(Repo.root().resolve("docs/operations.md"))) {
            if (line.startsWith("### ")) {
                headings.add(line.substring(4).trim().toLowerCase());
            }
        }
        int alerts = 0;
        for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
            for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
                String runbook = (String) ((Map<String, Object>) rule.get("annotations")).get("runbook");
                assertThat(runbook).as(rule.get("alert").toString()).startsWith("docs/operations.md#");
                assertThat(headings).as(runbook).contains(runbook.substring(runbook.indexOf('#') + 1));
                alerts++;
            }
        }
        assertThat(alerts).isGreaterThan(15);
    }

    @Test
    void dashboard_whenRead_thenHasARowPerRoleAndEveryPanelQueries() throws IOException {
        String json = Files.readString(DIR.resolve("grafana/longlink-dashboard.json"));

        for (String role : Repo.ROLES) {
            assertThat(json).contains("\"type\": \"row\",\n      \"title\": \"" + role + "\"");
        }
        Map<String, Object> dashboard = new Yaml().load(json); // JSON is YAML
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> panels = (List<Map<String, Object>>) dashboard.get("panels");
        assertThat(panels).filteredOn(p -> "timeseries".equals(p.get("type"))).hasSizeGreaterThan(20)
                .allSatisfy(p -> assertThat((List<?>) p.get("targets")).isNotEmpty());
    }

    private static Repo.Result promtool(String... args) throws Exception {
        String[] command = Stream.concat(Stream.of("promtool"), Stream.of(args)).toArray(String[]::new);
        try {
            return Repo.run(Map.of(), DIR, command);
        } catch (IOException e) {
            throw new AssertionError("promtool is missing: install Debian's prometheus package (ops/install-deps)", e);
        }
    }

    private static Set<String> metrics(String text) {
        Set<String> out = new TreeSet<>();
        Matcher m = METRIC.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /** The name as registered: histograms and summaries without their series suffix, counters with or without _total. */
    private static List<String> candidates(String metric) {
        String base = metric.replaceAll("_(bucket|sum|count)$", "");
        return List.of(metric, base, base.replaceAll("_total$", ""));
    }

    private static String nodeSources() throws IOException {
        StringBuilder all = new StringBuilder();
        for (String module : NODE_SOURCES) {
            try (Stream<Path> files = Files.walk(Repo.root().resolve(module).resolve("src/main/java"))) {
                for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                    all.append(Files.readString(f));
                }
            }
        }
        return all.toString();
    }

    /** The constant pools of simpleclient_hotspot's classes, where the JVM metrics' names are. */
    private static String hotspotClasses() throws IOException {
        StringBuilder all = new StringBuilder();
        try (JarFile jar = new JarFile(Path.of(DefaultExports.class.getProtectionDomain().getCodeSource().getLocation()
                .getPath()).toFile())) {
            for (Enumeration<JarEntry> e = jar.entries(); e.hasMoreElements(); ) {
                JarEntry entry = e.nextElement();
                if (entry.getName().endsWith(".class")) {
                    // quoted like a source literal, so that one lookup serves both
                    for (String s : new String(jar.getInputStream(entry).readAllBytes(), StandardCharsets.ISO_8859_1)
                            .split("[^a-z_]+")) {
                        all.append('"').append(s).append("\" ");
                    }
                }
            }
        }
        return all.toString();
    }
}
