package dev.rainbarrel.cli;

import dev.rainbarrel.shm.Attachment;
import dev.rainbarrel.shm.Barrel;
import dev.rainbarrel.shm.SecureFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code list [--json] [--dir DIR]}: the local JVMs and files with rainbarrel data. */
@Command(name = "list", mixinStandardHelpOptions = true,
    description = "List local JVMs and files with rainbarrel data: pid, alive, file, main class.")
final class ListCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Option(names = "--json", description = "print one JSON object")
  boolean json;

  @Option(names = "--dir", paramLabel = "DIR", description = "directory to scan (default: ${DEFAULT-VALUE})")
  Path dir = SecureFiles.defaultDirectory();

  /** One row: a process attached to a file (or the file's creator when none is attached). */
  record Row(long pid, boolean alive, String file, String mainClass, String problem) {}

  @Override
  public Integer call() throws IOException {
    List<Row> rows = new ArrayList<>();
    if (Files.isDirectory(dir)) {
      Map<String, Path> files = new TreeMap<>();
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, "*.barrel")) {
        for (Path p : ds) {
          files.put(p.getFileName().toString(), p);
        }
      }
      for (Path p : files.values()) {
        rows.addAll(rowsOf(p));
      }
    }
    PrintWriter out = spec.commandLine().getOut();
    if (json) {
      List<Object> list = new ArrayList<>();
      for (Row r : rows) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("pid", r.pid());
        m.put("alive", r.alive());
        m.put("file", r.file());
        m.put("main_class", r.mainClass());
        if (r.problem() != null) {
          m.put("problem", r.problem());
        }
        list.add(m);
      }
      Map<String, Object> o = new LinkedHashMap<>();
      o.put("dir", dir.toString());
      o.put("processes", list);
      out.println(Json.write(o));
    } else {
      out.printf("%-8s %-5s %-40s %s%n", "PID", "ALIVE", "MAIN", "FILE");
      for (Row r : rows) {
        out.printf("%-8d %-5s %-40s %s%s%n", r.pid(), r.alive() ? "yes" : "no", r.mainClass(), r.file(),
            r.problem() == null ? "" : "  (" + r.problem() + ")");
      }
    }
    out.flush();
    return 0;
  }

  private static List<Row> rowsOf(Path file) {
    List<Row> rows = new ArrayList<>();
    String name = file.getFileName().toString();
    String stem = name.substring(0, name.length() - ".barrel".length());
    long filePid = stem.chars().allMatch(Character::isDigit) && !stem.isEmpty() ? Long.parseLong(stem) : -1;
    try (Barrel b = Barrel.openReadOnly(file)) {
      for (Attachment a : b.attachments()) {
        rows.add(new Row(a.pid(), a.alive(), file.toString(), a.description(), null));
      }
      if (rows.isEmpty()) {
        long pid = filePid > 0 ? filePid : b.creatorPid();
        rows.add(new Row(pid, ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false),
            file.toString(), "", null));
      }
    } catch (IOException | RuntimeException e) {
      rows.add(new Row(filePid, filePid > 0 && ProcessHandle.of(filePid).map(ProcessHandle::isAlive).orElse(false),
          file.toString(), "", e.getMessage()));
    }
    return rows;
  }
}
