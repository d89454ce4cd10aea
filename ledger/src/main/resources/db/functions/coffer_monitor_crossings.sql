--liquibase formatted sql

--changeset coffer:function-coffer_monitor_crossings runOnChange:true splitStatements:false
-- Runs at commit for each update of a monitored account's last_seq (a new entry; see changeset
-- 031): each monitor of the account whose condition is true after that entry and was false before
-- it fires once: a balance.monitor.triggered event for the account's owner and each of the owner's
-- endpoints subscribed to it, naming the entry and its transfer, and the monitor counts it.
CREATE OR REPLACE FUNCTION coffer_monitor_crossings() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
  m balance_monitors;
  before_value bigint;
  after_value bigint;
  v_transfer uuid;
  v_event uuid;
  data jsonb;
BEGIN
  FOR m IN SELECT * FROM balance_monitors WHERE account_id = NEW.id ORDER BY id LOOP
    before_value := CASE m.field
      WHEN 'balance' THEN OLD.balance
      WHEN 'available' THEN OLD.balance - OLD.pending_debits + OLD.overdraft_limit
      WHEN 'pendingDebits' THEN OLD.pending_debits
      ELSE OLD.pending_credits END;
    after_value := CASE m.field
      WHEN 'balance' THEN NEW.balance
      WHEN 'available' THEN NEW.balance - NEW.pending_debits + NEW.overdraft_limit
      WHEN 'pendingDebits' THEN NEW.pending_debits
      ELSE NEW.pending_credits END;
    CONTINUE WHEN NOT CASE m.operator
      WHEN '<' THEN after_value < m.threshold AND NOT before_value < m.threshold
      WHEN '<=' THEN after_value <= m.threshold AND NOT before_value <= m.threshold
      WHEN '>' THEN after_value > m.threshold AND NOT before_value > m.threshold
      ELSE after_value >= m.threshold AND NOT before_value >= m.threshold END;
    IF v_transfer IS NULL THEN
      SELECT transfer_id INTO v_transfer FROM entries
       WHERE account_id = NEW.id AND seq = NEW.last_seq;
    END IF;
    UPDATE balance_monitors SET fired_count = fired_count + 1, last_fired_at = clock_timestamp()
     WHERE id = m.id;
    data := jsonb_build_object(
      'monitorId', m.id,
      'accountId', NEW.id,
      'field', m.field,
      'operator', m.operator,
      'threshold', m.threshold,
      'description', m.description,
      'previousValue', before_value,
      'value', after_value,
      'seq', NEW.last_seq,
      'transferId', v_transfer);
    v_event := coffer_uuid_v7();
    INSERT INTO events (id, owner_id, type, transfer_id, data)
    VALUES (v_event, m.owner_id, 'balance.monitor.triggered', v_transfer, data);
    INSERT INTO webhook_deliveries (event_id, endpoint_id)
    SELECT v_event, w.id FROM webhook_endpoints w
     WHERE w.owner_id = m.owner_id AND 'balance.monitor.triggered' = ANY (w.event_types);
  END LOOP;
  RETURN NULL;
END $$;
