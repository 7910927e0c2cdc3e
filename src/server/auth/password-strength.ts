import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as en from '@zxcvbn-ts/language-en';
import { ApiError } from '../errors';

/**
 * zxcvbn's score 2 ("somewhat guessable": about a million guesses) or better. With the sign-in
 * throttle allowing five guesses per account and address a quarter hour, that outlasts any
 * online attack; "password", "Password1", "qwertyuiop" and eight spaces score 0 (issue 18,
 * finding 10).
 */
export const MIN_PASSWORD_SCORE = 2;

/** Built on first use: the dictionaries take a second or two to index. */
let estimator: ZxcvbnFactory | undefined;

/**
 * Refuses a password that is easy to guess (WEAK_PASSWORD, with zxcvbn's warning and advice as
 * the sentence). `userInputs` are words of the account's own (email, name) that the password
 * should not lean on.
 */
export function assertStrongPassword(password: string, userInputs: readonly string[] = []): void {
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...en.dictionary },
    graphs: common.adjacencyGraphs,
    translations: en.translations,
  });
  // Each input whole (an email as the password) and word by word (a name inside it).
  const inputs = [
    'shoebox',
    ...userInputs.flatMap((input) => {
      const lower = input.trim().toLowerCase();
      return [lower, ...lower.split(/[^\p{L}\p{N}]+/u)];
    }),
  ];
  const result = estimator.check(
    password,
    inputs.filter((word) => word.length >= 3),
  );
  if (result.score >= MIN_PASSWORD_SCORE) return;
  const advice = [result.feedback.warning, ...result.feedback.suggestions].filter(
    (line): line is string => line !== null && line !== '',
  );
  throw new ApiError('WEAK_PASSWORD', ['Choose a stronger password.', ...advice].join(' '));
}
