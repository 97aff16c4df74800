package io.longlink.common.redis;

import static java.util.Objects.requireNonNull;

import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.cluster.api.async.RedisClusterAsyncCommands;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Lua script shipped as a resource next to the class that runs it. {@link #run} calls it by
 * digest and sends the text only when a Redis node does not know it yet (first use, restart,
 * failover), so no load step is needed at start. A connection that pipelines with auto-flush off
 * {@link #load}s its scripts instead and calls {@link #evalsha}, reloading on {@link #isNoScript}.
 */
public final class LuaScript {
    private final String source;
    private final String sha;

    private LuaScript(String source) {
        this.source = source;
        try {
            this.sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-1")
                    .digest(source.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is not available", e);
        }
    }

    /** Reads {@code file} from the package of {@code owner}. */
    public static LuaScript resource(Class<?> owner, String file) {
        requireNonNull(owner, "owner");
        try (InputStream in = owner.getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("script resource missing: " + file);
            }
            return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read script " + file, e);
        }
    }

    /**
     * EVALSHA, then EVAL on NOSCRIPT. Only for a connection with auto-flush on: the EVAL is issued
     * from the reply callback.
     */
    public <T> CompletionStage<T> run(RedisClusterAsyncCommands<String, byte[]> redis, ScriptOutputType type,
                                      String[] keys, byte[]... args) {
        CompletionStage<T> first = redis.evalsha(sha, type, keys, args);
        return first.toCompletableFuture().exceptionallyCompose(e -> isNoScript(e)
                ? redis.<T>eval(source, type, keys, args) : CompletableFuture.failedFuture(e));
    }

    /** Loads the script into every master's cache (Lettuce's cluster connection sends it to all). */
    public CompletableFuture<String> load(RedisClusterAsyncCommands<String, byte[]> redis) {
        return redis.scriptLoad(source).toCompletableFuture();
    }

    /** EVALSHA only: for a pipelined connection whose scripts were {@link #load}ed. */
    public <T> CompletableFuture<T> evalsha(RedisClusterAsyncCommands<String, byte[]> redis, ScriptOutputType type,
                                            String[] keys, byte[]... args) {
        return redis.<T>evalsha(sha, type, keys, args).toCompletableFuture();
    }

    /** EVAL with the text: for the batcher's connection, where a reply callback must not issue a retry. */
    public <T> CompletionStage<T> eval(RedisClusterAsyncCommands<String, byte[]> redis, ScriptOutputType type,
                                       String[] keys, byte[]... args) {
        return redis.eval(source, type, keys, args);
    }

    /** True when {@code t} or one of its causes says a Redis node does not know the script. */
    public static boolean isNoScript(Throwable t) {
        for (Throwable e = t; e != null; e = e.getCause() == e ? null : e.getCause()) {
            if (e instanceof RedisNoScriptException) {
                return true;
            }
        }
        return false;
    }
}
