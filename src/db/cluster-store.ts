import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { ExpectedError, InputError, NotFoundError } from '../lib/expected-error.js';
import type { Logger } from '../lib/logger.js';
import {
  checkApiUrl,
  checkFingerprint,
  checkName,
  checkSecret,
  checkText,
  checkTokenId,
  FieldChecker,
} from './cluster-settings.js';
import type { Database } from './database.js';
import {
  type ClusterSyncStateValue,
  type IPveCluster,
  PveCluster,
} from './entities/cluster.entity.js';
import { SecretBox } from './secret-box.js';

/** CreateClusterData is what `createCluster` accepts (validated here, not trusted). */
export interface CreateClusterData {
  name: string;
  alias?: string | null | undefined;
  env?: string | null | undefined;
  apiUrl: string;
  tokenId: string;
  tokenSecret: string;
  isEnabled?: boolean | null | undefined;
  isSchedulable?: boolean | null | undefined;
  tlsFingerprint?: string | null | undefined;
  tlsInsecure?: boolean | null | undefined;
  creator?: string | null | undefined;
}

/**
 * UpdateClusterData is what `updateCluster` accepts: absent (undefined) fields keep their value;
 * `tlsFingerprint: null` removes the pin. Required fields cannot be set to null.
 */
export type UpdateClusterData = { [K in keyof CreateClusterData]?: CreateClusterData[K] | null };

/** ClusterChange tells listeners what a store operation did, so syncing reacts at once. */
export interface ClusterChange {
  type: 'created' | 'updated' | 'deleted';
  id: number;
}

/** SyncStatusUpdate is what the sync layer records on a cluster row. */
export interface SyncStatusUpdate {
  state: ClusterSyncStateValue;
  lastError?: string | null;
  lastSyncedAt?: Date;
}

const CONNECTION_FIELDS = ['apiUrl', 'tokenId', 'tokenSecret', 'tlsFingerprint', 'tlsInsecure'];

/**
 * parseClusterId reads a GraphQL ID (`"1"`) as a `pve_cluster.id`; anything else is bad input.
 */
export function parseClusterId(id: string | number, field = 'id'): number {
  const value = typeof id === 'number' ? id : /^\d{1,10}$/.test(id) ? Number(id) : Number.NaN;
  if (!Number.isSafeInteger(value) || value < 1 || value > 2_147_483_647) {
    throw new InputError([{ field, message: `'${id}' is not a cluster id` }]);
  }
  return value;
}

/**
 * ClusterStore is the one place that reads and writes `pve_cluster`: validation of every field,
 * token secrets encrypted at rest (a plaintext secret inserted by SQL is encrypted the first
 * time it is read), and change notifications for the sync layer. An invalid request writes
 * nothing. Rows are returned with their stored (encrypted) secret; {@link ClusterStore.readSecret}
 * is the only way to the plaintext.
 */
export class ClusterStore {
  readonly #db: Database;
  readonly #box: SecretBox;
  readonly #logger: Logger;
  readonly #listeners = new Set<(change: ClusterChange) => void>();
  readonly #writeListeners = new Set<() => void>();

  constructor(options: { db: Database; secretKey: Buffer; logger: Logger }) {
    this.#db = options.db;
    this.#box = new SecretBox(options.secretKey);
    this.#logger = options.logger;
  }

