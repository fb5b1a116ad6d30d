package dev.rainbarrel.agent.instrumentation;

import static net.bytebuddy.matcher.ElementMatchers.isSynthetic;
import static net.bytebuddy.matcher.ElementMatchers.nameStartsWith;

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
import dev.rainbarrel.bootstrap.Bridge;
import java.lang.instrument.Instrumentation;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import net.bytebuddy.ByteBuddy;
import net.bytebuddy.agent.builder.AgentBuilder;
import net.bytebuddy.asm.Advice;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.description.type.TypeDescription;
import net.bytebuddy.dynamic.scaffold.TypeValidation;
import net.bytebuddy.implementation.bytecode.member.MethodInvocation;
import net.bytebuddy.matcher.ElementMatcher;
import net.bytebuddy.utility.JavaModule;

/** Installs every enabled {@link TypeInstrumentation} with one ByteBuddy {@link AgentBuilder}. */
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
        new dev.rainbarrel.agent.instrumentation.jetty.Jetty12ServerInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.jetty.Jetty12ChannelInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.jetty.Jetty9ChannelInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.netty.NettyHttpDecoderInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.netty.NettyHttpEncoderInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.netty.NettyEpollAcceptInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.undertow.UndertowConnectorsInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.undertow.UndertowExchangeInstrumentation(),
        new dev.rainbarrel.agent.instrumentation.abort.ClientAbortInstrumentation());
  }

  /**
   * Installs the hooks whose {@link TypeInstrumentation#server()} is in {@code servers} ({@code
   * tomcat} and {@code jetty} bring {@code servlet} along); classes already loaded (dynamic attach)
   * are retransformed.
   *
   * @return the names of the hooks installed
   */
  public static List<String> install(Instrumentation inst, Set<String> servers) throws Exception {
    Set<String> on = new java.util.HashSet<>(servers);
    if (on.contains("tomcat") || on.contains("jetty")) {
      on.add("servlet"); // their requests are counted through the servlet hooks
    }
    ClassLoader agentLoader = Instrumentations.class.getClassLoader();
    HelperInjector injector = new HelperInjector(inst);
    Advice.ExceptionHandler onAdviceFailure = new Advice.ExceptionHandler.Simple(MethodInvocation.invoke(
        new MethodDescription.ForLoadedMethod(Bridge.class.getMethod("adviceFailed", Throwable.class))));
    AgentBuilder builder = newAgentBuilder()
        .disableClassFormatChanges()
        .with(AgentBuilder.RedefinitionStrategy.RETRANSFORMATION)
        .with(new LoadedCandidates())
        .with(new PerLoaderTypePoolCache())
        .with(AgentBuilder.InitializationStrategy.NoOp.INSTANCE)
        .with(AgentBuilder.DescriptionStrategy.Default.HYBRID)
        .with(new ErrorListener())
        .ignore(new JdkOutsideTargets())
        .or(ignoredByName())
        .assureReadEdgeTo(inst, Bridge.class);
    List<String> installed = new ArrayList<>();
    for (TypeInstrumentation ti : all()) {
      if (!on.contains(ti.server())) {
        continue;
      }
      AgentBuilder.Transformer.ForAdvice advice = new AgentBuilder.Transformer.ForAdvice()
          .include(agentLoader)
          .withExceptionHandler(onAdviceFailure);
      for (TypeInstrumentation.Hook hook : ti.hooks()) {
        advice = advice.advice(hook.methods(), hook.adviceClass());
      }
      List<String> helpers = ti.helpers();
      AgentBuilder.Identified.Extendable ext = builder.type(ti.typeMatcher(), ti.classLoaderMatcher())
          .transform((b, type, loader, module, pd) -> {
            injector.inject(loader, helpers);
            return b;
          })
          .transform(advice);
      builder = ext;
      installed.add(ti.getClass().getSimpleName());
    }
    builder.installOn(inst);
    return installed;
  }

  /**
   * The name prefixes of {@link LoadedCandidates#IGNORED_PREFIXES}, then synthetic classes: names
   * first, because a name is known without parsing the class file and modifiers are not.
   */
  private static ElementMatcher.Junction<TypeDescription> ignoredByName() {
    ElementMatcher.Junction<TypeDescription> m = nameStartsWith(LoadedCandidates.IGNORED_PREFIXES.get(0));
    for (String prefix : LoadedCandidates.IGNORED_PREFIXES.subList(1, LoadedCandidates.IGNORED_PREFIXES.size())) {
      m = m.or(nameStartsWith(prefix));
    }
    return m.or(isSynthetic());
  }

  /**
   * ByteBuddy's default initialisation strategy probes {@code Unsafe} in a static initialiser
   * (JDK 24+ prints a warning for that). The agent needs no initialisation (NoOp below), so the
   * probe is switched off by ByteBuddy's own property, only while the builder is created.
   */
  private static AgentBuilder newAgentBuilder() {
    String key = "net.bytebuddy.nexus.disabled"; // relocated together with ByteBuddy by the shade plugin
    String old = System.getProperty(key);
    System.setProperty(key, "true");
    try {
      return new AgentBuilder.Default(new ByteBuddy().with(TypeValidation.DISABLED));
    } finally {
      if (old == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, old);
      }
    }
  }

  /**
   * Ignores every class of the bootstrap and platform loaders except the JDK classes the agent
   * hooks (accept paths, the JDK HttpServer): matching them all is most of the startup cost.
   */
  static final class JdkOutsideTargets implements AgentBuilder.RawMatcher {
    private static final ClassLoader PLATFORM = ClassLoader.getPlatformClassLoader();

    @Override
    public boolean matches(TypeDescription type, ClassLoader loader,
        JavaModule module, Class<?> beingRedefined, java.security.ProtectionDomain pd) {
      return (loader == null || loader == PLATFORM) && !LoadedCandidates.JDK_TARGETS.contains(type.getName());
    }
  }

  /** One line per type that could not be instrumented; the rest keeps working. */
  static final class ErrorListener extends AgentBuilder.Listener.Adapter {
    private final Set<String> reported = ConcurrentHashMap.newKeySet();

    @Override
    public void onError(String typeName, ClassLoader loader, JavaModule module, boolean loaded, Throwable t) {
      if (reported.add(typeName)) {
        AgentLog.error("could not instrument " + typeName + " (" + t + "); that hook is off");
      }
    }
  }
}
