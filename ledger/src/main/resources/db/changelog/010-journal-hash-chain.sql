--liquibase formatted sql

--changeset coffer:010-journal-hash-chain splitStatements:false
-- A tamper-evident journal: every entry carries hash = SHA-256(previous entry's hash || its own
-- fields), chained per account in seq order. The encoding is defined in docs/ledger.md so that
-- anyone holding an export can recompute the chain. PostgreSQL's built-in sha256(bytea): no
-- extension needed.

-- One field: its UTF-8 bytes after their length as 4 bytes big-endian; NULL is the length -1
-- (ff ff ff ff) and no bytes. Lengths make the concatenation unambiguous whatever a field holds.
CREATE FUNCTION coffer_hash_field(v text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN v IS NULL THEN '\xffffffff'::bytea
              ELSE int4send(octet_length(convert_to(v, 'UTF8'))) || convert_to(v, 'UTF8') END
$$;

-- The hash of one entry after p_prev (NULL before an account's first entry: 32 zero bytes).
-- The counterparty of a deposit or withdrawal is the settlement account, which the API never
-- shows: it is hashed as NULL, so that what an export shows is all a verifier needs.
-- created_at is hashed as whole microseconds since the Unix epoch, PostgreSQL's exact precision.
CREATE FUNCTION coffer_entry_hash(
  p_prev bytea, p_account uuid, p_seq bigint, p_transfer uuid, p_kind text, p_amount bigint,
  p_balance_after bigint, p_counterparty uuid, p_status text, p_description text,
  p_created_at timestamptz)
RETURNS bytea LANGUAGE sql STABLE PARALLEL SAFE AS $$
  SELECT sha256(
    coalesce(p_prev, decode(repeat('00', 32), 'hex'))
    || coffer_hash_field('coffer-entry-v1')
    || coffer_hash_field(p_account::text)
    || coffer_hash_field(p_seq::text)
    || coffer_hash_field(p_transfer::text)
    || coffer_hash_field(p_kind)
    || coffer_hash_field(p_amount::text)
    || coffer_hash_field(p_balance_after::text)
    || coffer_hash_field(CASE WHEN p_kind IN ('deposit', 'withdrawal') THEN NULL
                              ELSE p_counterparty::text END)
    || coffer_hash_field(p_status)
    || coffer_hash_field(p_description)
    || coffer_hash_field(((extract(epoch FROM p_created_at) * 1000000)::bigint)::text))
$$;

-- The head of each account's chain lives on its row: every append already holds that row's lock
-- (it numbers the entry under it), so the previous hash is read and the new one stored in one
-- statement on a row no one else can touch meanwhile, with no look-up in entries (whose index
-- cannot be pruned to one partition by account and seq). It is also the anchor that shows an
-- entry removed from the end of the chain.
ALTER TABLE accounts ADD COLUMN last_hash bytea;
ALTER TABLE entries ADD COLUMN hash bytea;

-- Entries written before this changeset are chained here, in seq order per account. The ALTERs
-- above hold both tables exclusively until this transaction commits, so no write interleaves.
DO $$
DECLARE
  r record;
  prev bytea;
  cur uuid;
BEGIN
  FOR r IN SELECT * FROM entries ORDER BY account_id, seq LOOP
    IF cur IS DISTINCT FROM r.account_id THEN
      prev := NULL;
      cur := r.account_id;
    END IF;
    prev := coffer_entry_hash(prev, r.account_id, r.seq, r.transfer_id, r.kind, r.amount,
                              r.balance_after, r.counterparty_account_id, r.status,
                              r.description, r.created_at);
    UPDATE entries SET hash = prev
     WHERE account_id = r.account_id AND seq = r.seq AND created_at = r.created_at;
  END LOOP;
  UPDATE accounts a SET last_hash = e.hash
    FROM entries e WHERE e.account_id = a.id AND e.seq = a.last_seq;
END $$;
ALTER TABLE entries ALTER COLUMN hash SET NOT NULL;

-- Chains every new entry, whoever writes it (coffer_append_entry today, any later version).
CREATE FUNCTION coffer_chain_entry() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  UPDATE accounts
     SET last_hash = coffer_entry_hash(last_hash, NEW.account_id, NEW.seq, NEW.transfer_id,
                                       NEW.kind, NEW.amount, NEW.balance_after,
                                       NEW.counterparty_account_id, NEW.status,
                                       NEW.description, NEW.created_at)
   WHERE id = NEW.account_id
  RETURNING last_hash INTO NEW.hash;
  RETURN NEW;
END $$;
CREATE TRIGGER entries_chain BEFORE INSERT ON entries
  FOR EACH ROW EXECUTE FUNCTION coffer_chain_entry();

--changeset coffer:010-entries-by-time
-- The journal audit re-checks the entries of the last minutes: a BRIN index finds them for a few
-- pages of index (entries arrive in created_at order) and costs appends next to nothing.
CREATE INDEX IF NOT EXISTS entries_created_brin ON entries USING brin (created_at);
