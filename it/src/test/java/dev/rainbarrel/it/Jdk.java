package dev.rainbarrel.it;

import java.nio.file.Files;
import java.nio.file.Path;

/** The JDKs the child servers run on (paths from failsafe's system properties). */
public enum Jdk {
  JDK17("rainbarrel.it.jdk17", "/usr/lib/jvm/java-17-openjdk-amd64/bin/java"),
  JDK25("rainbarrel.it.jdk25", "/usr/lib/jvm/temurin-25-jdk-amd64/bin/java");

  private final String property;
  private final String fallback;

  Jdk(String property, String fallback) {
    this.property = property;
    this.fallback = fallback;
  }

  /** The {@code java} executable; fails clearly when it is missing. */
  public Path java() {
    Path p = Path.of(System.getProperty(property, fallback));
    if (!Files.isExecutable(p)) {
      throw new IllegalStateException(this + ": no java executable at " + p + " (set -D" + property + ")");
    }
    return p;
  }
}
