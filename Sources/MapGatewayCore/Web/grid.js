// Pure reading of a chunk's interactivity grid (the JSON TileRenderer publishes and the gateway
// serves at tiles/{server}/{surface}/inspect/3/{cx}/{cy}.json; format in docs/gateway.md), no DOM,
// unit-tested with node (Tests/Web/grid.test.js).

/** Game tiles per chunk side (one grid cell each). */
export const CHUNK = 32;

/** The id a UTFGrid character stands for (code − 32, less one past `"` and one past `\`). */
export function gridId(ch) {
  let code = ch.codePointAt(0);
  if (code >= 93) { code -= 1; }
  if (code >= 35) { code -= 1; }
  return code - 32;
}

/** The chunk of game tile (`x`, `y`) and the tile's cell in it. */
export function cellOf(x, y) {
  const tx = Math.floor(x), ty = Math.floor(y);
  const cx = Math.floor(tx / CHUNK), cy = Math.floor(ty / CHUNK);
  return { cx, cy, dx: tx - cx * CHUNK, dy: ty - cy * CHUNK, tx, ty };
}

/** The id at cell (`dx`, `dy`) of `rows` (32 strings of 32 characters); 0 when there is none. */
function idAt(rows, dx, dy) {
  const row = rows && rows[dy];
  if (typeof row !== 'string') { return 0; }
  const chars = Array.from(row);  // ids past 65,535 − 32 would be two UTF-16 units
  return chars.length > dx ? gridId(chars[dx]) : 0;
}

/**
 * What `grid` holds at cell (`dx`, `dy`): `{building, resource}`, each null when absent;
 * `building` is `{unit, name, type, force, x, y, direction}` (from the flat sextuple and the
 * palettes), `resource` is `{name, amount}`. Anything malformed reads as nothing.
 */
export function gridCell(grid, dx, dy) {
  const out = { building: null, resource: null };
  if (!grid || typeof grid !== 'object') { return out; }
  const b = idAt(grid.grid, dx, dy);
  const flat = Array.isArray(grid.buildings) ? grid.buildings.slice((b - 1) * 6, b * 6) : [];
  if (b > 0 && flat.length === 6) {
    const [unit, n, x, y, direction, f] = flat;
    const at = (list, i) => (Array.isArray(list) && list[i] !== undefined ? list[i] : null);
    out.building = { unit, name: at(grid.names, n), type: at(grid.types, n), force: at(grid.forces, f), x, y, direction };
  }
  const r = idAt(grid.ore, dx, dy);
  if (r > 0 && Array.isArray(grid.resources) && grid.resources[r - 1] !== undefined) {
    // The amount is that of the cell's rank among the ore cells in reading order.
    let rank = 0;
    for (let y = 0; y <= dy; y += 1) {
      const chars = Array.from(grid.ore[y] || '');
      const end = y === dy ? dx : chars.length;
      for (let x = 0; x < end; x += 1) { if (gridId(chars[x]) > 0) { rank += 1; } }
    }
    const amount = Array.isArray(grid.amounts) ? grid.amounts[rank] : undefined;
    out.resource = { name: grid.resources[r - 1], amount: amount === undefined ? null : amount };
  }
  return out;
}

/** "1,234,567" for an amount (null: "?"). */
export function amountText(n) {
  return n === null || n === undefined ? '?' : String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
