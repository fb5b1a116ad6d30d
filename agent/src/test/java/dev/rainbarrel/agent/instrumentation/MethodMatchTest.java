package dev.rainbarrel.agent.instrumentation;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Method matching on descriptors, and the byte pre-filter string each matcher implies. */
class MethodMatchTest {

  private static final String SERVICE = "(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)V";

  @Test
  void matchesByNameCountTypesReturnAndDeclaringClass() {
    MethodMatch service = MethodMatch.named("service", 2).withArgument(0, "jakarta.servlet.ServletRequest");
    assertTrue(service.matches("a/B", "service", SERVICE));
    assertFalse(service.matches("a/B", "service", "(Ljava/lang/Object;Ljakarta/servlet/ServletResponse;)V"));
    assertFalse(service.matches("a/B", "service", "(Ljakarta/servlet/ServletRequest;)V"));
    assertFalse(service.matches("a/B", "serve", SERVICE));
    MethodMatch any = MethodMatch.named("startAsync", -1).returning("jakarta.servlet.AsyncContext");
    assertTrue(any.matches("a/B", "startAsync", "()Ljakarta/servlet/AsyncContext;"));
    assertTrue(any.matches("a/B", "startAsync", SERVICE.replace(")V", ")Ljakarta/servlet/AsyncContext;")));
    assertFalse(any.matches("a/B", "startAsync", "()V"));
    MethodMatch declared = MethodMatch.named("succeeded", 0).declaredBy("x.Y$Z");
    assertTrue(declared.matches("x/Y$Z", "succeeded", "()V"));
    assertFalse(declared.matches("x/Y", "succeeded", "()V"));
    assertTrue(MethodMatch.constructor(-1).matches("a/B", "<init>", "(IJ)V"));
    assertFalse(MethodMatch.constructor(1).matches("a/B", "<init>", "(IJ)V"));
  }

  @Test
  void preFilterIsTheDescriptorPrefixWhenEveryArgumentIsTyped() {
    MethodMatch service = MethodMatch.named("service", 2)
        .withArgument(0, "jakarta.servlet.ServletRequest").withArgument(1, "jakarta.servlet.ServletResponse");
    assertEquals("(Ljakarta/servlet/ServletRequest;Ljakarta/servlet/ServletResponse;)", service.requiredDescriptor());
    assertTrue(SERVICE.startsWith(service.requiredDescriptor()));
    assertEquals("()Ljakarta/servlet/AsyncContext;",
        MethodMatch.named("startAsync", 0).returning("jakarta.servlet.AsyncContext").requiredDescriptor());
    assertEquals("Ljakarta/servlet/ServletRequest;",
        MethodMatch.named("service", 2).withArgument(0, "jakarta.servlet.ServletRequest").requiredDescriptor());
    assertNull(MethodMatch.named("handle", 0).requiredDescriptor(), "nothing typed: no pre-filter");
    assertNull(MethodMatch.named("handle", 3).requiredDescriptor());
  }
}
