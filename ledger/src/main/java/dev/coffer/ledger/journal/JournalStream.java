package dev.coffer.ledger.journal;

import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.streams.ReadStream;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowStream;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * An account's entries in seq order, read from a database cursor a page at a time: pausing it stops
 * the fetching, so a slow consumer holds at most a page of rows. {@link #close} must be called once
 * it ends, fails, or is abandoned: it ends the transaction and returns the connection.
 */
public final class JournalStream implements ReadStream<JournalLine> {
  private final UUID account;
  private final RowStream<Row> rows;
  private final Supplier<Future<Void>> release;
  private boolean closed;
  private Future<Void> closing;

  JournalStream(UUID account, RowStream<Row> rows, Supplier<Future<Void>> release) {
    this.account = account;
    this.rows = rows;
    this.release = release;
  }

  @Override
  public JournalStream exceptionHandler(Handler<Throwable> handler) {
    rows.exceptionHandler(handler);
    return this;
  }

  @Override
  public JournalStream handler(Handler<JournalLine> handler) {
    rows.handler(handler == null ? null : row -> handler.handle(line(row)));
    return this;
  }

  @Override
  public JournalStream pause() {
    rows.pause();
    return this;
  }

  @Override
  public JournalStream resume() {
    rows.resume();
    return this;
  }

  @Override
  public JournalStream fetch(long amount) {
    rows.fetch(amount);
    return this;
  }

  @Override
  public JournalStream endHandler(Handler<Void> handler) {
    rows.endHandler(handler);
    return this;
  }

  /** Stops reading, ends the transaction and returns the connection (once; later calls wait). */
  public Future<Void> close() {
    if (!closed) {
      closed = true;
      closing = rows.close().transform(ar -> release.get());
    }
    return closing;
  }

  private JournalLine line(Row row) {
    return new JournalLine(
        new JournalHash.Fields(
            account,
            row.getLong("seq"),
            row.getUUID("transfer_id"),
            row.getString("kind"),
            row.getLong("amount"),
            row.getLong("balance_after"),
            row.getUUID("counterparty_account_id"),
            row.getString("status"),
            row.getString("description"),
            row.getOffsetDateTime("created_at"),
            row.getOffsetDateTime("effective_at")),
        JournalHash.hex(row.getBuffer("hash").getBytes()));
  }
}
