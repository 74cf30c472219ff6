import type {
  CriterionComparisonDto,
  CriterionStatsDto,
  RunComparisonDto,
  RunStatsDto,
  RunSummary,
} from '@fts/shared';
import { el, plural } from '../dom';
import { barChart, COLORS, intervalChart, winsChart, type IntervalRow } from './charts';
import './results.css';

async function get<T>(path: string): Promise<T> {
  const res = await fetch(path, { headers: { Accept: 'application/json' } });
  const body = (await res.json().catch(() => undefined)) as { message?: string } | undefined;
  if (!res.ok) throw new Error(body?.message ?? `HTTP ${res.status}`);
  return body as T;
}

const enc = encodeURIComponent;
const f2 = (x: number | null | undefined): string => (x === null || x === undefined ? '–' : x.toFixed(2));
const signed = (x: number | null): string => (x === null ? '–' : `${x > 0 ? '+' : ''}${x.toFixed(2)}`);
const pText = (p: number): string => (p < 0.001 ? 'p < 0.001' : `p = ${p.toFixed(p < 0.01 ? 4 : 3)}`);

/** Axis bounds for a numeric criterion. */
const bounds = (c: CriterionStatsDto): [number, number] => [c.min ?? 0, c.max ?? 1];

function meanRow(label: string, c: CriterionStatsDto, color?: string): IntervalRow {
  const ci = c.interval ? ` [${f2(c.interval.low)}, ${f2(c.interval.high)}]` : '';
  return {
    label,
    value: c.mean,
    low: c.interval?.low,
    high: c.interval?.high,
    note: c.mean === null ? 'no ratings yet' : `${f2(c.mean)}${ci}  n=${c.items}`,
    ...(color ? { color } : {}),
  };
}

function agreementSection(c: CriterionStatsDto): HTMLElement {
  const a = c.agreement;
  const rows: IntervalRow[] = (
    c.type === 'choice'
      ? [['nominal α', a.nominal]]
      : [
          ['ordinal α', a.ordinal],
          ['interval α', a.interval],
        ]
  ).map(([label, v]) => ({
    label: label as string,
    value: v as number | null,
    note: v === null ? 'needs 2+ raters on an item' : (v as number).toFixed(3),
  }));
  const chart = intervalChart(`Agreement for ${c.label}`, rows, -0.2, 1, [-0.2, 0, 0.2, 0.4, 0.667, 0.8, 1]);
  const parts: (Node | string)[] = [
    el(
      'h4',
      {},
      `Agreement (Krippendorff's α) on ${plural(a.pairableUnits, 'item')} rated by two or more raters`,
    ),
    chart,
    el('p', { class: 'hint' }, 'α ≥ 0.8 reliable, ≥ 0.667 tentative, 0 = chance agreement.'),
  ];
  const devs = c.raterDeviation.filter((d) => d.meanDeviation !== null).slice(0, 12);
  if (devs.length) {
    const [lo, hi] = bounds(c);
    const span = hi - lo;
    parts.push(
      el('h4', {}, 'Each rater against the others on the same items (mean difference)'),
      intervalChart(
        `Rater deviation for ${c.label}`,
        devs.map((d, i) => ({
          label: d.rater,
          value: d.meanDeviation,
          note: `${signed(d.meanDeviation)} on ${plural(d.sharedItems, 'item')}`,
          color: i === 0 && (d.meanAbsDeviation ?? 0) > span / 4 ? '#b00020' : (COLORS[0] as string),
        })),
        -span,
        span,
        [-span, -span / 2, 0, span / 2, span],
        0,
      ),
    );
  }
  return el('div', {}, ...parts);
}

function criterionCard(c: CriterionStatsDto): HTMLElement {
  const head = el(
    'h3',
    {},
    `${c.label} `,
    el(
      'span',
      { class: 'hint' },
      [plural(c.ratings, 'rating'), plural(c.items, 'item'), plural(c.raters, 'rater')].join(' · '),
    ),
  );
  const parts: Node[] = [head];
  if (c.type !== 'choice') {
    const [lo, hi] = bounds(c);
    parts.push(
      el('h4', {}, c.type === 'yesno' ? 'Share of "yes" with 95% interval' : 'Mean with 95% interval'),
      intervalChart(
        `Mean of ${c.label}`,
        [meanRow('mean', c)],
        lo,
        hi,
        c.type === 'yesno' ? [0, 0.25, 0.5, 0.75, 1] : undefined,
      ),
      el('p', { class: 'hint' }, `median ${f2(c.median)}`),
    );
  }
  parts.push(
    el('h4', {}, 'Distribution of ratings'),
    barChart(
      `Distribution of ${c.label}`,
      c.distribution.map((d) => ({ label: d.value, value: d.count })),
    ),
    agreementSection(c),
  );
  return el('section', { class: 'card' }, ...parts);
}

