package dev.coffer.ledger.stack;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * The JUnit 5 extension every integration test uses to reach PostgreSQL and Redis: it injects the
 * {@link TestStack} (or just its {@link StackSettings}), starting the stack on first use.
 */
public final class StackExtension implements ParameterResolver {
  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    Class<?> type = parameter.getParameter().getType();
    return type == TestStack.class || type == StackSettings.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    TestStack stack = TestStack.get();
    return parameter.getParameter().getType() == TestStack.class ? stack : stack.settings();
  }
}
