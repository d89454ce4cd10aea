--liquibase formatted sql

-- Partial capture of a hold (issue 29): a pending transfer may be posted in parts. captured_amount
-- is what its captures have moved so far, NULL when none was partial (then a posted transfer moved
-- its whole amount and any other moved nothing). NULL needs no rewrite of existing rows and costs
-- a transfer booked at once nothing.

--changeset coffer:021-transfers-captured-amount
ALTER TABLE transfers ADD COLUMN captured_amount bigint;
ALTER TABLE transfers ADD CONSTRAINT transfers_captured_within_amount
  CHECK (captured_amount IS NULL OR (captured_amount >= 0 AND captured_amount <= amount));
