// Unit tests of the search box's fuzzy matching (Sources/MapGatewayCore/Web/fuzzy.js), run by
// scripts/check-js.sh with `node --test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allowedTypos, fuzzyScore, fuzzySearch, normalize, substringDistance } from '../web/fuzzy.js';

test('names are compared lower-case with whitespace collapsed', () => {
  assert.equal(normalize('  Iron   Smelting '), 'iron smelting');
  assert.equal(fuzzyScore('IRON', 'iron'), 1000);
});

test('edit distance to the best substring counts insertions, deletions, substitutions and swaps', () => {
  assert.equal(substringDistance('smelting', 'Iron smelting'.toLowerCase()), 0);
  assert.equal(substringDistance('smleting', 'iron smelting'), 1);  // swap
  assert.equal(substringDistance('smeltng', 'iron smelting'), 1);   // deletion
  assert.equal(substringDistance('smeltiing', 'iron smelting'), 1); // insertion
  assert.equal(substringDistance('smalting', 'iron smelting'), 1);  // substitution
  assert.equal(substringDistance('copper', 'iron smelting'), 5);
  assert.equal(substringDistance('', 'x'), 0);
});

test('short queries allow no typo, longer ones a few', () => {
  assert.deepEqual([1, 3, 4, 7, 8, 12, 40].map(allowedTypos), [0, 0, 1, 1, 2, 3, 3]);
});

test('better kinds of match score higher: exact, prefix, word start, substring, subsequence, typos', () => {
  const name = 'Iron Plate Unloader';
  const scores = [
    fuzzyScore('iron plate unloader', name), fuzzyScore('iron', name), fuzzyScore('plate', name),
    fuzzyScore('late', name), fuzzyScore('irpl', name), fuzzyScore('iorn plate', name),
  ];
  for (let i = 1; i < scores.length; i += 1) { assert.ok(scores[i - 1] > scores[i], `${scores}`); }
  assert.equal(fuzzyScore('xyz', name), null);
  assert.equal(fuzzyScore('', name), null);
  assert.equal(fuzzyScore('iron', ''), null);
  // Too many typos for the query's length.
  assert.equal(fuzzyScore('irn', 'copper'), null);
  assert.equal(fuzzyScore('qwerty', name), null);
});

test('a typo finds the station, and the right one first', () => {
  const items = [
    { label: 'Copper Mine', kind: 'station' }, { label: 'Iron Smelting', kind: 'station' },
    { label: 'Iron Mine', kind: 'station' }, { label: 'nauvis', kind: 'surface' },
  ];
  const found = fuzzySearch('iron smleting', items);
  assert.equal(found[0].label, 'Iron Smelting');
  assert.equal(found.length, 1);
  assert.deepEqual(fuzzySearch('mine', items).map((r) => r.label), ['Iron Mine', 'Copper Mine']);  // shorter first
  assert.deepEqual(fuzzySearch('mine', items, 1).map((r) => r.label), ['Iron Mine']);
  assert.equal(fuzzySearch('nauvsi', items)[0].kind, 'surface');
  assert.deepEqual(fuzzySearch('zzz', items), []);
});

test('shorter names win ties within a kind of match', () => {
  assert.ok(fuzzyScore('iron', 'Iron Mine') > fuzzyScore('iron', 'Iron Mine North Outpost'));
});
