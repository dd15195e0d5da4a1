// Unit tests of the factory layers' and platform panel's pure functions
// (Sources/MapGatewayCore/Web/factorymodel.js), run by scripts/check-js.sh with `node --test`.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  bearing, glideMillis, lerp, onSurface, platformStatus, platformWhere, progressPercent, tagLabel, trainHeading,
  trainLines, trainPosition, trainSpeedText, unwrapDegrees, words,
} from '../web/factorymodel.js';

const train = (carriages, speed = 0.5, extra = {}) => ({
  id: 12, state: 'on_the_path', manual: false, speed, carriages: carriages.map(([x, y, o]) => ({ x, y, orientation: o })),
  stop: null, nextStop: null, ...extra,
});

test('markers glide over the sample interval, clamped', () => {
  assert.equal(glideMillis(1000), 1000);
  assert.equal(glideMillis(20), 100);
  assert.equal(glideMillis(60000), 2000);
  assert.equal(glideMillis(NaN), 1000);
  assert.equal(glideMillis(3000, 80, 1000), 1000);
  assert.equal(glideMillis(50, 80, 1000), 80);
  assert.equal(lerp(10, 20, 0.25), 12.5);
  assert.equal(lerp(10, 20, -1), 10);
  assert.equal(lerp(10, 20, 7), 20);
});

test('bearings are clockwise from north with y growing south', () => {
  assert.equal(bearing({ x: 0, y: 0 }, { x: 0, y: -5 }), 0);
  assert.equal(bearing({ x: 0, y: 0 }, { x: 5, y: 0 }), 90);
  assert.equal(bearing({ x: 0, y: 0 }, { x: 0, y: 5 }), 180);
  assert.equal(bearing({ x: 0, y: 0 }, { x: -5, y: 0 }), 270);
  assert.equal(bearing({ x: 1, y: 1 }, { x: 1, y: 1 }), null);
});

test('rotations turn the short way', () => {
  assert.equal(unwrapDegrees(null, 90), 90);
  assert.equal(unwrapDegrees(350, 10), 370);
  assert.equal(unwrapDegrees(10, 350), -10);
  assert.equal(unwrapDegrees(720, 90), 810);
  assert.equal(unwrapDegrees(90, 180), 180);
});

test('a train is where its carriages are and points where it goes', () => {
  const east = train([[100, -20, 0.25], [93, -20, 0.25], [86, -20, 0.25]]);
  assert.deepEqual(trainPosition(east), { x: 93, y: -20 });
  assert.equal(trainPosition(train([])), null);
  assert.equal(trainHeading(train([])), null);
  // Standing: from its back carriage to its front one; reversing: the other way.
  assert.equal(trainHeading(east), 90);
  assert.equal(trainHeading({ ...east, speed: -0.2 }), 270);
  // Moving: the way it moved since the previous sample (here north, whatever its carriages say).
  assert.equal(trainHeading(east, { x: 93, y: -10 }), 0);
  // Under half a tile of movement counts as standing.
  assert.equal(trainHeading(east, { x: 92.8, y: -20 }), 90);
  // One carriage: its orientation (0.75 = west), reversed when the speed is negative.
  assert.equal(trainHeading(train([[5, 5, 0.75]])), 270);
  assert.equal(trainHeading(train([[5, 5, 0.75]], -1)), 90);
});

test('train details: state, speed, destination, mode', () => {
  assert.equal(trainSpeedText(0.5), '108 km/h');
  assert.equal(trainSpeedText(-0.25), '54 km/h reversing');
  assert.equal(trainSpeedText(0), '0 km/h');
  assert.equal(words('wait_station'), 'wait station');
  const moving = train([[0, 0, 0]], 0.5, { nextStop: 'Iron pickup' });
  assert.deepEqual(trainLines(moving), ['Train 12', 'state: on the path', 'speed: 108 km/h', 'to: Iron pickup', 'automatic']);
  const waiting = train([[0, 0, 0]], 0, { state: 'wait_station', stop: 'Smelter', nextStop: 'Smelter' });
  assert.deepEqual(trainLines(waiting).slice(3), ['at: Smelter', 'automatic']);
  const manual = train([[0, 0, 0]], 0, { state: 'manual_control', manual: true });
  assert.deepEqual(trainLines(manual).slice(3), ['no destination', 'manual']);
});

test('tag labels: icon name and text', () => {
  assert.equal(tagLabel({ text: 'Iron outpost', icon: { type: 'item', name: 'iron-plate' } }), 'iron-plate · Iron outpost');
  assert.equal(tagLabel({ text: 'Base', icon: null }), 'Base');
  assert.equal(tagLabel({ text: '', icon: { type: 'virtual', name: 'signal-A' } }), 'signal-A');
  assert.equal(tagLabel({ text: '' }), 'tag');
});

test('platforms: where, progress and state', () => {
  const flying = { state: 'on_the_path', from: 'nauvis', to: 'vulcanus', progress: 0.424, speed: 0.3 };
  assert.equal(progressPercent(flying), 42);
  assert.equal(progressPercent({ ...flying, progress: 1.5 }), 100);
  assert.equal(progressPercent({ ...flying, progress: null }), null);
  assert.equal(platformWhere(flying), 'nauvis → vulcanus · 42 %');
  assert.equal(platformWhere({ ...flying, progress: null }), 'nauvis → vulcanus');
  const parked = { state: 'waiting_at_station', location: 'nauvis', speed: 0 };
  assert.equal(progressPercent(parked), null);
  assert.equal(platformWhere(parked), 'at nauvis');
  assert.equal(platformWhere({ state: 'no_schedule', speed: 0 }), '');
  assert.equal(platformStatus(flying), 'on the path · 18 km/s');
  assert.equal(platformStatus({ state: 'on_the_path', speed: 0.05 }), 'on the path · 3.0 km/s');
  assert.equal(platformStatus(parked), 'waiting at station');
});

test('objects of one surface', () => {
  const byKey = { 1: { surface: 'nauvis' }, 2: { surface: 'platform-1' }, 3: { surface: 'nauvis' } };
  assert.equal(onSurface(byKey, 'nauvis').length, 2);
  assert.deepEqual(onSurface(byKey, 'gleba'), []);
});
