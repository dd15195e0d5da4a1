// The side panel on a narrow screen (below 700 px, `map.css`): collapsed to a button that opens
// and closes it. On a wide screen the button is hidden and the panel always shown.
import { $, setData } from './dom.js';

/** Opens (`open` true) or closes the panel on a narrow screen. */
export function setPanelOpen(open) {
  document.body.classList.toggle('panel-open', open);
  $('panel-toggle').setAttribute('aria-expanded', String(open));
  setData('panel', open ? 'open' : 'closed');
}

$('panel-toggle').onclick = () => setPanelOpen(!document.body.classList.contains('panel-open'));
setPanelOpen(false);
