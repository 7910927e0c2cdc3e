/**
 * axe-core in the page: the check every screen passes (issues 5 and 15), in the light and the dark
 * colour scheme.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { expect } from 'vitest';
import type { Page } from './harness';

/**
 * axe-core's source, evaluated in the page rather than added as a <script>: the app's Content
 * Security Policy (issue 18) refuses inline scripts, and an evaluation from the DevTools protocol is
 * not subject to it, so the screens are checked under their real policy.
 */
const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
export const SCHEMES = ['light', 'dark'] as const;

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/** Makes `window.axe` available in `page` (once per document). */
export async function injectAxe(page: Page): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE_SOURCE);
}

/**
 * Runs axe-core in `page` and fails with every serious or critical violation: its rule, the help
 * text and the selectors of the elements at fault.
 */
export async function expectNoSeriousViolations(page: Page, screen: string): Promise<void> {
  await injectAxe(page);
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (context: Document, options: object) => Promise<unknown> } }
    ).axe;
    const results = (await axe.run(document, { resultTypes: ['violations'] })) as {
      violations: AxeViolation[];
    };
    return results.violations;
  });
  const serious = violations.filter(
    (violation) => violation.impact === 'serious' || violation.impact === 'critical',
  );
  const report = serious
    .map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help} <${violation.helpUrl}>\n` +
        violation.nodes
          .map(
            (node) => `    ${JSON.stringify(node.target)}: ${node.failureSummary?.replace(/\n/g, ' ') ?? ''}`,
          )
          .join('\n'),
    )
    .join('\n');
  expect(serious, `axe on ${screen}:\n${report}`).toEqual([]);
}

/** Checks the screen `page` shows in each colour scheme. */
export async function expectAccessibleInBothSchemes(page: Page, screen: string): Promise<void> {
  for (const colorScheme of SCHEMES) {
    await page.emulateMedia({ colorScheme });
    await expectNoSeriousViolations(page, `${screen} (${colorScheme})`);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}
