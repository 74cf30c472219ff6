import { extractModelOutput, itemIdFromPath, parseRunFile, parseTimestamp, parseVideoRef } from '@fts/shared';

describe('item detection', () => {
  it.each([
    ['00:03', 3],
    ['0:05', 5],
    ['1:02:03.5', 3723.5],
    ['12.5', 12.5],
    ['12.5s', 12.5],
    [4.5, 4.5],
  ])('reads the timestamp %p as %p seconds', (raw, seconds) => {
    expect(parseTimestamp(raw)).toBe(seconds);
  });

  it.each(['1:75', '-3', 'soon', '', null, Number.NaN])('refuses the timestamp %p', (raw) => {
    expect(parseTimestamp(raw)).toBeUndefined();
  });

  it('resolves gs:// URIs, public GCS URLs and bucket-relative keys, and nothing else', () => {
    expect(parseVideoRef('gs://buildai-dataset/videos/a b#1.mp4')).toEqual({
      bucket: 'buildai-dataset',
      key: 'videos/a b#1.mp4',
    });
    expect(parseVideoRef('https://storage.googleapis.com/my-bucket/v/a%20b.mp4')).toEqual({
      bucket: 'my-bucket',
      key: 'v/a b.mp4',
    });
    expect(parseVideoRef('videos/line3/x.mp4')).toEqual({ key: 'videos/line3/x.mp4' });
    for (const bad of [
      '/etc/passwd.mp4',
      'gs://b/x.mp4',
      'videos/../x.mp4',
      'https://example.com/a.mp4',
      'x',
    ]) {
      expect(parseVideoRef(bad)).toBeUndefined();
    }
  });

  it('parses a fenced JSON answer and finds its steps', () => {
    const model = extractModelOutput({
      response_text: 'Here:\n```json\n{"steps": [{"start": "0:01", "end": "0:04", "action": "Lifts"}]}\n```',
    });
    expect(model.field).toBe('response_text');
    expect(model.segments).toEqual([{ start: 1, end: 4, label: 'Lifts' }]);
  });

  it('keeps a text answer without JSON as text, and an error as an error', () => {
    expect(extractModelOutput({ output: 'no json here' }).output).toBe('no json here');
    expect(extractModelOutput({ output: null, error: '429 quota' })).toEqual({
      output: null,
      error: '429 quota',
      segments: [],
    });
  });

  it('names items by their path without extension, and JSONL lines by number', () => {
    expect(itemIdFromPath('a/b/clip.json')).toBe('a/b/clip');
    expect(itemIdFromPath('batch.jsonl', 3)).toBe('batch~3');
  });
});

describe('run file problems', () => {
  const reason = (text: string, path = 'f.json') => parseRunFile(path, text).problems.map((p) => p.reason);

  it('says why a video reference that is present cannot be used', () => {
    expect(reason('{"video_uri":"gs://b/v1.mp4"}')).toEqual([
      'video_uri "gs://b/v1.mp4": "b" is not a valid bucket name',
    ]);
    expect(reason('{"video_path":"/home/me/a.mp4"}')[0]).toMatch(/is a local path; use gs:\/\/BUCKET\/KEY/);
    expect(reason('{"video_url":"https://example.com/a.mp4"}')[0]).toMatch(/only gs:\/\/BUCKET\/KEY/);
    expect(reason('{"video":"clips/a"}')[0]).toMatch(/must end in a file extension/);
  });

  it('reports an inference result without any video field', () => {
    expect(reason('{"output": {"x": 1}}')).toEqual([
      'no video reference (expected video_uri, gcs_uri, video_path, …)',
    ]);
  });

  it('gives invalid JSON a line and column', () => {
    expect(reason('{\n  "a": 1,\n  b: 2\n}')[0]).toMatch(/^invalid JSON: .*\(line 3, column 3\)$/);
  });

  it('treats JSON without a video field as metadata', () => {
    expect(parseRunFile('run_config.json', '{"model": "m", "uri": "https://x"}').file?.kind).toBe('metadata');
  });

  it('reports the bad lines of a JSONL file by line number', () => {
    const problems = parseRunFile('b.jsonl', '{"video_uri":"gs://bkt/a.mp4"}\nnot json\n[1]\n').problems;
    expect(problems.map((p) => p.path)).toEqual(['b.jsonl:2', 'b.jsonl:3']);
  });
});
