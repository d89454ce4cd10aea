--liquibase formatted sql

--changeset coffer:function-coffer_settlement_for runOnChange:true splitStatements:false
-- The settlement shard that serves p_account. Shards form 8 lanes (shard % 8, by the account's
-- hash); within its lane an account uses the first shard whose balance is within 2^62 of zero,
-- creating the next one (shard + 8) when all are past it. A shard's balance then never nears the
-- bigint range, so one user's deposits can never exhaust a shard other users share: a full shard
-- just stops taking new work. The check is made before the row lock; what can move a shard
-- between the check and the lock (concurrent deposits of at most 10^15 each) is far below the
-- 2^62 of headroom left.
CREATE OR REPLACE FUNCTION coffer_settlement_for(p_account uuid)
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  cur char(3);
  shard int := abs(hashtext(p_account::text)) % 8;
  found uuid;
  bal bigint;
BEGIN
  SELECT currency INTO cur FROM accounts WHERE id = p_account;
  IF cur IS NULL THEN
    RAISE EXCEPTION 'not-found' USING ERRCODE = 'CF001';
  END IF;
  LOOP
    SELECT id, balance INTO found, bal FROM accounts
     WHERE kind = 'settlement' AND currency = cur AND settlement_shard = shard;
    IF found IS NULL THEN
      INSERT INTO accounts (id, kind, name, currency, settlement_shard)
      VALUES (gen_random_uuid(), 'settlement', 'settlement ' || cur, cur, shard)
      ON CONFLICT DO NOTHING;
      SELECT id, balance INTO found, bal FROM accounts
       WHERE kind = 'settlement' AND currency = cur AND settlement_shard = shard;
    END IF;
    EXIT WHEN abs(bal) <= 4611686018427387904;
    shard := shard + 8;
  END LOOP;
  RETURN found;
END $$;
