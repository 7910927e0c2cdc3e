/**
 * One holder at a time per key, in this process. Guards a blob key while an upload stores it and
 * records the asset that refers to it, against a purge that checks the references and deletes
 * it: without it, a purge could delete bytes an upload had just found already stored. Several
 * server processes over one store would need a lock across processes (PostgreSQL advisory locks,
 * DESIGN §6) in its place.
 */
export class KeyedMutex {
  readonly #tails = new Map<string, Promise<void>>();

  async run<T>(key: string, task: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const current = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = previous.then(() => current);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await task();
    } finally {
      release();
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
