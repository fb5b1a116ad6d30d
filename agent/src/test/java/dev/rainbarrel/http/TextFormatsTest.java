package dev.rainbarrel.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Ruby/Rack spellings used by the Watcher pages, pinned and checked against Ruby itself. */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class TextFormatsTest {

  @Test
  void rubyFloatPinned() {
    assertEquals("2.0", TextFormats.rubyFloat(2.0));
    assertEquals("5.4", TextFormats.rubyFloat(5.4));
    assertEquals("0.1", TextFormats.rubyFloat(0.1));
    assertEquals("2.3664319132398464", TextFormats.rubyFloat(2.3664319132398464));
    assertEquals("1.0e+16", TextFormats.rubyFloat(1e16));
    assertEquals("1.0e+15", TextFormats.rubyFloat(1e15));
    assertEquals("100000000000000.0", TextFormats.rubyFloat(1e14));
    assertEquals("1234567890123456.8", TextFormats.rubyFloat(1234567890123456.7));
    assertEquals("0.0001", TextFormats.rubyFloat(1e-4));
    assertEquals("1.0e-05", TextFormats.rubyFloat(1e-5));
    assertEquals("1.5e+300", TextFormats.rubyFloat(1.5e300));
    assertEquals("NaN", TextFormats.rubyFloat(Double.NaN));
    assertEquals("0.0", TextFormats.rubyFloat(0.0));
    assertEquals("-3.25", TextFormats.rubyFloat(-3.25));
    assertEquals("12345678.9", TextFormats.rubyFloat(12345678.9));
  }

  @Test
  void rubyFloatAgreesWithRuby() throws Exception {
    ExternalTool.require("ruby", "ruby");
    Random rnd = new Random(42);
    List<Double> values = new ArrayList<>();
    for (int i = 0; i < 400; i++) {
      values.add(switch (i % 4) {
        case 0 -> rnd.nextDouble() * 100;
        case 1 -> Math.sqrt(rnd.nextInt(1_000_000)) / (1 + rnd.nextInt(50));
        case 2 -> Math.scalb(rnd.nextDouble(), rnd.nextInt(120) - 60);
        default -> (double) rnd.nextInt(1000) / (1 + rnd.nextInt(7));
      });
    }
    StringBuilder in = new StringBuilder();
    for (double v : values) {
      in.append(Long.toHexString(Double.doubleToRawLongBits(v))).append('\n');
    }
    ExternalTool.Run ruby = ExternalTool.run(List.of("ruby", "-e",
        "STDIN.each_line { |l| puts [l.strip.to_i(16)].pack('Q').unpack1('D').to_s }"),
        in.toString().getBytes(java.nio.charset.StandardCharsets.US_ASCII), 60);
    assertEquals(0, ruby.exit(), ruby.output());
    String[] lines = ruby.output().split("\n");
    assertEquals(values.size(), lines.length);
    for (int i = 0; i < lines.length; i++) {
      assertEquals(lines[i], TextFormats.rubyFloat(values.get(i)), "bits " + Double.doubleToRawLongBits(values.get(i)));
    }
  }

  @Test
  void datesAndEscapes() {
    assertEquals("Thu, 01 Jan 1970 00:00:00 GMT", TextFormats.httpDate(0));
    assertEquals("Sun, 06 Nov 1994 08:49:37 GMT", TextFormats.httpDate(784111777000L));
    assertEquals("1994-11-06T08:49:37Z", TextFormats.iso8601(784111777123L));
    assertEquals("127.0.0.1%3A8080", TextFormats.formEscape("127.0.0.1:8080"));
    assertEquals("%5B%3A%3A1%5D%3A80", TextFormats.formEscape("[::1]:80"));
    assertEquals("%2Ftmp%2Fa+b.sock", TextFormats.formEscape("/tmp/a b.sock"));
    assertEquals("/tmp/a b.sock", TextFormats.formUnescape("%2Ftmp%2Fa+b.sock"));
    assertEquals("\u00e9", TextFormats.formUnescape("%C3%A9"));
    assertThrows(IllegalArgumentException.class, () -> TextFormats.formUnescape("%zz"));
    assertEquals("&lt;a href=&#39;x&#39;&gt;&amp;&quot;", TextFormats.html("<a href='x'>&\""));
    assertEquals(12, TextFormats.rubyToI(" 12abc"));
    assertEquals(0, TextFormats.rubyToI("abc"));
    assertEquals(-3, TextFormats.rubyToI("-3"));
    assertEquals(0, TextFormats.rubyToI(null));
    assertEquals(Long.MAX_VALUE, TextFormats.rubyToI("99999999999999999999999"));
  }
}
