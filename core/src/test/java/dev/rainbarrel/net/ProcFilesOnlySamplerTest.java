package dev.rainbarrel.net;

/**
 * The {@code /proc/net} sampler reading the files whole, without the JNI library's netlink rows
 * ({@link ProcSamplerTest} covers the default, which uses them on JDK 17-21): the path of a JDK
 * 17-21 host where the library cannot load. Runs on JDK 17 and 25.
 */
class ProcFilesOnlySamplerTest extends ListenerSamplerContract {

  @Override
  ListenerSampler openSampler() {
    return new ProcListenerSampler(new ProcNetReader(), System::nanoTime, false);
  }

  @Override
  StatsSource expectedSource() {
    return StatsSource.PROC;
  }
}
