--liquibase formatted sql

--changeset coffer:011-webhook-tables splitStatements:false
-- Signed webhooks. Events are written by a trigger on transfers, in the transaction that moves the
-- money (an outbox): a committed transfer always has its events, a rolled-back one never does.
-- Delivery rows are claimed by any instance (FOR UPDATE SKIP LOCKED) under a lease.
CREATE TABLE webhook_endpoints (
  id          uuid PRIMARY KEY,
  owner_id    uuid NOT NULL REFERENCES users (id),
  url         text NOT NULL,
  -- Needed in clear to sign (HMAC): shown once to its owner, never answered again.
  secret      text NOT NULL,
  event_types text[] NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhook_endpoints_owner ON webhook_endpoints (owner_id, id);

-- One row per event and user: a transfer between two users is an event for each, with ids of its
-- own, so that what one user is told (and can list) is never the other's row.
CREATE TABLE events (
  id          uuid PRIMARY KEY,
  owner_id    uuid NOT NULL,
  type        text NOT NULL,
  transfer_id uuid NOT NULL,
  data        jsonb NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT clock_timestamp()
);
-- GET /v1/events: keyset on the time-ordered id, newest first.
CREATE INDEX events_owner_page ON events (owner_id, id DESC);
CREATE INDEX events_by_age ON events (created_at);

CREATE TABLE webhook_deliveries (
  event_id        uuid NOT NULL REFERENCES events (id) ON DELETE CASCADE,
  endpoint_id     uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
  status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts        int NOT NULL DEFAULT 0,
  -- When the next attempt is due; while an attempt runs, the end of its lease: a claim whose
  -- instance died becomes due again then.
  next_attempt_at timestamptz NOT NULL DEFAULT clock_timestamp(),
  last_error      text,
  delivered_at    timestamptz,
  PRIMARY KEY (event_id, endpoint_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_endpoint ON webhook_deliveries (endpoint_id);

-- A time-ordered (version 7) UUID, like the service's ids: events page by id in creation order.
CREATE FUNCTION coffer_uuid_v7() RETURNS uuid LANGUAGE sql VOLATILE AS $$
  SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING
    substring(int8send(floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3)
    FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid
$$;

-- RFC 3339, UTC, milliseconds: the API's time format.
CREATE FUNCTION coffer_json_time(t timestamptz) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

--changeset coffer:011-transfer-events splitStatements:false
-- transfer.created on every new transfer, with transfer.posted when it posts at once and
-- transfer.reversed when it reverses another (a reversal_of column, once there is one: read
-- through to_jsonb so that this works before and after it exists); transfer.posted, .voided or
-- .expired when a pending one settles. Each event goes to every user owning one of the two
-- accounts (the settlement account has none, and its id is shown as null, as the API does),
-- and to each of their endpoints subscribed to its type.
CREATE FUNCTION coffer_transfer_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  types text[];
  row_json jsonb := to_jsonb(NEW);
  v_owner uuid;
  v_type text;
  v_event uuid;
  data jsonb;
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
    'description', NEW.description,
    'createdAt', coffer_json_time(NEW.created_at),
    'postedAt', coffer_json_time(NEW.posted_at),
    'expiresAt', coffer_json_time(NEW.expires_at));
  IF row_json->>'reversal_of' IS NOT NULL THEN
    data := data || jsonb_build_object('reversalOf', row_json->'reversal_of');
  END IF;
  FOR v_owner IN SELECT DISTINCT owner_id FROM accounts
                WHERE id IN (NEW.from_account_id, NEW.to_account_id) AND owner_id IS NOT NULL LOOP
    FOREACH v_type IN ARRAY types LOOP
      v_event := coffer_uuid_v7();
      INSERT INTO events (id, owner_id, type, transfer_id, data)
      VALUES (v_event, v_owner, v_type, NEW.id, data);
      INSERT INTO webhook_deliveries (event_id, endpoint_id)
      SELECT v_event, w.id FROM webhook_endpoints w
       WHERE w.owner_id = v_owner AND v_type = ANY (w.event_types);
    END LOOP;
  END LOOP;
  RETURN NULL;
END $$;
CREATE TRIGGER transfers_events AFTER INSERT OR UPDATE OF status ON transfers
  FOR EACH ROW EXECUTE FUNCTION coffer_transfer_events();
