import type { FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { ApiError } from '../errors';
import { applyPatches, patchesWithin } from '../imaging/video-redact';
import { placePatches } from '../library/video-place';
import type { AssetRow } from '../library/assets';
import { attachmentDisposition } from '../library/content-disposition';
import { parseRange } from '../library/range';
import type { BlobStore } from '../storage/blob-store';
import { binaryContent, emptyResponse } from './schemas';

/** The answers of a file served with Range support: whole, a part of it, or not modified. */
export const originalResponses = {
  200: binaryContent(['*/*'], 'The whole file, in its own type (`Content-Type`).'),
  206: binaryContent(['*/*'], 'The requested byte range (`Content-Range`).'),
  304: emptyResponse('Not modified: the `If-None-Match` ETag is current.'),
} as const;

/**
 * Streams an original with Range support (RFC 9110 §14). The sha256 of the bytes is a strong
 * validator: an asset's bytes never change. `withoutPlace`: a video's shooting place is
 * overwritten on the way out (a public link that hides it), the file's length unchanged.
 */
export async function sendOriginal(
  blobs: BlobStore,
  asset: AssetRow,
  request: FastifyRequest,
  reply: FastifyReply,
  options: { withoutPlace?: boolean } = {},
): Promise<FastifyReply> {
  const stat = await blobs.stat(asset.blob_key);
  if (stat === null) {
    request.log.error({ assetId: asset.id, blobKey: asset.blob_key }, 'asset blob is missing');
    throw new ApiError('INTERNAL');
  }
  const patches = options.withoutPlace === true ? await placePatches(blobs, asset, stat.size) : [];
  const etag = patches.length === 0 ? `"${asset.sha256}"` : `"${asset.sha256}-noplace"`;
  // "If-Range … if the validator does not match, the server MUST ignore the Range header."
  const ifRange = request.headers['if-range'];
  const range = parseRange(
    ifRange === undefined || ifRange === etag ? request.headers.range : undefined,
    stat.size,
  );
  if (range.kind === 'unsatisfiable') {
    void reply.header('content-range', `bytes */${stat.size}`);
    throw new ApiError('RANGE_NOT_SATISFIABLE');
  }

  void reply
    .header('accept-ranges', 'bytes')
    .header('etag', etag)
    .header('cache-control', 'private, no-cache')
    .header('content-type', asset.mime_type)
    .header('content-disposition', attachmentDisposition(asset.filename))
    .header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();

  const slice = range.kind === 'partial' ? { start: range.start, end: range.end } : undefined;
  if (slice !== undefined) {
    void reply.code(206).header('content-range', `bytes ${slice.start}-${slice.end}/${stat.size}`);
  }
  void reply.header('content-length', slice === undefined ? stat.size : slice.end - slice.start + 1);
  if (request.method === 'HEAD') return reply.send();
  const stream = await blobs.createReadStream(asset.blob_key, slice);
  if (patches.length === 0) return reply.send(stream);
  const within = patchesWithin(patches, slice?.start ?? 0, slice?.end ?? stat.size - 1);
  return reply.send(Readable.from(applyPatches(stream, within)));
}
