package io.longlink.api.auth;

import io.grpc.Context;
import io.grpc.Metadata;
import io.longlink.api.quota.Quota;

/** Who is calling, as established by {@link AuthInterceptor}; services read it, never the metadata. */
public final class Caller {
    public static final Metadata.Key<String> APP_KEY_HEADER =
            Metadata.Key.of("x-longlink-app-key", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> APP_SECRET_HEADER =
            Metadata.Key.of("x-longlink-app-secret", Metadata.ASCII_STRING_MARSHALLER);
    public static final Metadata.Key<String> ADMIN_TOKEN_HEADER =
            Metadata.Key.of("x-longlink-admin-token", Metadata.ASCII_STRING_MARSHALLER);

    static final Context.Key<String> APP_KEY = Context.key("longlink-app-key");
    static final Context.Key<String> APP_SECRET = Context.key("longlink-app-secret");
    static final Context.Key<Quota> APP_QUOTA = Context.key("longlink-app-quota");

    private Caller() {
    }

    /** The authenticated app of the current call. */
    public static String appKey() {
        String app = APP_KEY.get();
        if (app == null) {
            throw new IllegalStateException("no authenticated app in this call (is AuthInterceptor installed?)");
        }
        return app;
    }

    /** The app's current secret (signs device tokens). */
    public static String appSecret() {
        String secret = APP_SECRET.get();
        if (secret == null) {
            throw new IllegalStateException("no authenticated app in this call (is AuthInterceptor installed?)");
        }
        return secret;
    }

    /** The app's own quotas, as cached with its secret (0 = the api-node's default). */
    public static Quota quota() {
        Quota quota = APP_QUOTA.get();
        if (quota == null) {
            throw new IllegalStateException("no authenticated app in this call (is AuthInterceptor installed?)");
        }
        return quota;
    }
}
