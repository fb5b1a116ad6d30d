package dev.rainbarrel.jfr;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.rainbarrel.net.TcpInfo;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordingStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * AcceptWait from a real accepted socket: on JDK 22+ TCP_INFO's last_data_recv gives the wait and
 * the event carries it; on 17-21 TCP_INFO is unavailable and says why (the event itself works on
 * every JDK, see {@link JfrStreamTest}).
 */
@Timeout(60)
class AcceptWaitTcpInfoTest {

  @Test
  void acceptWaitEventFromTcpInfoOnJdk22() throws Exception {
    assumeTrue(Runtime.version().feature() >= 22, "TCP_INFO needs the FFM API (JDK 22+)");
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
        Socket client = new Socket("127.0.0.1", server.getLocalPort());
        RecordingStream rs = new RecordingStream()) {
      String addr = "127.0.0.1:" + server.getLocalPort();
      BlockingQueue<RecordedEvent> waits = new LinkedBlockingQueue<>();
      RainbarrelJfr.Registration reg = RainbarrelJfr.register(null, null, null);
      rs.enable(AcceptWaitEvent.NAME).with("waitThreshold", "50 ms");
      rs.onEvent(AcceptWaitEvent.NAME, waits::add);
      rs.startAsync();
      OutputStream out = client.getOutputStream();
      out.write('x');
      out.flush();
      Thread.sleep(200); // the request sits in the accept queue
      try (Socket accepted = server.accept()) {
        long wait = TcpInfo.of(accepted).lastDataRecv();
        assertTrue(wait >= 150 && wait < 10_000, "last_data_recv " + wait + " ms");
        RainbarrelJfr.acceptWait(addr, wait);
        RecordedEvent e = waits.poll(20, TimeUnit.SECONDS);
        assertNotNull(e, "AcceptWait event");
        assertEquals(addr, e.getString("listener"));
        assertEquals(Duration.ofMillis(wait), e.getDuration("waitTime"));
      }
      reg.close();
    }
  }

  @Test
  void tcpInfoSaysWhyItIsMissingBeforeJdk22() throws Exception {
    assumeTrue(Runtime.version().feature() < 22, "the fallback path is for JDK 17-21");
    try (ServerSocket server = new ServerSocket(0, 8, InetAddress.getByName("127.0.0.1"));
        Socket client = new Socket("127.0.0.1", server.getLocalPort());
        Socket accepted = server.accept()) {
      UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class, () -> TcpInfo.of(accepted));
      assertTrue(e.getMessage().contains("22"), e.getMessage());
    }
  }
}
