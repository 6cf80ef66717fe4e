import { Migration } from '@mikro-orm/migrations';

export class Migration20261126005038_initial extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create table "inventory_event" ("sequence" bigserial primary key, "at" timestamptz not null default now(), "cluster_id" int not null, "kind" text check ("kind" in ('node', 'vm', 'storage')) not null, "type" text check ("type" in ('ADDED', 'UPDATED', 'DELETED')) not null, "object_key" varchar(512) not null, "node_name" varchar(255) null, "previous_node_name" varchar(255) null, "vmid" int null, "payload" jsonb not null, "previous" jsonb null, "changed_fields" text[] not null default '{}');`,
    );
    this.addSql(`create index "inventory_event_at_index" on "inventory_event" ("at");`);
    this.addSql(
      `create index "inventory_event_cluster_id_sequence_index" on "inventory_event" ("cluster_id", "sequence");`,
    );

    this.addSql(
      `create table "pve_cluster" ("id" serial primary key, "cluster_name" varchar(64) not null, "cluster_name_alias" varchar(255) not null default '', "env" varchar(64) not null default '', "api_url" varchar(512) not null, "user_id" varchar(255) not null, "user_token" text not null, "is_enabled" smallint not null default 1, "is_schedulable" smallint not null default 1, "creator" varchar(255) not null default '', "tls_fingerprint" varchar(95) null, "tls_insecure" boolean not null default false, "sync_state" text check ("sync_state" in ('PENDING', 'SYNCING', 'SYNCED', 'ERROR', 'DISABLED')) not null default 'PENDING', "last_synced_at" timestamptz null, "last_error" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint pve_cluster_is_enabled_check check (is_enabled = any (array[0, 1])), constraint pve_cluster_is_schedulable_check check (is_schedulable = any (array[0, 1])));`,
    );
    this.addSql(
      `alter table "pve_cluster" add constraint "pve_cluster_cluster_name_unique" unique ("cluster_name");`,
    );

    this.addSql(
      `create table "pve_node" ("id" serial primary key, "cluster_id" int not null, "node_name" varchar(255) not null, "status" varchar(32) not null, "ip_address" varchar(64) null, "level" varchar(16) null, "max_cpu" int null, "max_mem" bigint null, "max_disk" bigint null, "cpu_usage" double precision null, "mem_used" bigint null, "disk_used" bigint null, "uptime" bigint null, "resource_hash" varchar(64) not null, "last_sync_time" timestamptz not null default now(), "metrics_updated_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "pve_node" add constraint "pve_node_cluster_id_node_name_unique" unique ("cluster_id", "node_name");`,
    );

    this.addSql(
      `create table "pve_storage" ("id" serial primary key, "cluster_id" int not null, "node_id" int null, "node_name" varchar(255) not null, "storage_name" varchar(255) not null, "type" varchar(32) not null, "content" varchar(255) not null default '', "status" varchar(32) not null, "active" smallint not null default 0, "enabled" smallint not null default 0, "shared" smallint not null default 0, "total" bigint null, "used" bigint null, "avail" bigint null, "used_fraction" double precision null, "resource_hash" varchar(64) not null, "last_sync_time" timestamptz not null default now(), "metrics_updated_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint pve_storage_active_check check (active = any (array[0, 1])), constraint pve_storage_enabled_check check (enabled = any (array[0, 1])), constraint pve_storage_shared_check check (shared = any (array[0, 1])));`,
    );
    this.addSql(
      `alter table "pve_storage" add constraint "pve_storage_cluster_id_node_name_storage_name_unique" unique ("cluster_id", "node_name", "storage_name");`,
    );

    this.addSql(
      `create table "pve_vm" ("id" serial primary key, "cluster_id" int not null, "vmid" int not null, "node_id" int null, "node_name" varchar(255) not null, "type" text check ("type" in ('qemu', 'lxc')) not null, "vm_name" varchar(255) null, "status" varchar(32) not null, "is_template" smallint not null default 0, "cpu_num" int null, "max_mem" bigint null, "max_disk" bigint null, "tags" text[] not null default '{}', "lock" varchar(32) null, "hastate" varchar(32) null, "pool" varchar(255) null, "description" text null, "agent_enabled" boolean null, "cpu_usage" double precision null, "mem_used" bigint null, "disk_used" bigint null, "net_in" bigint null, "net_out" bigint null, "disk_read" bigint null, "disk_write" bigint null, "uptime" bigint null, "ips_fetched_at" timestamptz null, "resource_hash" varchar(64) not null, "last_sync_time" timestamptz not null default now(), "metrics_updated_at" timestamptz null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint pve_vm_is_template_check check (is_template = any (array[0, 1])));`,
    );
    this.addSql(
      `create index "pve_vm_cluster_id_node_name_index" on "pve_vm" ("cluster_id", "node_name");`,
    );
    this.addSql(`create index "pve_vm_tags_index" on "pve_vm" using gin ("tags");`);
    this.addSql(
      `alter table "pve_vm" add constraint "pve_vm_cluster_id_vmid_unique" unique ("cluster_id", "vmid");`,
    );

    this.addSql(
      `create table "vm_ipaddress" ("id" serial primary key, "vm_id" int not null, "cluster_id" int not null, "nic_name" varchar(64) not null, "mac_address" varchar(32) null, "ip_address" varchar(64) not null, "ip_version" smallint not null, "prefix_length" smallint null, "config_nic" varchar(16) null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now(), constraint vm_ipaddress_ip_version_check check (ip_version = any (array[4, 6])));`,
    );
    this.addSql(`create index "vm_ipaddress_cluster_id_index" on "vm_ipaddress" ("cluster_id");`);
    this.addSql(
      `alter table "vm_ipaddress" add constraint "vm_ipaddress_vm_id_nic_name_ip_address_unique" unique ("vm_id", "nic_name", "ip_address");`,
    );

    this.addSql(
      `create table "vm_template" ("id" serial primary key, "cluster_id" int not null, "vm_id" int not null, "vmid" int not null, "template_name" varchar(255) not null, "node_name" varchar(255) not null, "type" text check ("type" in ('qemu', 'lxc')) not null, "description" text null, "created_at" timestamptz not null default now(), "updated_at" timestamptz not null default now());`,
    );
    this.addSql(
      `alter table "vm_template" add constraint "vm_template_cluster_id_vmid_unique" unique ("cluster_id", "vmid");`,
    );

    this.addSql(
      `alter table "pve_node" add constraint "pve_node_cluster_id_foreign" foreign key ("cluster_id") references "pve_cluster" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "pve_storage" add constraint "pve_storage_cluster_id_foreign" foreign key ("cluster_id") references "pve_cluster" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "pve_storage" add constraint "pve_storage_node_id_foreign" foreign key ("node_id") references "pve_node" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "pve_vm" add constraint "pve_vm_cluster_id_foreign" foreign key ("cluster_id") references "pve_cluster" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "pve_vm" add constraint "pve_vm_node_id_foreign" foreign key ("node_id") references "pve_node" ("id") on update cascade on delete set null;`,
    );

    this.addSql(
      `alter table "vm_ipaddress" add constraint "vm_ipaddress_vm_id_foreign" foreign key ("vm_id") references "pve_vm" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "vm_ipaddress" add constraint "vm_ipaddress_cluster_id_foreign" foreign key ("cluster_id") references "pve_cluster" ("id") on update cascade on delete cascade;`,
    );

    this.addSql(
      `alter table "vm_template" add constraint "vm_template_cluster_id_foreign" foreign key ("cluster_id") references "pve_cluster" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "vm_template" add constraint "vm_template_vm_id_foreign" foreign key ("vm_id") references "pve_vm" ("id") on update cascade on delete cascade;`,
    );

    // updated_at follows edits made by plain SQL too (the original project's documented way to
    // manage clusters), not only those made through the ORM.
    this.addSql(`create or replace function "pve_cluster_touch_updated_at"() returns trigger language plpgsql as $$
begin
  if (new.cluster_name, new.cluster_name_alias, new.env, new.api_url, new.user_id, new.user_token,
      new.is_enabled, new.is_schedulable, new.creator, new.tls_fingerprint, new.tls_insecure)
     is distinct from
     (old.cluster_name, old.cluster_name_alias, old.env, old.api_url, old.user_id, old.user_token,
      old.is_enabled, old.is_schedulable, old.creator, old.tls_fingerprint, old.tls_insecure)
     and new.updated_at is not distinct from old.updated_at then
    new.updated_at := now();
  end if;
  return new;
end $$;`);
    this.addSql(
      `create trigger "pve_cluster_touch_updated_at" before update on "pve_cluster" for each row execute function "pve_cluster_touch_updated_at"();`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists "pve_cluster_touch_updated_at" on "pve_cluster";`);
    this.addSql(`drop function if exists "pve_cluster_touch_updated_at"();`);
    this.addSql(`alter table "pve_node" drop constraint "pve_node_cluster_id_foreign";`);

    this.addSql(`alter table "pve_storage" drop constraint "pve_storage_cluster_id_foreign";`);

    this.addSql(`alter table "pve_vm" drop constraint "pve_vm_cluster_id_foreign";`);

    this.addSql(`alter table "vm_ipaddress" drop constraint "vm_ipaddress_cluster_id_foreign";`);

    this.addSql(`alter table "vm_template" drop constraint "vm_template_cluster_id_foreign";`);

    this.addSql(`alter table "pve_storage" drop constraint "pve_storage_node_id_foreign";`);

    this.addSql(`alter table "pve_vm" drop constraint "pve_vm_node_id_foreign";`);

    this.addSql(`alter table "vm_ipaddress" drop constraint "vm_ipaddress_vm_id_foreign";`);

    this.addSql(`alter table "vm_template" drop constraint "vm_template_vm_id_foreign";`);

    this.addSql(`drop table if exists "inventory_event" cascade;`);

    this.addSql(`drop table if exists "pve_cluster" cascade;`);

    this.addSql(`drop table if exists "pve_node" cascade;`);

    this.addSql(`drop table if exists "pve_storage" cascade;`);

    this.addSql(`drop table if exists "pve_vm" cascade;`);

    this.addSql(`drop table if exists "vm_ipaddress" cascade;`);

    this.addSql(`drop table if exists "vm_template" cascade;`);
  }
}
