--liquibase formatted sql

--changeset coffer:019-webhook-endpoint-circuits
-- Issue 27, finding 3: one slow or failing receiver must not hold up anyone else's deliveries.
-- busy_until: while an attempt to the endpoint runs, the end of its lease (one attempt per endpoint
-- at a time, over every instance); while its circuit is open, when it closes. consecutive_failures
-- opens the circuit at the dispatcher's threshold, and a delivered attempt resets it.
ALTER TABLE webhook_endpoints
  ADD COLUMN IF NOT EXISTS busy_until timestamptz,
  ADD COLUMN IF NOT EXISTS consecutive_failures int NOT NULL DEFAULT 0;
