import { createQueryId, type CompiledQuery, type Compilable } from 'kysely';
import { readNow, type Db } from './index';

/**
 * A query built and compiled once per database, then run with each call's values. Kysely builds
 * and compiles a query on every call, which for a short lookup costs more than SQLite's answer
 * (about 0.1 ms for the session lookup every request makes). The SQL stays Kysely's, compiled by
 * the database's own dialect, so it is as portable as the query it was built from.
 *
 * `build` is called once with a placeholder for each argument, so it must use them as values only
 * (no arithmetic, no choosing the query's shape by them: make one PreparedQuery per shape). An
 * argument it leaves out is ignored; one written into the SQL itself is refused.
 */
export class PreparedQuery<Args extends readonly unknown[], Row> {
  readonly #build: (db: Db, ...args: Args) => Compilable<Row>;
  readonly #compiled = new WeakMap<Db, { query: CompiledQuery<Row>; slots: (number | null)[] }>();

  constructor(build: (db: Db, ...args: Args) => Compilable<Row>) {
    this.#build = build;
  }

  /** The compiled query with these values, compiling it on the first call for this database. */
  compileFor(db: Db, ...args: Args): CompiledQuery<Row> {
    let compiled = this.#compiled.get(db);
    if (compiled === undefined) {
      const placeholders = args.map((_, index) => `\u0000placeholder ${index}\u0000`);
      const query = this.#build(db, ...(placeholders as unknown as Args)).compile();
      if (placeholders.some((placeholder) => query.sql.includes(placeholder))) {
        throw new Error(`A prepared query writes an argument into its SQL: ${query.sql}`);
      }
      // Which argument each parameter is, or null for a constant the query itself holds.
      const slots = query.parameters.map((value) => {
        const index = placeholders.indexOf(value as string);
        return index === -1 ? null : index;
      });
      compiled = { query, slots };
      this.#compiled.set(db, compiled);
    }
    const { query, slots } = compiled;
    const parameters = slots.map((slot, at) => (slot === null ? query.parameters[at] : args[slot]));
    // A fresh id per run, as Kysely gives each query: plugins keep per-query state by it.
    return { ...query, queryId: createQueryId(), parameters };
  }

  async execute(db: Db, ...args: Args): Promise<Row[]> {
    return executeRead(db, this.compileFor(db, ...args));
  }

  async executeTakeFirst(db: Db, ...args: Args): Promise<Row | undefined> {
    return (await this.execute(db, ...args))[0];
  }
}

/** The rows of a compiled query: read at once when readNow can, else through Kysely's executor. */
export async function executeRead<Row>(db: Db, query: CompiledQuery<Row>): Promise<Row[]> {
  return readNow(db, query) ?? (await db.executeQuery(query)).rows;
}
