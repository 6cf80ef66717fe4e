import { Migration } from '@mikro-orm/migrations';

/**
 * The event log's `payload` and `previous` become `json` (text kept as written) instead of
 * `jsonb`: nothing queries inside them, they are written once and read back whole, and `jsonb`
 * made PostgreSQL build (and, to read them, re-serialise) a binary tree for every event: ~70 ms
 * of PostgreSQL's CPU in a 10,000-guest first sync.
 */
export class Migration20261127081500_event_payload_json extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `alter table "inventory_event" alter column "payload" type json using "payload"::json, alter column "previous" type json using "previous"::json;`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(
      `alter table "inventory_event" alter column "payload" type jsonb using "payload"::jsonb, alter column "previous" type jsonb using "previous"::jsonb;`,
    );
  }
}
