import { listKeyTarget } from './list-keys.js';

describe('the keys of a list that is one Tab stop', () => {
  it('move one item, ten, or to an end, and stop at the ends', () => {
    expect(listKeyTarget('ArrowDown', 3, 400)).toBe(4);
    expect(listKeyTarget('ArrowUp', 3, 400)).toBe(2);
    expect(listKeyTarget('PageDown', 3, 400)).toBe(13);
    expect(listKeyTarget('PageUp', 13, 400)).toBe(3);
    expect(listKeyTarget('Home', 250, 400)).toBe(0);
    expect(listKeyTarget('End', 3, 400)).toBe(399);
    expect(listKeyTarget('ArrowDown', 399, 400)).toBe(399);
    expect(listKeyTarget('ArrowUp', 0, 400)).toBe(0);
    expect(listKeyTarget('PageDown', 395, 400)).toBe(399);
    expect(listKeyTarget('PageUp', 4, 400)).toBe(0);
  });

  it('leave other keys to the page, and an empty list alone', () => {
    expect(listKeyTarget('Tab', 3, 400)).toBeNull();
    expect(listKeyTarget('Enter', 3, 400)).toBeNull();
    expect(listKeyTarget('ArrowDown', 0, 0)).toBeNull();
  });
});
