package io.longlink.dist;

import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.api.ApiSettings;
import io.longlink.common.config.Config;
import io.longlink.common.config.Setting;
import io.longlink.common.grpc.InternalTls;
import io.longlink.common.lifecycle.NodeSettings;
import io.longlink.conn.ConnSettings;
import io.longlink.router.RouterSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The Kubernetes manifests of ops/k8s, checked offline (no kubectl or schema validator here): every
 * document parses and has a known kind, apiVersion and name; kustomizations name files that exist
 * and the overlay patches resources of the base; probes, ports, Services, budgets and the drain fit
 * the nodes' own settings, which the ConfigMaps' files must pass.
 */
class KubernetesManifestsTest {
    private static final Path K8S = Repo.root().resolve("ops/k8s");
    private static final Path BASE = K8S.resolve("base");
    private static final Path LOCAL = K8S.resolve("overlays/local");
    private static final Map<String, String> API_VERSIONS = Map.of("Deployment", "apps/v1", "StatefulSet", "apps/v1",
            "Service", "v1", "ConfigMap", "v1", "Namespace", "v1", "PodDisruptionBudget", "policy/v1",
            "Kustomization", "kustomize.config.k8s.io/v1beta1");
    private static final Map<String, List<Setting<?>>> SETTINGS = Map.of("conn-node", ConnSettings.all(),
            "router-node", RouterSettings.all(), "api-node", ApiSettings.all());
    private static final Map<String, Setting<Integer>> ADMIN_PORTS = Map.of("conn-node", ConnSettings.ADMIN_PORT,
            "router-node", RouterSettings.ADMIN_PORT, "api-node", ApiSettings.ADMIN_PORT);

    @Test
    void everyDocument_whenParsed_thenHasAKnownKindItsApiVersionAndAName() throws IOException {
        List<Doc> docs = documents(K8S);

        assertThat(docs).hasSizeGreaterThan(15);
        for (Doc doc : docs) {
            String kind = doc.str("kind");
            assertThat(API_VERSIONS).as(doc.source()).containsKey(kind);
            assertThat(doc.str("apiVersion")).as(doc.source()).isEqualTo(API_VERSIONS.get(kind));
            if (!kind.equals("Kustomization")) {
                assertThat(doc.str("metadata.name")).as(doc.source()).isNotBlank();
            }
        }
    }

    @Test
    void kustomizations_whenRead_thenEveryResourceAndGeneratorFileExists() throws IOException {
        for (Path dir : List.of(BASE, LOCAL)) {
            Doc k = documents(dir.resolve("kustomization.yaml")).getFirst();
            for (Object resource : k.list("resources")) {
                assertThat(dir.resolve((String) resource)).as(dir + ": " + resource).exists();
            }
            for (Doc generator : k.maps("configMapGenerator")) {
                for (Object file : generator.list("files")) {
                    assertThat(dir.resolve(((String) file).split("=", 2)[1])).as(file.toString()).isRegularFile();
                }
            }
        }
    }

