package dev.rainbarrel.jmx;

import javax.management.MBeanServerFactory;

/**
 * Decides whether creating the platform MBeanServer now is safe. It is not, in a container that
 * installs its own {@code java.util.logging} LogManager after start-up (WildFly, JBoss EAP: {@code
 * -Djava.util.logging.manager=org.jboss.logmanager.LogManager}): the platform server initialises
 * JUL, JUL then fixes its LogManager for good, and the container fails to boot. Jolokia and
 * APM agents have hit exactly this.
 *
 * <p>Safe when the property is unset, when the named LogManager class is already loadable from the
 * system class loader (JUL will find it), or when some MBeanServer exists already (the container
 * created it, so JUL is set up).
 */
final class PlatformServerGate {

  static final String LOG_MANAGER_PROPERTY = "java.util.logging.manager";

  private PlatformServerGate() {}

  /** Null when safe; otherwise why registration must wait. */
  static String unsafeReason() {
    String manager = System.getProperty(LOG_MANAGER_PROPERTY);
    if (manager == null || manager.isBlank()) {
      return null;
    }
    try {
      if (!MBeanServerFactory.findMBeanServer(null).isEmpty()) {
        return null;
      }
    } catch (SecurityException e) {
      // cannot tell; fall through to the class check
    }
    try {
      Class.forName(manager.trim(), false, ClassLoader.getSystemClassLoader());
      return null;
    } catch (ClassNotFoundException | LinkageError e) {
      return "-D" + LOG_MANAGER_PROPERTY + "=" + manager
          + " is not loadable yet and no MBeanServer exists: waiting for the container to set up"
          + " logging before creating the platform MBeanServer";
    }
  }
}
