import { setFlagsFromString } from 'node:v8';

/**
 * How far V8's old generation may grow past what the last full collection kept, in percent: 300
 * lets it reach four times its live size (about 80 MB for this server's 20 MB) before the next
 * full collection. V8's own factor, chosen from the collector's speed, gave this server 8–12 MB
 * of headroom.
 *
 * An upload's body arrives in the socket's 64 KiB buffers, short-lived, which a scavenge frees.
 * V8 counts the external memory allocated since the last mark-compact against that headroom,
 * though, and this server allocates little JavaScript per chunk, so the headroom ran out before
 * the young generation filled: while a 512 MB upload streamed in, a full mark-compact started
 * every 120 ms or so (about 35, a second of CPU on V8's threads), each to free what a scavenge
 * would have. With this headroom none starts during the upload (bench/upload.ts, seven runs):
 * the server's CPU per 512 MB is 1.3–2.2 s and the upload 168–200 MB/s, against 2.66 s and
 * 153 MB/s in a paired run with V8's own factor; peak resident memory 143–161 MB against 141.
 * V8's memory reducer still shrinks the heap once the server is idle.
 */
export const HEAP_GROWING_PERCENT = 300;

const FLAG = '--heap-growing-percent';

/**
 * Sets V8's heap growing factor for this process, unless the operator chose one on the command
 * line (`node --heap-growing-percent=N`; NODE_OPTIONS may not carry it), which is left as it is.
 * Answers whether it set it. V8 reads the factor each time it sets a new limit, so setting it once
 * the process runs takes effect from the next collection.
 */
export function tuneHeapForStreaming(
  execArgv: readonly string[] = process.execArgv,
  setFlags: (flags: string) => void = setFlagsFromString,
): boolean {
  const chosen = (arg: string): boolean => arg.replace(/_/g, '-').startsWith(FLAG);
  if (execArgv.some(chosen)) return false;
  setFlags(`${FLAG}=${HEAP_GROWING_PERCENT}`);
  return true;
}
