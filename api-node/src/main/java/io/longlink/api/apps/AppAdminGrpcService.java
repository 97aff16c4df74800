package io.longlink.api.apps;

import static java.util.Objects.requireNonNull;

import io.grpc.stub.StreamObserver;
import io.longlink.api.apps.AppStore.QuotaChange;
import io.longlink.api.push.PushLimits;
import io.longlink.api.quota.Quota;
import io.longlink.api.validation.Fields;
import io.longlink.common.auth.AppSecretCache;
import io.longlink.common.grpc.GrpcErrors;
import io.longlink.common.grpc.Refusal;
import io.longlink.proto.api.AppAdminServiceGrpc;
import io.longlink.proto.api.AppQuota;
import io.longlink.proto.api.CreateAppRequest;
import io.longlink.proto.api.CreateAppResponse;
import io.longlink.proto.api.GetQuotaRequest;
import io.longlink.proto.api.RotateSecretRequest;
import io.longlink.proto.api.RotateSecretResponse;
import io.longlink.proto.api.SetQuotaRequest;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongSupplier;
import org.apache.curator.framework.CuratorFramework;

/**
 * CreateApp, RotateSecret, GetQuota and SetQuota, behind the admin token, over the app registry
 * ({@link AppStore}). App keys are 16 characters of lowercase base32 (80 random bits), secrets 32
 * random bytes in base64url: no colon or brace, so they fit inside the {@code {appKey:deviceId}}
 * hash tag. A rotation is also published in ZooKeeper ({@link SecretRotations}) for conn-nodes.
 */
public final class AppAdminGrpcService extends AppAdminServiceGrpc.AppAdminServiceImplBase {
    private static final char[] BASE32 = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
    private static final int CREATE_ATTEMPTS = 3;

    private final AppStore apps;
    private final AppSecretCache<Optional<App>> cache;
    private final SecretRotations rotations;
    private final Quota defaults;
    private final LongSupplier clock;
    private final GrpcErrors errors;
    private final SecureRandom random = new SecureRandom();

    /**
     * @param cache    the node's cache of apps, told when an app changes here
     * @param zk       where rotations are published, below the cluster's namespace
     * @param defaults the quotas of an app without its own (api.quota.*)
     */
    public AppAdminGrpcService(AppStore apps, AppSecretCache<Optional<App>> cache, CuratorFramework zk,
                               Quota defaults, LongSupplier clock, GrpcErrors errors) {
        this.apps = requireNonNull(apps, "apps");
        this.cache = requireNonNull(cache, "cache");
        this.rotations = new SecretRotations(zk);
        this.defaults = requireNonNull(defaults, "defaults");
        this.clock = requireNonNull(clock, "clock");
        this.errors = requireNonNull(errors, "errors");
    }

    @Override
    public void createApp(CreateAppRequest request, StreamObserver<CreateAppResponse> out) {
        errors.unary(out, () -> {
            String name = Fields.name("name", request.getName());
            return create(name, CREATE_ATTEMPTS);
        });
    }

    /** A fresh random key per attempt: the store refuses a key that is taken. */
    private CompletionStage<CreateAppResponse> create(String name, int attempts) {
        String appKey = newAppKey();
        String secret = newSecret();
        return apps.create(appKey, secret, name, clock.getAsLong()).thenCompose(created -> {
            if (created) {
                return CompletableFuture.completedFuture(CreateAppResponse.newBuilder().setAppKey(appKey)
                        .setSecret(secret).build());
            }
            if (attempts <= 1) {
                throw new IllegalStateException("app key collided " + CREATE_ATTEMPTS + " times in a row");
            }
            return create(name, attempts - 1);
        });
    }

    /**
     * Stores the new secret, then publishes the rotation in ZooKeeper; answers once both are done.
     * When ZooKeeper fails the new secret is stored all the same: the caller is told to rotate again.
     */
    @Override
    public void rotateSecret(RotateSecretRequest request, StreamObserver<RotateSecretResponse> out) {
        errors.unary(out, () -> {
            String appKey = Fields.appKey("app_key", request.getAppKey());
            String secret = newSecret();
            return apps.rotate(appKey, secret).thenCompose(rotated -> {
                if (!rotated) {
                    throw notFound(appKey);
                }
                cache.forget(appKey);
                return rotations.publish(appKey, clock.getAsLong());
            }).thenApply(published -> RotateSecretResponse.newBuilder().setSecret(secret).build());
        });
    }

    /** Read from the store, not the cache: what every api-node applies within api.auth-cache-ms. */
    @Override
    public void getQuota(GetQuotaRequest request, StreamObserver<AppQuota> out) {
        errors.unary(out, () -> {
            String appKey = Fields.appKey("app_key", request.getAppKey());
            return quota(appKey);
        });
    }

    @Override
    public void setQuota(SetQuotaRequest request, StreamObserver<AppQuota> out) {
        errors.unary(out, () -> {
            String appKey = Fields.appKey("app_key", request.getAppKey());
            QuotaChange change = new QuotaChange(
                    request.hasPushesPerS() ? quota("pushes_per_s", request.getPushesPerS(), Quota.MAX_PUSHES_PER_S) : null,
                    request.hasFanoutsPerS() ? quota("fanouts_per_s", request.getFanoutsPerS(), Quota.MAX_FANOUTS_PER_S)
                            : null,
                    request.hasDevicesPerCall() ? quota("devices_per_call", request.getDevicesPerCall(),
                            PushLimits.MAX_DEVICES) : null);
            if (change.equals(new QuotaChange(null, null, null))) {
                throw Refusal.invalid("quota", "none given", "at least one of pushes_per_s, fanouts_per_s,"
                        + " devices_per_call (0 = the default)");
            }
            return apps.setQuota(appKey, change).thenCompose(found -> {
                if (!found) {
                    throw notFound(appKey);
                }
                cache.forget(appKey);
                return quota(appKey);
            });
        });
    }

    /** The app's quotas from the store: its own, else the default, and which are the default. */
    private CompletionStage<AppQuota> quota(String appKey) {
        return apps.app(appKey).thenApply(found -> {
            Quota own = found.orElseThrow(() -> notFound(appKey)).quota();
            Quota applied = own.or(defaults);
            return AppQuota.newBuilder().setAppKey(appKey).setPushesPerS(applied.pushesPerS())
                    .setFanoutsPerS(applied.fanoutsPerS()).setDevicesPerCall(applied.devicesPerCall())
                    .addAllDefaults(own.unset()).build();
        });
    }

    /** A quota of SetQuota: 0 (the default again) or 1 to {@code max}; uint32 arrives as a signed int. */
    private static int quota(String field, int value, int max) {
        if (value < 0 || value > max) {
            throw Refusal.invalid(field, Integer.toUnsignedString(value), "0 (the default) or 1 to " + max);
        }
        return value;
    }

    private static Refusal notFound(String appKey) {
        return Refusal.notFound("app_key: '" + appKey + "' (expected: an existing app)");
    }

    private String newAppKey() {
        char[] out = new char[16];
        for (int i = 0; i < out.length; i++) {
            out[i] = BASE32[random.nextInt(BASE32.length)];
        }
        return new String(out);
    }

    private String newSecret() {
        byte[] raw = new byte[32];
        random.nextBytes(raw);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
    }
}
