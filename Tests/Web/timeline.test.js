// Unit tests of the time slider's pure logic (Sources/MapGatewayCore/Web/timeline.js), run by
// scripts/check-js.sh with `node --test` on a copy where ../web is the page's directory.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  SLIDER_STEPS, TRAIL_WINDOW_MS, changesPath, hashWithTime, historyWindow, markFractions, playStart, playStep,
  regionBox, relativeText, sliderToTime, tileAtURL, timeFromHash, timeToSlider, trailWindow, viewingText,
} from '../web/timeline.js';

const DAY = 86400000;
const now = 1_800_000_000_000;

test('the window runs from the oldest version, never before the retention cut, to now', () => {
  assert.deepEqual(historyWindow({ oldest: now - DAY, retentionMs: 30 * DAY }, now), { from: now - DAY, to: now });
  assert.deepEqual(historyWindow({ oldest: now - 40 * DAY, retentionMs: 30 * DAY }, now), { from: now - 30 * DAY, to: now });
  assert.equal(historyWindow({ oldest: null, retentionMs: DAY }, now), null);
  assert.equal(historyWindow(null, now), null);
  assert.equal(historyWindow({ oldest: now + 5, retentionMs: DAY }, now), null);  // nothing before now
});

test('slider positions and times map onto each other; the right end is live', () => {
  const w = { from: now - 1000 * SLIDER_STEPS, to: now };
  assert.equal(sliderToTime(SLIDER_STEPS, w), null);
  assert.equal(sliderToTime(0, w), w.from);
  assert.equal(sliderToTime(-5, w), w.from);
  assert.equal(sliderToTime(250, w), w.from + 250 * 1000);
  for (const pos of [0, 1, 250, 999]) { assert.equal(timeToSlider(sliderToTime(pos, w), w), pos); }
  assert.equal(timeToSlider(null, w), SLIDER_STEPS);
  assert.equal(timeToSlider(w.from - DAY, w), 0);
  assert.equal(timeToSlider(now + 1, w), SLIDER_STEPS);
  // A moment in the past never sits at the live end, however close to now.
  assert.equal(timeToSlider(now - 1, w), SLIDER_STEPS - 1);
  assert.equal(sliderToTime(10, null), null);
});

test('marks become fractions of the slider, inside the window, deduplicated', () => {
  const w = { from: 1000, to: 2000 };
  assert.deepEqual(markFractions([500, 1000, 1250, 1250.1, 2000, 2500], w), [0, 0.25, 1]);
  assert.deepEqual(markFractions([1500], null), []);
  assert.deepEqual(markFractions(undefined, w), []);
});

test('playback advances at its speed and reaches live at now', () => {
  assert.equal(playStep(now - DAY, '1m', 250, [], now), now - DAY + 60 * 250);
  assert.equal(playStep(now - DAY, '1h', 1000, [], now), now - DAY + 3600 * 1000);
  assert.equal(playStep(now - 1000, '10m', 250, [], now), null);
  assert.equal(playStep(null, '1m', 250, [], now), null);
  assert.throws(() => playStep(now - DAY, 'warp', 250, [], now), /unknown playback speed "warp"/);
});

test('skip idle jumps from mark to mark and ends after the last one', () => {
  const marks = [now - 3 * DAY, now - DAY, now - 60000];
  assert.equal(playStep(now - 4 * DAY, 'idle', 600, marks, now), marks[0]);
  assert.equal(playStep(marks[0], 'idle', 600, marks, now), marks[1]);
  assert.equal(playStep(marks[1] + 1, 'idle', 600, marks, now), marks[2]);
  assert.equal(playStep(marks[2], 'idle', 600, marks, now), null);
  assert.equal(playStep(marks[0], 'idle', 600, [], now), null);
});

test('a playback from live starts at the window start', () => {
  assert.equal(playStart(null, { from: 5, to: 9 }), 5);
  assert.equal(playStart(7, { from: 5, to: 9 }), 7);
  assert.equal(playStart(null, null), null);
});

test('the trails window is the hour up to the viewed moment, or up to now when live', () => {
  assert.deepEqual(trailWindow(null, now), { from: now - TRAIL_WINDOW_MS, to: now });
  assert.deepEqual(trailWindow(now - DAY, now), { from: now - DAY - TRAIL_WINDOW_MS, to: now - DAY });
});

test('the hash carries the viewed time as t=, absent when live, and round-trips', () => {
  const h = '#srv%2F1/nauvis/10/-4/3';
  assert.equal(hashWithTime(h, null), h);
  const past = hashWithTime(h, 1_700_000_000_123);
  assert.equal(past, `${h}/t=1700000000123`);
  assert.equal(timeFromHash(past), 1_700_000_000_123);
  assert.equal(hashWithTime(past, null), h);
  assert.equal(hashWithTime(past, 5), `${h}/t=5`);
  assert.equal(timeFromHash(h), null);
  assert.equal(timeFromHash('#srv/nauvis/1/2/3/t=abc'), null);
  assert.equal(timeFromHash('#srv/nauvis/1/2/3/t=-5'), null);
  assert.equal(timeFromHash(''), null);
});

test('texts: "Live" and "Viewing <relative> (<absolute>)"', () => {
  const local = (ms) => `@${ms}`;
  assert.equal(viewingText(null, now, local), 'Live');
  assert.equal(viewingText(now - 3 * DAY - 5000, now, local), `Viewing 3 days ago (@${now - 3 * DAY - 5000})`);
  assert.equal(relativeText(now - DAY, now), '1 day ago');
  assert.equal(relativeText(now - 2 * 3600000 - 1, now), '2 h ago');
  assert.equal(relativeText(now - 5 * 60000, now), '5 min ago');
  assert.equal(relativeText(now - 42000, now), '42 s ago');
  assert.equal(relativeText(now - 10, now), 'just now');
});

test('changed regions are 256-tile squares; the changes path puts the earlier moment first', () => {
  assert.deepEqual(regionBox([0, 0]), { minX: 0, minY: 0, maxX: 256, maxY: 256 });
  assert.deepEqual(regionBox([-1, 2]), { minX: -256, minY: 512, maxX: 0, maxY: 768 });
  assert.equal(changesPath('a b', 'x/y', 20, 10), 'api/servers/a%20b/history/changes?surface=x%2Fy&from=10&to=20');
});

test('a past tile URL asks for ?at= instead of the live version', () => {
  assert.equal(tileAtURL('tiles/s/n/terrain/3/0/0.png?v=7', null), 'tiles/s/n/terrain/3/0/0.png?v=7');
  assert.equal(tileAtURL('tiles/s/n/terrain/3/0/0.png?v=7', 1234.4), 'tiles/s/n/terrain/3/0/0.png?at=1234');
  assert.equal(tileAtURL('tiles/s/n/terrain/3/0/0.png', 99), 'tiles/s/n/terrain/3/0/0.png?at=99');
});
