import { pino } from 'pino';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { loggableUrl, loggerOptions } from './logging';

describe('loggableUrl', () => {
  it('blanks the values of secret-looking query parameters and keeps the rest', () => {
    expect(loggableUrl('/api/assets?cursor=abc&limit=5')).toBe('/api/assets?cursor=abc&limit=5');
    expect(loggableUrl('/s/view?key=k3y&token=t0k&Password=pw&size=s')).toBe(
      '/s/view?key=REDACTED&token=REDACTED&Password=REDACTED&size=s',
    );
    expect(loggableUrl('/api/me')).toBe('/api/me');
  });
});

describe('loggerOptions', () => {
  it('is JSON off a terminal, pretty on one, and as asked either way', () => {
    expect(loggerOptions('info', null, false)).not.toHaveProperty('transport');
    expect(loggerOptions('info', null, true)).toMatchObject({ transport: { target: 'pino-pretty' } });
    expect(loggerOptions('info', 'json', true)).not.toHaveProperty('transport');
    expect(loggerOptions('info', 'pretty', false)).toMatchObject({
      transport: { target: 'pino-pretty', options: { colorize: false } },
    });
    expect(loggerOptions('silent', 'pretty', true)).not.toHaveProperty('transport');
  });

  it('blanks headers and fields that carry secrets, should anything log them', () => {
    let written = '';
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        written += chunk.toString();
        done();
      },
    });
    const { redact, level } = loggerOptions('info', 'json', false);
    const log = pino({ redact, level }, sink);
    log.info({
      req: { headers: { authorization: 'Bearer sbx_secret1', cookie: 'shoebox_session=secret2' } },
    });
    log.info({ res: { headers: { 'set-cookie': 'shoebox_session=secret3' } } });
    log.info({ body: { email: 'a@b.c', password: 'secret4' }, token: 'secret5' });
    log.info({ user: { password: 'secret6' }, created: { token: 'secret7' } });
    expect(written).toContain('a@b.c');
    expect(written.match(/\[redacted\]/g)).toHaveLength(7);
    expect(written).not.toMatch(/secret\d/);
  });
});
