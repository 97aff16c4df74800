package io.longlink.loadtest;

import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.OptionSpec;
import io.longlink.loadtest.scenario.Options;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.loadtest.scenario.UsageException;
import java.util.Arrays;
import java.util.List;

/**
 * Entry point ops/bench calls:
 * <pre>
 *   list                       scenarios and their options
 *   plan SCENARIO [options]    what the stack must run, as key=value lines (checks the options)
 *   run SCENARIO [options]     runs against the stack named by -Dlonglink.bench.* and ends with a RESULT line
 * </pre>
 * Exit codes: 0 done, 1 the run failed (its RESULT line says status=failed), 2 bad command line.
 */
public final class BenchMain {
    static final int OK = 0;
    static final int FAILED = 1;
    static final int USAGE = 2;

    private BenchMain() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0) {
            System.err.println("usage: BenchMain list | plan SCENARIO [options] | run SCENARIO [options]");
            return USAGE;
        }
        try {
            switch (args[0]) {
                case "list" -> {
                    list();
                    return OK;
                }
                case "plan" -> {
                    Scenario s = scenario(args);
                    Options o = Options.parse(s.name(), s.options(), rest(args));
                    s.plan(o).lines().forEach(System.out::println);
                    return OK;
                }
                case "run" -> {
                    Scenario s = scenario(args);
                    Options o = Options.parse(s.name(), s.options(), rest(args));
                    return execute(s, o, Stack.fromSystemProperties());
                }
                default -> throw new UsageException("unknown command '" + args[0] + "' (expected: list, plan, run)");
            }
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            return USAGE;
        }
    }

    private static int execute(Scenario s, Options o, Stack stack) {
        ResultLine result;
        int code;
        try {
            result = s.run(o, stack);
            code = OK;
        } catch (Exception e) {
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            System.err.println("error: " + s.name() + " failed: " + e);
            e.printStackTrace(System.err);
            String msg = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            result = new ResultLine().put("scenario", s.name()).put("status", "failed")
                    .put("error", msg.length() > 300 ? msg.substring(0, 300) : msg);
            code = FAILED;
        }
        System.out.flush();
        System.err.flush();
        System.out.println(result.format());
        System.out.flush();
        return code;
    }

    private static Scenario scenario(String[] args) throws UsageException {
        if (args.length < 2) {
            throw new UsageException(args[0] + ": missing scenario (expected: one of "
                    + String.join(", ", Scenarios.all().stream().map(Scenario::name).toList()) + ")");
        }
        return Scenarios.require(args[1]);
    }

    private static List<String> rest(String[] args) {
        return Arrays.asList(args).subList(2, args.length);
    }

    private static void list() {
        for (Scenario s : Scenarios.all()) {
            System.out.println(s.name() + "  " + s.description());
            for (OptionSpec spec : s.options()) {
                System.out.println("    " + spec.usage());
            }
        }
    }
}
