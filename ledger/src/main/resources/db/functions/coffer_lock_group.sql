--liquibase formatted sql

--changeset coffer:function-coffer_lock_group runOnChange:true splitStatements:false
-- Every account a group of moves names, the settlement shards its deposits and withdrawals use,
-- and the payees of its payers' reservations past their expiry (which coffer_book_check settles
-- first), locked once, in id order (the order coffer_book, settles and the sweeper use): a hot
-- account is locked once per group, and a group cannot deadlock with another write.
CREATE OR REPLACE FUNCTION coffer_lock_group(p_kinds text[], p_froms uuid[], p_tos uuid[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
  PERFORM 1 FROM accounts
   WHERE id IN (SELECT a FROM unnest(p_froms || p_tos) a WHERE a IS NOT NULL
                UNION
                SELECT coffer_settlement_for(u.id)
                  FROM unnest(p_kinds, p_froms, p_tos) x(kind, from_id, to_id)
                  JOIN accounts u
                    ON u.id = CASE x.kind WHEN 'deposit' THEN x.to_id ELSE x.from_id END
                 WHERE x.kind IN ('deposit', 'withdrawal') AND u.kind = 'user'
                UNION
                SELECT t.to_account_id FROM transfers t
                 WHERE t.from_account_id IN (SELECT f FROM unnest(p_kinds, p_froms) y(kind, f)
                                              WHERE y.kind <> 'deposit')
                   AND t.status = 'pending' AND t.expires_at <= clock_timestamp())
   ORDER BY id FOR UPDATE;
END $$;
