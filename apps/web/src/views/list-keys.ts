/** How far Page Up and Page Down move in a long list (about what its box shows). */
const PAGE = 10;

/**
 * Where a key moves the focus in a vertical list that is one Tab stop (a roving tabindex, WAI-ARIA
 * Authoring Practices "Keyboard Navigation Inside Components"): the index of the item it goes to, or
 * null for a key the list leaves alone. It stops at the ends rather than wrapping round.
 */
export function listKeyTarget(key: string, index: number, count: number): number | null {
  if (count === 0) return null;
  const last = count - 1;
  switch (key) {
    case 'ArrowDown':
      return Math.min(index + 1, last);
    case 'ArrowUp':
      return Math.max(index - 1, 0);
    case 'PageDown':
      return Math.min(index + PAGE, last);
    case 'PageUp':
      return Math.max(index - PAGE, 0);
    case 'Home':
      return 0;
    case 'End':
      return last;
    default:
      return null;
  }
}
