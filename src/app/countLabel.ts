/** Counts as the app words them in English: "8", "1,234". */

let grouping: Intl.NumberFormat | null = null;

/**
 * A count with its thousands grouped. Below a thousand there is nothing to group, and Intl is not
 * asked: each `toLocaleString` call makes a number formatter, which cost Library's load about
 * 150 ms of a throttled phone CPU for its "8 items" (issue 5); above, one formatter is kept.
 */
export function countLabel(count: number): string {
  if (Number.isInteger(count) && Math.abs(count) < 1000) return String(count);
  grouping ??= new Intl.NumberFormat('en-US');
  return grouping.format(count);
}

/** "1 item", "8 items", "1,234 items": how many photos and videos. */
export function itemsLabel(count: number): string {
  return count === 1 ? '1 item' : `${countLabel(count)} items`;
}
