// The store's SQL plumbing, shared by every repository: one connection, a cache of prepared statements,
// transactions, the clock, and the checks every table group applies to ids and names.
import type Database from 'better-sqlite3';
import { invalid, StoreError, storeErrorFrom } from './errors.js';

export class StoreDb {
  private closed = false;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(
    private readonly connection: Database.Database,
    /** The clock, in ms since 1970 (tests pin it). */
    readonly now: () => number,
    /** The database file, named in errors. */
    readonly path: string = connection.name,
  ) {}

  /** Runs `fn`, turning SQLite's disk, I/O and damage errors into StoreErrors (DiskFull, WriteFailed, …). */
  private guard<T>(fn: () => T): T {
    try {
      return fn();
    } catch (error) {
      throw storeErrorFrom(error, this.path);
    }
  }

  /** Closes the connection (folding the WAL into the database); every later use throws StoreClosed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.connection.close();
  }

  get isOpen(): boolean {
    return !this.closed;
  }

  get sqlite(): Database.Database {
    if (this.closed) throw new StoreError('StoreClosed', 'the store is closed');
    return this.connection;
  }

  /**
   * Runs `fn` in a transaction (a savepoint when already inside one): all of its writes or none. Repositories
   * call each other inside one, so a write that spans table groups is still a single transaction.
   */
  tx<T>(fn: () => T): T {
    return this.guard(() => this.sqlite.transaction(fn).immediate());
  }

  stmt(sql: string): Database.Statement {
    if (this.closed) throw new StoreError('StoreClosed', 'the store is closed');
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.sqlite.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement;
  }

  get<T>(sql: string, ...params: unknown[]): T | undefined {
    return this.guard(() => this.stmt(sql).get(...params) as T | undefined);
  }

  all<T>(sql: string, ...params: unknown[]): T[] {
    return this.guard(() => this.stmt(sql).all(...params) as T[]);
  }

  /** Runs a write; returns the new row id. */
  run(sql: string, ...params: unknown[]): number {
    return this.guard(() => Number(this.stmt(sql).run(...params).lastInsertRowid));
  }

  /** Runs a write; returns how many rows it changed. */
  change(sql: string, ...params: unknown[]): number {
    return this.guard(() => this.stmt(sql).run(...params).changes);
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}

export function checkId(id: number, noun: string): number {
  if (!Number.isSafeInteger(id) || id < 1) throw invalid(`${noun} id must be a positive integer (got ${JSON.stringify(id)})`);
  return id;
}

export function checkName(name: string, what: string): string {
  if (typeof name !== 'string' || name.trim().length === 0 || name.length > 200) {
    throw invalid(`${what} must be a non-empty string of at most 200 characters (got ${JSON.stringify(name)})`);
  }
  return name;
}
