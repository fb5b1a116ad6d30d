package dev.rainbarrel.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rainbarrel.stats.SampleAggregate;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The Watcher page headers and body against the reference: Debian's ruby-raindrops
 * {@code Raindrops::Watcher#agg_to_hash} over the {@code aggregate} gem (ruby-aggregate) fed the
 * same samples. Peak times are given the same instants on both sides (all samples at the reset
 * time), so every header must match; the standard deviation is compared to 1e-12 relative because
 * the gem's sum-of-squares formula and our Welford update may differ in the last bit.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class WatcherDifferentialTest {
  private static final String RUBY = "require 'aggregate'\nrequire 'raindrops'\nrequire 'rack'\n"
      + "require 'raindrops/watcher'\n"
      + "w = Raindrops::Watcher.new(:listeners => ['127.0.0.1:1'])\n"
      + "STDIN.each_line do |line|\n"
      + "  f = line.split.map(&:to_i)\n"
      + "  at = Time.at(f[0]).utc\n"
      + "  agg = Aggregate.new\n"
      + "  f[2..-1].each { |x| agg << x }\n"
      + "  h = w.agg_to_hash(at, agg, f[1], Raindrops::Watcher::Peak.new(at, at))\n"
      + "  h.each { |k, v| puts \"#{k}: #{v}\" }\n"
      + "  puts agg.to_s\n"
      + "  puts '=='\n"
      + "end\n";

  @Test
  void headersAndBodyMatchRaindropsWatcher() throws Exception {
    ExternalTool.require("ruby", "ruby-raindrops");
    ExternalTool.Run libs = ExternalTool.run(List.of("ruby", "-e", "require 'aggregate'; require 'rack'"), null, 60);
    if (libs.exit() != 0) {
      ExternalTool.require("ruby-aggregate-and-ruby-rack-libraries", "ruby-aggregate and ruby-rack");
    }
    Random rnd = new Random(7);
    List<long[]> series = new ArrayList<>();
    series.add(new long[0]);
    series.add(new long[] {0});
    series.add(new long[] {5});
    series.add(new long[] {0, 0, 0});
    for (int i = 0; i < 60; i++) {
      long[] s = new long[1 + rnd.nextInt(60)];
      int scale = 1 + rnd.nextInt(i % 3 == 0 ? 10 : 100_000);
      for (int j = 0; j < s.length; j++) {
        s[j] = rnd.nextInt(4) == 0 ? 0 : rnd.nextInt(scale);
      }
      series.add(s);
    }
    long resetSeconds = 1_795_000_000L;
    StringBuilder in = new StringBuilder();
    for (long[] s : series) {
      long current = s.length == 0 ? 0 : s[s.length - 1];
      in.append(resetSeconds).append(' ').append(current);
      for (long v : s) {
        in.append(' ').append(v);
      }
      in.append('\n');
    }
    ExternalTool.Run ruby = ExternalTool.run(List.of("ruby", "-e", RUBY), in.toString().getBytes(StandardCharsets.US_ASCII), 60);
    assertEquals(0, ruby.exit(), ruby.output());
    String[] blocks = ruby.output().split("==\n", -1);
    assertTrue(blocks.length >= series.size(), ruby.output());
    for (int i = 0; i < series.size(); i++) {
      SampleAggregate agg = new SampleAggregate(resetSeconds * 1000);
      for (long v : series.get(i)) {
        agg.add(v, resetSeconds * 1000);
      }
      Map<String, String> ours = WatcherPages.statHeaders(agg.snapshot());
      String[] lines = blocks[i].split("\n");
      int n = 0;
      for (Map.Entry<String, String> h : ours.entrySet()) {
        String theirs = lines[n++];
        String label = "series " + i + " " + java.util.Arrays.toString(series.get(i));
        if (h.getKey().equals("X-Std-Dev") && !h.getValue().equals("NaN")) {
          assertTrue(theirs.startsWith("X-Std-Dev: "), theirs);
          double t = Double.parseDouble(theirs.substring(11));
          double o = Double.parseDouble(h.getValue());
          assertEquals(t, o, Math.max(1e-12 * Math.abs(t), 1e-12), label);
        } else {
          assertEquals(theirs, h.getKey() + ": " + h.getValue(), label);
        }
      }
      String body = String.join("\n", java.util.Arrays.copyOfRange(lines, n, lines.length));
      assertEquals(body, agg.snapshot().toText().stripTrailing(), "body of series " + i);
    }
  }
}
