package io.longlink.cli.device;

import io.longlink.proto.device.Platform;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.TypeConversionException;

/** {@code --platform android|ios|web|desktop|iot}, any case. */
final class PlatformConverter implements ITypeConverter<Platform> {
    @Override
    public Platform convert(String value) {
        try {
            Platform p = Platform.valueOf(value.toUpperCase(Locale.ROOT));
            if (p == Platform.PLATFORM_UNSPECIFIED || p == Platform.UNRECOGNIZED) {
                throw new IllegalArgumentException(value);
            }
            return p;
        } catch (IllegalArgumentException e) {
            throw new TypeConversionException("'" + value + "' (expected: android, ios, web, desktop or iot)");
        }
    }

    /** What shell completion offers. */
    static final class Names extends ArrayList<String> {
        private static final long serialVersionUID = 1L;

        Names() {
            super(List.of("android", "ios", "web", "desktop", "iot"));
        }
    }
}
