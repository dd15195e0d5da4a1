// Unit tests of reading an interactivity grid (Sources/MapGatewayCore/Web/grid.js), run by
// scripts/check-js.sh with `node --test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { amountText, cellOf, gridCell, gridId } from '../web/grid.js';

// UTFGrid's encoding as TileRenderer writes it: id + 32, skipping '"' (34) and '\' (92).
function ch(id) {
  let code = id + 32;
  if (code >= 34) { code += 1; }
  if (code >= 92) { code += 1; }
  return String.fromCodePoint(code);
}
const rows = (f) => Array.from({ length: 32 }, (_, y) => Array.from({ length: 32 }, (_, x) => ch(f(x, y))).join(''));

test('grid characters decode to their ids, around the skipped quote and backslash', () => {
  for (const id of [0, 1, 2, 3, 58, 59, 60, 61, 500, 1024]) { assert.equal(gridId(ch(id)), id); }
  assert.equal(gridId(' '), 0);
  assert.equal(gridId('!'), 1);
  assert.equal(gridId('#'), 2);
});

test('a game position maps to its chunk and cell, west and north of the origin too', () => {
  assert.deepEqual(cellOf(10.5, 3.2), { cx: 0, cy: 0, dx: 10, dy: 3, tx: 10, ty: 3 });
  assert.deepEqual(cellOf(-0.5, -33), { cx: -1, cy: -2, dx: 31, dy: 31, tx: -1, ty: -33 });
});

test('a cell answers its building and its ore with the amount of its rank in reading order', () => {
  const grid = {
    v: 1, x: 0, y: 0,
    names: ['stone-furnace'], types: ['furnace'], forces: ['player'], buildings: [7, 0, 3, 3, 4, 0],
    grid: rows((x, y) => (x >= 2 && x < 4 && y >= 2 && y < 4 ? 1 : 0)),
    resources: ['iron-ore', 'coal'],
    ore: rows((x, y) => (y === 3 ? (x < 2 ? 1 : x === 2 ? 2 : 0) : 0)),
    amounts: [100, 200, 300],
  };
  assert.deepEqual(gridCell(grid, 2, 3).building,
    { unit: 7, name: 'stone-furnace', type: 'furnace', force: 'player', x: 3, y: 3, direction: 4 });
  assert.deepEqual(gridCell(grid, 2, 3).resource, { name: 'coal', amount: 300 });
  assert.deepEqual(gridCell(grid, 1, 3), { building: null, resource: { name: 'iron-ore', amount: 200 } });
  assert.deepEqual(gridCell(grid, 3, 2).resource, null);
  assert.deepEqual(gridCell(grid, 20, 20), { building: null, resource: null });
});

test('a missing or malformed grid answers nothing', () => {
  assert.deepEqual(gridCell(null, 0, 0), { building: null, resource: null });
  assert.deepEqual(gridCell({ grid: 'x', buildings: [] }, 0, 0), { building: null, resource: null });
  assert.deepEqual(gridCell({ grid: [ch(5)], buildings: [] }, 0, 0), { building: null, resource: null });
});

test('amounts print with thousands separators', () => {
  assert.equal(amountText(1234567), '1,234,567');
  assert.equal(amountText(12), '12');
  assert.equal(amountText(null), '?');
});
