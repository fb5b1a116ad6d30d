package dev.rainbarrel.net;

import java.net.ServerSocket;

/** Child-JVM probe for {@link SamplerFactoryTest}: prints which source answered and why. */
public final class SamplerProbe {

  private SamplerProbe() {}

  public static void main(String[] args) throws Exception {
    try (ListenerSampler s = ListenerSampler.open();
        ServerSocket l = new ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress())) {
      s.sample("127.0.0.1:" + l.getLocalPort());
      System.out.println("source=" + s.source());
      System.out.println("reason=" + s.fallbackReason());
      try {
        TcpInfo.of(l);
        System.out.println("tcpinfo=ok");
      } catch (UnsupportedOperationException e) {
        System.out.println("tcpinfo=UnsupportedOperationException " + e.getMessage());
      }
    }
  }
}
