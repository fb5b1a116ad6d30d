package dev.rainbarrel.it;

import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

/**
 * A server whose jars clash with the test class path: its jars are in {@code
 * target/servers/<name>} (copied by the build) and its app source in {@code src/test/servers/<name>};
 * the app is compiled here against those jars only.
 */
final class IsolatedServer {

  private IsolatedServer() {}

  /** Compiles the app of {@code name} into {@code out}; returns the child's class path. */
  static String compile(String name, Path out) throws IOException {
    Path sources = Path.of(System.getProperty("rainbarrel.it.serverSources", "src/test/servers")).resolve(name);
    List<String> files;
    try (Stream<Path> s = Files.list(sources)) {
      files = s.filter(p -> p.toString().endsWith(".java")).map(Path::toString).collect(Collectors.toList());
    }
    return compile(name, files, out);
  }

  /**
   * Compiles one app of this module's test sources (e.g. {@code dev/rainbarrel/it/apps/NettyApp.java})
   * against another version of its server: the same app, another class path.
   */
  static String compileTestSource(String name, Path out, String... relativeSources) throws IOException {
    Path root = Path.of(System.getProperty("rainbarrel.it.testSources", "src/test/java"));
    List<String> files = new ArrayList<>();
    for (String r : relativeSources) {
      files.add(root.resolve(r).toString());
    }
    return compile(name, files, out);
  }

  /** Jetty 9.4's JSR 356 initializer, as {@code Jetty94WebSocket} names it in full. */
  private static final String JETTY94_JSR356_INITIALIZER =
      "org.eclipse.jetty.websocket.jsr356.server.deploy.WebSocketServerContainerInitializer";

  /**
   * The Jetty 9.4 apps compiled as they are against Jetty 9.4 under {@code tmp}: their class path.
   */
  static String jetty94ClassPath(Path tmp) throws IOException {
    return compile("jetty94", Files.createDirectories(tmp.resolve("jetty94-classes")));
  }

