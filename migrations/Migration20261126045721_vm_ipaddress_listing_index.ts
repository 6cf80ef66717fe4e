import { Migration } from '@mikro-orm/migrations';

export class Migration20261126045721_vm_ipaddress_listing_index extends Migration {
  override async up(): Promise<void> {
    this.addSql(
      `create index "vm_ipaddress_vm_id_listing_index" on "vm_ipaddress" ("vm_id", "nic_name", "ip_version", "ip_address", "mac_address", "prefix_length", "config_nic");`,
    );
  }

  override async down(): Promise<void> {
    this.addSql(`drop index "vm_ipaddress_vm_id_listing_index";`);
  }
}
