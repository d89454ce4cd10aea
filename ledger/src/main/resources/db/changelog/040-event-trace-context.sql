--liquibase formatted sql

-- Tracing (issue 31): an event keeps the W3C trace context (traceparent) of the traced request
-- whose write produced it, so that its webhook deliveries, which run later and elsewhere, carry
-- that trace on. NULL when the write was not traced (tracing off, or the request not sampled):
-- a nullable column needs no rewrite of existing rows and costs an untraced write nothing.

--changeset coffer:040-events-traceparent
ALTER TABLE events ADD COLUMN traceparent text;
