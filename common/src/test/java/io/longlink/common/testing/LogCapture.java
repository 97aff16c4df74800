package io.longlink.common.testing;

import static java.util.Objects.requireNonNull;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.slf4j.LoggerFactory;

/**
 * What one class logs during each test, for assertions on log lines.
 *
 * <pre>
 * &#64;RegisterExtension
 * final LogCapture logged = new LogCapture(GrpcErrors.class);
 * </pre>
 */
public final class LogCapture implements BeforeEachCallback, AfterEachCallback {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    public LogCapture(Class<?> source) {
        this.logger = (Logger) LoggerFactory.getLogger(requireNonNull(source, "source"));
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        appender.list.clear();
        appender.start();
        logger.addAppender(appender);
    }

    @Override
    public void afterEach(ExtensionContext context) {
        logger.detachAppender(appender);
        appender.stop();
    }

    /** The events logged so far in this test, oldest first: a copy. */
    public List<ILoggingEvent> events() {
        // AppenderBase.doAppend holds the appender's monitor while it adds to the list
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** Forgets what was logged so far, to look at what a later step logs. */
    public void clear() {
        synchronized (appender) {
            appender.list.clear();
        }
    }
}
