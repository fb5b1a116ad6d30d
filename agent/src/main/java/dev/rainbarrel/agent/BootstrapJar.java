package dev.rainbarrel.agent;

import dev.rainbarrel.agent.instrumentation.Instrumentations;
import java.io.IOException;
import java.io.InputStream;
import java.lang.instrument.Instrumentation;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

/**
 * Puts the bridge package ({@code dev.rainbarrel.bootstrap}: a handful of small classes, nothing
 * shaded, no dependencies) on the bootstrap class path, so that advice in any class loader can
 * call it, together with the advice classes of the hooks in JDK classes ({@code java.base}, {@code
 * jdk.httpserver}), which can only find classes there.
 *
 * <p>The jar is built with the agent ({@link #NESTED_JAR}) and copied from the agent jar into a
 * private temporary file (directory 0700) which is appended with {@link Instrumentation#appendToBootstrapClassLoaderSearch}
 * and removed right after, once the JVM holds it open (see {@link #unlink}).
 * A second load of the agent finds the bridge already there and appends nothing.
 */
final class BootstrapJar {

  static final String PACKAGE_PATH = "dev/rainbarrel/bootstrap/";
  static final String BRIDGE = "dev.rainbarrel.bootstrap.Bridge";

  private BootstrapJar() {}

  static void install(Instrumentation inst) throws IOException {
    if (onBootstrap()) {
      return;
    }
    Path jar = write();
    try {
      inst.appendToBootstrapClassLoaderSearch(new JarFile(jar.toFile()));
      if (!onBootstrap()) {
        throw new IOException("bridge classes not visible on the bootstrap class path after adding " + jar);
      }
    } finally {
      unlink(jar);
    }
  }

  /**
   * Removes the jar and its directory as soon as the JVM has them open. In the live phase
   * (premain and agentmain alike) HotSpot opens an appended jar at once and reads its classes
   * through that descriptor, never by name again (JVMTI {@code AddToBootstrapClassLoaderSearch}),
   * so the bridge classes still load later, and a JVM killed with SIGKILL leaves nothing behind in
   * {@code java.io.tmpdir}. If the removal fails, the delete-at-exit registered by {@link #write}
   * remains.
   */
  private static void unlink(Path jar) {
    try {
      Files.deleteIfExists(jar);
      Files.deleteIfExists(jar.getParent());
    } catch (IOException | RuntimeException e) {
      // left to the delete-at-exit
    }
  }

  static boolean onBootstrap() {
    try {
      Class.forName(BRIDGE, false, null);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /** The bridge jar inside the agent jar (built by the agent module's {@code bridge-jar} execution). */
  static final String NESTED_JAR = "META-INF/rainbarrel/bootstrap-bridge.jar";

  private static Path write() throws IOException {
    Path dir;
    try {
      dir = privateTempDirectory();
    } catch (IOException e) {
      throw new IOException("cannot create the bridge jar's directory under java.io.tmpdir ("
          + System.getProperty("java.io.tmpdir") + "): " + e, e);
    }
    Path out = dir.resolve("rainbarrel-bootstrap.jar");
    dir.toFile().deleteOnExit(); // deleted in reverse order of registration: the jar first, then its directory
    out.toFile().deleteOnExit();
    Path source = agentLocation();
    if (Files.isDirectory(source)) { // running from target/classes (unit tests): build it
      writeFromClasses(source, out);
      return out;
    }
    // through the agent's own class loader, which has the agent jar open already
    try (InputStream in = BootstrapJar.class.getClassLoader().getResourceAsStream(NESTED_JAR)) {
      if (in == null) {
        throw new IOException("no " + NESTED_JAR + " in " + source);
      }
      Files.copy(in, out, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    return out;
  }

  /**
   * What the {@code bridge-jar} execution packs, from a class directory: the bridge package and
   * the advice classes of the JDK hooks ({@link Instrumentations#JDK_ADVICE}).
   */
  private static void writeFromClasses(Path classes, Path out) throws IOException {
    int count = 0;
    try (JarOutputStream jar = new JarOutputStream(Files.newOutputStream(out));
        Stream<Path> files = Files.walk(classes)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        String name = classes.relativize(f).toString().replace(java.io.File.separatorChar, '/');
        if (wanted(name)) {
          jar.putNextEntry(new JarEntry(name));
          Files.copy(f, jar);
          jar.closeEntry();
          count += name.startsWith(PACKAGE_PATH) ? 1 : 0;
        }
      }
    }
    if (count == 0) {
      throw new IOException("no bridge classes (" + PACKAGE_PATH + ") found in " + classes);
    }
  }

  static boolean wanted(String entry) {
    if (!entry.endsWith(".class")) {
      return false;
    }
    if (entry.startsWith(PACKAGE_PATH) && entry.indexOf('/', PACKAGE_PATH.length()) < 0) {
      return true;
    }
    for (String prefix : Instrumentations.JDK_ADVICE) {
      if (entry.startsWith(prefix + "$") || entry.equals(prefix + ".class")) {
        return true;
      }
    }
    return false;
  }

  /**
   * A new directory (0700) under {@code java.io.tmpdir}. The name is made of the pid and the clock,
   * not of {@code Files.createTempDirectory}'s {@code SecureRandom}: seeding that loads the security
   * providers, a noticeable part of premain. Creating a directory is exclusive (it fails on anything
   * that exists, a symbolic link included), so a guessable name cannot be hijacked, only taken: then
   * the next name is tried, and after a few the random one.
   */
  private static Path privateTempDirectory() throws IOException {
    java.nio.file.attribute.FileAttribute<?> owner =
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
    Path tmp = Path.of(System.getProperty("java.io.tmpdir"));
    long pid = ProcessHandle.current().pid();
    for (int i = 0; i < 5; i++) {
      Path dir = tmp.resolve("rainbarrel-bootstrap-" + pid + "-" + Long.toHexString(System.nanoTime()));
      try {
        return Files.createDirectory(dir, owner);
      } catch (java.nio.file.FileAlreadyExistsException taken) {
        // someone has that name: try the next one
      }
    }
    return Files.createTempDirectory("rainbarrel-bootstrap", owner);
  }

  private static Path agentLocation() throws IOException {
    CodeSource cs = BootstrapJar.class.getProtectionDomain().getCodeSource();
    if (cs == null || cs.getLocation() == null) {
      throw new IOException("cannot locate the agent jar (no code source)");
    }
    try {
      return Path.of(cs.getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IOException("cannot locate the agent jar: " + cs.getLocation(), e);
    }
  }
}
