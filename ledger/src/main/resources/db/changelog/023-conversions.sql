--liquibase formatted sql

--changeset coffer:023-transaction-conversion
-- Issue 30, item 3: a conversion is a transaction of two legs, a withdrawal of one currency into
-- its liquidity account and a deposit of another out of its own, with the rate, both amounts and
-- the rounding recorded here (NULL for any other transaction). Liquidity accounts are settlement
-- accounts of shard -1: never shown, never refused for funds, one per currency.
ALTER TABLE transactions ADD COLUMN conversion jsonb;
