package io.longlink.loadtest.capacity;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.details;
import static io.gatling.javaapi.core.CoreDsl.global;
import static io.gatling.javaapi.core.CoreDsl.rampUsers;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.Assertion;
import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.Simulation;
import io.longlink.loadtest.gatling.AsyncCallActionBuilder;
import io.longlink.loadtest.gatling.StatsSink;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Capacity test of a running Longlink cluster, local or remote, as Gatling scenarios: {@code devices}
 * virtual users each connect one device (and leave it connected: heartbeats, ACKs), ramped over
 * {@code ramp-s}; then, together for {@code duration-s}, {@code unicast} (open model of Push or
 * PushBatch calls to random connected devices) and {@code broadcast} (broadcast pushes); then
 * {@code drain} waits for the last copies. Requests in the report: connect, push, broadcast, and
 * per copy received {@code unicast delivery} / {@code broadcast delivery} timed from the API's accept
 * ({@code Push.sent_at_ms}); assertions on their p99 and on the error rate. Settings:
 * {@link CapacitySettings} ({@code -Dlonglink.*}).
 */
public final class CapacitySimulation extends Simulation {
    private static final Logger LOG = LoggerFactory.getLogger(CapacitySimulation.class);

    private final CapacitySettings settings = CapacitySettings.fromSystemProperties();
    private final long runStartMs = System.currentTimeMillis();
    private final Deliveries deliveries = new Deliveries();
    private final StatsSink stats = new StatsSink("devices");
    private final ApiClient api = new ApiClient(settings);
    private final DeviceFleet fleet;
    private final ApiPushes pushes;

    public CapacitySimulation() throws InterruptedException, UnknownHostException {
        settings.describe().forEach((k, v) -> LOG.info("{}{}={}", CapacitySettings.PREFIX, k, v));
        ApiClient.App app = api.app("capacity-" + runStartMs);
        List<String> connNodes = settings.connNodes().isEmpty() ? api.connNodes() : settings.connNodes();
        String[] tokens = settings.tokenSource().equals(CapacitySettings.REGISTER)
                ? api.register(settings.devicePrefix(), settings.devices()) : null;
        LOG.info("app {} ({}), devices {}-0..{} over conn-nodes {}", app.key(),
                settings.appKey().isPresent() ? "given" : "created", settings.devicePrefix(), settings.devices() - 1,
                connNodes);
        fleet = new DeviceFleet(settings, app, tokens, connNodes, runStartMs, deliveries, stats);
        pushes = new ApiPushes(settings, api, fleet, deliveries);
        setUp(populations()).assertions(assertions());
    }

    private PopulationBuilder populations() {
        PopulationBuilder devices = scenario("devices").exec(stats.bind())
                .exec(new AsyncCallActionBuilder("connect", fleet.connect()))
                .injectOpen(settings.rampSeconds() == 0 ? atOnceUsers(settings.devices())
                        : rampUsers(settings.devices()).during(Duration.ofSeconds(settings.rampSeconds())));
        Duration load = Duration.ofSeconds(settings.durationSeconds());
        List<PopulationBuilder> then = new ArrayList<>();
        if (settings.unicastRate() > 0) {
            then.add(scenario("unicast").exec(new AsyncCallActionBuilder("push", pushes.unicast()))
                    .injectOpen(constantUsersPerSec(settings.unicastCallsPerSecond()).during(load)));
        }
        if (settings.broadcastRate() > 0) {
            then.add(scenario("broadcast").exec(new AsyncCallActionBuilder("broadcast", pushes.broadcast()))
                    .injectOpen(constantUsersPerSec(settings.broadcastRate()).during(load)));
        }
        Drain drain = new Drain(pushes::inFlight, deliveries, stats, settings.graceSeconds());
        then.add(scenario("drain").pause(load).exec(new AsyncCallActionBuilder(Drain.REQUEST, drain))
                .injectOpen(atOnceUsers(1)));
        return devices.andThen(then);
    }

    private List<Assertion> assertions() {
        List<Assertion> out = new ArrayList<>();
        out.add(global().failedRequests().percent().lte(settings.errorPct()));
        if (settings.unicastRate() > 0) {
            out.add(details(Deliveries.UNICAST).responseTime().percentile(99.0).lt(settings.p99Ms()));
        }
        if (settings.broadcastRate() > 0) {
            out.add(details(Deliveries.BROADCAST).responseTime().percentile(99.0).lt(settings.p99Ms()));
        }
        return out;
    }

    @Override
    public void after() {
        try {
            fleet.close();
        } finally {
            api.close();
        }
        RunSummary summary = new RunSummary(settings.devices(), fleet.connected(), fleet.drops(), pushes.failures(),
                deliveries, stats.unbound());
        summary.lines().forEach(line -> LOG.info("summary {}", line));
        try {
            summary.write(settings.out().resolve(RunSummary.FILE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
