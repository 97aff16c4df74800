package io.longlink.router.batch;

import static java.util.Objects.requireNonNull;

import io.longlink.proto.command.PushCommand;
import io.longlink.router.store.BatchStore;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Turns a round's commands into messages with the devices they name: a device list as it is, aliases
 * through one pipelined round trip (SMEMBERS of every alias named, each once), only when the round
 * names any. It also decides which messages await their ACK ({@link Message#awaitAck}).
 */
final class AliasExpansion {
    private final BatchStore store;
    private final boolean ackWait;
    private final long redisTimeoutMs;

    AliasExpansion(BatchStore store, boolean ackWait, long redisTimeoutMs) {
        this.store = requireNonNull(store, "store");
        this.ackWait = ackWait;
        this.redisTimeoutMs = redisTimeoutMs;
    }

    /** The round's messages, in command order. Throws when Redis failed. */
    List<Message> messages(List<PushCommand> commands) throws Exception {
        Map<String, CompletableFuture<Set<byte[]>>> lookups = lookUpAliases(commands);
        List<List<String>> devices = new ArrayList<>(commands.size());
        for (PushCommand c : commands) {
            devices.add(c.hasDevices() ? c.getDevices().getIdsList() : c.hasAliases() ? members(c, lookups) : List.of());
        }
        boolean[] mayAwait = mayAwait(commands, devices);
        List<Message> messages = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            messages.add(new Message(i, commands.get(i), devices.get(i), mayAwait[i]));
        }
        return messages;
    }

    /**
     * Per command, whether its copies may await their ACK. Awaited copies are stored after the
     * delivery, copies of collapsing messages before it; so that a device's inbox keeps acceptance
     * order, no message awaits that shares a device with a later collapsing message of the round.
     */
    private boolean[] mayAwait(List<PushCommand> commands, List<List<String>> devices) {
        boolean[] may = new boolean[commands.size()];
        Arrays.fill(may, ackWait);
        if (!ackWait) {
            return may;
        }
        Set<String> collapsingLater = new HashSet<>();
        for (int i = commands.size() - 1; i >= 0; i--) {
            PushCommand c = commands.get(i);
            if (!c.getPush().getCollapseKey().isEmpty() && c.getTtlSeconds() > 0) {
                for (String device : devices.get(i)) {
                    collapsingLater.add(key(c, device));
                }
            } else if (!collapsingLater.isEmpty()) { // a collapsing message never awaits anyway
                for (String device : devices.get(i)) {
                    if (collapsingLater.contains(key(c, device))) {
                        may[i] = false;
                        break;
                    }
                }
            }
        }
        return may;
    }

    /** The members of every alias the round names, keyed by app and alias; empty when it names none. */
    private Map<String, CompletableFuture<Set<byte[]>>> lookUpAliases(List<PushCommand> commands) throws Exception {
        boolean aliases = false;
        for (PushCommand c : commands) {
            aliases |= c.hasAliases();
        }
        if (!aliases) {
            return Map.of();
        }
        Map<String, CompletableFuture<Set<byte[]>>> lookups = new HashMap<>();
        store.pipelined(() -> {
            for (PushCommand c : commands) {
                if (c.hasAliases()) {
                    for (String alias : c.getAliases().getNamesList()) {
                        lookups.computeIfAbsent(key(c, alias), k -> store.aliasMembers(c.getAppKey(), alias));
                    }
                }
            }
        });
        BatchStore.awaitAll(List.copyOf(lookups.values()), redisTimeoutMs);
        return lookups;
    }

    /** The devices of the command's aliases, each once, in the order the aliases name them. */
    private static List<String> members(PushCommand c, Map<String, CompletableFuture<Set<byte[]>>> lookups) {
        Set<String> devices = new LinkedHashSet<>();
        for (String alias : c.getAliases().getNamesList()) {
            for (byte[] d : lookups.get(key(c, alias)).join()) {
                devices.add(new String(d, StandardCharsets.UTF_8));
            }
        }
        return List.copyOf(devices);
    }

    /** The command's app key with a name of its app (an alias or a device). */
    private static String key(PushCommand c, String name) {
        return c.getAppKey() + '\n' + name;
    }
}
