--liquibase formatted sql

-- GET /v1/events?type=balance.monitor.triggered (what the dashboard reads): the owner's monitor
-- events newest first, from an index of those events only. Partial, so that the write path of
-- every other event (a transfer's) pays nothing for it; built concurrently.

--changeset coffer:032-events-monitor-page runInTransaction:false
CREATE INDEX CONCURRENTLY IF NOT EXISTS events_monitor_page ON events (owner_id, id DESC)
  WHERE type = 'balance.monitor.triggered';