  /**
   * The Jetty 9.4 apps compiled against Jetty 11 under {@code tmp}: their class path. Jetty 11 kept
   * Jetty 9.4's API and only moved to the jakarta namespace ({@code jakarta.servlet}, {@code
   * jakarta.websocket}); its JSR 356 initializer kept 9.4's {@code configure} under another name.
   */
  static String jetty11ClassPath(Path tmp) throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("jetty11-classes"));
    return compileServerVariant("jetty94", "jetty11", classes, Map.of("javax.servlet", "jakarta.servlet",
        "javax.websocket", "jakarta.websocket",
        JETTY94_JSR356_INITIALIZER, "org.eclipse.jetty.websocket.jakarta.server.config.JakartaWebSocketServletContainerInitializer"),
        null);
  }

  /**
   * Compiles the app of {@code from} (under src/test/servers) against the jars of {@code name}
   * after the given source replacements (e.g. Jetty 9.4's servlet package by Jetty 12's ee8 one);
   * {@code only}: the one source file to compile, or null for all of them; {@code extra}: sources
   * under src/test/servers compiled with it as they are (e.g. {@code jetty12-ee8/X.java}).
   */
  static String compileServerVariant(String from, String name, Path out, Map<String, String> replacements,
      String only, String... extra) throws IOException {
    Path root = Path.of(System.getProperty("rainbarrel.it.serverSources", "src/test/servers"));
    Path sources = root.resolve(from);
    Path dir = Files.createDirectories(out.resolveSibling(out.getFileName() + "-src"));
    List<String> files = new ArrayList<>();
    for (String e : extra) {
      files.add(root.resolve(e).toString());
    }
    try (Stream<Path> s = Files.list(sources)) {
      for (Path p : (Iterable<Path>) s.filter(p -> p.toString().endsWith(".java"))::iterator) {
        if (only != null && !p.getFileName().toString().equals(only)) {
          continue;
        }
        Path target = dir.resolve(p.getFileName());
        String text = Files.readString(p);
        for (Map.Entry<String, String> r : replacements.entrySet()) {
          text = text.replace(r.getKey(), r.getValue());
        }
        Files.writeString(target, text);
        files.add(target.toString());
      }
    }
    return compile(name, files, out);
  }

  /**
   * Compiles apps of this module's test sources against the jars of {@code name} after replacing
   * the package prefix {@code from} by {@code to} (e.g. Jetty 12's {@code org.eclipse.jetty.ee10} by
   * {@code ee11}: the same servlet environment API in another package).
   */
  static String compileRenamed(String name, Path out, String from, String to, String... relativeSources)
      throws IOException {
    Path root = Path.of(System.getProperty("rainbarrel.it.testSources", "src/test/java"));
    Path dir = Files.createDirectories(out.resolveSibling(out.getFileName() + "-src"));
    List<String> files = new ArrayList<>();
    for (String r : relativeSources) {
      Path p = root.resolve(r);
      Path target = dir.resolve(p.getFileName());
      Files.writeString(target, Files.readString(p).replace(from, to));
      files.add(target.toString());
    }
    return compile(name, files, out);
  }

  /**
   * The Jetty 9.4 apps compiled against Jetty 10 (Jetty 10 kept 9.4's API and javax; its JSR 356
   * initializer kept 9.4's {@code configure} under another name) under {@code tmp}: their class path.
   */
  static String jetty10ClassPath(Path tmp) throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("jetty10-classes"));
    return compileServerVariant("jetty94", "jetty10", classes, Map.of(JETTY94_JSR356_INITIALIZER,
        "org.eclipse.jetty.websocket.javax.server.config.JavaxWebSocketServletContainerInitializer"), null);
  }

  /**
   * The Jetty 9.4 servlet app (javax) compiled against Jetty 12's ee8 environment under {@code tmp},
   * with its ee8 {@code /ws} endpoint: its class path. Its servlet classes come from {@code
   * org.eclipse.jetty.ee8}, its connector (and TLS switch) from Jetty 12's core, which kept those
   * names and methods.
   */
  static String jetty12Ee8ClassPath(Path tmp) throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("jetty12-ee8-classes"));
    return compileServerVariant("jetty94", "jetty12-ee8", classes, Map.of(
        "org.eclipse.jetty.servlet.", "org.eclipse.jetty.ee8.servlet.",
        "server.setHandler(context);", "server.setHandler(context.get()); // an ee8 context supplies its core handler"),
        "Jetty94App.java", "jetty12-ee8/Jetty12Ee8WebSocket.java");
  }

  /**
   * The ee10 app, servlet and JSR 356 {@code /ws} endpoint compiled against Jetty 12's ee11
   * environment under {@code tmp}: its class path.
   */
  static String jetty12Ee11ClassPath(Path tmp) throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("jetty12-ee11-classes"));
    return compileRenamed("jetty12-ee11", classes, "org.eclipse.jetty.ee10", "org.eclipse.jetty.ee11",
        "dev/rainbarrel/it/apps/Jetty12App.java", "dev/rainbarrel/it/apps/TestServlet.java",
        "dev/rainbarrel/it/apps/Gate.java", "dev/rainbarrel/it/apps/VirtualThreadsOption.java",
        "dev/rainbarrel/it/apps/TlsKeystore.java", "dev/rainbarrel/it/apps/Jetty12WebSocket.java",
        "dev/rainbarrel/it/apps/EchoEndpoint.java");
  }

  /** The Tomcat app's sources ({@code TomcatApp}, its servlet and WebSocket), for the releases compiled by the test. */
  private static final String[] TOMCAT_APP_SOURCES = {"dev/rainbarrel/it/apps/TomcatApp.java",
      "dev/rainbarrel/it/apps/TestServlet.java", "dev/rainbarrel/it/apps/Gate.java",
      "dev/rainbarrel/it/apps/TomcatWebSocket.java", "dev/rainbarrel/it/apps/EchoEndpoint.java"};

  /**
   * The Tomcat app compiled against Tomcat 9 under {@code tmp}: its class path. {@code jakarta.servlet}
   * and {@code jakarta.websocket} both become {@code javax.*} there; the rest of the embedding API
   * (connector, TLS host config) kept its names.
   */
  static String tomcat9ClassPath(Path tmp) throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("tomcat9-classes"));
    return compileRenamed("tomcat9", classes, "jakarta.", "javax.", TOMCAT_APP_SOURCES);
  }

  /** The Tomcat app compiled against Tomcat 11 under {@code tmp}: its class path. */
  static String tomcat11ClassPath(Path tmp) throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("tomcat11-classes"));
    return compileTestSource("tomcat11", classes, TOMCAT_APP_SOURCES);
  }

  /** The Netty apps (HTTP/1.1 and h2c) compiled against Netty 4.2 under {@code tmp}: their class path. */
  static String netty42ClassPath(Path tmp) throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("netty42-classes"));
    return compileTestSource("netty42", classes, "dev/rainbarrel/it/apps/NettyApp.java",
        "dev/rainbarrel/it/apps/NettyH2cApp.java", "dev/rainbarrel/it/apps/TlsKeystore.java",
        "dev/rainbarrel/it/apps/NettyTls.java");
  }

  /**
   * The Netty HTTP/1.1 app compiled against Netty 4.2 with its io_uring transport ({@code
   * target/servers/netty42-iouring}, its own Netty version) under {@code tmp}: its class path.
   */
  static String netty42IoUringClassPath(Path tmp) throws IOException {
    Path classes = Files.createDirectories(tmp.resolve("netty42-iouring-classes"));
    return compileTestSource("netty42-iouring", classes, "dev/rainbarrel/it/apps/NettyApp.java",
        "dev/rainbarrel/it/apps/TlsKeystore.java", "dev/rainbarrel/it/apps/NettyTls.java");
  }

  /**
   * {@code classPath} with netty-tcnative (its classes and BoringSSL for Linux x86_64, {@code
   * target/servers/tcnative}) after it: Netty's OpenSSL engine becomes available to that Netty.
   */
  static String withTcnative(String classPath) throws IOException {
    return withServerJars(classPath, "tcnative");
  }

  /** {@code classPath} with the jars of {@code target/servers/<name>} after it. */
  static String withServerJars(String classPath, String name) throws IOException {
    return classPath + java.io.File.pathSeparator + String.join(java.io.File.pathSeparator, jars(name));
  }

  /** The jars the build copied to {@code target/servers/<name>}, sorted; fails if there are none. */
  private static List<String> jars(String name) throws IOException {
    Path jars = Path.of(System.getProperty("rainbarrel.it.servers", "target/servers")).resolve(name);
    List<String> cp = new ArrayList<>();
    try (Stream<Path> s = Files.list(jars)) {
      s.filter(p -> p.toString().endsWith(".jar")).sorted().forEach(p -> cp.add(p.toAbsolutePath().toString()));
    }
    if (cp.isEmpty()) {
      throw new IllegalStateException("no jars in " + jars.toAbsolutePath() + " (run through mvn verify)");
    }
    return cp;
  }

  /** Compiled with every app: its {@code /slot} route ({@link dev.rainbarrel.it.apps.TrackingKey}). */
  private static final String TRACKING_KEY = "dev/rainbarrel/it/apps/TrackingKey.java";

  private static String compile(String name, List<String> files, Path out) throws IOException {
    Path sources = Path.of(files.get(0)).getParent();
    List<String> cp = jars(name);
    files = new ArrayList<>(files);
    String trackingKey = Path.of(System.getProperty("rainbarrel.it.testSources", "src/test/java")).resolve(TRACKING_KEY).toString();
    if (!files.contains(trackingKey)) {
      files.add(trackingKey);
    }
    JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
    List<String> args = new ArrayList<>(List.of("--release", "17", "-nowarn", "-d", out.toString(),
        "-cp", String.join(java.io.File.pathSeparator, cp)));
    args.addAll(files);
    StringWriter err = new StringWriter();
    int rc = javac.run(null, null, new java.io.PrintStream(new java.io.ByteArrayOutputStream()) {
      @Override
      public void write(byte[] b, int off, int len) {
        err.write(new String(b, off, len));
      }
    }, args.toArray(new String[0]));
    if (rc != 0) {
      throw new IllegalStateException("compiling " + sources + " failed: " + err);
    }
    cp.add(0, out.toAbsolutePath().toString());
    return String.join(java.io.File.pathSeparator, cp);
  }
}
