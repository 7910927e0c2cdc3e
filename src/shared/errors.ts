/**
 * The one catalogue of error codes that the server sends and the app shows.
 * Every error response body is `{ error: { code, message } }` (see `ApiError`); the HTTP status is
 * looked up here and nowhere else (tus-node-server keeps its `ERRORS` the same way).
 */
export const ERRORS = {
  BAD_REQUEST: { status: 400, message: 'The request was malformed.' },
  UNAUTHENTICATED: { status: 401, message: 'Sign in to continue.' },
  INVALID_CREDENTIALS: { status: 401, message: 'That email and password do not match an account.' },
  FORBIDDEN: { status: 403, message: 'Only the owner of this server can do that.' },
  ACCOUNT_DISABLED: {
    status: 403,
    message: 'This account is turned off. Ask the owner of this server to turn it on again.',
  },
  WRONG_PASSWORD: { status: 403, message: 'That is not your current password.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  ASSET_NOT_FOUND: { status: 404, message: 'That photo or video does not exist.' },
  THUMB_PENDING: { status: 404, message: 'The preview is still being made. Try again in a moment.' },
  UPLOAD_NOT_FOUND: { status: 404, message: 'That upload does not exist any more. It will start again.' },
  UPLOAD_EXPIRED: { status: 410, message: 'That upload was left unfinished too long. It will start again.' },
  SETUP_ALREADY_DONE: { status: 409, message: 'This server already has an owner account. Sign in instead.' },
  EMAIL_TAKEN: { status: 409, message: 'An account with that email already exists.' },
  NOT_A_VIDEO: { status: 409, message: 'Only a video takes a poster frame.' },
  UPLOAD_CONFLICT: {
    status: 409,
    message: 'The upload is out of step with the server. It will resume from where the server is.',
  },
  UPLOAD_FINISHING: {
    status: 423,
    message: 'The upload is being checked and stored. Its result will be ready in a moment.',
  },
  TUS_VERSION_UNSUPPORTED: {
    status: 412,
    message: 'This upload client speaks a tus version the server does not.',
  },
  RANGE_NOT_SATISFIABLE: { status: 416, message: 'The requested byte range is outside the file.' },
  TOO_LARGE: { status: 413, message: 'The file is larger than this server accepts.' },
  UNSUPPORTED_TYPE: { status: 415, message: 'Only photos and videos can be backed up.' },
  POSTER_UNREADABLE: { status: 422, message: 'The poster frame could not be read as an image.' },
  CHECKSUM_MISMATCH: {
    status: 460,
    message: 'The uploaded bytes do not match their checksum. The file will be sent again.',
  },
  MISSING_METADATA: { status: 400, message: 'The upload is missing its file name, type or checksums.' },
  ALBUM_NOT_FOUND: { status: 404, message: 'That album does not exist, or is not shared with you.' },
  ALBUM_OWNER_ONLY: { status: 403, message: "Only the album's owner can do that." },
  ALBUM_READ_ONLY: {
    status: 403,
    message: 'You can look at this album but not add to it or take photos out.',
  },
  ACCOUNT_NOT_FOUND: { status: 404, message: 'There is no such account on this server.' },
  LINK_NOT_FOUND: { status: 404, message: 'That link does not exist.' },
  LINK_UNAVAILABLE: { status: 404, message: 'This link has expired or was turned off.' },
  LINK_PASSWORD_REQUIRED: { status: 401, message: 'This link is protected by a password.' },
  LINK_PASSWORD_WRONG: { status: 401, message: 'That password is not right.' },
  DOWNLOAD_NOT_ALLOWED: { status: 403, message: 'Whoever shared this link did not allow downloads.' },
  EDIT_UNSUPPORTED: { status: 409, message: 'Only photos can be turned; videos play as they were recorded.' },
  EDIT_UNREADABLE: {
    status: 422,
    message: 'This photo cannot be read, so it has no edited version. The original is kept as it was.',
  },
  RATE_LIMITED: { status: 429, message: 'Too many attempts. Wait a minute and try again.' },
  WEAK_PASSWORD: { status: 400, message: 'Choose a stronger password.' },
  TOKEN_SCOPE: { status: 403, message: 'This API token is not allowed to do that.' },
  CROSS_ORIGIN: { status: 403, message: 'The request came from another site and was refused.' },
  QUOTA_EXCEEDED: { status: 413, message: 'This upload would go over your storage quota.' },
  TOO_MANY_UPLOADS: {
    status: 429,
    message: 'Too many unfinished uploads. They will continue once the others are done.',
  },
  TILES_UNAVAILABLE: { status: 502, message: 'The map tile server did not answer with a tile.' },
  STORAGE_FULL: { status: 507, message: 'Server storage full. Shoebox will try again later.' },
  INTERNAL: { status: 500, message: 'Something went wrong on the server. Try again later.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERRORS;

/** The JSON body of every error response. */
export interface ApiErrorBody {
  error: { code: ErrorCode; message: string };
}

export function errorBody(code: ErrorCode, message: string = ERRORS[code].message): ApiErrorBody {
  return { error: { code, message } };
}

export function isApiErrorBody(value: unknown): value is ApiErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const { error } = value;
  if (typeof error !== 'object' || error === null) return false;
  const { code, message } = error as { code?: unknown; message?: unknown };
  return typeof code === 'string' && code in ERRORS && typeof message === 'string';
}
