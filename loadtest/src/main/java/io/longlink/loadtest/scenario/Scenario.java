package io.longlink.loadtest.scenario;

import io.longlink.loadtest.report.ResultLine;

/**
 * One benchmark ops/bench can run: a picocli command (a subcommand of {@link Scenarios}) whose
 * options are the run's settings, the stack those settings need, and the run itself.
 */
public interface Scenario {
    /** The scenario's {@code @Command} name, as ops/bench takes it. */
    String name();

    /** What ops/bench must start: follows from the options alone. */
    StackPlan plan();

    /**
     * Runs against {@code stack} and returns the figures. Throws when the run could not measure
     * what it promises; the caller still prints a RESULT line that says so.
     */
    ResultLine run(Stack stack) throws Exception;
}
