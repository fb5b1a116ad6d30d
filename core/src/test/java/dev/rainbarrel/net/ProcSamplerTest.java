package dev.rainbarrel.net;

/** The {@code /proc/net} sampler: runs on JDK 17 and 25. */
class ProcSamplerTest extends ListenerSamplerContract {

  @Override
  ListenerSampler openSampler() {
    return ListenerSampler.openProc();
  }

  @Override
  StatsSource expectedSource() {
    return StatsSource.PROC;
  }
}
