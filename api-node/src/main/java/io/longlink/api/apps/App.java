package io.longlink.api.apps;

import static java.util.Objects.requireNonNull;

import io.longlink.api.quota.Quota;

/**
 * What the api-node keeps of an app, cached with its credentials: the secret and the app's own quotas.
 *
 * @param quota the app's own quotas; 0 = the api-node's default
 */
public record App(String secret, Quota quota) {
    public App {
        requireNonNull(secret, "secret");
        requireNonNull(quota, "quota");
    }
}
