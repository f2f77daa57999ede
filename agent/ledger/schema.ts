/**
 * Tables of issue 8 (migration 2): the ledger, the e-wallet, jobs from central and PIN logins.
 * Money is integer paise (DESIGN §2); the CHECKs keep a float or an above-rate charge out even
 * if a bug slipped past the code. Each row that central must see is written in the same
 * transaction as its outbox row (DESIGN §4).
 */
export const LEDGER_SQL = `
  CREATE TABLE ledger_txns (
    id TEXT PRIMARY KEY,
    idem_key TEXT NOT NULL UNIQUE,
    service_code TEXT NOT NULL,
    charged_paise INTEGER NOT NULL CHECK (typeof(charged_paise) = 'integer' AND charged_paise >= 0),
    official_paise INTEGER NOT NULL CHECK (typeof(official_paise) = 'integer' AND official_paise >= 0),
    commission_paise INTEGER NOT NULL CHECK (typeof(commission_paise) = 'integer' AND commission_paise >= 0),
    operator TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,
    status TEXT NOT NULL CHECK (status IN ('success', 'failed')),
    ref TEXT,
    fingerprint TEXT NOT NULL,
    ts INTEGER NOT NULL,
    mono INTEGER NOT NULL,
    boot TEXT NOT NULL,
    synced INTEGER NOT NULL,
    prints INTEGER NOT NULL DEFAULT 0,
    CHECK (charged_paise <= official_paise)
  );
  CREATE INDEX ledger_txns_ts ON ledger_txns (ts);
  CREATE TABLE wallet_movements (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('topup', 'debit', 'credit', 'adjustment')),
    amount_paise INTEGER NOT NULL CHECK (typeof(amount_paise) = 'integer'),
    balance_paise INTEGER NOT NULL CHECK (typeof(balance_paise) = 'integer'),
    idem_key TEXT NOT NULL UNIQUE,
    txn_id TEXT REFERENCES ledger_txns (id),
    job_id TEXT,
    actor TEXT,
    note TEXT,
    ts INTEGER NOT NULL,
    mono INTEGER NOT NULL,
    boot TEXT NOT NULL,
    synced INTEGER NOT NULL
  );
  CREATE INDEX wallet_movements_ts ON wallet_movements (ts);
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('accepted', 'succeeded', 'failed', 'rejected', 'expired')),
    body TEXT NOT NULL,
    reason TEXT,
    result TEXT,
    received_ts INTEGER NOT NULL,
    updated_ts INTEGER NOT NULL
  );
  CREATE TABLE auth_sessions (
    token_hash TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('operator', 'admin')),
    boot TEXT NOT NULL,
    expires_mono INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE auth_lockout (
    user TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    locked_boot TEXT,
    locked_until_mono INTEGER
  ) WITHOUT ROWID;
`;
