package io.longlink.loadtest.gatling;

import static java.util.Objects.requireNonNull;

import io.gatling.javaapi.core.ActionBuilder;

/**
 * A Gatling Java DSL step ({@code exec(new AsyncCallActionBuilder("push", call))}) that runs an
 * {@link AsyncCall}, reports its timing and status to Gatling's stats engine under
 * {@code requestName}, and then resumes the virtual user. Open-source Gatling has no gRPC protocol;
 * this is the smallest bridge: everything that touches Gatling's internals is in this package.
 */
public final class AsyncCallActionBuilder implements ActionBuilder {
    private final String requestName;
    private final AsyncCall call;

    public AsyncCallActionBuilder(String requestName, AsyncCall call) {
        this.requestName = requireNonNull(requestName, "requestName");
        this.call = requireNonNull(call, "call");
    }

    @Override
    public io.gatling.core.action.builder.ActionBuilder asScala() {
        return (ctx, next) -> new AsyncCallAction(requestName, call, ctx.coreComponents().statsEngine(),
                ctx.coreComponents().clock(), next);
    }
}
