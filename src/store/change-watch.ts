/**
 * What this process may keep in memory between requests, and when it must forget it.
 *
 * Four topics are cached above the store: `auth` (API tokens, sessions, users → the actor of a
 * request, a user's email), `policy` (the version in force), `risk` (the risk-model version in
 * force) and `org` (an organization by id, with its mail domains). A
 * topic's cached values are valid while its epoch has not moved. The epoch moves when:
 *
 *   - this process writes one of the topic's tables (a Kysely plugin sees the INSERT / UPDATE /
 *     DELETE as it runs, so a revocation on this node takes effect at once). On PostgreSQL the
 *     topic also stays uncached for `settleMs` after such a write: a read on another pool
 *     connection before the writer commits would otherwise cache the old row;
 *   - another process wrote: on SQLite `PRAGMA data_version` moved (any other connection's
 *     commit; checked on every look-up, it reads no table); on PostgreSQL a notification
 *     arrived on the `escalon_changes` channel (migration 0023's triggers send the table's
 *     name at commit) — or the listener (re)connected, when every topic moves, because
 *     notifications may have been missed while it was away. While the listener is not
 *     connected nothing is served from cache.
 *
 * Whatever happens, an entry lives at most `ttlMs` (the safety net). Writes through raw SQL
 * that bypass Kysely's query builder are not seen in-process; none of the cached tables is
 * written that way.
 */
import type { KyselyPlugin, OperationNode, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';

export type Topic = 'auth' | 'policy' | 'risk' | 'org';
const TOPICS: readonly Topic[] = ['auth', 'policy', 'risk', 'org'];

/** Tables whose writes move a topic (the PostgreSQL triggers of migration 0023 name the same tables). */
export const TABLE_TOPIC: Readonly<Record<string, Topic>> = {
  api_tokens: 'auth',
  sessions: 'auth',
  users: 'auth',
  policies: 'policy',
  risk_models: 'risk',
  organizations: 'org',
  organization_domains: 'org',
};

/** The channel the triggers notify on; the payload is the table's name. */
export const CHANGES_CHANNEL = 'escalon_changes';

/** Inserts that cannot make a cached value stale: only found rows are cached, never a miss. */
const IGNORED_INSERTS: ReadonlySet<string> = new Set(['api_tokens', 'sessions', 'users', 'organizations']);

/** Columns whose writes do not change what is cached (the coarse last-use stamp). */
const IGNORED_UPDATES: Readonly<Record<string, ReadonlySet<string>>> = { api_tokens: new Set(['last_used_at']) };

export interface WatchSource {
  /** SQLite: true when another connection committed since the last call. */
  externalChange?: () => boolean;
  /** PostgreSQL: whether the change listener is connected (and started it when it is not). */
  connected?: () => boolean;
  /** How long a topic stays uncached after this process wrote it (PostgreSQL: until commit is safe to assume). */
  settleMs?: number;
}

export class ChangeWatch {
  private readonly epochs: Record<Topic, number> = { auth: 0, policy: 0, risk: 0, org: 0 };
  private readonly quietUntil: Record<Topic, number> = { auth: 0, policy: 0, risk: 0, org: 0 };
  /** The Kysely plugin that tells this watch of the process's own writes. */
  readonly plugin: KyselyPlugin;

  constructor(private readonly source: WatchSource = {}) {
    this.plugin = new WatchPlugin(this);
  }

  /**
   * The topic's epoch: a cached value read under another epoch is stale. It does not look for
   * other processes' writes itself — `usable` does, and callers ask it first; an epoch taken
   * without that can only be too old, which makes the value it guards uncached, never stale.
   */
  epoch(topic: Topic): number {
    return this.epochs[topic];
  }

  /** Whether cached values of the topic may be served now (and whether another process wrote meanwhile). */
  usable(topic: Topic): boolean {
    this.poll();
    if (this.source.connected && !this.source.connected()) return false;
    return Date.now() >= this.quietUntil[topic];
  }

  /** Something of `topic` (or everything) changed. `local`: written by this process (not yet known committed). */
  changed(topic: Topic | 'all', local = false): void {
    for (const t of topic === 'all' ? TOPICS : [topic]) {
      this.epochs[t]++;
      if (local && this.source.settleMs) this.quietUntil[t] = Date.now() + this.source.settleMs;
    }
  }

  /** A notification naming a table (PostgreSQL). Unknown names move every topic. */
  tableChanged(table: string): void {
    this.changed(TABLE_TOPIC[table] ?? 'all');
  }

  private poll(): void {
    if (this.source.externalChange?.()) this.changed('all');
  }
}

function tableName(node: OperationNode | undefined): string | undefined {
  if (!node) return undefined;
  const n = node as { kind: string; table?: { identifier?: { name?: string } }; froms?: OperationNode[]; node?: OperationNode };
  if (n.kind === 'TableNode') return n.table?.identifier?.name;
  if (n.kind === 'FromNode') return tableName(n.froms?.[0]);
  if (n.kind === 'AliasNode') return tableName(n.node);
  return undefined;
}

/** The watched table a write touches, if any (ignoring updates of ignored columns only). */
export function writtenTopic(node: RootOperationNode): Topic | undefined {
  let table: string | undefined;
  if (node.kind === 'InsertQueryNode') {
    table = tableName(node.into);
    if (table && IGNORED_INSERTS.has(table)) return undefined;
  }
  else if (node.kind === 'DeleteQueryNode') table = tableName(node.from);
  else if (node.kind === 'UpdateQueryNode') {
    table = tableName(node.table);
    const ignored = table ? IGNORED_UPDATES[table] : undefined;
    if (ignored && node.updates?.every((u) => ignored.has((u.column as { column?: { name?: string } }).column?.name ?? ''))) return undefined;
  }
  return table ? TABLE_TOPIC[table] : undefined;
}

class WatchPlugin implements KyselyPlugin {
  private readonly pending = new WeakMap<object, Topic>();

  constructor(readonly watch: ChangeWatch) {}

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    const kind = args.node.kind;
    if (kind === 'InsertQueryNode' || kind === 'UpdateQueryNode' || kind === 'DeleteQueryNode') {
      const topic = writtenTopic(args.node);
      if (topic) {
        // Before the statement (a read racing it must not cache) and after it (below).
        this.watch.changed(topic, true);
        this.pending.set(args.queryId, topic);
      }
    }
    return args.node;
  }

  async transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    const topic = this.pending.get(args.queryId);
    if (topic) this.watch.changed(topic, true);
    return args.result;
  }
}

