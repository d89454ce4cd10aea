package dev.coffer.api.journal;

import java.time.Duration;

/**
 * The journal audit: every {@code auditPeriod}, every entry written in the last {@code auditWindow}
 * is checked against its predecessor's hash. A window longer than the period checks each entry more
 * than once, so that a run that failed (or an instance that was down) leaves no entry unchecked.
 */
public record JournalSettings(Duration auditPeriod, Duration auditWindow) {}
