import { createProgress } from '../../cli/src/progress';

describe('upload progress', () => {
  it('draws a bar with counts and rate on a terminal', () => {
    let out = '';
    const stream = { isTTY: true, columns: 120, write: (s: string) => ((out += s), true), on: () => stream };
    let now = 0;
    const p = createProgress({ total: 4, label: 'upload', stream, now: () => now });
    now = 1000;
    p.tick('sent');
    p.tick('unchanged');
    now = 2000;
    p.tick('sent');
    p.tick('sent');
    p.stop();
    expect(out).toMatch(/upload \[[█░]+\] 4\/4 files \| 3 sent, 1 unchanged \| 2 files\/s/);
  });

  it('prints at most one plain line a second when piped, and one at the end', () => {
    const lines: string[] = [];
    let now = 0;
    const p = createProgress({
      total: 100,
      label: 'upload',
      stream: { write: (s: string) => lines.push(s) },
      now: () => now,
    });
    for (let i = 0; i < 100; i++) {
      now += 25;
      p.tick(i < 10 ? 'unchanged' : 'sent');
    }
    p.stop();
    expect(lines).toEqual([
      'upload: 40/100 files (30 sent, 10 unchanged), 40 files/s\n',
      'upload: 80/100 files (70 sent, 10 unchanged), 40 files/s\n',
      'upload: 100/100 files (90 sent, 10 unchanged), 40 files/s\n',
    ]);
  });
});
