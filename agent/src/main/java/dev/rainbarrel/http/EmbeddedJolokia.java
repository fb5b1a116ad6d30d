package dev.rainbarrel.http;

import java.io.IOException;
import java.io.InputStream;
import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.net.InetSocketAddress;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An embedded Jolokia 2 JVM agent ({@code jolokia=[host:]port}) serving {@code /jolokia/},
 * read-only by default.
 *
 * <p>Jolokia's all-in-one agent jar travels unchanged inside ours ({@value #NESTED_JAR}); at start it
 * is copied to a private temporary directory (0700, file 0600) and loaded by its own class loader
 * whose parent is the platform loader. So none of its classes or {@code META-INF/jolokia} service
 * lists are visible to the application (or to an application's own Jolokia), and none of the
 * application's are visible to it.
 *
 * <p>Policy (a Jolokia restrictor policy file written next to the jar): the commands {@code read},
 * {@code list}, {@code search} and {@code version} are allowed; {@code write} and {@code exec} are
 * refused, except, with {@code allowReset}, {@code exec} of {@code reset} on
 * {@code rainbarrel:type=Listener,*}. Stack traces are never included in answers, discovery is off.
 * Its threads are daemons named {@code rainbarrel-http-jolokia-N} (so {@link
 * EndpointServer#isEndpointThread} recognises them) plus the renamed dispatcher.
 */
public final class EmbeddedJolokia implements AutoCloseable {

  /** Where the build puts Jolokia's agent jar inside ours. */
  public static final String NESTED_JAR = "META-INF/rainbarrel/jolokia-agent.jar";
  /** Jolokia version nested by the build. */
  public static final String JOLOKIA_VERSION = "2.1.1";

  private final Object server;
  private final URLClassLoader loader;
  private final Path dir;
  private final String url;
  private final InetSocketAddress address;
  private boolean closed;

  private EmbeddedJolokia(Object server, URLClassLoader loader, Path dir, String url, InetSocketAddress address) {
    this.server = server;
    this.loader = loader;
    this.dir = dir;
    this.url = url;
    this.address = address;
  }

  /** The policy file's content. */
  static String policy(boolean allowReset) {
    StringBuilder sb = new StringBuilder();
    sb.append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<restrict>\n")
        .append("  <!-- read-only: write and exec are not among the allowed commands -->\n")
        .append("  <commands>\n    <command>read</command>\n    <command>list</command>\n")
        .append("    <command>search</command>\n    <command>version</command>\n  </commands>\n");
    if (allowReset) {
      // Jolokia consults <allow> for commands outside <commands>: exactly one operation opens up
      sb.append("  <allow>\n    <mbean>\n      <name>rainbarrel:type=Listener,*</name>\n")
          .append("      <operation>reset</operation>\n      <operation>reset()</operation>\n")
          .append("    </mbean>\n  </allow>\n");
    }
    return sb.append("</restrict>\n").toString();
  }

  /**
   * Starts Jolokia on {@code address}.
   *
   * @param allowReset also allow {@code exec} of {@code reset} on the rainbarrel Listener MBeans
   * @throws IOException naming the address or the cause when Jolokia cannot start (e.g. the port is
   *     taken, or this build does not carry the Jolokia jar)
   */
  public static EmbeddedJolokia start(InetSocketAddress address, boolean allowReset) throws IOException {
    Path dir = null;
    URLClassLoader loader = null;
    try (InputStream jar = EmbeddedJolokia.class.getClassLoader().getResourceAsStream(NESTED_JAR)) {
      if (jar == null) {
        throw new IOException("this rainbarrel build does not carry Jolokia (" + NESTED_JAR + " is missing)");
      }
      boolean posix = FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
      dir = posix
          ? Files.createTempDirectory("rainbarrel-jolokia-",
              PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")))
          : Files.createTempDirectory("rainbarrel-jolokia-");
      Path jarFile = dir.resolve("jolokia-agent.jar");
      Files.copy(jar, jarFile, StandardCopyOption.REPLACE_EXISTING);
      Path policy = dir.resolve("jolokia-access.xml");
      Files.writeString(policy, policy(allowReset), StandardCharsets.UTF_8);
      if (posix) {
        Files.setPosixFilePermissions(jarFile, PosixFilePermissions.fromString("rw-------"));
        Files.setPosixFilePermissions(policy, PosixFilePermissions.fromString("rw-------"));
      }
      jarFile.toFile().deleteOnExit();
      policy.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();

      loader = new URLClassLoader("rainbarrel-jolokia", new URL[] {jarFile.toUri().toURL()},
          ClassLoader.getPlatformClassLoader());
      Map<String, String> config = new LinkedHashMap<>();
      config.put("host", address.getHostString());
      config.put("port", Integer.toString(address.getPort()));
      config.put("agentContext", "/jolokia");
      config.put("policyLocation", policy.toUri().toString());
      config.put("discoveryEnabled", "false");
      config.put("includeStackTrace", "false");
      config.put("serializeException", "false");
      config.put("allowErrorDetails", "false");
      config.put("debug", "false");
      config.put("executor", "fixed");
      config.put("threadNr", "2");
      config.put("threadNamePrefix", EndpointServer.THREAD_PREFIX + "-jolokia-");
      // Jolokia 2 registers its own MBeans as jolokia:type=...,agent=<agentId>: a distinct id keeps
      // them apart from an application's own Jolokia
      config.put("agentId", "rainbarrel-" + ProcessHandle.current().pid());
      Class<?> configClass = loader.loadClass("org.jolokia.jvmagent.JolokiaServerConfig");
      Object cfg = configClass.getConstructor(Map.class).newInstance(config);
      Class<?> logClass = loader.loadClass("org.jolokia.server.core.service.api.LogHandler");
      Object log = Proxy.newProxyInstance(loader, new Class<?>[] {logClass}, (p, m, args) -> {
        switch (m.getName()) {
          case "isDebug":
            return false;
          case "error":
            System.err.println("rainbarrel: jolokia: " + args[0]
                + (args.length > 1 && args[1] != null ? ": " + args[1] : ""));
            return null;
          case "toString":
            return "rainbarrel-jolokia-log";
          case "hashCode":
            return System.identityHashCode(p);
          case "equals":
            return p == args[0];
          default:
            return null;
        }
      });
      Class<?> serverClass = loader.loadClass("org.jolokia.jvmagent.JolokiaServer");
      Constructor<?> ctor = serverClass.getConstructor(configClass, logClass);
      Object server = ctor.newInstance(cfg, log);
      startOnDaemonThread(serverClass.getMethod("start"), server);
      String url = (String) serverClass.getMethod("getUrl").invoke(server);
      InetSocketAddress bound = (InetSocketAddress) serverClass.getMethod("getAddress").invoke(server);
      return new EmbeddedJolokia(server, loader, dir, url, bound);
    } catch (IOException e) {
      cleanup(loader, dir);
      throw new IOException("cannot start Jolokia on " + address + ": " + e.getMessage(), e);
    } catch (ReflectiveOperationException | RuntimeException e) {
      cleanup(loader, dir);
      Throwable cause = e instanceof InvocationTargetException ite && ite.getCause() != null ? ite.getCause() : e;
      throw new IOException("cannot start Jolokia on " + address + ": " + cause, cause);
    }
  }

  // Like EndpointServer: HttpServer.start() makes its dispatcher inherit the caller's daemon status.
  private static void startOnDaemonThread(Method start, Object server) throws ReflectiveOperationException {
    ThreadGroup group = new ThreadGroup(EndpointServer.THREAD_PREFIX + "-jolokia");
    Throwable[] failure = new Throwable[1];
    Thread[] found = new Thread[16];
    int[] n = new int[1];
    Thread starter = new Thread(group, () -> {
      try {
        start.invoke(server);
        n[0] = group.enumerate(found);
      } catch (Throwable t) {
        failure[0] = t;
      }
    }, EndpointServer.THREAD_PREFIX + "-jolokia-start");
    starter.setDaemon(true);
    starter.start();
    try {
      starter.join(30_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (failure[0] instanceof ReflectiveOperationException r) {
      throw r;
    }
    if (failure[0] != null) {
      throw new IllegalStateException(failure[0].toString(), failure[0]);
    }
    if (starter.isAlive()) {
      throw new IllegalStateException("Jolokia did not start within 30 s");
    }
    for (int i = 0; i < n[0]; i++) {
      Thread t = found[i];
      if (t != null && t != starter && !t.getName().startsWith(EndpointServer.THREAD_PREFIX)) {
        t.setName(EndpointServer.THREAD_PREFIX + "-jolokia-dispatcher");
      }
    }
  }

  private static void cleanup(URLClassLoader loader, Path dir) {
    try {
      if (loader != null) {
        loader.close();
      }
    } catch (IOException ignored) {
      // best effort
    }
    if (dir != null) {
      for (String f : new String[] {"jolokia-agent.jar", "jolokia-access.xml", ""}) {
        try {
          Files.deleteIfExists(f.isEmpty() ? dir : dir.resolve(f));
        } catch (IOException ignored) {
          // deleteOnExit remains
        }
      }
    }
  }

  /** Jolokia's base URL, e.g. {@code http://127.0.0.1:8778/jolokia/}. */
  public String url() {
    return url;
  }

  /** The bound address. */
  public InetSocketAddress address() {
    return address;
  }

  /** Stops Jolokia and removes its temporary files. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      server.getClass().getMethod("stop").invoke(server);
    } catch (ReflectiveOperationException | RuntimeException e) {
      System.err.println("rainbarrel: jolokia: stop failed: " + e);
    }
    cleanup(loader, dir);
  }
}