    @Test
    void localOverlay_whenPatching_thenEachPatchTargetsABaseResourceAndItsContainersAndVolumes() throws IOException {
        List<Doc> base = documents(BASE);
        Doc overlay = documents(LOCAL.resolve("kustomization.yaml")).getFirst();

        assertThat(overlay.list("resources")).contains("../../base");
        assertThat(overlay.maps("patches")).isNotEmpty();
        for (Doc p : overlay.maps("patches")) {
            String kind = p.str("target.kind");
            String name = p.str("target.name");
            Doc target = find(base, kind, name);
            Doc patch = documents(LOCAL.resolve(p.str("path"))).getFirst();
            assertThat(patch.str("kind")).isEqualTo(kind);
            assertThat(patch.str("metadata.name")).isEqualTo(name);
            if (!kind.equals("Service")) {
                assertThat(names(patch.maps("spec.template.spec.containers")))
                        .isSubsetOf(names(target.maps("spec.template.spec.containers")));
                assertThat(names(patch.maps("spec.template.spec.volumes")))
                        .isSubsetOf(names(target.maps("spec.template.spec.volumes")));
            } else {
                assertThat(names(patch.maps("spec.ports"))).isSubsetOf(names(target.maps("spec.ports")));
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"conn-node", "router-node", "api-node"})
    void workload_whenComparedWithItsProperties_thenPortsProbesAndTlsFilesAgree(String role) throws Exception {
        Config config = properties(role);
        Doc pod = find(documents(BASE), role.equals("conn-node") ? "StatefulSet" : "Deployment", role)
                .map("spec.template");
        Doc container = pod.maps("spec.containers").getFirst();
        Map<String, Integer> ports = ports(container);

        assertThat(pod.str("metadata.labels.app\\.kubernetes\\.io/name")).isEqualTo(role);
        assertThat(ports).containsEntry("admin", config.get(ADMIN_PORTS.get(role)));
        assertThat(config.get(NodeSettings.ADMIN_HOST)).as("probes reach the admin port on the pod's IP").isEqualTo("0.0.0.0");
        assertThat(container.str("readinessProbe.httpGet.path")).isEqualTo("/readyz");
        assertThat(container.str("livenessProbe.httpGet.path")).isEqualTo("/healthz");
        assertThat(ports).containsKey(container.str("readinessProbe.httpGet.port"))
                .containsKey(container.str("livenessProbe.httpGet.port"));
        assertThat(pod.str("metadata.annotations.prometheus\\.io/port")).isEqualTo(String.valueOf(ports.get("admin")));
        assertThat(container.list("command").get(0)).isEqualTo("/opt/longlink/bin/longlink-" + role);
        assertThat(container.list("command")).contains("/etc/longlink/" + role + ".properties");
        switch (role) {
            case "conn-node" -> assertThat(ports).containsEntry("device", config.get(ConnSettings.DEVICE_PORT))
                    .containsEntry("grpc", config.get(ConnSettings.GRPC_PORT));
            case "api-node" -> assertThat(ports).containsEntry("api", config.get(ApiSettings.GRPC_PORT));
            default -> assertThat(ports).containsOnlyKeys("admin");
        }
        String tlsDir = mountPath(container, "internal-tls");
        assertThat(volume(pod, "internal-tls").str("secret.secretName")).isEqualTo("longlink-internal-tls");
        for (Setting<String> file : List.of(InternalTls.CERT, InternalTls.KEY, InternalTls.CA)) {
            assertThat(config.get(file)).as(file.key()).startsWith(tlsDir + "/");
        }
        assertThat(volume(pod, "config").str("configMap.name")).isEqualTo("longlink-" + role);
    }

    @Test
    void connNode_whenStopped_thenPreStopDrainsAndTheGracePeriodCoversAMillionDevices() throws Exception {
        Config config = properties("conn-node");
        Doc pod = find(documents(BASE), "StatefulSet", "conn-node").map("spec.template");
        Doc container = pod.maps("spec.containers").getFirst();
        long shutdownMs = config.get(NodeSettings.SHUTDOWN_TIMEOUT_MS);

        assertThat(1_000_000L * 1000 / config.get(ConnSettings.DRAIN_RATE_PER_S)).isLessThan(shutdownMs);
        assertThat(Long.parseLong(pod.str("spec.terminationGracePeriodSeconds")) * 1000).isGreaterThan(shutdownMs);
        assertThat(container.list("lifecycle.preStop.exec.command")).containsExactly("/opt/longlink/bin/longlink-drain",
                "127.0.0.1:" + config.get(ConnSettings.ADMIN_PORT));
    }

    @Test
    void services_whenRead_thenSelectAWorkloadTargetItsNamedPortsAndKeepInternalPortsInside() throws IOException {
        List<Doc> docs = documents(BASE);
        for (Doc service : ofKind(docs, "Service")) {
            String selected = service.str("spec.selector.app\\.kubernetes\\.io/name");
            Doc workload = docs.stream().filter(d -> d.str("kind").endsWith("Set") || d.str("kind").equals("Deployment"))
                    .filter(d -> selected.equals(d.str("spec.selector.matchLabels.app\\.kubernetes\\.io/name")))
                    .findFirst().orElseThrow(() -> new AssertionError(service.str("metadata.name") + " selects nothing"));
            Map<String, Integer> ports = ports(workload.maps("spec.template.spec.containers").getFirst());
            for (Doc port : service.maps("spec.ports")) {
                assertThat(ports).as(service.str("metadata.name")).containsKey(port.str("targetPort"));
                assertThat(port.str("targetPort")).as("admin ports are scraped from pods, never a Service").isNotEqualTo("admin");
                if (port.str("targetPort").equals("grpc")) {
                    assertThat(service.str("spec.clusterIP")).as("internal gRPC stays cluster-internal").isEqualTo("None");
                }
            }
        }
        Doc devices = find(docs, "Service", "conn-node-devices");
        assertThat(devices.str("spec.type")).isEqualTo("LoadBalancer");
        assertThat(devices.str("spec.externalTrafficPolicy")).isEqualTo("Local");
        assertThat(find(docs, "Service", "api-node").str("spec.type")).isEqualTo("ClusterIP");
    }

    @ParameterizedTest
    @ValueSource(strings = {"conn-node", "router-node", "api-node"})
    void disruptionBudget_whenRead_thenSelectsItsRoleAndLeavesOneDown(String role) throws IOException {
        List<Doc> docs = documents(BASE);
        Doc pdb = find(docs, "PodDisruptionBudget", role);
        Doc workload = docs.stream().filter(d -> role.equals(d.str("metadata.name")) && !d.str("kind").equals("Service")
                && !d.str("kind").equals("PodDisruptionBudget")).findFirst().orElseThrow();

        assertThat(pdb.map("spec.selector").raw()).isEqualTo(workload.map("spec.selector").raw());
        assertThat(Objects.requireNonNullElse(pdb.str("spec.maxUnavailable"), "")
                + Objects.requireNonNullElse(pdb.str("spec.minAvailable"), "")).isEqualTo("1");
    }

    private static Config properties(String role) throws Exception {
        return Config.load(BASE.resolve("config/" + role + ".properties"), Map.of(), SETTINGS.get(role));
    }

    private static List<Doc> documents(Path path) throws IOException {
        List<Path> files;
        try (Stream<Path> s = Files.walk(path)) {
            files = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        List<Doc> out = new ArrayList<>();
        for (Path f : files) {
            for (Object doc : new Yaml().loadAll(Files.readString(f))) {
                if (doc != null) {
                    out.add(new Doc(doc, K8S.relativize(f).toString()));
                }
            }
        }
        return out;
    }

    private static List<Doc> ofKind(List<Doc> docs, String kind) {
        return docs.stream().filter(d -> kind.equals(d.str("kind"))).toList();
    }

    private static Doc find(List<Doc> docs, String kind, String name) {
        return ofKind(docs, kind).stream().filter(d -> name.equals(d.str("metadata.name"))).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static List<String> names(List<Doc> items) {
        return items.stream().map(i -> i.str("name")).toList();
    }

    private static Map<String, Integer> ports(Doc container) {
        Map<String, Integer> out = new LinkedHashMap<>();
        container.maps("ports").forEach(p -> out.put(p.str("name"), Integer.valueOf(p.str("containerPort"))));
        return out;
    }

    private static String mountPath(Doc container, String volume) {
        return container.maps("volumeMounts").stream().filter(m -> volume.equals(m.str("name"))).findFirst()
                .orElseThrow().str("mountPath");
    }

    private static Doc volume(Doc pod, String name) {
        return pod.maps("spec.volumes").stream().filter(v -> name.equals(v.str("name"))).findFirst().orElseThrow();
    }

    /** A parsed YAML node addressed by dotted paths ({@code \.} for a dot inside a key). */
    private record Doc(Object raw, String source) {
        Object at(String path) {
            Object node = raw;
            for (String key : path.split("(?<!\\\\)\\.")) {
                if (!(node instanceof Map<?, ?> m)) {
                    return null;
                }
                node = m.get(key.replace("\\.", "."));
            }
            return node;
        }

        String str(String path) {
            Object v = at(path);
            return v == null ? null : String.valueOf(v);
        }

        Doc map(String path) {
            return new Doc(Objects.requireNonNull(at(path), source + ": " + path), source);
        }

        @SuppressWarnings("unchecked")
        List<Object> list(String path) {
            Object v = at(path);
            return v == null ? List.of() : (List<Object>) v;
        }

        List<Doc> maps(String path) {
            return list(path).stream().map(o -> new Doc(o, source)).toList();
        }
    }
}
