import { DEFAULT_RUBRIC, type Submission } from '@fts/shared';
import { chooseNext, chooseNextPair, type AllocRun } from '../../server/src/allocation';

type It = { id: string; videoUri: string };
const run = (runId: string, ids: string[]): AllocRun<It> => ({
  runId,
  rubric: DEFAULT_RUBRIC,
  items: ids.map((id) => ({ id, videoUri: `gs://b/${id}.mp4` })),
});
let seq = 0;
const sub = (runId: string, rater: string, item: string, overall: number): Submission => ({
  submission_id: `s${++seq}`,
  submitted_at: `2026-11-20T10:00:${String(seq % 60).padStart(2, '0')}.${String(seq).padStart(3, '0')}Z`,
  rater_id: rater,
  run_id: runId,
  item_id: item,
  video_uri: `gs://b/${item}.mp4`,
  answers: { overall },
  comment: '',
});

describe('chooseNext', () => {
  const R = run('R', ['i1', 'i2', 'i3', 'i4']);

  it('never offers an item the rater has rated, and ends when all are rated', () => {
    const subs = ['i1', 'i2', 'i3'].map((i) => sub('R', 'ann', i, 3));
    expect(chooseNext(R, subs, 'ann', 3)?.id).toBe('i4');
    expect(chooseNext(R, [...subs, sub('R', 'ann', 'i4', 3)], 'ann', 3)).toBeUndefined();
  });

  it('brings every item to the target before any item goes past it, fewest ratings first', () => {
    const subs: Submission[] = [];
    const raters = ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'];
    // Raters take turns, one item each, as a crowd would.
    for (let round = 0; round < 16; round++) {
      const rater = raters[round % raters.length] as string;
      const item = chooseNext(R, subs, rater, 3);
      if (!item) continue;
      const count = (id: string): number => subs.filter((s) => s.item_id === id).length;
      const open = R.items.filter((i) => !subs.some((s) => s.item_id === i.id && s.rater_id === rater));
      // Past the target only when every item this rater could take is at the target already;
      // below it, the least-rated item this rater could take.
      if (count(item.id) >= 3) expect(open.every((i) => count(i.id) >= 3)).toBe(true);
      else expect(count(item.id)).toBe(Math.min(...open.map((i) => count(i.id))));
      subs.push(sub('R', rater, item.id, 3));
    }
    const counts = R.items.map((i) => subs.filter((s) => s.item_id === i.id).length);
    expect(counts.every((c) => c >= 3)).toBe(true);
  });

  it('past the target, sends the next rating where raters disagree most', () => {
    const subs = [
      ...['a', 'b', 'c'].map((r) => sub('R', r, 'i1', 3)),
      ...['a', 'b', 'c'].map((r, k) => sub('R', r, 'i2', [1, 5, 3][k] as number)),
      ...['a', 'b', 'c'].map((r) => sub('R', r, 'i3', 4)),
      ...['a', 'b', 'c', 'd'].map((r, k) => sub('R', r, 'i4', [2, 4, 2, 4][k] as number)),
    ];
    expect(chooseNext(R, subs, 'zed', 3)?.id).toBe('i2');
    // Below target, agreement does not matter: the least-rated item comes first.
    const i3Short = subs.filter((s) => !(s.item_id === 'i3' && s.rater_id === 'c'));
    expect(chooseNext(R, i3Short, 'zed', 3)?.id).toBe('i3');
  });

  it('counts a rater once per item however often they re-score', () => {
    const subs = [
      sub('R', 'a', 'i1', 1),
      sub('R', 'a', 'i1', 2),
      sub('R', 'a', 'i1', 3),
      sub('R', 'b', 'i2', 3),
    ];
    const next = chooseNext(R, subs, 'c', 3)?.id;
    expect(['i3', 'i4']).toContain(next);
  });
});

describe('chooseNextPair', () => {
  const A = run('A', ['v1', 'v2', 'v3', 'only_a']);
  const B = run('B', ['v1', 'v2', 'v3']);

  it('offers only videos both runs cover, one from each run, until the rater has rated every pair', () => {
    const subs: Submission[] = [];
    const seen = new Set<string>();
    for (let k = 0; k < 10; k++) {
      const p = chooseNextPair(A, B, subs, 'ann', 3);
      if (!p) break;
      expect(p.videoUri).not.toContain('only_a');
      expect(new Set(p.items.map((i) => i.videoUri))).toEqual(new Set([p.videoUri]));
      for (const item of p.items) {
        subs.push(sub(A.items.includes(item) ? 'A' : 'B', 'ann', item.id, 3));
      }
      seen.add(p.videoUri);
    }
    expect(seen.size).toBe(3);
    expect(chooseNextPair(A, B, subs, 'ann', 3)).toBeUndefined();
  });

  it('alternates which run comes first for each rater, and not in step across raters', () => {
    const firsts = (rater: string): string[] => {
      const subs: Submission[] = [];
      const out: string[] = [];
      for (let p = chooseNextPair(A, B, subs, rater, 3); p; p = chooseNextPair(A, B, subs, rater, 3)) {
        expect(p.items).toHaveLength(2);
        out.push(A.items.includes(p.items[0] as It) ? 'A' : 'B');
        for (const item of p.items) subs.push(sub(A.items.includes(item) ? 'A' : 'B', rater, item.id, 3));
      }
      return out;
    };
    const starts = new Set<string>();
    for (const rater of ['ann', 'bob', 'cid', 'dan', 'eve', 'fay', 'gus', 'hal']) {
      const order = firsts(rater);
      expect(order).toHaveLength(3);
      expect(order[0]).not.toBe(order[1]);
      expect(order[1]).not.toBe(order[2]);
      starts.add(order[0] as string);
    }
    expect(starts).toEqual(new Set(['A', 'B']));
  });

  it('finishes a started pair first, offering only the half still to rate', () => {
    const subs = [sub('A', 'ann', 'v2', 4)];
    const p = chooseNextPair(A, B, subs, 'ann', 3);
    expect(p?.videoUri).toBe('gs://b/v2.mp4');
    expect(p?.items).toEqual([B.items[1]]);
  });

  it('gives pairs with the fewest raters first', () => {
    const subs = ['x', 'y'].flatMap((r) =>
      ['v1', 'v3'].flatMap((v) => [sub('A', r, v, 3), sub('B', r, v, 3)]),
    );
    expect(chooseNextPair(A, B, subs, 'ann', 3)?.videoUri).toBe('gs://b/v2.mp4');
  });
});
