package io.longlink.loadtest.unicast.load;

import static io.gatling.javaapi.core.CoreDsl.constantUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.rampUsersPerSec;
import static io.gatling.javaapi.core.CoreDsl.scenario;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.longlink.loadtest.gatling.AsyncCallActionBuilder;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Gatling simulation of the unicast benchmark: an open model, each virtual user sends one API call
 * (one unicast Push, or a PushBatch of {@code batch} unicast pushes to random devices) and ends. Warm-up: a ramp from a tenth of the rate to the rate
 * over half the warm-up, then the rate; measured phase: the rate for {@code durationSeconds}. The
 * warm-up pushes are marked as such in their payload and left out of every figure.
 * Settings: {@link LoadSettings} ({@code -Dlonglink.load.*}); the unicast scenario starts it.
 */
public final class UnicastSimulation extends Simulation {
    private final LoadSettings settings = LoadSettings.fromSystemProperties();
    private final PushCalls calls = new PushCalls(settings);

    public UnicastSimulation() {
        ScenarioBuilder unicast = scenario("unicast").exec(new AsyncCallActionBuilder("push", calls));
        setUp(unicast.injectOpen(injection(settings).toArray(OpenInjectionStep[]::new)));
    }

    static List<OpenInjectionStep> injection(LoadSettings s) {
        List<OpenInjectionStep> steps = new ArrayList<>();
        int ramp = s.warmupSeconds() / 2;
        if (ramp > 0) {
            steps.add(rampUsersPerSec(Math.max(1, s.callsPerSecond() / 10.0)).to(s.callsPerSecond())
                    .during(Duration.ofSeconds(ramp)));
        }
        if (s.warmupSeconds() - ramp > 0) {
            steps.add(constantUsersPerSec(s.callsPerSecond()).during(Duration.ofSeconds(s.warmupSeconds() - ramp)));
        }
        steps.add(constantUsersPerSec(s.callsPerSecond()).during(Duration.ofSeconds(s.durationSeconds())));
        return steps;
    }

    @Override
    public void before() {
        calls.start();
        try {
            Files.createDirectories(settings.out());
            // tells the scenario that injection starts now: it times its CPU samples by it
            Files.writeString(settings.out().resolve("load-started"), Long.toString(System.currentTimeMillis()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void after() {
        try {
            calls.finish();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while closing the API channels", e);
        }
    }
}
