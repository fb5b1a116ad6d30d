package dev.rainbarrel.jmx;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The text JConsole, VisualVM and Jolokia show for an MXBean, one of its attributes (put it on
 * the getter) or operations. Read on the server side by {@link DescribedMXBean}; clients only see
 * the strings.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface Description {
  /** The description. */
  String value();
}
