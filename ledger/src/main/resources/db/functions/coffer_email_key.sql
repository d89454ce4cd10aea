--liquibase formatted sql

--changeset coffer:function-coffer_email_key runOnChange:true splitStatements:false
-- The key addresses are matched by (EmailKey in Java: NFKC, then A-Z lower-cased), which the
-- service computes and the log-in limiter uses too. Not lower(): it follows the database's locale
-- and folds letters Java folds differently.
CREATE OR REPLACE FUNCTION coffer_email_key(email text) RETURNS text
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS $$ SELECT translate(normalize(btrim(email), NFKC), 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') $$;
