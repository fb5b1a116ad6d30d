package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.FileInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * How {@link ProcNetReader} reads: each read of a {@code /proc/net/tcp*} file past its last row
 * costs the kernel a walk of its whole established hash, so the reader stops at a short read that
 * ends with a whole row (without reading again to be told the file has ended), but only when
 * that read cannot have been cut short by the kernel's page-sized buffer or a partial row; and a
 * listening-only read asks for little more than the listening section took last time.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ProcNetReaderReadsTest {

  private static final String HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr"
      + " tm->when retrnsmt   uid  timeout inode\n";

  /** One tcp row (150 bytes with its padding, as the kernel prints it) for port and state. */
  private static String row(int sl, int port, int state, long inode) {
    String s = String.format("%4d: 0100007F:%04X 00000000:0000 %02X 00000000:00000000 00:00000000"
        + " 00000000     0        0 %d 1 0000000000000000 100 0 0 10 0", sl, port, state, inode);
    return String.format("%-149s%n", s);
  }

  /** A stream that returns the given pieces, one per read (each cut to what was asked), then -1. */
  private static final class Scripted extends InputStream {
    private final List<byte[]> pieces = new ArrayList<>();
    private int next;
    private int offset;
    final List<Integer> asked = new ArrayList<>();

    Scripted(String... parts) {
      for (String p : parts) {
        pieces.add(p.getBytes(StandardCharsets.US_ASCII));
      }
    }

    @Override
    public int read() {
      throw new UnsupportedOperationException();
    }

    @Override
    public int read(byte[] b, int off, int len) {
      asked.add(len);
      if (next == pieces.size()) {
        return -1;
      }
      byte[] p = pieces.get(next);
      int n = Math.min(len, p.length - offset);
      System.arraycopy(p, offset, b, off, n);
      offset += n;
      if (offset == p.length) {
        next++;
        offset = 0;
      }
      return n;
    }
  }

  private static List<Integer> ports(ProcNetReader reader, boolean listeningOnly) throws IOException {
    List<Integer> ports = new ArrayList<>();
    ProcNetReader.TcpRowSink sink = (f, a, port, st, rq, wq, inode) -> ports.add(port);
    if (listeningOnly) {
      reader.readTcpListening(TcpTally.AF_INET, sink);
    } else {
      reader.readTcp(TcpTally.AF_INET, sink);
    }
    return ports;
  }

  @Test
  void aShortReadEndingWithAWholeRowIsTheEndOfTheFile(@TempDir Path dir) throws Exception {
    Path net = Files.createDirectories(dir.resolve("proc/net"));
    Files.writeString(net.resolve("tcp"), HEADER + row(0, 8080, 0x0A, 7001)
        + row(1, 8081, 0x0A, 7002) + row(2, 8080, 0x01, 7003), StandardCharsets.US_ASCII);
    ProcNetReader reader = new ProcNetReader(dir.toString());
    assertEquals(List.of(8080, 8081, 8080), ports(reader, false));
    assertEquals(1, reader.reads(), "no second read to be told the file has ended");
  }

  @Test
  void aShortReadEndingInsideARowIsNotTheEnd() throws Exception {
    String all = HEADER + row(0, 8080, 0x0A, 7001) + row(1, 8081, 0x0A, 7002);
    int cut = HEADER.length() + 60; // the kernel never does this, but a reader must not lose rows
    Scripted in = new Scripted(all.substring(0, cut), all.substring(cut));
    ProcNetReader reader = new ProcNetReader("", f -> in);
    assertEquals(List.of(8080, 8081), ports(reader, false));
  }

  @Test
  void aReadTheKernelsPageCutShortIsNotTheEnd() throws Exception {
    // 25 rows after the header: 3 900 bytes, what a one-page seq_file buffer returns when the
    // next row does not fit; the rest of the file comes with the next read.
    StringBuilder page = new StringBuilder(HEADER);
    List<Integer> expected = new ArrayList<>();
    for (int i = 0; i < 25; i++) {
      page.append(row(i, 9000 + i, 0x01, 8000 + i));
      expected.add(9000 + i);
    }
    assertTrue(page.length() > ProcNetReader.SEQ_BUFFER_MIN - ProcNetReader.MAX_ROW);
    Scripted in = new Scripted(page.toString(), row(25, 9025, 0x01, 8025));
    expected.add(9025);
    ProcNetReader reader = new ProcNetReader("", f -> in);
    assertEquals(expected, ports(reader, false));
  }

  @Test
  void aRowLongerThanTheBoundTurnsTheInferenceOff() throws Exception {
    // The bound on a row's length is what makes a short read mean the end; a longer row than
    // any kernel prints (here padded with spaces) must not let the reader guess.
    String longRow = String.format("%-" + (ProcNetReader.MAX_ROW + 100) + "s%n",
        row(0, 8080, 0x0A, 7001).strip());
    Scripted in = new Scripted(HEADER + longRow, row(1, 8081, 0x0A, 7002));
    ProcNetReader reader = new ProcNetReader("", f -> in);
    assertEquals(List.of(8080, 8081), ports(reader, false));
  }

  /** Records the size of every read asked of the real files. */
  private static final class Recording extends FilterInputStream {
    final List<Integer> asked;

    Recording(InputStream in, List<Integer> asked) {
      super(in);
      this.asked = asked;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      asked.add(len);
      return super.read(b, off, len);
    }
  }

  /** Bytes of {@code /proc/net/tcp} up to its last LISTEN row, from a full read. */
  private static int listeningSectionBytes() throws IOException {
    String text = new String(Files.readAllBytes(Path.of(ProcNetReader.PROC_TCP)), StandardCharsets.US_ASCII);
    int listenEnd = text.indexOf('\n') + 1;
    for (int at = listenEnd; at < text.length(); ) {
      int eol = text.indexOf('\n', at);
      String[] f = text.substring(at, eol).trim().split("\\s+");
      if (!f[3].equals("0A")) {
        break;
      }
      listenEnd = eol + 1;
      at = eol + 1;
    }
    return listenEnd;
  }

  @Test
  void aListeningReadAsksForLittleMoreThanTheListenersTookLastTime() throws Exception {
    try (Loopback net = new Loopback()) {
      ServerSocketChannel a = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
      ServerSocketChannel b = net.listen(StandardProtocolFamily.INET, "127.0.0.1", 0, 8);
      for (int i = 0; i < 3; i++) { // connection rows after the listeners
        net.connect("127.0.0.1", Loopback.port(a));
      }
      List<Integer> asked = new ArrayList<>();
      ProcNetReader reader = new ProcNetReader("", f -> new Recording(new FileInputStream(f), asked));
      // the listening section's size as full reads show it just before and after the first call
      // (the larger: another program's listener may come or go meanwhile)
      int before = listeningSectionBytes();
      List<Integer> first = ports(reader, true);
      int listenEnd = Math.max(before, listeningSectionBytes());
      assertTrue(first.contains(Loopback.port(a)) && first.contains(Loopback.port(b)), first.toString());

      asked.clear();
      List<Integer> second = ports(reader, true);
      assertTrue(second.contains(Loopback.port(a)) && second.contains(Loopback.port(b)), second.toString());
      assertTrue(asked.get(0) <= listenEnd + ProcNetReader.ROW_CHUNK,
          "first read " + asked + " for a listening section of " + listenEnd + " bytes");
      int total = asked.stream().mapToInt(Integer::intValue).sum();
      assertTrue(total <= listenEnd + 4 * ProcNetReader.ROW_CHUNK,
          "asked " + asked + " (" + total + " bytes) for a listening section of " + listenEnd
              + " bytes: every connection row asked for costs the kernel a search");
    }
  }
}
