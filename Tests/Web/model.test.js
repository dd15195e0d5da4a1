// Unit tests of the page's pure functions (Sources/MapGatewayCore/Web/model.js), run by
// scripts/check-js.sh with `node --test` on a copy where ../web is the page's directory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ageText, backoffMillis, formatHash, noticeLine, outsideExtent, parseHash, surfaceLabel, tileURL,
} from '../web/model.js';

test('tile URLs escape server and surface and carry the known version', () => {
  const c = { x: -1, y: 2, z: 3 };
  assert.equal(tileURL('a b', 'x/y', 'terrain', c, {}), 'tiles/a%20b/x%2Fy/terrain/3/-1/2.png');
  assert.equal(tileURL('s', 'n', 'terrain', c, { 'terrain/3/-1/2': 7 }), 'tiles/s/n/terrain/3/-1/2.png?v=7');
});

test('the address hash round-trips and rejects what it cannot read', () => {
  const h = formatHash('srv/1', 'nauvis', 10.4, -3.6, 3);
  assert.equal(h, '#srv%2F1/nauvis/10/-4/3');
  assert.deepEqual(parseHash(h), { server: 'srv/1', surface: 'nauvis', x: 10, y: -4, zoom: 3 });
  assert.equal(parseHash(''), null);
  assert.equal(parseHash('#/nauvis'), null);
  assert.equal(parseHash('#%E0%A4%A/nauvis'), null);  // malformed escape
  const bare = parseHash('#srv/');
  assert.equal(bare.server, 'srv');
  assert.equal(bare.surface, null);
  assert.ok(Number.isNaN(bare.x));
});

test('a tile outside the explored extent is seen at every zoom level', () => {
  const e = { minChunkX: -2, minChunkY: -2, maxChunkX: 1, maxChunkY: 1 };
  assert.equal(outsideExtent({ x: 1, y: 1, z: 3 }, e, 3), false);
  assert.equal(outsideExtent({ x: 2, y: 0, z: 3 }, e, 3), true);
  assert.equal(outsideExtent({ x: -1, y: -1, z: 2 }, e, 3), false);  // chunks -2…-1
  assert.equal(outsideExtent({ x: 1, y: 0, z: 2 }, e, 3), true);  // chunks 2…3
});

test('texts of surfaces, notices and ages', () => {
  assert.equal(surfaceLabel('nauvis', { planet: 'nauvis' }), 'nauvis');
  assert.equal(surfaceLabel('platform-1', { planet: 'vulcanus', platform: 'Ship' }), 'platform-1 (vulcanus) (platform Ship)');
  assert.equal(noticeLine({ kind: 'kick', player: 'bob', message: 'griefing' }), 'bob was kicked (griefing)');
  assert.equal(noticeLine({ kind: 'join' }), '? joined');
  assert.equal(noticeLine({ kind: 'sequence_gap', missing: 7 }), '7 updates were lost; the map heals itself');
  assert.equal(noticeLine({ kind: 'unknown' }), null);
  assert.equal(ageText(null), '');
  assert.equal(ageText(59), 'updated 59 s ago');
  assert.equal(ageText(150), 'updated 3 min ago');
});

test('reconnect backoff doubles up to 30 s', () => {
  assert.deepEqual([0, 1, 2, 6, 7, 20].map((a) => backoffMillis(a, 1)), [500, 1000, 2000, 30000, 30000, 30000]);
  assert.equal(backoffMillis(0, 0.75), 375);
});
