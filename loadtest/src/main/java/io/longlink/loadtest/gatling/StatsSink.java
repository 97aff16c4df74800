package io.longlink.loadtest.gatling;

import static java.util.Objects.requireNonNull;

import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.OK$;
import io.gatling.core.stats.StatsEngine;
import io.gatling.javaapi.core.ActionBuilder;
import java.util.concurrent.atomic.LongAdder;
import scala.Option;
import scala.collection.immutable.List$;

/**
 * Timings that no virtual user waits for (a PUSH a device received, timed from the API's accept)
 * written to Gatling's stats engine, so they appear in its report and assertions like any request.
 * The engine exists only once Gatling builds the scenarios: {@link #bind()} is the step that hands
 * it over. Callable from any thread.
 */
public final class StatsSink {
    private final String scenario;
    private final LongAdder unbound = new LongAdder();
    private volatile StatsEngine stats;

    /** {@code scenario}: the scenario the timings are reported under. */
    public StatsSink(String scenario) {
        this.scenario = requireNonNull(scenario, "scenario");
    }

    /** A step that binds this sink to the run's stats engine when Gatling builds its scenario, and does nothing when run. */
    public ActionBuilder bind() {
        return () -> (ctx, next) -> {
            stats = ctx.coreComponents().statsEngine();
            return next;
        };
    }

    /** One timing of {@code request}: OK when {@code failureCode} is null, else KO with that code. */
    public void record(String request, long startMs, long endMs, String failureCode, String message) {
        StatsEngine s = stats;
        if (s == null) {
            unbound.increment();
            return;
        }
        s.logResponse(scenario, List$.MODULE$.empty(), request, startMs, Math.max(startMs, endMs),
                failureCode == null ? OK$.MODULE$ : KO$.MODULE$, Option.apply(failureCode), Option.apply(message));
    }

    /** Timings dropped because they came before {@link #bind()} ran (none in a well-formed simulation). */
    public long unbound() {
        return unbound.sum();
    }
}
