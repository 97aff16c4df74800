package io.longlink.loadtest;

import io.longlink.loadtest.report.ResultLine;
import io.longlink.loadtest.scenario.Scenario;
import io.longlink.loadtest.scenario.Scenarios;
import io.longlink.loadtest.scenario.Stack;
import io.longlink.loadtest.scenario.UsageException;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * Entry point ops/bench calls:
 * <pre>
 *   list                       every scenario's help
 *   plan SCENARIO [options]    what the stack must run, as key=value lines (checks the options)
 *   run SCENARIO [options]     runs against the stack named by -Dlonglink.bench.* and ends with a RESULT line
 * </pre>
 * The options are the scenario's picocli command ({@link Scenarios}); with {@code --help} among them,
 * plan and run print its help instead.
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
                    Scenarios.list(System.out);
                    return OK;
                }
                case "plan" -> {
                    Optional<Scenario> s = Scenarios.parse(rest(args), System.out);
                    s.ifPresent(scenario -> scenario.plan().lines().forEach(System.out::println));
                    return OK;
                }
                case "run" -> {
                    Optional<Scenario> s = Scenarios.parse(rest(args), System.out);
                    return s.isEmpty() ? OK : execute(s.get(), Stack.fromSystemProperties());
                }
                default -> throw new UsageException("unknown command '" + args[0] + "' (expected: list, plan, run)");
            }
        } catch (UsageException e) {
            System.err.println("error: " + e.getMessage());
            return USAGE;
        }
    }

    private static int execute(Scenario s, Stack stack) {
        ResultLine result;
        int code;
        try {
            result = s.run(stack);
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

    /** {@code SCENARIO [options]}: what follows the command word. */
    private static List<String> rest(String[] args) {
        return Arrays.asList(args).subList(1, args.length);
    }
}
