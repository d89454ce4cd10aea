--liquibase formatted sql

--changeset coffer:006-settlement-lanes splitStatements:false
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

--changeset coffer:006-user-balance-cap
-- A user account's balance, and its balance once its pending credits post, stay within 2^53 - 1
-- minor units: the largest integer a JSON number keeps exactly in JavaScript. A move past it is
-- refused (amount-overflow). NOT VALID: rows written before are not re-checked.
ALTER TABLE accounts ADD CONSTRAINT accounts_balance_exact_in_json
  CHECK (kind = 'settlement' OR balance + pending_credits <= 9007199254740991) NOT VALID;
