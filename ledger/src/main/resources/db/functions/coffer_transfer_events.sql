--liquibase formatted sql

--changeset coffer:function-coffer_transfer_events runOnChange:true splitStatements:false
-- transfer.created on every new transfer, with transfer.posted when it posts at once and
-- transfer.reversed when it reverses another (a reversal_of column, once there is one: read
-- through to_jsonb so that this works before and after it exists); transfer.posted, .voided or
-- .expired when a pending one settles, transfer.captured when part of a hold is captured and the
-- rest stays held. Each event goes to every user owning one of the two
-- accounts (the settlement account has none, and its id is shown as null, as the API does),
-- and to each of their endpoints subscribed to its type.
-- Each event keeps the trace context of the write that produced it (changeset 040), which the
-- writing transaction leaves in a setting: coffer.traceparents, a JSON object by transfer id, for
-- a group commit's transaction (one trace per member), else coffer.traceparent; NULL when unset.
CREATE OR REPLACE FUNCTION coffer_transfer_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  types text[];
  row_json jsonb := to_jsonb(NEW);
  v_owner uuid;
  v_type text;
  v_event uuid;
  data jsonb;
  v_traces text := nullif(current_setting('coffer.traceparents', true), '');
  v_trace text;
BEGIN
  IF TG_OP = 'INSERT' THEN
    types := ARRAY['transfer.created'];
    IF NEW.status = 'posted' THEN
      types := array_append(types, 'transfer.posted');
    END IF;
    IF row_json->>'reversal_of' IS NOT NULL THEN
      types := array_append(types, 'transfer.reversed');
    END IF;
  ELSIF NEW.status IS DISTINCT FROM OLD.status THEN
    types := ARRAY['transfer.' || NEW.status];
  ELSIF NEW.captured_amount IS DISTINCT FROM OLD.captured_amount THEN
    -- A capture that leaves the rest held (the settle sets status, so this trigger fires).
    types := ARRAY['transfer.captured'];
  ELSE
    RETURN NULL;
  END IF;
  data := jsonb_build_object(
    'id', NEW.id,
    'kind', NEW.kind,
    'fromAccountId', CASE WHEN NEW.kind = 'deposit' THEN NULL ELSE NEW.from_account_id END,
    'toAccountId', CASE WHEN NEW.kind = 'withdrawal' THEN NULL ELSE NEW.to_account_id END,
    'amount', NEW.amount,
    'currency', NEW.currency,
    'status', NEW.status,
    'capturedAmount', coalesce(NEW.captured_amount,
                               CASE WHEN NEW.status = 'posted' THEN NEW.amount ELSE 0 END),
    'description', NEW.description,
    'createdAt', coffer_json_time(NEW.created_at),
    'postedAt', coffer_json_time(NEW.posted_at),
    'expiresAt', coffer_json_time(NEW.expires_at));
  IF row_json->>'reversal_of' IS NOT NULL THEN
    data := data || jsonb_build_object('reversalOf', row_json->'reversal_of');
  END IF;
  v_trace := CASE WHEN v_traces IS NOT NULL THEN v_traces::jsonb ->> NEW.id::text
                  ELSE nullif(current_setting('coffer.traceparent', true), '') END;
  FOR v_owner IN SELECT DISTINCT owner_id FROM accounts
                WHERE id IN (NEW.from_account_id, NEW.to_account_id) AND owner_id IS NOT NULL LOOP
    FOREACH v_type IN ARRAY types LOOP
      v_event := coffer_uuid_v7();
      INSERT INTO events (id, owner_id, type, transfer_id, data, traceparent)
      VALUES (v_event, v_owner, v_type, NEW.id, data, v_trace);
      INSERT INTO webhook_deliveries (event_id, endpoint_id)
      SELECT v_event, w.id FROM webhook_endpoints w
       WHERE w.owner_id = v_owner AND v_type = ANY (w.event_types);
    END LOOP;
  END LOOP;
  RETURN NULL;
END $$;
