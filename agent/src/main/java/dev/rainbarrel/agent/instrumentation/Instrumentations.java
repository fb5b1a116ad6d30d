package dev.rainbarrel.agent.instrumentation;

import dev.rainbarrel.agent.AgentLog;
import dev.rainbarrel.agent.instrumentation.accept.JdkAcceptInstrumentation;
import dev.rainbarrel.agent.instrumentation.jdkhttp.JdkHttpFilterChainInstrumentation;
import dev.rainbarrel.agent.instrumentation.jdkhttp.JdkHttpServerInstrumentation;
import dev.rainbarrel.agent.instrumentation.jdkhttp.JdkHttpWriteFinishedInstrumentation;
import dev.rainbarrel.agent.instrumentation.servlet.JakartaServletInstrumentation;
import dev.rainbarrel.agent.instrumentation.servlet.JakartaStartAsyncInstrumentation;
import dev.rainbarrel.agent.instrumentation.servlet.JavaxServletInstrumentation;
import dev.rainbarrel.agent.instrumentation.servlet.JavaxStartAsyncInstrumentation;
import dev.rainbarrel.agent.instrumentation.tomcat.TomcatCommitInstrumentation;
import dev.rainbarrel.agent.instrumentation.tomcat.TomcatRecycleInstrumentation;
import dev.rainbarrel.agent.instrumentation.weave.HookTransformer;
import dev.rainbarrel.bootstrap.Bridge;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Installs every enabled {@link TypeInstrumentation} through one {@link HookTransformer} (plain
 * ASM: no code generator to load, no type pool; see docs/AGENT.md, "How hooks are woven").
 */
public final class Instrumentations {

  private Instrumentations() {}

  /** All hooks the agent knows, in installation order. */
  public static List<TypeInstrumentation> all() {
    return List.of(
        new JdkAcceptInstrumentation(),
        new JdkHttpServerInstrumentation(),
        new JdkHttpWriteFinishedInstrumentation(),
        new JdkHttpFilterChainInstrumentation(),
        new JakartaServletInstrumentation(),
        new JakartaStartAsyncInstrumentation(),
        new JavaxServletInstrumentation(),
        new JavaxStartAsyncInstrumentation(),
        new TomcatCommitInstrumentation(),
        new TomcatRecycleInstrumentation(),
        // Tomcat 9-11 discard the facade after each request (discardFacades): a new key per request
        new InFlightKeyInstrumentation("tomcat", "org.apache.catalina.connector.RequestFacade"),
        new dev.rainbarrel.agent.instrumentation.jetty.Jetty12ServerInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.jetty.Jetty12ChannelInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.jetty.Jetty12ServletChannelInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.jetty.Jetty9ChannelInstrumentation(),
        // Jetty 9.4-11's recycled Request class (Jetty 12's interface of that name gets nothing)
        new InFlightKeyInstrumentation("jetty", "org.eclipse.jetty.server.Request"),
        // the accepted connections, not their base AbstractChannel: the listening channel loads
        // it before the listener opens, i.e. possibly before the hooks are installed
        new InFlightKeyInstrumentation("netty",
            "io.netty.channel.socket.nio.NioSocketChannel", "io.netty.channel.epoll.EpollSocketChannel",
            "io.netty.channel.uring.IoUringSocketChannel"),
        new dev.rainbarrel.agent.instrumentation.netty.NettyHttpDecoderInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.netty.NettyHttpEncoderInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.netty.NettyNativeAcceptInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.netty.NettyHttp2Instrumentation(),
        new dev.rainbarrel.agent.instrumentation.webflux.WebFluxErrorInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.undertow.UndertowConnectorsInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.undertow.UndertowExchangeInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.undertow.UndertowWriteFailureInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.abort.ClientAbortInstrumentation());
  }

  /**
   * Advice classes whose hooks are in JDK classes (bootstrap and platform loaders): {@code
   * BootstrapJar} puts them, with the bridge, on the bootstrap class path, since they cannot be
   * defined in those loaders. Prefixes of class-file paths in the agent jar; the agent pom's
   * {@code bridge-jar} execution packs the same classes (ServersIT's JDK HttpServer rows fail without them), and
   * their advice methods catch every throwable in their own source.
   */
  public static final List<String> JDK_ADVICE = List.of(
      "dev/rainbarrel/agent/instrumentation/accept/AcceptAdvice",
      "dev/rainbarrel/agent/instrumentation/jdkhttp/JdkHttpAdvice");

  private static volatile HookTransformer activeTransformer;

  /** What the hooks' transformer has cost so far ("none" before {@link #install}). */
  public static String transformerCost() {
    HookTransformer t = activeTransformer;
    return t == null ? "none" : t.costSoFar();
  }

  /**
   * Installs the hooks whose {@link TypeInstrumentation#server()} is in {@code servers} ({@code
   * tomcat} and {@code jetty} bring {@code servlet} along); classes already loaded (dynamic attach,
   * or JDK classes at premain) are retransformed. A hook whose advice cannot be read is reported
   * and left out; the others are installed.
   *
   * @return the names of the hooks installed
   */
  public static List<String> install(Instrumentation inst, Set<String> servers) throws Exception {
    Set<String> on = new java.util.HashSet<>(servers);
    if (on.contains("tomcat") || on.contains("jetty")) {
      on.add("servlet"); // their requests are counted through the servlet hooks
    }
    HelperInjector injector = new HelperInjector(inst);
    List<HookTransformer.Prepared> prepared = new ArrayList<>();
    List<String> installed = new ArrayList<>();
    for (TypeInstrumentation ti : all()) {
      if (!on.contains(ti.server())) {
        continue;
      }
      try {
        HookTransformer.Prepared p = new HookTransformer.Prepared(ti, injector::original);
        injector.prepare(p.classesToDefine);
        prepared.add(p);
        installed.add(ti.getClass().getSimpleName());
      } catch (RuntimeException e) {
        AgentLog.error(ti.getClass().getSimpleName() + " not installed: " + e.getMessage());
      }
    }
    HookTransformer transformer = new HookTransformer(prepared, injector, inst, Bridge.class.getModule());
    inst.addTransformer(transformer, true);
    transformer.retransformLoaded();
    activeTransformer = transformer;
    return installed;
  }
}
