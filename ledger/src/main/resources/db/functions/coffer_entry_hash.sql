--liquibase formatted sql

--changeset coffer:function-coffer_entry_hash runOnChange:true splitStatements:false
-- The form before effective time (issue 29): the one below answers its calls (a default).
DROP FUNCTION IF EXISTS coffer_entry_hash(bytea, uuid, bigint, uuid, text, bigint, bigint, uuid, text,
                                          text, timestamptz);
-- The hash of one entry after p_prev (NULL before an account's first entry: 32 zero bytes).
-- Each field is its UTF-8 bytes after their length as 4 bytes big-endian; NULL is the length -1
-- (ff ff ff ff) and no bytes. Lengths make the concatenation unambiguous whatever a field holds.
-- The counterparty of a deposit or withdrawal is the settlement account, which the API never
-- shows: it is hashed as NULL, so that what an export shows is all a verifier needs.
-- created_at is hashed as whole microseconds since the Unix epoch, PostgreSQL's exact precision.
-- A back-dated entry's effective_at follows as one more field, the same way; an entry that is not
-- back-dated has no such field, so every hash from before effective time existed stays valid.
-- PL/pgSQL rather than nested SQL functions: those are not inlined here and cost ~80 us a call.
CREATE OR REPLACE FUNCTION coffer_entry_hash(
  p_prev bytea, p_account uuid, p_seq bigint, p_transfer uuid, p_kind text, p_amount bigint,
  p_balance_after bigint, p_counterparty uuid, p_status text, p_description text,
  p_created_at timestamptz, p_effective_at timestamptz DEFAULT NULL)
RETURNS bytea LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
  buf bytea := coalesce(p_prev, '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea);
  field text;
  bytes bytea;
BEGIN
  FOREACH field IN ARRAY ARRAY[
      'coffer-entry-v1', p_account::text, p_seq::text, p_transfer::text, p_kind,
      p_amount::text, p_balance_after::text,
      CASE WHEN p_kind IN ('deposit', 'withdrawal') THEN NULL ELSE p_counterparty::text END,
      p_status, p_description,
      ((extract(epoch FROM p_created_at) * 1000000)::bigint)::text]
      || CASE WHEN p_effective_at IS NULL THEN '{}'::text[]
              ELSE ARRAY[((extract(epoch FROM p_effective_at) * 1000000)::bigint)::text] END LOOP
    IF field IS NULL THEN
      buf := buf || '\xffffffff'::bytea;
    ELSE
      bytes := convert_to(field, 'UTF8');
      buf := buf || int4send(length(bytes)) || bytes;
    END IF;
  END LOOP;
  RETURN sha256(buf);
END $$;
