package dev.rainbarrel.net;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Locale;

/**
 * The project's own JNI library for {@code NETLINK_SOCK_DIAG} on JDK 17-21, where the FFM API is
 * not final: thin system-call wrappers ({@code core/src/main/c/rainbarrel_sockdiag.c}, built by
 * the core module with the system's C compiler into {@value #RESOURCE_DIR}{@code
 * <os.arch>/}{@value #LIBRARY}) behind {@link JniNetlinkChannel}. {@link NetlinkSampler} builds
 * the requests and parses the answers, as it does over FFM on JDK 22+.
 *
 * <p>Loaded on first use: the library is copied from the class path to a temporary file, loaded
 * with {@link System#load} and the file deleted (the mapping stays). It is not used on JDK 22+
 * (the FFM code answers there, and JDK 24+ would warn about JNI as it does about FFM), on other
 * systems or architectures than the one the jar was built on, or with {@code
 * -Drainbarrel.sockdiag.jni=false}; {@link #unavailableReason()} says which. Nothing here throws
 * to the caller: a failed load leaves the {@code /proc} parser in charge.
 */
final class SockDiagJni {

  /** Class-path folder of the library, followed by {@code os.arch} ({@code amd64}, {@code aarch64}). */
  static final String RESOURCE_DIR = "/dev/rainbarrel/net/native/linux-";

  /** File name of the library. */
  static final String LIBRARY = "librainbarrel-sockdiag.so";

  /** System property that turns the library off ({@code false}). */
  static final String PROPERTY = "rainbarrel.sockdiag.jni";

  private static final Object LOCK = new Object();
  private static volatile boolean tried;
  private static volatile String unavailable; // null once loaded

  private SockDiagJni() {}

  /** Whether the library is loaded (loading it now if not tried yet). */
  static boolean available() {
    return unavailableReason() == null;
  }

  /** Null when the library is loaded; otherwise why it is not used. */
  static String unavailableReason() {
    if (!tried) {
      synchronized (LOCK) {
        if (!tried) {
          unavailable = load();
          tried = true;
        }
      }
    }
    return unavailable;
  }

  private static String load() {
    try {
      if ("false".equalsIgnoreCase(System.getProperty(PROPERTY))) {
        return "turned off by -D" + PROPERTY + "=false";
      }
      int feature = Runtime.version().feature();
      if (feature >= 22) {
        return "not needed on JDK 22+ (the FFM API answers)";
      }
      String os = System.getProperty("os.name", "");
      if (!os.toLowerCase(Locale.ROOT).startsWith("linux")) {
        return "netlink is Linux-only (this is " + os + ")";
      }
      String arch = System.getProperty("os.arch", "");
      String resource = RESOURCE_DIR + arch + "/" + LIBRARY;
      Path copy;
      try (InputStream in = SockDiagJni.class.getResourceAsStream(resource)) {
        if (in == null) {
          return "no " + LIBRARY + " for linux-" + arch + " in this build (" + resource
              + "; the build compiles it with gcc for the machine it runs on)";
        }
        copy = Files.createTempFile("rainbarrel-sockdiag-", ".so");
        Files.copy(in, copy, StandardCopyOption.REPLACE_EXISTING);
      }
      try {
        System.load(copy.toAbsolutePath().toString());
      } finally {
        Files.deleteIfExists(copy); // the loaded mapping stays; nothing is left in the temp folder
      }
      return null;
    } catch (IOException | RuntimeException | LinkageError e) {
      String m = e.getMessage();
      return "could not load " + LIBRARY + ": " + e.getClass().getSimpleName()
          + (m == null ? "" : ": " + m) + " (a temp folder mounted noexec refuses it)";
    }
  }

  /** A {@code NETLINK_SOCK_DIAG} datagram socket with {@code SO_RCVTIMEO}; fd, or -errno. */
  static native int open0(int receiveTimeoutMillis);

  /** {@code SO_RCVTIMEO} of {@code fd} as the kernel holds it (ms), or -errno. */
  static native long receiveTimeout0(int fd);

  /** Sends {@code request[0, length)} (direct) to the kernel; bytes sent, or -errno. */
  static native int send0(int fd, ByteBuffer request, int length);

  /** Receives one datagram into {@code into[0, capacity)} (direct); bytes, or -errno. */
  static native int recv0(int fd, ByteBuffer into, int capacity);

  /** Closes {@code fd}; 0 or -errno. */
  static native int close0(int fd);
}
