import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../shared/limits';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('has defaults that need no configuration', () => {
    expect(loadConfig({}, '/srv/shoebox')).toEqual({
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/srv/shoebox/data',
      database: { dialect: 'sqlite', file: '/srv/shoebox/data/shoebox.sqlite' },
      storage: { kind: 'filesystem' },
      staticDir: '/srv/shoebox/dist',
      trustProxy: false,
      limits: DEFAULT_LIMITS,
      logLevel: 'info',
      logFormat: null,
      jobConcurrency: 1,
      role: 'all',
      tusMaxChunkBytes: 64 * 1024 * 1024,
      corsOrigins: [],
      trashRetentionDays: 30,
      tls: null,
    });
  });

  it('takes PostgreSQL from DATABASE_URL and refuses any other kind of URL without echoing its password', () => {
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/shoebox' }).database).toEqual({
      dialect: 'postgres',
      url: 'postgresql://db/shoebox',
    });
    expect(loadConfig({ DATABASE_URL: '  ' }, '/srv').database).toEqual({
      dialect: 'sqlite',
      file: '/srv/data/shoebox.sqlite',
    });
    expect(() => loadConfig({ DATABASE_URL: 'mysql://root:hunter2@db/shoebox' })).toThrow(
      /DATABASE_URL must start with postgres:\/\/.*mysql:/,
    );
    expect(() => loadConfig({ DATABASE_URL: 'shoebox.sqlite' })).toThrow(ConfigError);
    const refusal = (): string => {
      try {
        loadConfig({ DATABASE_URL: 'postgres//shoebox:hunter2@db/shoebox' });
        return 'accepted';
      } catch (error) {
        return String(error);
      }
    };
    expect(refusal()).toMatch(/DATABASE_URL must be a PostgreSQL URL/);
    expect(refusal()).not.toContain('hunter2');
  });

  it('refuses a role it does not know', () => {
    expect(() => loadConfig({ SHOEBOX_ROLE: 'workers' })).toThrow(
      'SHOEBOX_ROLE must be one of api, worker, all, not "workers".',
    );
    expect(loadConfig({ SHOEBOX_ROLE: 'api' }).role).toBe('api');
  });

  it('reads every variable', () => {
    const config = loadConfig(
      {
        PORT: '3000',
        HOST: '127.0.0.1',
        SHOEBOX_DATA_DIR: 'var/data',
        SHOEBOX_STATIC_DIR: '/opt/app',
        TRUST_PROXY: '10.0.0.1, 10.0.0.0/8',
        SHOEBOX_MAX_PHOTO_BYTES: '1000',
        SHOEBOX_MAX_PHOTO_PIXELS: '2000',
        SHOEBOX_MAX_VIDEO_BYTES: '3000',
        LOG_LEVEL: 'DEBUG',
        LOG_FORMAT: 'JSON',
        SHOEBOX_JOB_CONCURRENCY: '2',
        SHOEBOX_ROLE: 'Worker',
        SHOEBOX_TUS_MAX_CHUNK_BYTES: '100000000',
        SHOEBOX_CORS_ORIGINS: 'https://photos.example.com, http://localhost:5173',
        SHOEBOX_TRASH_DAYS: '7',
        SHOEBOX_TLS_CERT: 'tls/cert.pem',
        SHOEBOX_TLS_KEY: '/etc/shoebox/key.pem',
        DATABASE_URL: 'postgres://shoebox:secret@db.internal:5432/shoebox',
        S3_ENDPOINT: 'http://minio.internal:9000',
        S3_BUCKET: 'photos',
        S3_REGION: 'eu-west-1',
        S3_ACCESS_KEY_ID: 'shoebox',
        S3_SECRET_ACCESS_KEY: 'secret',
        S3_FORCE_PATH_STYLE: 'true',
      },
      '/srv',
    );
    expect(config).toEqual({
      port: 3000,
      host: '127.0.0.1',
      dataDir: path.resolve('/srv', 'var/data'),
      database: { dialect: 'postgres', url: 'postgres://shoebox:secret@db.internal:5432/shoebox' },
      storage: {
        kind: 's3',
        endpoint: 'http://minio.internal:9000',
        bucket: 'photos',
        region: 'eu-west-1',
        credentials: { accessKeyId: 'shoebox', secretAccessKey: 'secret' },
        forcePathStyle: true,
      },
      staticDir: '/opt/app',
      trustProxy: ['10.0.0.1', '10.0.0.0/8'],
      limits: { maxPhotoBytes: 1000, maxPhotoPixels: 2000, maxVideoBytes: 3000 },
      logLevel: 'debug',
      logFormat: 'json',
      jobConcurrency: 2,
      role: 'worker',
      tusMaxChunkBytes: 100_000_000,
      corsOrigins: ['https://photos.example.com', 'http://localhost:5173'],
      trashRetentionDays: 7,
      tls: { certFile: path.resolve('/srv', 'tls/cert.pem'), keyFile: '/etc/shoebox/key.pem' },
    });
  });

  it('stores on AWS S3 with the SDK’s own credentials when only S3_BUCKET is set', () => {
    expect(loadConfig({ S3_BUCKET: 'photos' }).storage).toEqual({
      kind: 's3',
      endpoint: null,
      bucket: 'photos',
      region: 'us-east-1',
      credentials: null,
      forcePathStyle: false,
    });
  });

  it.each([
    [{ S3_ENDPOINT: 'http://minio:9000' }, /S3_ENDPOINT is set but S3_BUCKET is not/],
    [
      { S3_BUCKET: 'photos', S3_ACCESS_KEY_ID: 'key' },
      /S3_ACCESS_KEY_ID is set but S3_SECRET_ACCESS_KEY is not/,
    ],
    [{ S3_BUCKET: 'photos', S3_ENDPOINT: 'minio:9000' }, /S3_ENDPOINT must be a URL/],
    [{ S3_BUCKET: 'photos', S3_FORCE_PATH_STYLE: 'yes' }, /S3_FORCE_PATH_STYLE must be true or false/],
  ])('refuses S3 settings %j with a sentence', (env, sentence) => {
    expect(() => loadConfig(env)).toThrow(sentence);
  });

  it.each(['photos.example.com', 'https://photos.example.com/', 'https://photos.example.com/app', '*'])(
    'refuses SHOEBOX_CORS_ORIGINS=%j with a sentence',
    (value) => {
      expect(() => loadConfig({ SHOEBOX_CORS_ORIGINS: value })).toThrow(/is not an origin/);
    },
  );

  it.each([
    ['1', 1],
    ['2', 2],
    ['false', false],
    ['0', false],
    ['', false],
  ])('reads TRUST_PROXY=%j', (value, expected) => {
    expect(loadConfig({ TRUST_PROXY: value }).trustProxy).toBe(expected);
  });

  it('reads TRUST_PROXY as addresses, ranges and proxy-addr names', () => {
    expect(loadConfig({ TRUST_PROXY: '127.0.0.1, ::1, 10.0.0.0/8, fd00::/8, loopback' }).trustProxy).toEqual([
      '127.0.0.1',
      '::1',
      '10.0.0.0/8',
      'fd00::/8',
      'loopback',
    ]);
  });

  it.each([
    ['true', 'TRUST_PROXY=true would let any client choose the address Shoebox sees.'],
    ['proxy.local', '"proxy.local" is none of these.'],
    ['10.0.0.0/33', '"10.0.0.0/33" is none of these.'],
    ['10.0.0.1/8/1', '"10.0.0.1/8/1" is none of these.'],
  ])('refuses TRUST_PROXY=%j with a sentence', (value, sentence) => {
    expect(() => loadConfig({ TRUST_PROXY: value })).toThrow(sentence);
  });

  it.each([
    [{ PORT: 'http' }, 'PORT must be a positive whole number, not "http".'],
    [{ PORT: '70000' }, 'PORT must be at most 65535, not 70000.'],
    [{ SHOEBOX_MAX_PHOTO_BYTES: '-5' }, 'SHOEBOX_MAX_PHOTO_BYTES must be a positive whole number, not "-5".'],
    [
      { SHOEBOX_MAX_VIDEO_BYTES: '1.5' },
      'SHOEBOX_MAX_VIDEO_BYTES must be a positive whole number, not "1.5".',
    ],
    [
      { LOG_LEVEL: 'loud' },
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, not "loud".',
    ],
    [{ LOG_FORMAT: 'xml' }, 'LOG_FORMAT must be pretty or json, not "xml".'],
    [
      { SHOEBOX_TLS_CERT: 'cert.pem' },
      'SHOEBOX_TLS_CERT is set but SHOEBOX_TLS_KEY is not: HTTPS needs both the certificate and its private key (PEM files), or neither for plain HTTP.',
    ],
    [
      { SHOEBOX_TLS_KEY: 'key.pem', SHOEBOX_TLS_CERT: ' ' },
      'SHOEBOX_TLS_KEY is set but SHOEBOX_TLS_CERT is not: HTTPS needs both the certificate and its private key (PEM files), or neither for plain HTTP.',
    ],
  ])('rejects %j with a sentence', (env, message) => {
    expect(() => loadConfig(env)).toThrow(new ConfigError(message));
  });
});
