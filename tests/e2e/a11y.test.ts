/**
 * Issue 5, accessibility and quality: axe-core finds no serious or critical violation on the
 * sign-in, Backup, Library, viewer and Settings screens in the light and the dark colour scheme;
 * every control of the Backup screen and the navigation is reached with Tab and shows its focus;
 * the viewer works from the keyboard and gives focus back to the tile it was opened from; the
 * status card's live region carries state changes, never progress; dark colours and reduced motion
 * follow the system settings.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { corpusFile } from '../support/corpus';
import { expectAccessibleInBothSchemes, expectNoSeriousViolations } from './axe';
import {
  closeSession,
  openSession,
  rowsByState,
  type Browser,
  type BrowserContext,
  type Page,
  type RunningServer,
} from './harness';

/** Backed up through the Backup screen (done), refused there (skipped), and added offline (queued). */
const DONE = ['Portrait_2.jpg', 'Landscape_1.jpg', 'beach.jpg'].map(corpusFile);
const SKIPPED = [corpusFile('zero-byte.jpg')];
const QUEUED = ['Landscape_3.jpg', 'Portrait_4.jpg'].map(corpusFile);
/** Put straight into the library, so it has a video and photos with places and cameras. */
const LIBRARY = ['DSCN0010.jpg', 'with-gps.mp4', 'Canon_40D.jpg'];

interface FocusStop {
  key: string | null;
  description: string;
  focusVisible: boolean;
  /** An outline or a box shadow is drawn around the focused element. */
  indicated: boolean;
}

/**
 * Marks every control a keyboard user should reach (visible, enabled, not taken out of the tab
 * order) with `data-a11y-key`, then presses Tab until focus has been everywhere or comes round
 * again, and returns the keys of the controls and where each Tab landed.
 */
async function tabThrough(page: Page, within = 'body'): Promise<{ controls: string[]; stops: FocusStop[] }> {
  const controls = await page.evaluate((root) => {
    const selector = 'a[href], button, input, select, textarea, summary, [tabindex]';
    const found: string[] = [];
    document.querySelectorAll<HTMLElement>(`${root} :is(${selector})`).forEach((element, index) => {
      const disabled = (element as HTMLButtonElement).disabled === true;
      const hidden = !element.checkVisibility({ visibilityProperty: true }) && !element.matches('.skip-link');
      if (disabled || hidden || element.tabIndex < 0 || element.closest('[inert]') !== null) return;
      element.dataset.a11yKey = String(index);
      found.push(String(index));
    });
    return found;
  }, within);
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
  const stops: FocusStop[] = [];
  for (let press = 0; press < controls.length + 3; press++) {
    await page.keyboard.press('Tab');
    const stop = await page.evaluate((): FocusStop => {
      const element = document.activeElement as HTMLElement | null;
      if (element === null || element === document.body) {
        return { key: null, description: 'body', focusVisible: false, indicated: false };
      }
      const style = getComputedStyle(element);
      const outline = style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) > 0;
      return {
        key: element.dataset.a11yKey ?? null,
        description: `${element.tagName.toLowerCase()} "${(element.getAttribute('aria-label') ?? element.textContent ?? '').trim().slice(0, 40)}"`,
        focusVisible: element.matches(':focus-visible'),
        indicated: outline || style.boxShadow !== 'none',
      };
    });
    if (stop.key !== null && stops.some((seen) => seen.key === stop.key)) break;
    stops.push(stop);
  }
  return { controls, stops };
}

function expectEveryControlReachedWithVisibleFocus(result: { controls: string[]; stops: FocusStop[] }): void {
  const stops = result.stops.filter((stop) => stop.description !== 'body');
  expect(stops.filter((stop) => !stop.focusVisible || !stop.indicated)).toEqual([]);
  expect(new Set(stops.map((stop) => stop.key))).toEqual(new Set(result.controls));
}

