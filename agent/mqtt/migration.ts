/**
 * Migration 5: what the link keeps between the broker and the rest of the agent (issue 7).
 *
 * - `outbox_held`: a capture envelope the broker acknowledged stays in the outbox, marked here,
 *   until central's result says it arrived (the end-to-end acknowledgement). A table of its own
 *   rather than a column: marking a row must not rewrite its 12 KB of ciphertext. A trigger takes
 *   the mark away with the row, whoever deletes it. `captures.resends` spaces the resends out. A broker's PUBACK
 *   only says the broker has it: a broker acknowledges and drops what it receives while nobody is
 *   subscribed (a fresh broker before the receiver's persistent session exists, a broker that lost
 *   its storage), and the kiosk must then send it again rather than forget it.
 * - `inbox`: each downward message (capture results, jobs) is written here, in a batch, before its
 *   PUBACK goes back, and applied from here in order by a worker, so the connection keeps reading
 *   while results are applied and a kill -9 anywhere between receive, PUBACK and apply loses none.
 */
import type { Migration } from '../store/migrations.js';

export const LINK_MIGRATION: Migration = {
  version: 5,
  name: 'held capture envelopes, inbox of downward messages',
  sql: `
    CREATE TABLE outbox_held (id INTEGER PRIMARY KEY, acked_ts INTEGER NOT NULL);
    CREATE TRIGGER outbox_held_gone AFTER DELETE ON outbox BEGIN DELETE FROM outbox_held WHERE id = OLD.id; END;
    ALTER TABLE captures ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
    CREATE TABLE inbox (
      id INTEGER PRIMARY KEY AUTOINCREMENT,
      channel TEXT NOT NULL,
      topic TEXT NOT NULL,
      payload BLOB NOT NULL,
      received_ts INTEGER NOT NULL
    );
  `,
};
