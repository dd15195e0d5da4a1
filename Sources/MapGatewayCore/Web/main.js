// The page's entry module: wires the modules, exposes the page's state as `window.kafkatorio`
// (tests and scripts/screenshot.py read it) and starts.
import './live.js';
import './panel.js';
import { factory, markers } from './factory.js';
import { search } from './search.js';
import { inspected } from './inspect.js';
import { layers, map, toLatLng } from './map.js';
import { platforms } from './platforms.js';
import { start } from './servers.js';
import { live, state } from './state.js';
import { onViewedTime, setViewedTime, viewedWindow } from './timebar.js';
import { trailLayer, trails } from './trails.js';

window.kafkatorio = {
  map, state, toLatLng, layers, live, factory: { objects: factory, markers }, platforms, search, inspected,
  time: { onViewedTime, setViewedTime, viewedWindow }, trails: { layer: trailLayer, shown: trails },
};
start();
