/**
 * "Did you mean" (issue 17): when a search finds nothing, the words it could only read as parts of
 * file names are compared with the names of the user's own places and cameras and with the words
 * search understands (months, seasons, media types); a word one or two typing slips away from one
 * of them (Damerau-Levenshtein: a swap of two letters is one slip) is replaced, and the corrected
 * query is offered only if it finds something.
 */
import levenshtein from 'damerau-levenshtein';
import { KEYWORDS, normaliseKey, parseQuery } from '../../shared/search-query';
import type { Db } from '../db';
import { hasAssetsAt, hasAssetsWith, type SearchScope } from './scope';
import { PHRASE_MAX, knownPhrases, phrasesOf, resolveQuery, searchAssets } from './search';

/** Slips forgiven in a phrase of this many letters: none below 4, one up to 5, two from 6. */
function slipsAllowed(letters: number): number {
  if (letters < 4) return 0;
  return letters < 6 ? 1 : 2;
}

/** What a misspelt phrase may become: normalised key → the words written in its place. */
async function vocabulary(db: Db, scope: SearchScope): Promise<Map<string, string>> {
  const words = new Map<string, string>();
  const add = (key: string | null, text: string | null): void => {
    if (key !== null && text !== null && key !== '' && !words.has(key)) words.set(key, text);
  };
  const places = await db
    .selectFrom('places')
    .select(['city', 'city_key', 'region', 'region_key', 'country', 'country_key'])
    .where((eb) => hasAssetsAt(eb, scope))
    .execute();
  for (const place of places) add(place.city_key, place.city);
  for (const place of places) add(place.region_key, place.region);
  for (const place of places) add(place.country_key, place.country);
  const cameras = await db
    .selectFrom('cameras')
    .select(['label', 'key', 'make', 'make_key', 'model'])
    .where((eb) => hasAssetsWith(eb, scope))
    .execute();
  for (const camera of cameras) {
    add(camera.key, camera.label);
    add(camera.make_key, camera.make);
    if (camera.model !== null) add(normaliseKey(camera.model), camera.model);
  }
  for (const [key, name] of scope.albums) add(key, name);
  for (const keyword of KEYWORDS) add(keyword, keyword);
  return words;
}

/** The closest entry of `words` to `phrase` within the slips its length allows, if any. */
function closest(phrase: string, words: ReadonlyMap<string, string>): string | null {
  const allowed = slipsAllowed(phrase.replace(/\s/g, '').length);
  if (allowed === 0 || /\d/.test(phrase)) return null;
  let best: string | null = null;
  let bestSteps = allowed + 1;
  for (const [key, text] of words) {
    if (Math.abs(key.length - phrase.length) > allowed) continue;
    const { steps } = levenshtein(phrase, key);
    if (steps > 0 && steps < bestSteps) {
      best = text;
      bestSteps = steps;
    }
  }
  return best;
}

/**
 * The query with its misspelt words corrected, when that query finds something; null when there
 * is nothing to correct or the correction finds nothing either.
 */
export async function didYouMean(db: Db, scope: SearchScope, query: string): Promise<string | null> {
  const { rest } = parseQuery(query);
  if (rest.length === 0) return null;
  const known = await knownPhrases(db, scope, rest.flatMap(phrasesOf));
  const words = await vocabulary(db, scope);
  /** Misspelt phrases (their normalised words) and what to write instead. */
  const fixes: { words: string[]; text: string }[] = [];
  for (const run of rest) {
    for (let start = 0; start < run.length;) {
      let taken = 1;
      for (let length = Math.min(PHRASE_MAX, run.length - start); length >= 1; length--) {
        const phrase = run.slice(start, start + length);
        if (known.has(phrase.join(' '))) {
          taken = length;
          break;
        }
        const fix = closest(phrase.join(' '), words);
        if (fix !== null) {
          fixes.push({ words: phrase, text: fix });
          taken = length;
          break;
        }
      }
      start += taken;
    }
  }
  if (fixes.length === 0) return null;

  // The fixes written over the words the person typed, the rest of the query as it was.
  const typed = [...query.matchAll(/\S+/g)].map((match) => match[0]);
  const keyOf = (word: string): string => normaliseKey(word).replace(/[,.;!?]+$/, '');
  const out: string[] = [];
  let fix = 0;
  for (let at = 0; at < typed.length;) {
    const next = fixes[fix];
    if (next !== undefined && next.words.every((word, offset) => keyOf(typed[at + offset] ?? '') === word)) {
      out.push(next.text);
      at += next.words.length;
      fix += 1;
      continue;
    }
    out.push(typed[at] ?? '');
    at += 1;
  }
  if (fix < fixes.length) return null;
  const corrected = out.join(' ');
  const page = await searchAssets(db, scope, await resolveQuery(db, scope, corrected), {
    after: null,
    limit: 1,
  });
  return page.items.length > 0 ? corrected : null;
}
