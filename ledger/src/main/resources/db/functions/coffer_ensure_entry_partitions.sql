--liquibase formatted sql

--changeset coffer:function-coffer_ensure_entry_partitions runOnChange:true splitStatements:false
-- Creates the monthly partitions of entries from the month of p_from for p_months months.
-- Serialised by an advisory lock, so every instance may call it.
CREATE OR REPLACE FUNCTION coffer_ensure_entry_partitions(p_from date, p_months int)
RETURNS int LANGUAGE plpgsql AS $$
DECLARE
  month_start date := date_trunc('month', p_from)::date;
  created int := 0;
  part text;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('coffer_entry_partitions'));
  FOR i IN 0 .. p_months - 1 LOOP
    part := format('entries_%s', to_char(month_start + make_interval(months => i), 'YYYY_MM'));
    IF to_regclass(part) IS NULL THEN
      EXECUTE format('CREATE TABLE %I PARTITION OF entries FOR VALUES FROM (%L) TO (%L)', part,
        (month_start + make_interval(months => i)) AT TIME ZONE 'UTC',
        (month_start + make_interval(months => i + 1)) AT TIME ZONE 'UTC');
      created := created + 1;
    END IF;
  END LOOP;
  RETURN created;
END $$;