function coverageCard(s: RunStatsDto): HTMLElement {
  const counts = new Map<number, number>();
  for (const c of s.coverage) counts.set(c.ratings, (counts.get(c.ratings) ?? 0) + 1);
  const max = Math.max(s.target, ...counts.keys());
  const rows = Array.from({ length: max + 1 }, (_, r) => ({
    label: `${r === s.target ? 'target: ' : ''}${r} rating${r === 1 ? '' : 's'}`,
    value: counts.get(r) ?? 0,
    note: plural(counts.get(r) ?? 0, 'item'),
  }));
  const atTarget = s.coverage.filter((c) => c.ratings >= s.target).length;
  return el(
    'section',
    { class: 'card' },
    el(
      'h3',
      {},
      `Coverage: ${atTarget} of ${plural(s.itemCount, 'item')} ${atTarget === 1 ? 'has' : 'have'} ${s.target}+ ratings`,
    ),
    barChart('Items by number of ratings', rows.reverse()),
  );
}

async function renderRun(root: HTMLElement, runId: string, runs: RunSummary[]): Promise<void> {
  const s = await get<RunStatsDto>(`/runs/${enc(runId)}/stats`);
  root.replaceChildren(
    el('p', {}, el('a', { href: '#/results' }, '← All results')),
    el('h1', {}, `Results: ${runId}`),
    el(
      'p',
      { class: 'hint' },
      `${plural(s.ratings, 'rating')} by ${plural(s.raters, 'rater')} on ${plural(s.itemCount, 'item')} (${plural(s.submissions, 'submission')}; each rater's latest per item counts).`,
    ),
    comparePicker(runs, runId),
    coverageCard(s),
    ...s.criteria.map(criterionCard),
  );
}

function comparisonCard(
  c: CriterionComparisonDto,
  sa: CriterionStatsDto | undefined,
  sb: CriterionStatsDto | undefined,
  cmp: RunComparisonDto,
): HTMLElement {
  const parts: Node[] = [el('h3', {}, c.label)];
  if (sa && sb) {
    const [lo, hi] = bounds(sa);
    parts.push(
      el('h4', {}, 'Each run: mean with 95% interval'),
      intervalChart(
        `Means of ${c.label}`,
        [meanRow('A', sa, COLORS[0]), meanRow('B', sb, COLORS[1])],
        lo,
        hi,
      ),
    );
    const span = hi - lo;
    const ci = c.interval ? ` [${signed(c.interval.low)}, ${signed(c.interval.high)}]` : '';
    parts.push(
      el(
        'h4',
        {},
        `Difference A − B ${cmp.design === 'paired' ? `over ${plural(c.videos.both, 'video')} rated in both` : '(unpaired)'}`,
      ),
      intervalChart(
        `Difference in ${c.label}`,
        [
          {
            label: 'A − B',
            value: c.difference,
            low: c.interval?.low,
            high: c.interval?.high,
            note: `${signed(c.difference)}${ci}`,
          },
        ],
        -span,
        span,
        [-span, -span / 2, 0, span / 2, span],
        0,
      ),
    );
  }
  const facts: string[] = [];
  if (c.test) {
    facts.push(
      `${c.test.name === 'wilcoxon' ? 'Wilcoxon signed-rank' : 'Mann–Whitney U'}: ${pText(c.test.p)} (${c.test.method}, n = ${c.test.n}).`,
    );
  }
  facts.push(
    c.power.needed === null
      ? 'Sample size: not estimable yet (it needs a difference, and at least two videos whose results vary).'
      : `To detect this difference (α = 0.05, 80% power): ${plural(c.power.needed, 'video')} ${cmp.design === 'paired' ? 'rated in both runs' : 'per run'}, ${c.power.more} more.`,
  );
  if (c.wins) {
    parts.push(
      el('h4', {}, 'Per video'),
      winsChart(`Wins by video for ${c.label}`, [
        { label: 'A higher', value: c.wins.a, color: COLORS[0] as string },
        { label: 'tie', value: c.wins.tie, color: '#9aa0a6' },
        { label: 'B higher', value: c.wins.b, color: COLORS[1] as string },
      ]),
    );
  }
  parts.push(...facts.map((t) => el('p', {}, t)));
  return el('section', { class: 'card' }, ...parts);
}

