package dev.rainbarrel.net;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.BeforeAll;

/** The netlink sampler (JDK 22+): the same sequences as {@link ProcSamplerTest}. */
class NetlinkSamplerTest extends ListenerSamplerContract {

  @BeforeAll
  static void needsJdk22() {
    assumeTrue(Runtime.version().feature() >= 22, "netlink needs JDK 22+");
  }

  @Override
  ListenerSampler openSampler() {
    ListenerSampler s = ListenerSampler.open();
    if (s.source() != StatsSource.NETLINK) {
      throw new AssertionError("expected netlink on JDK 22+, got /proc: " + s.fallbackReason());
    }
    return s;
  }

  @Override
  StatsSource expectedSource() {
    return StatsSource.NETLINK;
  }
}
