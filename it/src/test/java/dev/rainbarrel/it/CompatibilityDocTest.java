package dev.rainbarrel.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Keeps docs/COMPATIBILITY.md in step with the integration tests (a unit test, run by surefire,
 * so it needs no server): every test it names exists, every server row test of {@link
 * #MATRIX_CLASSES} is named there, and a row ticked for both JDKs names only tests that run on
 * both. A test renamed, removed or added without its row fails here instead of leaving the
 * published matrix wrong.
 */
class CompatibilityDocTest {

  /** The classes whose every test is a row (or part of a row) of the matrix. */
  private static final List<Class<?>> MATRIX_CLASSES = List.of(ServersIT.class, TlsIT.class, Http2IT.class);

  /** {@code ServersIT.jetty12}, also {@code ServersIT.springBoot3{Tomcat,Jetty}AfterAttach}. */
  private static final Pattern REFERENCE = Pattern.compile("\\b([A-Z][A-Za-z0-9]*IT)\\.([a-z][A-Za-z0-9{},]*)");

  private static final Path DOC = Path.of("..", "docs", "COMPATIBILITY.md");

  /** A test the document names. */
  private record Reference(String className, String method) {}

  @Test
  void everyTestTheDocumentNamesExists() throws IOException {
    List<Reference> refs = references();
    assertTrue(refs.size() >= MATRIX_CLASSES.size(), "no test names found in " + DOC + ": " + refs);
    List<String> unknown = new ArrayList<>();
    for (Reference r : refs) {
      if (testMethod(r.className(), r.method()) == null) {
        unknown.add(r.className() + "." + r.method());
      }
    }
    assertEquals(List.of(), unknown, DOC + " names tests that do not exist (renamed or removed?)");
  }

  @Test
  void everyMatrixTestIsInTheDocument() throws IOException {
    Set<String> named = new TreeSet<>();
    for (Reference r : references()) {
      named.add(r.className() + "." + r.method());
    }
    Set<String> missing = new TreeSet<>();
    for (Class<?> c : MATRIX_CLASSES) {
      for (Method m : c.getDeclaredMethods()) {
        if (isTest(m) && !named.contains(c.getSimpleName() + "." + m.getName())) {
          missing.add(c.getSimpleName() + "." + m.getName());
        }
      }
    }
    assertEquals(Set.of(), missing, "tests with no row in " + DOC);
  }

  @Test
  void aRowTickedForBothJdksRunsOnBoth() throws IOException {
    List<String> wrong = new ArrayList<>();
    int checked = 0;
    List<String> header = null;
    for (String line : Files.readAllLines(DOC)) {
      if (!line.startsWith("|")) {
        header = null;
        continue;
      }
      List<String> cells = cells(line);
      if (header == null) {
        header = cells;
        continue;
      }
      int jdk17 = header.indexOf("JDK 17");
      int jdk25 = header.indexOf("JDK 25");
      if (jdk17 < 0 || jdk25 < 0 || cells.size() <= Math.max(jdk17, jdk25)
          || !cells.get(jdk17).startsWith("✓") || !cells.get(jdk25).startsWith("✓")) {
        continue;
      }
      for (Reference r : referencesIn(line)) {
        Method m = testMethod(r.className(), r.method());
        checked++;
        if (m == null || !runsOnEveryJdk(m)) {
          wrong.add(r.className() + "." + r.method() + " in the row " + cells.get(0));
        }
      }
    }
    assertTrue(checked > 20, "too few rows ticked for both JDKs were found in " + DOC + ": " + checked);
    assertEquals(List.of(), wrong, "rows ticked for JDK 17 and 25 whose test is not parameterized over every Jdk");
  }

  @Test
  void bracesExpandToEachName() {
    List<Reference> refs = referencesIn("| x | `ServersIT.springBoot3{Tomcat,Jetty}AfterAttach`, `TlsIT.jetty12` |");
    List<String> names = new ArrayList<>();
    for (Reference r : refs) {
      names.add(r.className() + "." + r.method());
    }
    assertEquals(List.of("ServersIT.springBoot3TomcatAfterAttach", "ServersIT.springBoot3JettyAfterAttach",
        "TlsIT.jetty12"), names);
    assertFalse(runsOnEveryJdk(testMethod("CompatibilityDocTest", "bracesExpandToEachName")));
  }

  private static List<Reference> references() throws IOException {
    List<Reference> all = new ArrayList<>();
    for (String line : Files.readAllLines(DOC)) {
      if (line.startsWith("|")) {
        all.addAll(referencesIn(line));
      }
    }
    return all;
  }

  private static List<Reference> referencesIn(String line) {
    List<Reference> refs = new ArrayList<>();
    Matcher m = REFERENCE.matcher(line);
    while (m.find()) {
      for (String method : expand(m.group(2))) {
        refs.add(new Reference(m.group(1), method));
      }
    }
    return refs;
  }

  /** {@code a{B,C}d} → {@code aBd}, {@code aCd} (any number of groups, not nested). */
  private static Set<String> expand(String name) {
    int open = name.indexOf('{');
    int close = name.indexOf('}', open + 1);
    Set<String> out = new LinkedHashSet<>();
    if (open < 0 || close < 0) {
      out.add(name.replace("{", "").replace("}", "").replace(",", ""));
      return out;
    }
    for (String alt : name.substring(open + 1, close).split(",")) {
      out.addAll(expand(name.substring(0, open) + alt + name.substring(close + 1)));
    }
    return out;
  }

  private static List<String> cells(String line) {
    String s = line.strip();
    s = s.substring(1, s.endsWith("|") ? s.length() - 1 : s.length());
    List<String> cells = new ArrayList<>();
    for (String c : s.split("\\|", -1)) {
      cells.add(c.strip());
    }
    return cells;
  }

  /** The test method {@code name} of {@code dev.rainbarrel.it.<className>}, or null. */
  private static Method testMethod(String className, String name) {
    Class<?> c;
    try {
      c = Class.forName(CompatibilityDocTest.class.getPackageName() + "." + className);
    } catch (ClassNotFoundException e) {
      return null;
    }
    for (Method m : c.getDeclaredMethods()) {
      if (m.getName().equals(name) && isTest(m)) {
        return m;
      }
    }
    return null;
  }

  private static boolean isTest(Method m) {
    return m.isAnnotationPresent(Test.class) || m.isAnnotationPresent(ParameterizedTest.class);
  }

  /** Parameterized over every {@link Jdk}: {@code @EnumSource(Jdk.class)} with no name filter. */
  private static boolean runsOnEveryJdk(Method m) {
    EnumSource source = m.getAnnotation(EnumSource.class);
    return m.isAnnotationPresent(ParameterizedTest.class) && source != null && source.value() == Jdk.class
        && source.names().length == 0 && m.getParameterCount() == 1 && m.getParameterTypes()[0] == Jdk.class;
  }
}
