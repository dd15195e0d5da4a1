// Unit tests of the trails layer's pure helpers (Sources/MapGatewayCore/Web/timeline.js), run by
// scripts/check-js.sh with `node --test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trailColor, trailLines, trailsPath } from '../web/timeline.js';

test('the trails path names the server, surface and window, escaped', () => {
  assert.equal(
    trailsPath('srv 1', 'a/b', { from: 1000.7, to: 2000 }),
    'api/servers/srv%201/surfaces/a%2Fb/trails?from=1000&to=2000');
});

test('a trail colour is CSS rgb of the 0…1 channels; anything else is grey', () => {
  assert.equal(trailColor([1, 0.5, 0, 1]), 'rgb(255,128,0)');
  assert.equal(trailColor([2, -1, 0.2]), 'rgb(255,0,51)');
  assert.equal(trailColor(['red', 0, 0]), 'rgb(128,128,128)');
  assert.equal(trailColor(null), 'rgb(128,128,128)');
});

test('trail lines are the segments\' positions; malformed points and empty segments are dropped', () => {
  const player = { segments: [[[1, 10, 20], [2, 11, 21]], [], [[3, 5]], 'x', [[4, 7, 8]]] };
  assert.deepEqual(trailLines(player), [[[10, 20], [11, 21]], [[7, 8]]]);
  assert.deepEqual(trailLines({}), []);
  assert.deepEqual(trailLines(null), []);
});
