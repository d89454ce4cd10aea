--liquibase formatted sql

--changeset coffer:function-coffer_liquidity_for runOnChange:true splitStatements:false
-- The liquidity account of currency p_currency, made on first use: the settlement account of
-- shard -1, which conversions sell to and buy from (so each currency stays balanced on its own).
CREATE OR REPLACE FUNCTION coffer_liquidity_for(p_currency char(3))
RETURNS uuid LANGUAGE plpgsql AS $$
DECLARE
  found uuid;
BEGIN
  SELECT id INTO found FROM accounts
   WHERE kind = 'settlement' AND currency = p_currency AND settlement_shard = -1;
  IF found IS NULL THEN
    INSERT INTO accounts (id, kind, name, currency, settlement_shard)
    VALUES (gen_random_uuid(), 'settlement', 'liquidity ' || p_currency, p_currency, -1)
    ON CONFLICT DO NOTHING;
    SELECT id INTO found FROM accounts
     WHERE kind = 'settlement' AND currency = p_currency AND settlement_shard = -1;
  END IF;
  RETURN found;
END $$;
