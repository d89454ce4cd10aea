--liquibase formatted sql

--changeset coffer:018-api-keys splitStatements:false
-- API keys: credentials for machine clients, owned by a user and acting as that user, never as
-- more. The secret is never stored: only its HMAC under the service's key (COFFER_API_KEY_SECRET),
-- so a copy of this table cannot be used to call the API. Requests are authenticated from Redis
-- (a mirror of the live keys); this table is the truth the mirror is rebuilt from.
CREATE TABLE api_keys (
  id           uuid PRIMARY KEY,
  owner_id     uuid NOT NULL REFERENCES users (id),
  -- The key that created this one, if a key did: revoking a key revokes what it minted.
  parent_id    uuid REFERENCES api_keys (id),
  name         text NOT NULL,
  secret_hmac  bytea NOT NULL,
  scopes       text[] NOT NULL,
  -- NULL: every account of the owner; else only these.
  account_ids  uuid[],
  created_at   timestamptz NOT NULL DEFAULT now(),
  expires_at   timestamptz,
  revoked_at   timestamptz,
  last_used_at timestamptz
);
CREATE INDEX api_keys_owner ON api_keys (owner_id, id DESC);
CREATE INDEX api_keys_parent ON api_keys (parent_id) WHERE parent_id IS NOT NULL;

-- The audit trail its owner reads: created, used from a new address, revoked.
CREATE TABLE api_key_events (
  id         uuid PRIMARY KEY,
  key_id     uuid NOT NULL REFERENCES api_keys (id),
  owner_id   uuid NOT NULL,
  type       text NOT NULL CHECK (type IN ('created', 'new-address', 'revoked')),
  address    text,
  created_at timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX api_key_events_key ON api_key_events (key_id, id DESC);

-- Every address a key has been used from, so that "used from a new address" is said once per
-- address, even when Redis has forgotten what it had seen.
CREATE TABLE api_key_addresses (
  key_id     uuid NOT NULL REFERENCES api_keys (id),
  address    text NOT NULL,
  first_seen timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (key_id, address)
);
