--liquibase formatted sql

--changeset coffer:function-coffer_json_time runOnChange:true splitStatements:false
-- RFC 3339, UTC, milliseconds: the API's time format.
CREATE OR REPLACE FUNCTION coffer_json_time(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;
