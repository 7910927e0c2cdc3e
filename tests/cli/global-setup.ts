// The CLI suites run the built CLI, as `npx shoebox` does; build it when missing or stale.
import { ensureCliBuilt } from '../support/build';

export default function setup(): void {
  ensureCliBuilt();
}
