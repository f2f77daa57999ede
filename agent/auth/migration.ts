/**
 * Migration 7: logins that stay open while they are used (issue 11). A token's `expires_mono` is
 * now its idle deadline, pushed out by each authenticated request by `idle_sec`, never past
 * `max_mono`, the absolute end of the login (auth.sessionMaxSec). Tokens of the earlier schema
 * carry neither, so they are ended: an upgrade asks for the PIN once more.
 */
import type { Migration } from '../store/migrations.js';

export const AUTH_SLIDING_MIGRATION: Migration = {
  version: 7,
  name: 'logins renewed by use, up to an absolute end',
  sql: `
    DELETE FROM auth_sessions;
    ALTER TABLE auth_sessions ADD COLUMN idle_sec INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE auth_sessions ADD COLUMN max_mono INTEGER NOT NULL DEFAULT 0;
  `,
};
