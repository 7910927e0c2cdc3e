import SQLite from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { cachingStatements } from './index';

describe('cachingStatements', () => {
  it('prepares each statement once and hands a fresh one to a caller while it iterates', () => {
    const sqlite = new SQLite(':memory:');
    const database = cachingStatements(sqlite);
    try {
      const source = 'select value from json_each(?)';
      const first = database.prepare(source);
      expect(database.prepare(source)).toBe(first);
      expect(database.prepare('select 1')).not.toBe(first);

      // A streamed query holds its statement busy: running the same SQL meanwhile must still work.
      const rows = (first as SQLite.Statement).iterate('[1, 2]');
      const firstRow: unknown = rows.next().value;
      const during = database.prepare(source);
      expect(during).not.toBe(first);
      expect(during.all(['[3]'])).toEqual([{ value: 3 }]);
      expect(firstRow).toEqual({ value: 1 });
      expect([...rows]).toEqual([{ value: 2 }]);
      // The cached statement is the one kept once it is free again.
      expect(database.prepare(source)).toBe(first);
    } finally {
      database.close();
    }
  });
});
