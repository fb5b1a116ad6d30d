package dev.rainbarrel.net;

import java.lang.reflect.InvocationTargetException;

/**
 * Finds the native transports and explains why they are unavailable when they are: the JDK 22+
 * implementations (FFM API, {@code META-INF/versions/22} of the multi-release jar) by class name,
 * Lucene-style, and on JDK 17-21 the project's JNI library ({@link SockDiagJni}), which gives
 * {@link NetlinkSampler} its socket there (TCP_INFO stays JDK 22+ only).
 *
 * <p>On JDK 24+ the first native call may print the JDK's own "restricted method" warning once
 * unless the application runs with {@code --enable-native-access=ALL-UNNAMED} (or the module
 * holding rainbarrel); with {@code --illegal-native-access=deny} the call fails and we fall back to
 * {@code /proc}.
 */
final class NativeNet {

  static final String CHANNEL_CLASS = "dev.rainbarrel.net.FfmNetlinkChannel22";
  static final String SOCKETS_CLASS = "dev.rainbarrel.net.NativeSockets22";

  private static volatile String lastFailure;
  private static volatile NativeSockets sockets;

  private NativeNet() {}

  /** Null when netlink can be tried (FFM on JDK 22+, the JNI library on 17-21); otherwise why not. */
  static String unavailableReason() {
    if (Runtime.version().feature() < 22) {
      String why = SockDiagJni.unavailableReason();
      if (why != null) {
        return "netlink on JDK 17-21 needs rainbarrel's JNI library, which is not used: " + why
            + " (JDK 22+ needs no library)";
      }
      return lastFailure;
    }
    return ffmUnavailableReason();
  }

  /** Null when the JDK 22 code (FFM API) can be tried; otherwise the reason it cannot. */
  static String ffmUnavailableReason() {
    int feature = Runtime.version().feature();
    if (feature < 22) {
      return "JDK 22+ is needed for TCP_INFO (this is JDK " + feature + ")";
    }
    try {
      Class.forName(CHANNEL_CLASS, false, NativeNet.class.getClassLoader());
    } catch (ClassNotFoundException e) {
      return "the JDK 22 classes of rainbarrel-core are not on the class path"
          + " (META-INF/versions/22 of the multi-release jar)";
    }
    return lastFailure;
  }

  static ListenerSampler openSampler() {
    String why = unavailableReason();
    if (why != null) {
      return new FallbackSampler(null, why);
    }
    try {
      NetlinkChannel channel = Runtime.version().feature() >= 22
          ? (NetlinkChannel) instantiate(CHANNEL_CLASS) : JniNetlinkChannel.open();
      return new FallbackSampler(new NetlinkSampler(channel), null);
    } catch (Throwable t) {
      String reason = describe(t);
      lastFailure = reason;
      // stderr, not System.Logger: its default backend is java.util.logging, and starting JUL from
      // the agent before WildFly installs its LogManager breaks the container's logging.
      System.err.println("rainbarrel: using /proc/net instead of netlink: " + reason);
      return new FallbackSampler(null, reason);
    }
  }

  /** The native socket helper, or an {@link UnsupportedOperationException} saying why not. */
  static NativeSockets sockets() {
    NativeSockets s = sockets;
    if (s != null) {
      return s;
    }
    if (Runtime.version().feature() < 22) {
      throw new UnsupportedOperationException("TCP_INFO needs JDK 22+ (this is JDK "
          + Runtime.version().feature() + ")");
    }
    try {
      s = (NativeSockets) instantiate(SOCKETS_CLASS);
    } catch (Throwable t) {
      throw new UnsupportedOperationException("TCP_INFO is unavailable: " + describe(t), t);
    }
    sockets = s;
    return s;
  }

  private static Object instantiate(String name) throws Throwable {
    try {
      return Class.forName(name, true, NativeNet.class.getClassLoader())
          .getDeclaredConstructor()
          .newInstance();
    } catch (InvocationTargetException e) {
      throw e.getCause();
    } catch (ExceptionInInitializerError e) {
      throw e.getCause() != null ? e.getCause() : e;
    }
  }

  static String describe(Throwable t) {
    for (Throwable c = t; c != null; c = c.getCause()) {
      if (c instanceof IllegalCallerException) {
        t = c; // reported through initializer errors and "could not initialize class"
        break;
      }
    }
    if (t instanceof IllegalCallerException) {
      return "native access is denied (" + t.getMessage() + "); run the JVM with"
          + " --enable-native-access=ALL-UNNAMED (or the module that holds rainbarrel-core)";
    }
    String m = t.getMessage();
    return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
  }
}
