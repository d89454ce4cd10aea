package dev.coffer.api.export;

import java.time.Duration;

/**
 * What one user may take of this instance's exports: exports open at once, bytes sent per minute
 * (past it an export slows down to the budget; a new one is refused until the minute ends), and how
 * long an export may wait for its client's socket to take a chunk before it is cut and its replica
 * connection returned.
 */
public record ExportSettings(int maxOpenPerUser, long bytesPerMinute, Duration stallTimeout) {}
