--liquibase formatted sql

--changeset coffer:function-coffer_chain_entry runOnChange:true splitStatements:false
-- Chains every new entry, whoever writes it (coffer_append_entry today, any later version).
CREATE OR REPLACE FUNCTION coffer_chain_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  NEW.hash := coffer_entry_hash(
    (SELECT hash FROM entries WHERE account_id = NEW.account_id AND seq = NEW.seq - 1),
    NEW.account_id, NEW.seq, NEW.transfer_id, NEW.kind, NEW.amount, NEW.balance_after,
    NEW.counterparty_account_id, NEW.status, NEW.description, NEW.created_at, NEW.effective_at);
  RETURN NEW;
END $$;
