package io.longlink.loadtest.scenario;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The values an integer option of a scenario takes, inclusive. Declared beside its {@code @Option}:
 * {@link OptionRules} checks it after parsing, and the option's help line shows it.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.FIELD)
public @interface Range {
    long min();

    long max();
}
