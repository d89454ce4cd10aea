--liquibase formatted sql

--changeset coffer:004-users-email-key splitStatements:false
-- Addresses are matched by one key (EmailKey in Java: NFKC, then A-Z lower-cased), which the
-- service computes and the log-in limiter uses too. lower() followed the database's locale and
-- folded letters Java folds differently, so it no longer takes part.
CREATE FUNCTION coffer_email_key(email text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT translate(normalize(btrim(email), NFKC), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') $$;

ALTER TABLE users ADD COLUMN email_key text;
UPDATE users SET email_key = coffer_email_key(email);
ALTER TABLE users ALTER COLUMN email_key SET NOT NULL;
CREATE UNIQUE INDEX users_email_key_unique ON users (email_key);

-- An instance of the previous release, still running during a rolling upgrade, inserts no key.
CREATE FUNCTION users_fill_email_key() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF NEW.email_key IS NULL THEN
    NEW.email_key := coffer_email_key(NEW.email);
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER users_fill_email_key BEFORE INSERT ON users
  FOR EACH ROW EXECUTE FUNCTION users_fill_email_key();