  /** onChange registers a listener for create/update/delete; returns the unsubscribe function. */
  onChange(listener: (change: ClusterChange) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /**
   * onWrite registers a listener for every write to `pve_cluster` by this store — edits and sync
   * status alike (cached reads go stale); returns the unsubscribe function.
   */
  onWrite(listener: () => void): () => void {
    this.#writeListeners.add(listener);
    return () => this.#writeListeners.delete(listener);
  }

  /** list returns every cluster, ordered by id. */
  async list(): Promise<IPveCluster[]> {
    const rows = await this.#db.fork().find(PveCluster, {}, { orderBy: { id: 'asc' } });
    await this.#encryptPlaintext(rows);
    return rows;
  }

  /** get returns one cluster, or null. */
  async get(id: number): Promise<IPveCluster | null> {
    const row = await this.#db.fork().findOne(PveCluster, { id });
    if (row) await this.#encryptPlaintext([row]);
    return row;
  }

  /** getOrThrow returns one cluster, or throws `CLUSTER_NOT_FOUND`. */
  async getOrThrow(id: number): Promise<IPveCluster> {
    const row = await this.get(id);
    if (!row) throw clusterNotFound(id);
    return row;
  }

  /** readSecret decrypts a row's token secret; throws SecretDecryptError with a clear message. */
  readSecret(row: Pick<IPveCluster, 'tokenSecret'>): string {
    return this.#box.decrypt(row.tokenSecret);
  }

  /** create validates and inserts a cluster. */
  async create(data: CreateClusterData): Promise<IPveCluster> {
    const checker = new FieldChecker();
    const name = checker.check('name', checkName(data.name));
    const alias = checker.check('alias', checkText(data.alias ?? '', 255));
    const env = checker.check('env', checkText(data.env ?? '', 64));
    const apiUrl = checker.check('apiUrl', checkApiUrl(data.apiUrl));
    const tokenId = checker.check('tokenId', checkTokenId(data.tokenId));
    const secret = checker.check('tokenSecret', checkSecret(data.tokenSecret));
    const creator = checker.check('creator', checkText(data.creator ?? 'graphql', 255));
    const tlsFingerprint = data.tlsFingerprint
      ? checker.check('tlsFingerprint', checkFingerprint(data.tlsFingerprint))
      : null;
    if (data.tlsInsecure && data.tlsFingerprint) {
      checker.problem(
        'tlsInsecure',
        'cannot be combined with tlsFingerprint: pin or skip, not both',
      );
    }
    if (checker.problems.length > 0) throw new InputError(checker.problems);

    const em = this.#db.fork();
    const id = await this.#unique(name!, () =>
      em.insert(PveCluster, {
        name: name!,
        alias: alias!,
        env: env!,
        apiUrl: apiUrl!,
        tokenId: tokenId!,
        tokenSecret: this.#box.encrypt(secret!),
        isEnabled: data.isEnabled === false ? 0 : 1,
        isSchedulable: data.isSchedulable === false ? 0 : 1,
        creator: creator!,
        tlsFingerprint,
        tlsInsecure: data.tlsInsecure ?? false,
      }),
    );
    const row = await em.findOneOrFail(PveCluster, { id: Number(id) });
    this.#logger.info(
      { cluster: row.name, id: row.id, enabled: row.isEnabled === 1 },
      'cluster created',
    );
    this.#emit({ type: 'created', id: row.id });
    return row;
  }

  /** update validates and applies a partial change; nothing is written when a field is invalid. */
  async update(id: number, data: UpdateClusterData): Promise<IPveCluster> {
    const checker = new FieldChecker();
    const patch: Partial<IPveCluster> = {};
    const required = <K extends keyof UpdateClusterData>(field: K): boolean => {
      if (data[field] === null) checker.problem(field, 'cannot be null');
      return data[field] !== undefined && data[field] !== null;
    };
    if (required('name')) patch.name = checker.check('name', checkName(data.name!));
    if (data.alias !== undefined)
      patch.alias = checker.check('alias', checkText(data.alias ?? '', 255));
    if (data.env !== undefined) patch.env = checker.check('env', checkText(data.env ?? '', 64));
    if (required('apiUrl')) patch.apiUrl = checker.check('apiUrl', checkApiUrl(data.apiUrl!));
    if (required('tokenId')) patch.tokenId = checker.check('tokenId', checkTokenId(data.tokenId!));
    if (required('tokenSecret')) {
      const secret = checker.check('tokenSecret', checkSecret(data.tokenSecret!));
      if (secret !== undefined) patch.tokenSecret = this.#box.encrypt(secret);
    }
    if (required('isEnabled')) patch.isEnabled = data.isEnabled ? 1 : 0;
    if (required('isSchedulable')) patch.isSchedulable = data.isSchedulable ? 1 : 0;
    if (required('tlsInsecure')) patch.tlsInsecure = data.tlsInsecure!;
    if (required('creator'))
      patch.creator = checker.check('creator', checkText(data.creator!, 255));
    if (data.tlsFingerprint !== undefined) {
      patch.tlsFingerprint =
        data.tlsFingerprint === null || data.tlsFingerprint === ''
          ? null
          : checker.check('tlsFingerprint', checkFingerprint(data.tlsFingerprint));
    }
    if (checker.problems.length > 0) throw new InputError(checker.problems);

    const em = this.#db.fork();
    const row = await em.findOne(PveCluster, { id });
    if (!row) throw clusterNotFound(id);
    const pinned = patch.tlsFingerprint !== undefined ? patch.tlsFingerprint : row.tlsFingerprint;
    const insecure = patch.tlsInsecure ?? row.tlsInsecure;
    if (pinned && insecure) {
      throw new InputError([
        {
          field: 'tlsInsecure',
          message: 'cannot be combined with tlsFingerprint: pin or skip, not both',
        },
      ]);
    }
    const changed = Object.fromEntries(
      Object.entries(patch).filter(([field, value]) => row[field as keyof IPveCluster] !== value),
    ) as Partial<IPveCluster>;
    const connectionChanged = CONNECTION_FIELDS.some((field) => field in changed);
    if (Object.keys(changed).length > 0) {
      await this.#unique(changed.name ?? row.name, () =>
        em.nativeUpdate(PveCluster, { id }, { ...changed, updatedAt: new Date() }),
      );
    }
    // Deleted meanwhile: as if it had been gone before.
    const updated = await em.findOne(PveCluster, { id }, { refresh: true });
    if (!updated) throw clusterNotFound(id);
    this.#logger.info(
      {
        cluster: updated.name,
        id,
        fields: Object.keys(patch).filter((f) => f !== 'tokenSecret'),
        connectionChanged,
      },
      'cluster updated',
    );
    this.#emit({ type: 'updated', id });
    return updated;
  }

  /** setEnabled switches syncing on or off (`is_enabled`); data is kept either way. */
  async setEnabled(id: number, enabled: boolean): Promise<IPveCluster> {
    return this.update(id, { isEnabled: enabled });
  }

  /** setSchedulable sets `is_schedulable`, which only matters for VM placement, never for syncing. */
  async setSchedulable(id: number, schedulable: boolean): Promise<IPveCluster> {
    return this.update(id, { isSchedulable: schedulable });
  }

  /** delete removes a cluster and, by cascading foreign keys, its whole inventory. */
  async delete(id: number): Promise<void> {
    const em = this.#db.fork();
    const row = await em.findOne(PveCluster, { id });
    if (!row) throw clusterNotFound(id);
    await em.nativeDelete(PveCluster, { id });
    this.#logger.info({ cluster: row.name, id }, 'cluster deleted');
    this.#emit({ type: 'deleted', id });
  }

  /** setSyncStatus records the sync layer's view of a cluster (kept in the database for every replica). */
  async setSyncStatus(id: number, status: SyncStatusUpdate): Promise<void> {
    const patch: Partial<IPveCluster> = { syncState: status.state };
    if (status.lastError !== undefined) patch.lastError = status.lastError;
    if (status.lastSyncedAt !== undefined) patch.lastSyncedAt = status.lastSyncedAt;
    // A native update: sync status must not bump updated_at, which tracks user edits.
    await this.#db.fork().nativeUpdate(PveCluster, { id }, patch);
    this.#written();
  }

  /**
   * #unique runs a write of `pve_cluster`, turning a violation of the unique cluster name into
   * CLUSTER_NAME_TAKEN. Writes are native statements, never a unit-of-work flush: MikroORM's
   * flush runs in an AsyncLocalStorage, and on Node 20 running one once installs promise hooks
   * for the rest of the process (disable() does not remove them) — a cost on every promise the
   * server ever makes afterwards (~7 % of its main thread under query load, measured).
   */
  async #unique<T>(name: string, write: () => Promise<T>): Promise<T> {
    try {
      return await write();
    } catch (err) {
      if (err instanceof UniqueConstraintViolationException) {
        throw new ExpectedError('CLUSTER_NAME_TAKEN', `a cluster named '${name}' already exists`, {
          field: 'name',
        });
      }
      throw err;
    }
  }

  /** Encrypts secrets that SQL inserted as plaintext; a concurrent edit of the row wins. */
  async #encryptPlaintext(rows: IPveCluster[]): Promise<void> {
    for (const row of rows) {
      if (row.tokenSecret === '' || SecretBox.isEncrypted(row.tokenSecret)) continue;
      const encrypted = this.#box.encrypt(row.tokenSecret);
      const changed = await this.#db
        .fork()
        .nativeUpdate(
          PveCluster,
          { id: row.id, tokenSecret: row.tokenSecret },
          { tokenSecret: encrypted },
        );
      if (changed > 0) {
        row.tokenSecret = encrypted;
        this.#logger.info(
          { cluster: row.name, id: row.id },
          'encrypted a plaintext token secret at rest',
        );
      }
    }
  }

  #written(): void {
    for (const listener of this.#writeListeners) listener();
  }

  #emit(change: ClusterChange): void {
    this.#written();
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch (err) {
        this.#logger.error({ err, change }, 'cluster change listener failed');
      }
    }
  }
}

function clusterNotFound(id: number): NotFoundError {
  return new NotFoundError('CLUSTER_NOT_FOUND', `cluster ${id} does not exist`, { id: String(id) });
}
