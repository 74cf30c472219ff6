import { button, clock, el, typingIn } from '../dom';

export const SPEEDS = [0.25, 0.5, 0.75, 1, 1.25, 1.5, 2];
/** Frame length until the video tells us better (most factory cameras record at 30 fps). */
const DEFAULT_FRAME_S = 1 / 30;
const SEEK_S = 5;

export interface Player {
  root: HTMLElement;
  video: HTMLVideoElement;
  /** Handle a shortcut; true when it was one of the player's. */
  key(e: KeyboardEvent): boolean;
  /**
   * Start playing, with sound. A browser that refuses sound before any user gesture gets a
   * "Click to play" button over the video instead (never a silent switch to muted).
   */
  play(): void;
  /** Switch the controls and their shortcuts on or off (off while the video cannot play). */
  setEnabled(on: boolean): void;
}

/**
 * A video with labelled controls: play/pause, seek, ±5 s, frame step, speed, mute.
 * `video` may come preloaded; `onFail` is told when it cannot be played.
 */
export function createPlayer(video: HTMLVideoElement, onFail: (reason: string) => void): Player {
  video.controls = false;
  video.playsInline = true;
  video.removeAttribute('aria-hidden');
  video.tabIndex = -1;
  let frame = DEFAULT_FRAME_S;

  const playBtn = button('Play', () => toggle(), { class: 'ctl play', 'aria-label': 'Play (k)' });
  const seek = el('input', {
    type: 'range',
    class: 'seek',
    min: '0',
    max: '0',
    step: '0.01',
    value: '0',
    'aria-label': 'Seek',
  });
  const time = el('span', { class: 'time', 'aria-hidden': 'true' }, '0:00.0 / 0:00');
  const speed = el(
    'select',
    { class: 'speed', 'aria-label': 'Playback speed' },
    ...SPEEDS.map((s) => el('option', { value: String(s), selected: s === 1 }, `${s}×`)),
  );
  const muteBtn = button('Mute', () => (video.muted = !video.muted), {
    class: 'ctl',
    'aria-pressed': 'false',
  });

  const jump = (dt: number): void => {
    const end = Number.isFinite(video.duration) ? video.duration : Infinity;
    video.currentTime = Math.min(end, Math.max(0, video.currentTime + dt));
  };
  const step = (n: number): void => {
    video.pause();
    jump(n * frame);
  };
  const setSpeed = (delta: number): void => {
    const i = SPEEDS.indexOf(video.playbackRate);
    const next = SPEEDS[Math.min(SPEEDS.length - 1, Math.max(0, (i < 0 ? 3 : i) + delta))] ?? 1;
    video.playbackRate = next;
  };
  function toggle(): void {
    if (video.paused || video.ended) play();
    else video.pause();
  }
  function play(): void {
    if (video.error || !enabled) return;
    video.play().catch((e: unknown) => {
      if ((e as DOMException).name === 'NotAllowedError' && video.paused) clickToPlay.hidden = false;
    });
  }
  let enabled = true;
  const clickToPlay = button('▶ Click to play', () => play(), { class: 'click-to-play', hidden: true });

  const sync = (): void => {
    const d = Number.isFinite(video.duration) ? video.duration : 0;
    seek.max = String(d);
    if (document.activeElement !== seek || video.paused) seek.value = String(video.currentTime);
    seek.setAttribute('aria-valuetext', `${clock(video.currentTime)} of ${clock(d)}`);
    time.textContent = `${clock(video.currentTime, true)} / ${clock(d)}`;
  };
  // The button always tells the video's real state: it follows play/pause events only.
  const syncPlaying = (): void => {
    if (!video.paused) clickToPlay.hidden = true;
    const label = video.paused ? 'Play' : 'Pause';
    playBtn.textContent = label === 'Play' ? '▶ Play' : '❚❚ Pause';
    playBtn.setAttribute('aria-label', `${label} (k)`);
  };
  const syncMute = (): void => {
    muteBtn.textContent = video.muted ? 'Unmute' : 'Mute';
    muteBtn.setAttribute('aria-pressed', String(video.muted));
  };
  for (const ev of ['timeupdate', 'durationchange', 'loadedmetadata', 'seeked'])
    video.addEventListener(ev, sync);
  for (const ev of ['play', 'pause', 'ended']) video.addEventListener(ev, syncPlaying);
  video.addEventListener('volumechange', syncMute);
  video.addEventListener('ratechange', () => (speed.value = String(video.playbackRate)));
  video.addEventListener('click', () => enabled && toggle());
  seek.addEventListener('input', () => (video.currentTime = Number(seek.value)));
  speed.addEventListener('change', () => (video.playbackRate = Number(speed.value)));
  speed.value = String(video.playbackRate);

  // Learn the real frame length from the decoder while playing (Chromium's
  // requestVideoFrameCallback gives each presented frame's media time).
  let lastMediaTime: number | undefined;
  const onFrame = (_now: number, meta: VideoFrameCallbackMetadata): void => {
    if (lastMediaTime !== undefined) {
      const d = meta.mediaTime - lastMediaTime;
      if (d > 0.004 && d < 0.2 && video.playbackRate <= 1) frame = Math.min(frame, d);
    }
    lastMediaTime = meta.mediaTime;
    if (video.isConnected) video.requestVideoFrameCallback(onFrame);
  };
  if ('requestVideoFrameCallback' in video) video.requestVideoFrameCallback(onFrame);

  const failed = (): void => onFail(video.error?.message ?? 'error');
  video.addEventListener('error', failed);
  if (video.error) queueMicrotask(failed);

  const root = el(
    'div',
    { class: 'player' },
    el('div', { class: 'screen' }, video, clickToPlay),
    el(
      'div',
      { class: 'controls', role: 'group', 'aria-label': 'Video controls' },
      playBtn,
      button('−5 s', () => jump(-SEEK_S), { class: 'ctl', 'aria-label': 'Back 5 seconds (j)' }),
      button('◂ frame', () => step(-1), { class: 'ctl', 'aria-label': 'Previous frame (,)' }),
      button('frame ▸', () => step(1), { class: 'ctl', 'aria-label': 'Next frame (.)' }),
      button('+5 s', () => jump(SEEK_S), { class: 'ctl', 'aria-label': 'Forward 5 seconds (l)' }),
      seek,
      time,
      speed,
      muteBtn,
    ),
  );
  sync();
  syncPlaying();
  syncMute();

  const controls = [
    ...root.querySelectorAll<HTMLButtonElement | HTMLInputElement | HTMLSelectElement>(
      '.controls button, .controls input, .controls select',
    ),
  ];
  return {
    root,
    video,
    play,
    setEnabled(on) {
      enabled = on;
      for (const c of controls) c.disabled = !on;
      if (!on) clickToPlay.hidden = true;
      root.classList.toggle('disabled', !on);
    },
    key(e) {
      if (!enabled) return false;
      const inControl = e.target instanceof HTMLButtonElement || e.target instanceof HTMLSelectElement;
      const onRadio = e.target instanceof HTMLInputElement && e.target.type === 'radio';
      if (typingIn(e.target) || e.ctrlKey || e.metaKey || e.altKey) return false;
      switch (e.key) {
        case ' ':
          if (inControl || onRadio) return false;
          toggle();
          return true;
        case 'k':
          toggle();
          return true;
        case 'j':
          jump(-SEEK_S);
          return true;
        case 'l':
          jump(SEEK_S);
          return true;
        case 'ArrowLeft':
        case 'ArrowRight':
          // Arrows belong to radios, selects and the seek bar when they have focus.
          if (inControl || onRadio || e.target === seek) return false;
          jump((e.key === 'ArrowLeft' ? -1 : 1) * (e.shiftKey ? 1 : SEEK_S));
          return true;
        case ',':
          step(-1);
          return true;
        case '.':
          step(1);
          return true;
        case '[':
        case '<':
          setSpeed(-1);
          return true;
        case ']':
        case '>':
          setSpeed(1);
          return true;
        case 'm':
          video.muted = !video.muted;
          return true;
        default:
          return false;
      }
    },
  };
}
