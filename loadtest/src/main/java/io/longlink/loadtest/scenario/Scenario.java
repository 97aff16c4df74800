package io.longlink.loadtest.scenario;

import io.longlink.loadtest.report.ResultLine;
import java.util.List;

/** One benchmark ops/bench can run: its options, the stack it needs, and the run itself. */
public interface Scenario {
    String name();

    String description();

    List<OptionSpec> options();

    StackPlan plan(Options options);

    /**
     * Runs against {@code stack} and returns the figures. Throws when the run could not measure
     * what it promises; the caller still prints a RESULT line that says so.
     */
    ResultLine run(Options options, Stack stack) throws Exception;
}