describe('accessibility', () => {
  let server: RunningServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    ({ server, browser, context, page } = await openSession({
      context: { viewport: { width: 1280, height: 800 } },
      seed: LIBRARY,
    }));
  });

  afterAll(() => closeSession({ server, browser, context }));

  it('Backup, with done, skipped and queued items, passes axe in light and dark', async () => {
    await page.goto(`${server.url}/backup`);
    const input = page.getByTestId('add-photos-input');
    await input.setInputFiles(DONE.map((file) => file.path));
    await expect.poll(() => rowsByState(page), { timeout: 60_000 }).toEqual({ done: DONE.length });
    await input.setInputFiles(SKIPPED.map((file) => file.path));
    await expect.poll(() => rowsByState(page), { timeout: 30_000 }).toMatchObject({ skipped: 1 });
    await context.setOffline(true);
    await input.setInputFiles(QUEUED.map((file) => file.path));
    await expect
      .poll(() => page.getByTestId('queue-item').count(), { timeout: 30_000 })
      .toBe(DONE.length + SKIPPED.length + QUEUED.length);
    await expect.poll(() => page.getByTestId('status').innerText()).toBe('Waiting for connection');
    await expectAccessibleInBothSchemes(page, 'Backup');
  });

  it('reaches every control of the Backup screen and the navigation with Tab, with visible focus', async () => {
    const result = await tabThrough(page);
    // The skip link, the brand, four navigation links, two add buttons, "Clear completed", and
    // Retry or Remove on the rows: the screen has enough to make the walk meaningful.
    expect(result.controls.length).toBeGreaterThan(12);
    expectEveryControlReachedWithVisibleFocus(result);
    const descriptions = result.stops.map((stop) => stop.description);
    expect(descriptions[0]).toBe('a "Skip to content"');
    for (const name of [
      'Backup',
      'Library',
      'Trash',
      'Settings',
      'Add photos',
      'Add a folder once',
      'Clear completed',
    ]) {
      expect(descriptions.some((description) => description.includes(`"${name}`))).toBe(true);
    }
  });

  it('announces state changes in the status live region, never the progress', async () => {
    const live = page.getByTestId('status-live');
    expect(await live.getAttribute('role')).toBe('status');
    expect(await live.getAttribute('aria-live')).toBe('polite');
    // Everything the live region says while the queued photos upload, as it changes.
    await live.evaluate((node: HTMLElement) => {
      const said: string[] = [];
      (window as unknown as { liveSaid: string[] }).liveSaid = said;
      const options = { subtree: true, childList: true, characterData: true };
      new MutationObserver(() => said.push(node.innerText.replace(/\s+/g, ' ').trim())).observe(
        node,
        options,
      );
    });
    await context.setOffline(false);
    await expect
      .poll(() => rowsByState(page), { timeout: 60_000 })
      .toEqual({ done: DONE.length + QUEUED.length, skipped: 1 });
    await expect.poll(() => page.getByTestId('status').innerText()).toBe('Backup complete');
    const said = await page.evaluate(() => (window as unknown as { liveSaid: string[] }).liveSaid);
    const states =
      /^(Waiting for connection|Backing up photos|Backup complete) A photo or video was skipped$/;
    expect(said.length).toBeGreaterThan(0);
    for (const text of said) expect(text).toMatch(states);
    // Consecutive repeats would be re-announcements of the same state.
    expect(said.filter((text, i) => i > 0 && said[i - 1] === text)).toEqual([]);
    expect(await live.innerText()).not.toMatch(/left|%|MB|kB/);
  });

  it('sign-in passes axe in light and dark', async () => {
    const visitor = await browser.newContext();
    try {
      const signIn = await visitor.newPage();
      await signIn.goto(`${server.url}/login`);
      await signIn.getByRole('button', { name: 'Sign in' }).waitFor();
      await expectAccessibleInBothSchemes(signIn, 'sign-in');
      // With an error shown, too.
      await signIn.getByLabel('Email').fill('ada@example.com');
      await signIn.getByLabel('Password').fill('not the password');
      await signIn.getByRole('button', { name: 'Sign in' }).click();
      await signIn.getByRole('alert').waitFor();
      await expectAccessibleInBothSchemes(signIn, 'sign-in with an error');
    } finally {
      await visitor.close();
    }
  });

  it('Library and the open viewer pass axe in light and dark', async () => {
    await page.goto(`${server.url}/library`);
    const total = DONE.length + QUEUED.length + LIBRARY.length;
    await expect.poll(() => page.getByTestId('asset').count(), { timeout: 30_000 }).toBe(total);
    await expectAccessibleInBothSchemes(page, 'Library');
    await page.getByTestId('asset').first().locator('.library-tile__open').click();
    await page.getByTestId('viewer').waitFor();
    await expectAccessibleInBothSchemes(page, 'viewer');
    await page.getByRole('button', { name: 'Info' }).click();
    await page.getByTestId('viewer-info').waitFor();
    await expectAccessibleInBothSchemes(page, 'viewer with info');
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('viewer').count()).toBe(0);
  });

  it('works the viewer from the keyboard and gives focus back to the tile it was opened from', async () => {
    const tiles = page.getByTestId('asset');
    const second = await tiles.nth(1).getAttribute('data-id');
    const third = await tiles.nth(2).getAttribute('data-id');
    // Tab from the tile before, so the focus is a keyboard one.
    await tiles.nth(0).locator('.library-tile__check').focus();
    await page.keyboard.press('Tab');
    const opener = tiles.nth(1).locator('.library-tile__open');
    expect(
      await opener.evaluate((node) => node === document.activeElement && node.matches(':focus-visible')),
    ).toBe(true);
    await page.keyboard.press('Enter');
    const viewer = page.getByTestId('viewer');
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(second);
    // Modal: focus is inside the viewer, and Tab keeps it there with a visible ring.
    const inside = await tabThrough(page, '[data-testid="viewer"]');
    expectEveryControlReachedWithVisibleFocus(inside);
    expect(await viewer.evaluate((node) => node.contains(document.activeElement))).toBe(true);

    await page.keyboard.press('ArrowRight');
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(third);
    await page.keyboard.press('ArrowLeft');
    await expect.poll(() => viewer.getAttribute('data-id')).toBe(second);
    await page.keyboard.press('Escape');
    await expect.poll(() => viewer.count()).toBe(0);
    await expect.poll(() => opener.evaluate((node) => node === document.activeElement)).toBe(true);
  });

  it('moves focus to the new screen after a keyboard navigation, and Settings passes axe in light and dark', async () => {
    await page.getByRole('link', { name: 'Settings' }).focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/settings$/);
    await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe('main');
    await page.keyboard.press('Tab');
    expect(await page.evaluate(() => document.querySelector('main')?.contains(document.activeElement))).toBe(
      true,
    );
    await page.getByRole('checkbox', { name: 'Back up & sync' }).waitFor();
    await expect.poll(() => page.getByRole('checkbox', { name: 'Back up & sync' }).isEnabled()).toBe(true);
    await expectAccessibleInBothSchemes(page, 'Settings');
  });

  it('fails the check on a screen with a serious violation (the check itself works)', async () => {
    await page.evaluate(() => {
      const button = document.createElement('button');
      button.dataset.testid = 'unnamed';
      document.querySelector('main')?.append(button);
    });
    await expect(expectNoSeriousViolations(page, 'Settings with a button without a name')).rejects.toThrow(
      /button-name \(critical\): Buttons must have discernible text/,
    );
    await page.getByTestId('unnamed').evaluate((node) => node.remove());
  });

  it('follows the dark colour scheme and reduced motion', async () => {
    await page.goto(`${server.url}/library`);
    const tile = page.getByTestId('asset').first().locator('.library-tile__open');
    const look = () =>
      tile.evaluate((node) => ({
        background: getComputedStyle(document.body).backgroundColor,
        text: getComputedStyle(document.body).color,
        transition: getComputedStyle(node).transitionDuration,
      }));
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
    // Polled: the grid renders its tiles again when the drain that opening the app starts ends.
    await expect.poll(look).toEqual({
      background: 'rgb(246, 247, 245)',
      text: 'rgb(27, 31, 29)',
      transition: '0.12s',
    });
    await page.emulateMedia({ colorScheme: 'dark', reducedMotion: 'reduce' });
    await expect.poll(look).toEqual({
      background: 'rgb(18, 21, 20)',
      text: 'rgb(232, 236, 233)',
      transition: '0s',
    });
    await page.emulateMedia({ colorScheme: 'light', reducedMotion: 'no-preference' });
  });
});