/** The watch of the store a Kysely instance (or one of its transactions) came from; undefined for other instances. */
export function watchOf(db: { getExecutor(): { readonly plugins: readonly KyselyPlugin[] } }): ChangeWatch | undefined {
  for (const p of db.getExecutor().plugins) if (p instanceof WatchPlugin) return p.watch;
  return undefined;
}

/**
 * A bounded map of cached values of one topic. `get` answers from memory while the entry's
 * epoch is the topic's and it is younger than the TTL; else it loads, and keeps the value only
 * if the topic did not move during the load.
 */
export class TopicCache<K, V> {
  /** Per store (tests and the bench open several in one process). */
  private readonly stores = new WeakMap<ChangeWatch, Map<K, { value: V; epoch: number; at: number }>>();

  constructor(
    readonly topic: Topic,
    readonly ttlMs: number,
    private readonly max = 10_000,
  ) {}

  async get(watch: ChangeWatch | undefined, key: K, load: () => Promise<V>, keep: (v: V) => boolean = () => true): Promise<V> {
    if (!watch) return load();
    let entries = this.stores.get(watch);
    if (!entries) this.stores.set(watch, (entries = new Map()));
    const now = Date.now();
    if (watch.usable(this.topic)) {
      const hit = entries.get(key);
      if (hit && hit.epoch === watch.epoch(this.topic) && now - hit.at < this.ttlMs) return hit.value;
    }
    const epoch = watch.epoch(this.topic);
    const value = await load();
    if (keep(value) && watch.usable(this.topic) && watch.epoch(this.topic) === epoch) {
      if (entries.size >= this.max) entries.delete(entries.keys().next().value as K);
      entries.delete(key);
      entries.set(key, { value, epoch, at: now });
    } else entries.delete(key);
    return value;
  }

  /** Drops one entry (e.g. the throttled stamp of a token just written). */
  forget(watch: ChangeWatch | undefined, key: K): void {
    if (watch) this.stores.get(watch)?.delete(key);
  }
}
