import { describe, expect, it } from 'vitest';
import type { SearchFilter } from './search';
import { labelOf, normaliseKey, parseQuery, tokenOf } from './search-query';

const date = (from: string, to = from): SearchFilter => ({ kind: 'date', from, to });

describe('parseQuery', () => {
  it.each([
    ['2019', date('2019-01-01', '2019-12-31')],
    ['July 2019', date('2019-07-01', '2019-07-31')],
    ['jul 2019', date('2019-07-01', '2019-07-31')],
    ['2019-07', date('2019-07-01', '2019-07-31')],
    ['2019-07-14', date('2019-07-14')],
    ['14 July 2019', date('2019-07-14')],
    ['July 14, 2019', date('2019-07-14')],
    ['february 2020', date('2020-02-01', '2020-02-29')],
    ['summer 2018', date('2018-06-01', '2018-08-31')],
    ['winter 2018', date('2018-12-01', '2019-02-28')],
    ['fall 2017', date('2017-09-01', '2017-11-30')],
    ['2018 to 2019', date('2018-01-01', '2019-12-31')],
    ['2018-2019', date('2018-01-01', '2019-12-31')],
    ['2019-07-01..2019-07-14', date('2019-07-01', '2019-07-14')],
    ['between March 2019 and May 2019', date('2019-03-01', '2019-05-31')],
    ['from 2019-07-01 to 2019-07-14', date('2019-07-01', '2019-07-14')],
    ['June 2019 – August 2019', date('2019-06-01', '2019-08-31')],
    ['since 2019', date('2019-01-01', '9999-12-31')],
    ['before 2019', date('0001-01-01', '2018-12-31')],
    ['after July 2019', date('2019-08-01', '9999-12-31')],
    ['July', { kind: 'month', month: 7 }],
    ['videos', { kind: 'type', type: 'video' }],
    ['selfie', { kind: 'type', type: 'selfie' }],
    ['Screenshots', { kind: 'type', type: 'screenshot' }],
    ['favourites', { kind: 'favorite' }],
    ['Favorites', { kind: 'favorite' }],
    ['is:favourite', { kind: 'favorite' }],
    ['album:"Summer in Rome"', { kind: 'album', name: 'Summer in Rome' }],
  ])('reads %j', (query, filter) => {
    expect(parseQuery(query)).toEqual({ filters: [filter], rest: [] });
  });

  it('leaves the words it does not know, in runs split where a filter was', () => {
    expect(parseQuery('New York July 2019 Canon EOS videos')).toEqual({
      filters: [date('2019-07-01', '2019-07-31'), { kind: 'type', type: 'video' }],
      rest: [
        ['new', 'york'],
        ['canon', 'eos'],
      ],
    });
  });

  it('refuses dates that do not exist and years out of range, leaving them as words', () => {
    expect(parseQuery('2019-02-30').rest).toEqual([['2019-02-30']]);
    expect(parseQuery('31 June 2019')).toEqual({
      filters: [date('2019-06-01', '2019-06-30')],
      rest: [['31']],
    });
    expect(parseQuery('1234').rest).toEqual([['1234']]);
    expect(parseQuery('2020 to 2019')).toEqual({
      filters: [date('2020-01-01', '2020-12-31'), date('2019-01-01', '2019-12-31')],
      rest: [['to']],
    });
  });

  it('does not take a city that starts like a month for the month', () => {
    expect(parseQuery('Marseille').rest).toEqual([['marseille']]);
    expect(parseQuery('Jan Mayen').filters).toEqual([{ kind: 'month', month: 1 }]);
  });

  it('reads filter tokens, quoted or not, and keeps one of each filter', () => {
    expect(
      parseQuery(
        'city:"Benátky nad Jizerou" country:cz type:photo date:2019-07-01..2019-07-31 camera:"Canon EOS 40D" 2019 city:"Benátky nad Jizerou"',
      ),
    ).toEqual({
      filters: [
        { kind: 'city', name: 'Benátky nad Jizerou' },
        { kind: 'country', code: 'CZ' },
        { kind: 'type', type: 'photo' },
        date('2019-07-01', '2019-07-31'),
        { kind: 'camera', label: 'Canon EOS 40D' },
        date('2019-01-01', '2019-12-31'),
      ],
      rest: [],
    });
  });

  it('takes a token it cannot read as words', () => {
    expect(parseQuery('type:hologram http://example')).toEqual({
      filters: [],
      rest: [['type:hologram', 'http://example']],
    });
  });

  it('round-trips every filter through its token', () => {
    const filters: SearchFilter[] = [
      { kind: 'name', text: 'img 20' },
      date('2019-07-01', '2019-07-31'),
      date('2019-07-14'),
      { kind: 'month', month: 12 },
      { kind: 'country', code: 'IT' },
      { kind: 'region', name: 'Tuscany' },
      { kind: 'city', name: 'New York City' },
      { kind: 'camera', label: 'Canon EOS 40D' },
      { kind: 'make', name: 'Canon' },
      { kind: 'type', type: 'screenshot' },
      { kind: 'favorite' },
      { kind: 'album', name: 'Summer in Rome' },
    ];
    expect(parseQuery(filters.map(tokenOf).join(' ')).filters).toEqual(filters);
  });
});

const LABELS: [SearchFilter, string][] = [
  [date('2019-01-01', '2019-12-31'), '2019'],
  [date('2018-01-01', '2019-12-31'), '2018–2019'],
  [date('2019-07-01', '2019-07-31'), 'July 2019'],
  [date('2019-07-14'), '14 July 2019'],
  [date('2018-06-01', '2018-08-31'), 'Summer 2018'],
  [date('2018-12-01', '2019-02-28'), 'Winter 2018'],
  [date('2019-03-01', '2019-05-31'), 'Spring 2019'],
  [date('2019-02-01', '2019-05-31'), 'February 2019 – May 2019'],
  [date('2019-07-01', '2019-07-14'), '1 July 2019 – 14 July 2019'],
  [date('2019-01-01', '9999-12-31'), 'Since 1 January 2019'],
  [{ kind: 'month', month: 7 }, 'July'],
  [{ kind: 'type', type: 'video' }, 'Videos'],
  [{ kind: 'favorite' }, 'Favourites'],
  [{ kind: 'album', name: 'Summer in Rome' }, 'Summer in Rome'],
];

describe('labelOf', () => {
  it.each(LABELS)('names %j', (filter, label) => {
    expect(labelOf(filter)).toBe(label);
  });

  it('names a country through the caller', () => {
    expect(labelOf({ kind: 'country', code: 'IT' }, () => 'Italia')).toBe('Italia');
  });
});

describe('normaliseKey', () => {
  it('compares without case, accents or extra spaces', () => {
    expect(normaliseKey('  Benátky  nad JIZEROU ')).toBe('benatky nad jizerou');
    expect(normaliseKey('Olympus μ Digital')).toBe('olympus μ digital');
  });
});
