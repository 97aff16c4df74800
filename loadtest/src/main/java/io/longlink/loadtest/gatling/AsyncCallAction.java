package io.longlink.loadtest.gatling;

import static java.util.Objects.requireNonNull;

import com.typesafe.scalalogging.Logger;
import io.gatling.commons.stats.KO$;
import io.gatling.commons.stats.OK$;
import io.gatling.commons.util.Clock;
import io.gatling.core.action.Action;
import io.gatling.core.session.Session;
import io.gatling.core.stats.StatsEngine;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.LoggerFactory;
import scala.Option;

/**
 * The Gatling action behind {@link AsyncCallActionBuilder}. Gatling runs a virtual user on one
 * event loop; the call ends on some other thread (gRPC's), so the timing is logged there and the
 * user is handed back to its own loop before the next action runs. A call that throws while
 * starting, or ends twice, is reported once as failed.
 */
final class AsyncCallAction implements Action {
    private static final Logger LOGGER = Logger.apply(LoggerFactory.getLogger(AsyncCallAction.class));

    private final String requestName;
    private final AsyncCall call;
    private final StatsEngine stats;
    private final Clock clock;
    private final Action next;

    AsyncCallAction(String requestName, AsyncCall call, StatsEngine stats, Clock clock, Action next) {
        this.requestName = requireNonNull(requestName, "requestName");
        this.call = requireNonNull(call, "call");
        this.stats = requireNonNull(stats, "stats");
        this.clock = requireNonNull(clock, "clock");
        this.next = requireNonNull(next, "next");
    }

    @Override
    public String name() {
        return requestName;
    }

    @Override
    public void execute(Session session) {
        Ending ending = new Ending(session, clock.nowMillis());
        try {
            call.start(ending);
        } catch (RuntimeException e) {
            ending.failed("client_error", e.toString());
        }
    }

    /** Reports one call's end, once, and resumes its user. */
    private final class Ending extends AtomicBoolean implements AsyncCall.Outcome {
        private static final long serialVersionUID = 1L;

        private final transient Session session;
        private final long startMs;

        Ending(Session session, long startMs) {
            this.session = session;
            this.startMs = startMs;
        }

        @Override
        public void succeeded() {
            end(true, null, null);
        }

        @Override
        public void failed(String code, String message) {
            end(false, code, message);
        }

        private void end(boolean ok, String code, String message) {
            if (!compareAndSet(false, true)) {
                return;
            }
            stats.logResponse(session.scenario(), session.groups(), requestName, startMs, clock.nowMillis(),
                    ok ? OK$.MODULE$ : KO$.MODULE$, Option.apply(code), Option.apply(message));
            Session after = ok ? session : session.markAsFailed();
            session.eventLoop().execute(() -> next.$bang(after));
        }
    }

    // Gatling's Action extends scala-logging's StrictLogging: a trait with a field, provided here by hand.
    @Override
    public Logger logger() {
        return LOGGER;
    }

    @Override
    public void com$typesafe$scalalogging$StrictLogging$_setter_$logger_$eq(Logger logger) {
        // the logger is a constant of this class; Scala's trait initializer is never run for a Java class
    }
}
