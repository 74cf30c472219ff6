import { button, el, kbd } from '../dom';

const SHORTCUTS: [string[], string][] = [
  [['k', 'Space'], 'Play / pause'],
  [['j', 'l'], 'Back / forward 5 seconds'],
  [['←', '→'], 'Back / forward 5 s (Shift: 1 s)'],
  [[',', '.'], 'Previous / next frame'],
  [['[', ']'], 'Slower / faster (0.25× to 2×)'],
  [['m'], 'Mute / unmute'],
  [['1', '…', '9'], 'Answer the criterion in focus, or the first unanswered one'],
  [['y', 'n'], 'Yes / no, for a yes/no question'],
  [['c'], 'Write a comment (Esc leaves it)'],
  [['Enter'], 'Submit and go to the next item (Ctrl+Enter in the comment)'],
  [['s'], 'Skip this item'],
  [['p'], 'Previous item (to review or change your score)'],
  [['r'], 'Review your scores for this run'],
  [['?'], 'Show or hide this help'],
];

let dialog: HTMLDialogElement | undefined;

/** The shortcut overlay, made once and toggled by `?`. */
export function toggleHelp(): void {
  if (!dialog) {
    const close = button('Close', () => dialog?.close(), { class: 'primary' });
    dialog = el(
      'dialog',
      { class: 'help-dialog', 'aria-labelledby': 'help-title' },
      el('h2', { id: 'help-title' }, 'Keyboard shortcuts'),
      el(
        'table',
        {},
        el(
          'tbody',
          {},
          ...SHORTCUTS.map(([keys, what]) =>
            el('tr', {}, el('td', {}, ...keys.map(kbd)), el('td', {}, what)),
          ),
        ),
      ),
      el('p', { class: 'muted' }, 'Tab moves between controls; every control also works with the mouse.'),
      close,
    );
    document.body.append(dialog);
  }
  if (dialog.open) dialog.close();
  else dialog.showModal();
}
