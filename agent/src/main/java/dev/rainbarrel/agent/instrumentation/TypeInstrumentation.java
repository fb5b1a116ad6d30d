package dev.rainbarrel.agent.instrumentation;

import java.util.List;
import java.util.Set;

/**
 * One hook: which classes, which of their methods, which advice class (by name: the advice is
 * never loaded into the agent's class loader but defined in the hooked class's own loader, so it
 * may use the server's types). OpenTelemetry agent style: one implementation per hook, one folder
 * per server.
 *
 * <p>Classes are chosen by exact name ({@link #typeNames()}) or, for APIs with many
 * implementations such as the servlet API, by super type ({@link #superTypes()}): then only
 * classes whose loader can see {@link #requiredClass()} and whose class file contains one of the
 * hooked methods' types are parsed, and only their hierarchy is read.
 */
public interface TypeInstrumentation {

  /** The {@code servers=} name that switches this hook on. */
  String server();

  /** Binary names of the classes to transform (empty when {@link #superTypes()} chooses). */
  default Set<String> typeNames() {
    return Set.of();
  }

  /** Transform every class (not interface) that has one of these super types (binary names). */
  default Set<String> superTypes() {
    return Set.of();
  }

  /** ... unless it also has one of these. */
  default Set<String> excludedSuperTypes() {
    return Set.of();
  }

  /** For {@link #superTypes()}: a class the class loader must see, or null. */
  default String requiredClass() {
    return null;
  }

  /**
   * The classes among {@link #typeNames()} whose instances are the bridge's tracking keys (JDK
   * {@code ExchangeImpl}, Jetty 12's request, Undertow's exchange, Tomcat's request facade and
   * Netty's stream channels: one new object per request; Jetty 9.4-11's request and Netty's
   * connection channels: reused). When one is first loaded it also becomes a {@code
   * dev.rainbarrel.bootstrap.InFlightSlot} (and so do its subclasses), so the bridge finds its
   * requests by reading a field, without installing an identity hash on each new one or scanning
   * slots. A key class that needs no hooks of its own is an instrumentation of its own with no
   * {@link #hooks()}: the field alone is a change the transformer makes.
   *
   * <p>List only classes that are not {@code Serializable} (an added interface changes a class's
   * default {@code serialVersionUID}), and classes the server loads only once it serves, after its
   * listener opened: at premain the hooks are installed beside {@code main}, and only the listener
   * classes wait for them (docs/AGENT.md, start gate). A class loaded earlier (Netty's {@code
   * AbstractChannel}, the listening channel's base) is retransformed without the field, and its
   * requests are found by identity hash, as after a dynamic attach.
   */
  default Set<String> inFlightKeyTypes() {
    return Set.of();
  }

  /** Methods and the advice class (binary name) for them; the first matching hook applies. */
  List<Hook> hooks();

  /**
   * Classes (by binary name, from the agent jar) to define in the transformed type's class loader
   * besides the advice classes, e.g. an {@code AsyncListener} implementation.
   */
  default List<String> helpers() {
    return List.of();
  }

  /**
   * A method matcher and the advice called from the matching methods. With {@code
   * onlyWithoutSlot} the advice is woven only into a class that does not get the in-flight slot
   * field ({@link #inFlightKeyTypes()}): work that the slot makes unnecessary (placing requests of
   * a class loaded before the agent by their connection) stays off the per-request path.
   */
  record Hook(MethodMatch methods, String adviceClass, boolean onlyWithoutSlot) {
    public Hook(MethodMatch methods, String adviceClass) {
      this(methods, adviceClass, false);
    }
  }
}
