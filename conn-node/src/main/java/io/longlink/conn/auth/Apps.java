package io.longlink.conn.auth;

import java.util.concurrent.CompletionStage;

/** What CONNECT asks of the app registry: an app by key ({@link AppSecrets#get} answers it). */
@FunctionalInterface
public interface Apps {
    CompletionStage<AppSecrets.App> get(String appKey);
}
