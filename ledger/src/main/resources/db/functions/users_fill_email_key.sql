--liquibase formatted sql

--changeset coffer:function-users_fill_email_key runOnChange:true splitStatements:false
-- An instance of the previous release, still running during a rolling upgrade, inserts no key.
CREATE OR REPLACE FUNCTION users_fill_email_key() RETURNS trigger
LANGUAGE plpgsql
AS $$
BEGIN
  IF NEW.email_key IS NULL THEN
    NEW.email_key := coffer_email_key(NEW.email);
  END IF;
  RETURN NEW;
END
$$;
