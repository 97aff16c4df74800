package io.longlink.loadtest.gatling;

/**
 * One asynchronous request a virtual user makes: starts it and reports its end exactly once
 * through {@link Outcome}, from any thread. Knows nothing of Gatling.
 */
@FunctionalInterface
public interface AsyncCall {
    void start(Outcome outcome);

    /** How a call ended; exactly one method, once. */
    interface Outcome {
        void succeeded();

        /**
         * @param code    short status name (e.g. a gRPC status code), shown in Gatling's report
         * @param message what went wrong, or null
         */
        void failed(String code, String message);
    }
}
