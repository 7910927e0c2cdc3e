import { describe, expect, it } from 'vitest';
import {
  captureTimeFromMetadata,
  parseClientCaptureTime,
  startOfNextDay,
  wallClockToStored,
} from './capture-date';

describe('wallClockToStored', () => {
  it.each([
    ['2018-07-25T16:34:23', '2018-07-25T16:34:23.000Z'],
    ['2018-07-25T16:34:23.935', '2018-07-25T16:34:23.935Z'],
    ['2018-07-25T16:34', '2018-07-25T16:34:00.000Z'],
  ])('%j', (value, expected) => {
    expect(wallClockToStored(value)).toBe(expected);
  });

  it.each(['2018-02-30T10:00:00', '2018-13-01T00:00:00', '0000-00-00T00:00:00', '2018-07-25', ''])(
    'rejects %j',
    (value) => {
      expect(wallClockToStored(value)).toBeNull();
    },
  );
});

describe('parseClientCaptureTime', () => {
  it('keeps the wall-clock time and its zone apart', () => {
    expect(parseClientCaptureTime('2021-04-11T15:47:53-05:00')).toEqual({
      at: '2021-04-11T15:47:53.000Z',
      offsetMinutes: -300,
    });
    expect(parseClientCaptureTime('2018-07-25T16:34:23.5+02:00')).toEqual({
      at: '2018-07-25T16:34:23.500Z',
      offsetMinutes: 120,
    });
  });

  it('reads Z as offset 0 and no zone as an unknown offset', () => {
    expect(parseClientCaptureTime('2020-09-13T12:26:40.000Z')).toEqual({
      at: '2020-09-13T12:26:40.000Z',
      offsetMinutes: 0,
    });
    expect(parseClientCaptureTime('2020-01-01T10:00:00')).toEqual({
      at: '2020-01-01T10:00:00.000Z',
      offsetMinutes: null,
    });
  });

  it.each(['2018-07-25', 'July 25, 2018', '2018-02-30T10:00:00Z', '2018-07-25T16:34:23+15:00', ''])(
    'rejects %j',
    (value) => {
      expect(parseClientCaptureTime(value)).toBeNull();
    },
  );
});

describe('captureTimeFromMetadata', () => {
  it('stores what imaging read, and nothing for an impossible date', () => {
    expect(captureTimeFromMetadata({ capturedAt: '2021-04-11T15:47:53.000', offsetMinutes: -300 })).toEqual({
      at: '2021-04-11T15:47:53.000Z',
      offsetMinutes: -300,
    });
    expect(
      captureTimeFromMetadata({ capturedAt: '2018-02-31T10:00:00.000', offsetMinutes: null }),
    ).toBeNull();
    expect(captureTimeFromMetadata({ capturedAt: null, offsetMinutes: 60 })).toBeNull();
  });
});

describe('startOfNextDay', () => {
  it('crosses months and leap days', () => {
    expect(startOfNextDay('2020-02-28')).toBe('2020-02-29T00:00:00.000Z');
    expect(startOfNextDay('2019-12-31')).toBe('2020-01-01T00:00:00.000Z');
    expect(startOfNextDay('2019-02-29')).toBeNull();
    expect(startOfNextDay('yesterday')).toBeNull();
  });
});
