package io.longlink.api.device;

import static io.longlink.api.StoreTesting.await;
import static org.assertj.core.api.Assertions.assertThat;

import io.longlink.api.StoreTesting;
import io.longlink.common.redis.RedisKeys;
import io.longlink.common.redis.Route;
import io.longlink.proto.device.Platform;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DeviceStoreIntegrationTest {
    @RegisterExtension
    final StoreTesting redis = new StoreTesting();
    private final String app = "app-" + UUID.randomUUID();
    private DeviceStore devices;

    @BeforeEach
    void open() {
        devices = new DeviceStore(redis.connect());
    }

    private boolean inAlias(String alias, String device) {
        return redis.command("SISMEMBER " + RedisKeys.alias(app, alias) + " " + device).equals(":1");
    }

    @Test
    void device_whenRegisteredWithRouteTagsAndInbox_thenEveryPartRead() throws Exception {
        await(devices.register(app, "phone", Platform.IOS, 1_700_000_000_123L));
        redis.command("SET " + RedisKeys.route(app, "phone") + " conn-1|00ff");
        await(devices.addTags(app, "phone", List.of("vip", "beta")));
        redis.command("ZADD " + RedisKeys.inbox(app, "phone") + " 0 00000000000000000007");

        DeviceStore.StoredDevice d = await(devices.device(app, "phone"));

        assertThat(d.platform()).isEqualTo(Platform.IOS);
        assertThat(d.registeredMs()).isEqualTo(1_700_000_000_123L);
        assertThat(d.route()).isEqualTo(new Route("conn-1", "00ff"));
        assertThat(d.tags()).containsExactly("beta", "vip");
        assertThat(d.inboxDepth()).isEqualTo(1);
        assertThat(d.alias()).isEmpty();
    }

    @Test
    void device_whenNothingStored_thenEmptyAndUnspecified() throws Exception {
        DeviceStore.StoredDevice d = await(devices.device(app, "nobody"));

        assertThat(d).isEqualTo(new DeviceStore.StoredDevice(null, List.of(), 0, "", Platform.PLATFORM_UNSPECIFIED, 0));
    }

    @Test
    void device_whenPlatformUnknown_thenUnspecified() throws Exception {
        redis.command("HSET " + RedisKeys.device(app, "odd") + " platform TOASTER");

        assertThat(await(devices.device(app, "odd")).platform()).isEqualTo(Platform.PLATFORM_UNSPECIFIED);
    }

    @Test
    void moveAlias_whenChangedThenCleared_thenSetsAndRecordFollow() throws Exception {
        DeviceStore.AliasSlot first = await(devices.aliasSlot(app, "phone", "ann"));
        assertThat(first).isEqualTo(new DeviceStore.AliasSlot("", 0, false));
        await(devices.moveAlias(app, "phone", first.previous(), "ann"));
        assertThat(inAlias("ann", "phone")).isTrue();
        assertThat(await(devices.device(app, "phone")).alias()).isEqualTo("ann");

        DeviceStore.AliasSlot second = await(devices.aliasSlot(app, "phone", "bob"));
        assertThat(second).isEqualTo(new DeviceStore.AliasSlot("ann", 0, false));
        await(devices.moveAlias(app, "phone", second.previous(), "bob"));
        assertThat(inAlias("ann", "phone")).isFalse();
        assertThat(inAlias("bob", "phone")).isTrue();

        DeviceStore.AliasSlot cleared = await(devices.aliasSlot(app, "phone", ""));
        assertThat(cleared).isEqualTo(new DeviceStore.AliasSlot("bob", 0, false));
        await(devices.moveAlias(app, "phone", cleared.previous(), ""));
        assertThat(inAlias("bob", "phone")).isFalse();
        assertThat(redis.command("HEXISTS " + RedisKeys.device(app, "phone") + " alias")).isEqualTo(":0");
    }

    @Test
    void aliasSlot_whenAliasHoldsDevices_thenItsSizeAndWhetherThisDeviceIsOne() throws Exception {
        for (String device : List.of("a", "b")) {
            await(devices.moveAlias(app, device, "", "family"));
        }

        assertThat(await(devices.aliasSlot(app, "a", "family"))).isEqualTo(new DeviceStore.AliasSlot("family", 2, true));
        assertThat(await(devices.aliasSlot(app, "c", "family"))).isEqualTo(new DeviceStore.AliasSlot("", 2, false));
    }

    @Test
    void tagsAfterAdding_whenSomeTagsHeld_thenCountsOnlyTheNewOnes() throws Exception {
        await(devices.addTags(app, "phone", List.of("vip", "beta")));

        assertThat(await(devices.tagsAfterAdding(app, "phone", List.of("vip", "gold", "new")))).isEqualTo(4);
        assertThat(await(devices.tagsAfterAdding(app, "fresh", List.of("vip")))).isEqualTo(1);
    }

    @Test
    void tagsAndRoute_afterRemovingTags_thenRemainingTagsSortedAndTheRoute() throws Exception {
        await(devices.addTags(app, "phone", List.of("z", "a", "m")));
        await(devices.removeTags(app, "phone", List.of("m")));
        redis.command("SET " + RedisKeys.route(app, "phone") + " conn-2|0a");

        DeviceStore.TagsAndRoute now = devices.tagsAndRoute(app, "phone");

        assertThat(await(now.tags())).containsExactly("a", "z");
        assertThat(await(now.route())).isEqualTo(new Route("conn-2", "0a"));
        assertThat(await(devices.tagsAndRoute(app, "offline").route())).isNull();
    }
}
