package dev.rainbarrel.it.apps;

import dev.rainbarrel.arena.Arena;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Path;

/**
 * Opens two arenas as an application would and idles up to 60 s: one with the rainbarrel-core of
 * the class path ({@code arena:<file name of -Dallocator.app.arena>}, two allocations), and one named {@code
 * webapp-arena} with its own copy of core loaded child-first, as a servlet container's web
 * application loader would (one allocation of 3000 bytes). Prints {@code PORT 0} when both are open.
 */
public final class AllocatorApp {

  public static void main(String[] args) throws Exception {
    Arena direct = Arena.open(Path.of(System.getProperty("allocator.app.arena")),
        Arena.Options.defaults().capacity(1 << 16));
    direct.allocate(100);
    direct.allocate(100);

    URL core = Arena.class.getProtectionDomain().getCodeSource().getLocation();
    ClassLoader webapp = new URLClassLoader(new URL[] {core}, AllocatorApp.class.getClassLoader()) {
      @Override
      protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        if (!name.startsWith("dev.rainbarrel.")) {
          return super.loadClass(name, resolve);
        }
        synchronized (getClassLoadingLock(name)) {
          Class<?> c = findLoadedClass(name);
          if (c == null) {
            try {
              c = findClass(name);
            } catch (ClassNotFoundException e) {
              c = super.loadClass(name, false);
            }
          }
          return c;
        }
      }
    };
    Class<?> arena = Class.forName("dev.rainbarrel.arena.Arena", true, webapp);
    if (arena == Arena.class) {
      throw new IllegalStateException("the web application loader did not load its own core");
    }
    Class<?> options = Class.forName("dev.rainbarrel.arena.Arena$Options", true, webapp);
    Object o = options.getMethod("defaults").invoke(null);
    o = options.getMethod("capacity", long.class).invoke(o, 1L << 16);
    o = options.getMethod("name", String.class).invoke(o, "webapp-arena");
    Object a = arena.getMethod("anonymous", options).invoke(null, o);
    arena.getMethod("allocate", long.class).invoke(a, 3000L);

    System.out.println("PORT 0");
    System.out.flush();
    Thread.sleep(60_000);
    direct.close();
  }
}
