--liquibase formatted sql

--changeset coffer:function-coffer_transaction_created runOnChange:true splitStatements:false
-- Announces transaction p_id to its creator p_owner: a transaction.created event with p_data,
-- the trace of the request that booked it (changeset 040), and a delivery to each of the owner's
-- endpoints subscribed to it. Transactions of legs and conversions alike.
CREATE OR REPLACE FUNCTION coffer_transaction_created(p_owner uuid, p_id uuid, p_data jsonb)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE
  v_event uuid := coffer_uuid_v7();
BEGIN
  INSERT INTO events (id, owner_id, type, transfer_id, data, traceparent)
  VALUES (v_event, p_owner, 'transaction.created', p_id, p_data,
          nullif(current_setting('coffer.traceparent', true), ''));
  INSERT INTO webhook_deliveries (event_id, endpoint_id)
  SELECT v_event, w.id FROM webhook_endpoints w
   WHERE w.owner_id = p_owner AND 'transaction.created' = ANY (w.event_types);
END $$;
