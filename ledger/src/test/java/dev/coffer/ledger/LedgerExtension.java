package dev.coffer.ledger;

import dev.coffer.testkit.TestStack;
import io.vertx.core.Vertx;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Injects a {@link LedgerFixture} on the test stack: one per test method (its {@code @BeforeEach}
 * and the test share it), closed with its own Vert.x after the test.
 */
public final class LedgerExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(LedgerExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == LedgerFixture.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent("ledger", key -> new Resource(), Resource.class)
        .fixture;
  }

  private static final class Resource implements ExtensionContext.Store.CloseableResource {
    final Vertx vertx = Vertx.vertx();
    final LedgerFixture fixture = new LedgerFixture(vertx, TestStack.get().settings());

    @Override
    public void close() throws Exception {
      fixture.close();
      vertx.close().await(10, TimeUnit.SECONDS);
    }
  }
}
