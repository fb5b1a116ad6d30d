package dev.rainbarrel.net;

/**
 * The {@code /proc/net} sampler as {@link ListenerSampler#openProc()} makes it: on JDK 17-21 its
 * TCP queries go over netlink through the JNI library, which knows the backlog limit; on 25 it
 * reads the files. Runs on JDK 17 and 25.
 */
class ProcSamplerTest extends ListenerSamplerContract {

  @Override
  boolean knowsBacklog() {
    return Runtime.version().feature() < 22; // the JNI library loads there (SockDiagJniTest)
  }

  @Override
  boolean knowsUnixBacklog() {
    return false; // Unix sockets are read from /proc/net/unix on every JDK
  }

  @Override
  ListenerSampler openSampler() {
    return ListenerSampler.openProc();
  }

  @Override
  StatsSource expectedSource() {
    return StatsSource.PROC;
  }
}
