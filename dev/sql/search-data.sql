-- Fills the test stack's coffer database (throwaway data!) for docs/ledger.md's plans.
-- Run: dev/stack psql primary -d coffer -1 -v ON_ERROR_STOP=1 -f dev/sql/search-data.sql
\timing on
CREATE OR REPLACE FUNCTION pg_temp.v7(ts timestamptz) RETURNS uuid LANGUAGE sql AS $$
  SELECT (substr(h,1,8)||'-'||substr(h,9,4)||'-7'||substr(r,1,3)||'-8'||substr(r,4,3)||'-'||substr(r,7,12))::uuid
  FROM (SELECT lpad(to_hex((extract(epoch FROM ts)*1000)::bigint),12,'0') h, md5(random()::text) r) x $$;
INSERT INTO users (id, email, password_hash, email_key) VALUES
 ('00000000-0000-7000-8000-00000000b1b1', 'bulk@example.com', 'x', 'bulk@example.com'),
 ('00000000-0000-7000-8000-00000000b2b2', 'bulk2@example.com', 'x', 'bulk2@example.com') ON CONFLICT DO NOTHING;
INSERT INTO accounts (id, owner_id, name, currency) VALUES
 ('00000000-0000-7000-8000-0000000000a1', '00000000-0000-7000-8000-00000000b1b1', 'big', 'QQQ'),
 ('00000000-0000-7000-8000-0000000000a2', '00000000-0000-7000-8000-00000000b1b1', 'small', 'QQQ');
INSERT INTO accounts (id, kind, name, currency, settlement_shard) VALUES
 ('00000000-0000-7000-8000-0000000000ff', 'settlement', 'settlement QQQ', 'QQQ', 0);
INSERT INTO accounts (id, owner_id, name, currency)
 SELECT ('00000000-0000-7000-8001-' || lpad(i::text, 12, '0'))::uuid, '00000000-0000-7000-8000-00000000b2b2', 'other', 'QQQ'
 FROM generate_series(1, 1000) i;
-- 100,000 deposits into a1 (with their entries), spread over this month so far.
CREATE TEMP TABLE gen AS
 SELECT i, date_trunc('month', now()) + (now() - date_trunc('month', now())) * (i / 100001.0) AS at
 FROM generate_series(1, 100000) i;
ALTER TABLE gen ADD COLUMN id uuid; UPDATE gen SET id = pg_temp.v7(at);
INSERT INTO transfers (id, kind, from_account_id, to_account_id, amount, currency, status, created_at, posted_at, metadata)
 SELECT id, 'deposit', '00000000-0000-7000-8000-0000000000ff', '00000000-0000-7000-8000-0000000000a1', 1, 'QQQ', 'posted', at, at,
        jsonb_build_object('order', 'o-' || i, 'channel', CASE WHEN i % 10 = 0 THEN 'web' ELSE 'pos' END)
 FROM gen;
INSERT INTO entries (account_id, seq, transfer_id, kind, amount, balance_after, counterparty_account_id, status, created_at, pending_debits_after, pending_credits_after, booked_at)
 SELECT '00000000-0000-7000-8000-0000000000a1'::uuid, i, id, 'deposit', 1, i, '00000000-0000-7000-8000-0000000000ff'::uuid, 'posted', at, 0, 0, at FROM gen
 UNION ALL
 SELECT '00000000-0000-7000-8000-0000000000ff'::uuid, i, id, 'deposit', -1, -i, '00000000-0000-7000-8000-0000000000a1'::uuid, 'posted', at, 0, 0, at FROM gen;
UPDATE accounts SET balance = 100000, last_seq = 100000, last_booked_at = (SELECT max(at) FROM gen) WHERE id = '00000000-0000-7000-8000-0000000000a1';
UPDATE accounts SET balance = -100000, last_seq = 100000, last_booked_at = (SELECT max(at) FROM gen) WHERE id = '00000000-0000-7000-8000-0000000000ff';
-- 100,000 transfers among 1,000 accounts of another user (no entries: they only fill the table).
INSERT INTO transfers (id, kind, from_account_id, to_account_id, amount, currency, status, created_at, posted_at, metadata)
 SELECT pg_temp.v7(now() - interval '1 day' * random() * 20), 'transfer',
        ('00000000-0000-7000-8001-' || lpad((1 + i % 1000)::text, 12, '0'))::uuid,
        ('00000000-0000-7000-8001-' || lpad((1 + (i + 1) % 1000)::text, 12, '0'))::uuid,
        1, 'QQQ', 'posted', now() - interval '1 day', now() - interval '1 day',
        jsonb_build_object('order', 'x-' || i)
 FROM generate_series(1, 100000) i;
-- a2: a few transfers from a1 (so the bulk user has two accounts with history).
ANALYZE transfers; ANALYZE entries; ANALYZE accounts;
SELECT count(*) FROM transfers;
