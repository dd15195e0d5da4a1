// Markers that glide: a marker moves to each new position over a given time, one step per
// animation frame, instead of jumping (players between updates, trains between samples).
import { lerp } from './factorymodel.js';
import { L } from './map.js';

/**
 * Moves `marker` from where it is to `target` (a LatLng) over `duration` ms; `anim` (an object
 * with `frame`) holds the running animation, which a newer glide replaces. `onFrame(latLng)`
 * runs after each step.
 */
export function glide(anim, marker, target, duration, onFrame) {
  stopGlide(anim);
  const from = marker.getLatLng();
  let start = null;
  const step = (t) => {
    // Frame timestamps may precede the call that scheduled them: start at the first frame.
    if (start === null) { start = t; }
    const k = (t - start) / duration;
    const ll = k >= 1 ? target : L.latLng(lerp(from.lat, target.lat, k), lerp(from.lng, target.lng, k));
    marker.setLatLng(ll);
    if (onFrame) { onFrame(ll); }
    anim.frame = k < 1 ? requestAnimationFrame(step) : null;
  };
  anim.frame = requestAnimationFrame(step);
}

/** Stops `anim`'s running glide (the marker stays where it is). */
export function stopGlide(anim) {
  if (anim && anim.frame) {
    cancelAnimationFrame(anim.frame);
    anim.frame = null;
  }
}
