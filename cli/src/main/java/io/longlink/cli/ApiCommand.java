package io.longlink.cli;

import java.util.concurrent.Callable;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** A pushctl command that calls the api-node: it runs with a fresh channel, closed when it returns. */
@Command(footer = {"The options of pushctl itself (--api, --tls, --ca, --timeout, --admin-token, --app, --secret) go"
        + " before the command; pushctl --help lists them.", PushCtl.EXIT_CODES})
public abstract class ApiCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public final Integer call() throws SSLException {
        // pushctl's own options, also for a command nested in a group (quota show)
        PushCtl pushctl = (PushCtl) spec.root().userObject();
        try (Api api = pushctl.connect(spec.commandLine())) {
            run(api);
        }
        return PushCtl.OK;
    }

    /** Makes the call and prints the answer; a gRPC error ends pushctl with exit code 1. */
    protected abstract void run(Api api);
}
