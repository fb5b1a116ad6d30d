package dev.rainbarrel.shm;

import dev.rainbarrel.alloc.NumberAllocator;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/** Main class of the child JVMs in the multi-process tests. Prints "ready"/"done" markers. */
public final class BarrelChild {
  public static void main(String[] args) throws Exception {
    Path file = Path.of(args[1]);
    switch (args[0]) {
      case "increment" -> {
        int threads = Integer.parseInt(args[3]);
        int count = Integer.parseInt(args[4]);
        boolean balanced = args.length > 5 && args[5].equals("balanced");
        try (Barrel b = Barrel.open(file)) {
          Counter c = b.counter(args[2]);
          System.out.println("ready");
          List<Thread> ts = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            Thread th = new Thread(() -> {
              for (int i = 0; i < count; i++) {
                if (balanced) {
                  c.add(i % 7 + 1);
                  c.add(-(i % 7 + 1));
                } else {
                  c.increment();
                }
              }
            });
            th.start();
            ts.add(th);
          }
          for (Thread th : ts) {
            th.join();
          }
        }
        System.out.println("done");
      }
      case "register" -> {
        int id = Integer.parseInt(args[2]);
        try (Barrel b = Barrel.open(file)) {
          for (int i = 0; i < 50; i++) {
            b.counter("shared-" + i).increment();
            b.counter("own-" + id + "-" + i).increment();
          }
        }
        System.out.println("done");
      }
      case "hold" -> {
        Path numbers = Path.of(args[2]);
        Barrel b = Barrel.open(file);
        b.gauge("calling").add(5);
        b.gauge("writing").add(2);
        b.counter("requests").add(7);
        try (FileChannel ch = FileChannel.open(numbers, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_WRITE, 0, ch.size());
          NumberAllocator a = NumberAllocator.wrap(buf, 0);
          for (int i = 0; i < 10; i++) {
            System.out.println("number " + a.allocate());
          }
        }
        System.out.println("ready");
        Thread.sleep(120_000); // until killed
      }
      case "keep" -> { // keep <file or directory>: a directory means <dir>/<own pid>.barrel
        Path f = java.nio.file.Files.isDirectory(file) ? file.resolve(ProcessHandle.current().pid() + ".barrel") : file;
        Barrel b = Barrel.open(f);
        b.counter("requests").add(3);
        System.out.println("ready " + f);
        Thread.sleep(120_000); // until killed
      }
      case "cells" -> { // cells <file> <threads> <count>: rows leased, then held until killed
        int threads = Integer.parseInt(args[2]);
        int count = Integer.parseInt(args[3]);
        Barrel b = Barrel.open(file);
        ThreadCells cells = ThreadCells.create(b, List.of("requests"), List.of("calling"), "request_duration");
        java.util.concurrent.CyclicBarrier together = new java.util.concurrent.CyclicBarrier(threads);
        List<Thread> ts = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
          Thread th = new Thread(() -> {
            ThreadCells.Row row = cells.row();
            try {
              together.await(); // every thread holds its row at once: one row each
            } catch (Exception e) {
              throw new IllegalStateException(e);
            }
            for (int i = 0; i < count; i++) {
              row.add(0, 1);
              row.record(i);
            }
            row.add(1, 1); // one request left in flight per thread
          });
          th.start();
          ts.add(th);
        }
        for (Thread th : ts) {
          th.join();
        }
        System.out.println("ready");
        Thread.sleep(120_000); // until killed
      }
      case "lockstructure" -> { // holds the file's structural lock, as a process stopped mid-registration would
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
            java.nio.channels.FileLock held = ch.lock(0, LivenessLock.POSITION, false)) {
          System.out.println("ready");
          Thread.sleep(120_000); // until killed
        }
      }
      case "sweep" -> System.out.println("removed " + StaleBarrels.sweep(file));
      case "ghost" -> { // the creator and every attached process of the file look dead from now on
        long ghost = ProcessIdentity.pack(999_999_999L, 1);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
          MappedByteBuffer h = ch.map(FileChannel.MapMode.READ_WRITE, 0, BarrelLayout.HEADER_LENGTH);
          h.order(java.nio.ByteOrder.LITTLE_ENDIAN);
          h.putLong(BarrelLayout.H_CREATOR, ghost);
          for (int i = 0; i < BarrelLayout.ATTACH_ENTRIES; i++) {
            int at = BarrelLayout.ATTACH_OFFSET + i * BarrelLayout.ATTACH_ENTRY_LENGTH;
            if (h.getLong(at) != 0) {
              h.putLong(at, ghost);
            }
          }
        }
        System.out.println("done");
      }
      case "set" -> {
        try (Barrel b = Barrel.open(file)) {
          b.counter(args[2]).add(Long.parseLong(args[3]));
        }
        System.out.println("done");
      }
      default -> throw new IllegalArgumentException(args[0]);
    }
  }
}
