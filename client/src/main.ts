import './style.css';
import { renderScore } from './views/score';
import { renderStart } from './views/start';
import { currentRater } from './state';

const root = document.getElementById('app') as HTMLElement;
const who = document.getElementById('who') as HTMLElement;

function go(hash: string): void {
  if (location.hash === hash) void route();
  else location.hash = hash;
}

async function route(): Promise<void> {
  who.textContent = currentRater() ? `Rater: ${currentRater()}` : '';
  const m = /^#\/run\/(.+)$/.exec(location.hash);
  const results = /^#\/results\/?(.*)$/.exec(location.hash);
  if (results) await (await import('./views/results')).renderResults(root, results[1] ?? '');
  else if (m?.[1]) await renderScore(root, decodeURIComponent(m[1]), go);
  else await renderStart(root, go);
}

window.addEventListener('hashchange', () => void route());
void route();