async function renderCompare(root: HTMLElement, a: string, b: string, runs: RunSummary[]): Promise<void> {
  const [cmp, sa, sb] = await Promise.all([
    get<RunComparisonDto>(`/compare?a=${enc(a)}&b=${enc(b)}`),
    get<RunStatsDto>(`/runs/${enc(a)}/stats`),
    get<RunStatsDto>(`/runs/${enc(b)}/stats`),
  ]);
  const design =
    cmp.design === 'paired'
      ? `Paired by video: ${plural(cmp.sharedVideos, 'video')} ${cmp.sharedVideos === 1 ? 'is' : 'are'} in both runs.`
      : `Unpaired: the runs share ${plural(cmp.sharedVideos, 'video')}.`;
  root.replaceChildren(
    el('p', {}, el('a', { href: '#/results' }, '← All results')),
    el('h1', {}, 'Compare runs'),
    el(
      'p',
      {},
      el('strong', { class: 'run-a' }, 'A '),
      el('a', { href: `#/results/${enc(a)}` }, a),
      ' vs ',
      el('strong', { class: 'run-b' }, 'B '),
      el('a', { href: `#/results/${enc(b)}` }, b),
    ),
    el('p', { class: 'hint' }, design),
    ...(cmp.sharedVideos
      ? [
          el(
            'p',
            {},
            el(
              'a',
              { href: `#/compare/${enc(a)}/${enc(b)}`, class: 'rate-blind' },
              'Rate these two runs blind',
            ),
          ),
        ]
      : []),
    comparePicker(runs, a, b),
    ...(cmp.criteria.length
      ? cmp.criteria.map((c) =>
          comparisonCard(
            c,
            sa.criteria.find((x) => x.criterion === c.criterion),
            sb.criteria.find((x) => x.criterion === c.criterion),
            cmp,
          ),
        )
      : [el('p', {}, 'The runs share no numeric criterion to compare.')]),
  );
}

function comparePicker(runs: RunSummary[], a?: string, b?: string): HTMLElement {
  const select = (id: string, chosen: string | undefined): HTMLSelectElement =>
    el(
      'select',
      { id, name: id },
      ...runs.map((r) => el('option', { value: r.id, selected: r.id === chosen }, r.id)),
    );
  const sa = select('cmp-a', a ?? runs[0]?.id);
  const sb = select('cmp-b', b ?? runs.find((r) => r.id !== (a ?? runs[0]?.id))?.id);
  const form = el(
    'form',
    { class: 'compare-picker' },
    el('label', { for: 'cmp-a' }, 'Compare A'),
    sa,
    el('label', { for: 'cmp-b' }, 'with B'),
    sb,
    el('button', { type: 'submit' }, 'Compare'),
  );
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    if (sa.value !== sb.value) location.hash = `#/results/${enc(sa.value)}/vs/${enc(sb.value)}`;
  });
  return form;
}

/** `#/results`, `#/results/RUN` and `#/results/A/vs/B`. */
export async function renderResults(root: HTMLElement, rest: string): Promise<void> {
  root.replaceChildren(el('p', {}, 'Loading results…'));
  try {
    const runs = await get<RunSummary[]>('/runs');
    const [a, b] = rest.split('/vs/').map(decodeURIComponent);
    if (a && b) return await renderCompare(root, a, b, runs);
    if (a) return await renderRun(root, a, runs);
    root.replaceChildren(
      el('h1', {}, 'Results'),
      el(
        'ul',
        { class: 'run-list' },
        ...runs.map((r) =>
          el(
            'li',
            {},
            el(
              'a',
              { class: 'run-link results-link', href: `#/results/${enc(r.id)}` },
              el('strong', { class: 'run-name' }, r.id),
              el(
                'span',
                { class: 'meta' },
                [r.model, plural(r.itemCount, 'item'), plural(r.ratingCount, 'submission')]
                  .filter(Boolean)
                  .join(' · '),
              ),
            ),
          ),
        ),
      ),
      runs.length > 1 ? comparePicker(runs) : el('p', {}, 'Upload a second run to compare runs.'),
    );
  } catch (e) {
    root.replaceChildren(el('p', { class: 'error' }, `Could not load results: ${(e as Error).message}`));
  }
}
