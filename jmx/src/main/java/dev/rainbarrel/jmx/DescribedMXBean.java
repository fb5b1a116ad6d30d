package dev.rainbarrel.jmx;

import java.lang.reflect.Method;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.StandardMBean;

/**
 * An MXBean whose MBeanInfo carries the {@link Description}s of its interface, so every
 * attribute and operation is described in generic clients.
 */
final class DescribedMXBean extends StandardMBean {
  private final Class<?> type;

  <T> DescribedMXBean(T implementation, Class<T> type) {
    super(implementation, type, true);
    this.type = type;
  }

  @Override
  protected String getDescription(MBeanInfo info) {
    Description d = type.getAnnotation(Description.class);
    return d != null ? d.value() : super.getDescription(info);
  }

  @Override
  protected String getDescription(MBeanAttributeInfo info) {
    String name = info.getName();
    for (String prefix : new String[] {"get", "is"}) {
      Description d = describe(prefix + name);
      if (d != null) {
        return d.value();
      }
    }
    return super.getDescription(info);
  }

  @Override
  protected String getDescription(MBeanOperationInfo info) {
    Description d = describe(info.getName());
    return d != null ? d.value() : super.getDescription(info);
  }

  private Description describe(String method) {
    for (Method m : type.getMethods()) {
      if (m.getName().equals(method) && m.getParameterCount() == 0) {
        return m.getAnnotation(Description.class);
      }
    }
    return null;
  }
}
